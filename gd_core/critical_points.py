"""Locating and checking minima numerically, from an exact gradient.

Used twice: to refine the registry's approximate minima to full precision at import time, and to
find the minima of a typed formula (many starts, refined, deduplicated).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Gradient = Callable[[np.ndarray], np.ndarray]

#: The finite-difference step of ``hessian`` (of the exact gradient).
HESSIAN_STEP = 1e-5


def hessian(gradient: Gradient, point: np.ndarray, step: float = HESSIAN_STEP) -> np.ndarray:
    """Hessian by central differences of the exact gradient, symmetrised.

    ``point`` is one point ``(dim,)`` or a batch ``(..., dim)``; the result is ``(..., dim, dim)``.
    """
    point = np.asarray(point, dtype=float)
    offsets = step * np.eye(point.shape[-1])
    shifted = point[..., None, :]
    with np.errstate(all="ignore"):
        columns = (gradient(shifted + offsets) - gradient(shifted - offsets)) / (2 * step)
    return (columns + np.swapaxes(columns, -1, -2)) / 2


def refine_minimum(gradient: Gradient, guess, iterations: int = 60) -> np.ndarray:
    """Newton's method on ``gradient = 0`` from ``guess`` (one point; ``refine_minima`` for many).

    The finite-difference Hessian only sets the speed of convergence; the fixed point is where the
    exact gradient vanishes, so the result is accurate to machine precision.
    """
    return refine_minima(gradient, np.array(guess, dtype=float)[None], iterations)[0]


def refine_minima(gradient: Gradient, guesses, iterations: int = 60) -> np.ndarray:
    """``refine_minimum`` from each of ``guesses`` ``(n, dim)`` at once."""
    return _newton(gradient, guesses, iterations)


def _newton(gradient: Gradient, points: np.ndarray, iterations: int = 60) -> np.ndarray:
    """Newton's method from each of ``points`` ``(n, dim)`` at once; each stops on its own.

    A point stops when its step is negligible or cannot be computed (non-finite gradient or
    Hessian). The pseudo-inverse makes a singular Hessian (a flat direction) take no step along
    that direction instead of failing.
    """
    points = np.array(points, dtype=float)
    moving = np.ones(len(points), dtype=bool)
    for _ in range(iterations):
        index = np.flatnonzero(moving)
        if index.size == 0:
            break
        current = points[index]
        with np.errstate(all="ignore"):
            grad = gradient(current)
            curvature = hessian(gradient, current)
            usable = np.all(np.isfinite(grad), axis=-1) & np.all(
                np.isfinite(curvature), axis=(-2, -1)
            )
            step = np.zeros_like(current)
            step[usable] = (np.linalg.pinv(curvature[usable]) @ grad[usable][..., None])[..., 0]
        usable &= np.all(np.isfinite(step), axis=-1)
        points[index[usable]] = current[usable] - step[usable]
        size = np.max(np.abs(step), axis=-1)
        scale = np.maximum(1.0, np.max(np.abs(points[index]), axis=-1))
        moving[index[~usable | (size <= 1e-15 * scale)]] = False
    return points


#: Kinds of stationary point, told apart by the signs of the Hessian's eigenvalues.
MINIMUM, MAXIMUM, SADDLE, FLAT = "minimum", "maximum", "saddle", "flat"
#: Below this size an eigenvalue of the Hessian counts as zero: no curvature to speak of.
FLAT_CURVATURE = 1e-6
#: Below this size (every component) the gradient counts as zero.
STATIONARY_GRADIENT = 1e-7


def stationary_kinds(gradient: Gradient, points) -> np.ndarray:
    """Per point of ``points`` ``(n, dim)``: ``MINIMUM``, ``MAXIMUM``, ``SADDLE`` (curving up
    along some directions and down along others) or ``FLAT`` (no curvature along some direction,
    and not a saddle), from the Hessian there. Meant for points where the gradient vanishes."""
    points = np.asarray(points, dtype=float)
    with np.errstate(all="ignore"):
        curvature = hessian(gradient, points)
    usable = np.all(np.isfinite(curvature), axis=(-2, -1))
    eigenvalues = np.zeros(curvature.shape[:-1])
    eigenvalues[usable] = np.linalg.eigvalsh(curvature[usable])
    up = np.any(eigenvalues > FLAT_CURVATURE, axis=-1)
    down = np.any(eigenvalues < -FLAT_CURVATURE, axis=-1)
    flat = np.any(np.abs(eigenvalues) <= FLAT_CURVATURE, axis=-1)
    return np.select([up & down, flat, up], [SADDLE, FLAT, MINIMUM], MAXIMUM).astype(object)


def stationary_near(gradient: Gradient, points, reach: float) -> tuple[np.ndarray, np.ndarray]:
    """Per point of ``points`` ``(n, dim)``: the stationary point within ``reach`` of it, and
    whether there is one: the point itself where its gradient vanishes already, else where
    Newton's method leads. Where there is none the point itself is returned."""
    points = np.asarray(points, dtype=float)
    with np.errstate(all="ignore"):
        steep = ~(np.max(np.abs(gradient(points)), axis=-1) <= STATIONARY_GRADIENT)
        # A plateau's tiny gradient over its tiny curvature sends Newton anywhere: only points
        # not stationary yet are refined. Twenty steps reach a stationary point within reach
        # (a few where the Hessian is regular; 2^-20 of the way to a flat one like x^3's).
        refined = points.copy()
        refined[steep] = _newton(gradient, points[steep], iterations=20)
        found = ~steep | (
            np.all(np.isfinite(refined), axis=-1)
            & (np.linalg.norm(refined - points, axis=-1) < reach)
            & (np.max(np.abs(gradient(refined)), axis=-1) <= STATIONARY_GRADIENT)
        )
    return np.where(found[:, None], refined, points), found


