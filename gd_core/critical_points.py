"""Locating and checking minima numerically, from an exact gradient.

Used twice: to refine the registry's approximate minima to full precision at import time, and to
find the minima of a typed formula (many starts, refined, deduplicated).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Gradient = Callable[[np.ndarray], np.ndarray]

_HESSIAN_STEP = 1e-5


def hessian(gradient: Gradient, point: np.ndarray, step: float = _HESSIAN_STEP) -> np.ndarray:
    """Hessian at ``point`` by central differences of the exact gradient, symmetrised."""
    point = np.asarray(point, dtype=float)
    dim = point.shape[-1]
    offsets = step * np.eye(dim)
    with np.errstate(all="ignore"):
        columns = (gradient(point + offsets) - gradient(point - offsets)) / (2 * step)
    return (columns + columns.T) / 2


def refine_minimum(gradient: Gradient, guess, iterations: int = 60) -> np.ndarray:
    """Newton's method on ``gradient = 0`` from ``guess``.

    The finite-difference Hessian only sets the speed of convergence; the fixed point is where the
    exact gradient vanishes, so the result is accurate to machine precision.
    """
    point = np.array(guess, dtype=float)
    for _ in range(iterations):
        with np.errstate(all="ignore"):
            grad = gradient(point)
            try:
                step = np.linalg.solve(hessian(gradient, point), grad)
            except np.linalg.LinAlgError:
                break
        if not np.all(np.isfinite(step)):
            break
        point = point - step
        if np.max(np.abs(step)) <= 1e-15 * max(1.0, np.max(np.abs(point))):
            break
    return point


def is_local_minimum(gradient: Gradient, point, gradient_tolerance: float = 1e-7) -> bool:
    """True when the gradient vanishes at ``point`` and the Hessian there is positive definite."""
    point = np.asarray(point, dtype=float)
    with np.errstate(all="ignore"):
        grad = gradient(point)
    if not np.all(np.isfinite(grad)) or np.max(np.abs(grad)) > gradient_tolerance:
        return False
    eigenvalues = np.linalg.eigvalsh(hessian(gradient, point))
    return bool(np.all(np.isfinite(eigenvalues)) and np.min(eigenvalues) > 0)


def find_minima(
    value: Callable[[np.ndarray], np.ndarray],
    gradient: Gradient,
    domain: tuple[tuple[float, float], ...],
    starts_per_axis: int = 9,
    max_minima: int = 12,
) -> tuple[np.ndarray, ...]:
    """Local minima inside ``domain``, lowest value first, found from a grid of starts.

    Each start is refined by Newton's method; a result is kept when it lies in the domain, is a
    strict local minimum and is not a duplicate (closer than 1e-6 of the domain span to one kept).
    Newton also converges to saddles and maxima; the Hessian check throws those away. Starts are
    first pulled towards low ground by a short damped gradient descent so that Newton begins inside
    a basin rather than on a ridge.
    """
    bounds = np.asarray(domain, dtype=float)
    dim = len(bounds)
    axes = [np.linspace(lo, hi, starts_per_axis) for lo, hi in bounds]
    starts = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, dim)
    span = bounds[:, 1] - bounds[:, 0]
    starts = _settle(gradient, starts, span)
    found: list[np.ndarray] = []
    for start in starts:
        if not np.all(np.isfinite(start)):
            continue
        candidate = refine_minimum(gradient, start)
        inside = np.all((candidate >= bounds[:, 0] - 1e-9) & (candidate <= bounds[:, 1] + 1e-9))
        if not inside or not is_local_minimum(gradient, candidate, gradient_tolerance=1e-6):
            continue
        if any(np.max(np.abs(candidate - kept) / span) < 1e-6 for kept in found):
            continue
        found.append(candidate)
    with np.errstate(all="ignore"):
        values = [float(value(point)) for point in found]
    order = np.argsort(values, kind="stable")
    return tuple(found[i] for i in order[:max_minima])


def _settle(gradient: Gradient, starts: np.ndarray, span: np.ndarray, steps: int = 200):
    """A few normalised gradient steps per start, all starts at once, shrinking the step size."""
    points = starts.copy()
    step_size = 0.05 * span
    with np.errstate(all="ignore"):
        for _ in range(steps):
            grad = gradient(points)
            norm = np.linalg.norm(grad, axis=-1, keepdims=True)
            direction = np.where(norm > 0, grad / np.where(norm > 0, norm, 1.0), 0.0)
            points = points - step_size * direction
            step_size = step_size * 0.97
    return points