def is_local_minimum(gradient: Gradient, point, gradient_tolerance: float = 1e-7):
    """True when the gradient vanishes at ``point`` and the Hessian there is positive definite.

    ``point`` may be a batch ``(..., dim)``: the answer is then a boolean array ``(...)``.
    """
    point = np.asarray(point, dtype=float)
    with np.errstate(all="ignore"):
        grad = gradient(point)
        curvature = hessian(gradient, point)
    stationary = np.all(np.isfinite(grad), axis=-1) & (
        np.max(np.abs(grad), axis=-1) <= gradient_tolerance)
    usable = stationary & np.all(np.isfinite(curvature), axis=(-2, -1))
    eigenvalues = np.zeros(curvature.shape[:-1])
    eigenvalues[usable] = np.linalg.eigvalsh(curvature[usable])
    result = usable & (np.min(eigenvalues, axis=-1) > 0)
    return bool(result) if result.ndim == 0 else result


def find_minima(
    value: Callable[[np.ndarray], np.ndarray],
    gradient: Gradient,
    domain: tuple[tuple[float, float], ...],
    starts_per_axis: int = 9,
    max_minima: int = 12,
) -> tuple[np.ndarray, ...]:
    """Local minima inside ``domain``, lowest value first, found from a grid of starts.

    Starts are first pulled towards low ground by a short damped gradient descent so that Newton
    begins inside a basin rather than on a ridge, then refined by Newton's method. A result is
    kept when it lies in the domain and is a minimum in the weak sense of ``is_weak_minimum``,
    so flat-bottomed minima such as that of x^4 count while saddles and the flat inflection of
    x^3 do not. Newton creeps towards a flat bottom (x^64) and stops anywhere along the floor of
    a trough (x^2 y^2 + x^2), so results in one valley are reported once, by their lowest point.
    """
    bounds = np.asarray(domain, dtype=float)
    dim = len(bounds)
    axes = [np.linspace(lo, hi, starts_per_axis) for lo, hi in bounds]
    starts = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, dim)
    span = bounds[:, 1] - bounds[:, 0]
    starts = _slide_downhill(gradient, starts, span)
    starts = starts[np.all(np.isfinite(starts), axis=-1)]
    candidates: list[np.ndarray] = []
    for candidate in _newton(gradient, starts):
        inside = np.all((candidate >= bounds[:, 0] - 1e-9) & (candidate <= bounds[:, 1] + 1e-9))
        if inside and is_weak_minimum(value, gradient, candidate, span):
            candidates.append(candidate)
    # Newton needs the gradient to vanish near the minimum, which it does not at a kink
    # (|x − 1| + (y − 1)²'s, where it jumps from −1 to 1): a search by values alone finds
    # those. Newton's own results stay: they are the more precise.
    found = list(candidates)
    for candidate in _compass_search(value, starts, span):
        inside = np.all((candidate >= bounds[:, 0]) & (candidate <= bounds[:, 1]))
        known = any(np.all(np.abs(candidate - other) <= 1e-6 * span) for other in found)
        if inside and not known and (is_weak_minimum(value, gradient, candidate, span)
                                     or _is_kink_minimum(value, gradient, candidate, span)):
            candidates.append(candidate)
    with np.errstate(all="ignore"):
        values = [float(value(point)) for point in candidates]
    kept: list[int] = []
    for index in np.argsort(values, kind="stable"):
        if len(kept) == max_minima:
            break
        if not any(_same_valley(value, candidates[index], candidates[other]) for other in kept):
            kept.append(index)
    return tuple(candidates[index] for index in kept)


def is_weak_minimum(
    value: Callable[[np.ndarray], np.ndarray],
    gradient: Gradient,
    point: np.ndarray,
    span: np.ndarray,
    gradient_tolerance: float = 1e-6,
) -> bool:
    """The gradient vanishes, no curvature is clearly negative, and nothing nearby is lower.

    The curvature test rejects ordinary saddles and maxima; the ring of nearby values rejects
    degenerate ones whose Hessian is zero (x^3 at 0, the monkey saddle) without demanding a
    strictly positive curvature that flat minima lack. Undefined (NaN) neighbours do not count
    as lower.
    """
    with np.errstate(all="ignore"):
        grad = gradient(point)
        centre = float(value(point))
        around = value(point + _RING_RADIUS * span * _ring_directions(len(point)))
    if not (np.all(np.isfinite(grad)) and np.isfinite(centre)):
        return False
    if np.max(np.abs(grad)) > gradient_tolerance:
        return False
    eigenvalues = np.linalg.eigvalsh(hessian(gradient, point))
    if not np.all(np.isfinite(eigenvalues)):
        return False
    if np.min(eigenvalues) < -1e-6 * max(1.0, float(np.max(np.abs(eigenvalues)))):
        return False
    # A constant stretch is no minimum: something nearby must rise, however little.
    return bool(np.any(around > centre) and not np.any(around < centre - 1e-12 * (1 + abs(centre))))


_RING_RADIUS = 1e-4  # as a fraction of the domain's span along each axis


def _ring_directions(dim: int) -> np.ndarray:
    """Unit directions along each axis and each diagonal pair of axes, both ways."""
    axes = np.eye(dim)
    diagonals = [
        (axes[i] + sign * axes[j]) / np.sqrt(2)
        for i in range(dim)
        for j in range(i + 1, dim)
        for sign in (1, -1)
    ]
    directions = np.array([*axes, *diagonals])
    return np.concatenate([directions, -directions])


def _same_valley(
    value: Callable[[np.ndarray], np.ndarray], a: np.ndarray, b: np.ndarray, samples: int = 65
) -> bool:
    """True when ``a`` and ``b`` have the same value and the straight path between never rises.

    Two distinct minima of equal depth have a ridge between them; points on one flat floor do
    not. A NaN on the path (the function undefined in between) counts as a ridge.
    """
    with np.errstate(all="ignore"):
        ends = value(np.stack([a, b]))
        tolerance = 1e-9 * (1 + float(np.max(np.abs(ends))))
        if not abs(float(ends[0] - ends[1])) <= tolerance:
            return False
        path = value(a + np.linspace(0, 1, samples)[:, None] * (b - a))
    return bool(np.all(path <= np.max(ends) + tolerance))


def _compass_search(value: Callable[[np.ndarray], np.ndarray], points: np.ndarray,
                    span: np.ndarray, iterations: int = 120) -> np.ndarray:
    """From each of ``points`` at once, by values alone: the lowest of the steps ± h along each
    axis if it is lower, else h halves (from 1 % of the span to far below round-off)."""
    points = points.copy()
    dim = points.shape[-1]
    directions = np.concatenate([np.eye(dim), -np.eye(dim)]) * span
    size = np.full(len(points), 0.01)
    rows = np.arange(len(points))
    with np.errstate(all="ignore"):
        here = value(points)
        for _ in range(iterations):
            trials = points[:, None, :] + size[:, None, None] * directions[None]
            there = value(trials)
            there = np.where(np.isfinite(there), there, np.inf)
            best = np.argmin(there, axis=1)
            lower = there[rows, best] < here
            points[lower] = trials[rows[lower], best[lower]]
            here = np.where(lower, there[rows, best], here)
            size = np.where(lower, size, size / 2)
    return points


def _is_kink_minimum(value: Callable[[np.ndarray], np.ndarray], gradient: Gradient,
                     point: np.ndarray, span: np.ndarray) -> bool:
    """A minimum where the gradient does not vanish (``is_weak_minimum`` takes the others):
    nothing is lower on rings of two radii around it, and something is higher."""
    with np.errstate(all="ignore"):
        grad = gradient(point)
        centre = float(value(point))
        if not np.isfinite(centre) or np.max(np.abs(grad)) <= 1e-6:
            return False
        for radius in (1e-7, 1e-4):
            around = value(point + radius * span * _ring_directions(len(point)))
            if np.any(around < centre) or not np.any(around > centre):
                return False
    return True


def _slide_downhill(gradient: Gradient, starts: np.ndarray, span: np.ndarray, steps: int = 200):
    """Normalised gradient steps of shrinking size from every start at once: onto low ground."""
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
