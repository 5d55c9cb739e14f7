r"""The stability map: how fast heavy-ball momentum converges near a minimum, for every pair of
learning rate and momentum, measured on the surface and predicted by the quadratic theory.

Near a minimum :math:`\theta^*` with Hessian eigenvalues :math:`\lambda_i`, torch's heavy ball
(``SGD(lr, momentum)``) moves the offset :math:`e_t = \theta_t - \theta^*` along each eigenvector
as :math:`e_{t+1} = (1 + \mu - \eta\lambda) e_t - \mu e_{t-1}`, whose growth per step is the
largest root :math:`|\sigma|` of :math:`z^2 - (1 - \eta\lambda + \mu) z + \mu`. The best pair
(Goh, "Why momentum really works", 2017) makes every mode shrink by
:math:`(\sqrt{\kappa} - 1)/(\sqrt{\kappa} + 1)` per step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gd_core.coordinate_reductions import row_sum
from gd_core.critical_points import hessian
from gd_core.descent import as_points
from gd_core.optimizers import make_optimizer
from gd_core.surfaces import Surface

#: Caps on the work of one map: pairs of (momentum, lr), and steps.
MAX_PAIRS = 40_000
MAX_STEPS = 2_000

# The run starts this fraction of the domain's mean width from the point, small enough for the
# quadratic model to hold, large enough to fall through many decades before round-off.
_START_OFFSET = 1e-4
# A run is measured while its distance stays between these multiples of the starting distance:
# below, round-off of the iterate near the minimum takes over; above, the quadratic model fails.
_ROUND_OFF_FLOOR = 1e-9
_MODEL_CEILING = 1e2


@dataclass(frozen=True)
class StabilityMap:
    """Rows follow ``momenta``, columns ``lrs``.

    ``rate``: the measured contraction of ``|θ_t − θ*|`` per step (``>= 1`` where the run does
    not converge); ``theory_rate``: ``max |σ|`` of the quadratic model at ``point``; ``best``:
    the pair ``(lr*, μ*)`` with the smallest theoretical rate; ``eigenvalues``: the Hessian's at
    ``point``, ascending.
    """

    point: np.ndarray
    lrs: np.ndarray
    momenta: np.ndarray
    rate: np.ndarray
    theory_rate: np.ndarray
    best: tuple[float, float]
    eigenvalues: np.ndarray


def heavy_ball_rate(eigenvalues, lrs, momenta) -> np.ndarray:
    """``max_i |σ|`` over the Hessian ``eigenvalues`` for every ``(momentum, lr)`` pair:
    ``(len(momenta), len(lrs))``; σ the roots of ``z² − (1 − lr·λ + μ) z + μ``."""
    lr = np.asarray(lrs, dtype=float)[None, :, None]
    mu = np.asarray(momenta, dtype=float)[:, None, None]
    lam = np.asarray(eigenvalues, dtype=float)[None, None, :]
    trace = 1 + mu - lr * lam
    discriminant = trace**2 - 4 * mu
    root = np.sqrt(np.abs(discriminant))
    real_roots = np.maximum(np.abs(trace + root), np.abs(trace - root)) / 2
    # Complex roots are conjugates: |σ|² = their product = μ.
    return np.max(np.where(discriminant >= 0, real_roots, np.sqrt(mu)), axis=-1)


def best_heavy_ball(eigenvalues) -> tuple[float, float]:
    """``(lr*, μ*) = ((2/(√λmin + √λmax))², ((√λmax − √λmin)/(√λmax + √λmin))²)``."""
    low, high = np.sqrt(np.min(eigenvalues)), np.sqrt(np.max(eigenvalues))
    return float((2 / (low + high)) ** 2), float(((high - low) / (high + low)) ** 2)


def _checked_axis(values, name: str, low: float, high: float) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError(f"{name} must be a non-empty list of finite numbers")
    if not np.all((values >= low) & (values < high)):
        raise ValueError(f"{name} must lie in [{low}, {high}), got {values.min()}..{values.max()}")
    return values


def stability_map(surface: Surface, point, lrs, momenta, steps: int = 300) -> StabilityMap:
    """Heavy-ball momentum from just beside ``point`` (a minimum) for every ``(momentum, lr)``
    pair, all in one batched run; see ``StabilityMap``.

    The start is offset along the sum of the Hessian's eigenvectors, so every mode moves. The
    measured rate compares the largest distance over the first and the last third of the steps
    that fall between round-off and the edge of the quadratic model (maxima, because an
    oscillating run passes close to the minimum between swings).
    """
    point = as_points(surface, point)
    if point.ndim != 1:
        raise ValueError(f"point must be one point of shape ({surface.dim},)")
    lrs = _checked_axis(lrs, "lrs", 0.0, np.inf)
    momenta = _checked_axis(momenta, "momenta", 0.0, 1.0)
    if not np.all(lrs > 0):
        raise ValueError("lrs must be positive")
    if lrs.size * momenta.size > MAX_PAIRS:
        raise ValueError(f"at most {MAX_PAIRS} (momentum, lr) pairs, got {lrs.size * momenta.size}")
    if int(steps) != steps or not 3 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be a whole number from 3 to {MAX_STEPS}, got {steps}")
    steps = int(steps)
    curvature = hessian(surface.gradient_fn, point)
    eigenvalues, eigenvectors = np.linalg.eigh(curvature)
    if not np.all(np.isfinite(eigenvalues)) or not eigenvalues[0] > 0:
        raise ValueError(f"the Hessian at {point} is not positive definite: not a minimum")

    width = float(np.mean([hi - lo for lo, hi in surface.domain]))
    direction = eigenvectors.sum(axis=1)
    start = point + _START_OFFSET * width * direction / np.linalg.norm(direction)
    grid_mu, grid_lr = np.meshgrid(momenta, lrs, indexing="ij")
    optimizer = make_optimizer("momentum", lr=grid_lr.reshape(-1, 1),
                               momentum=grid_mu.reshape(-1, 1))
    distances = _distances(surface, optimizer, start, point, grid_lr.size, steps)
    rate = _measured_rate(distances).reshape(grid_lr.shape)
    return StabilityMap(point, lrs, momenta, rate, heavy_ball_rate(eigenvalues, lrs, momenta),
                        best_heavy_ball(eigenvalues), eigenvalues)


def _distances(surface, optimizer, start, point, runs: int, steps: int) -> np.ndarray:
    """``(steps + 1, runs)`` distances to ``point``, float32 (they feed logarithms only)."""
    params = np.array(np.broadcast_to(start, (runs, len(start))))
    distances = np.empty((steps + 1, runs), dtype=np.float32)
    with np.errstate(all="ignore"):
        state = optimizer.init(params)
        for step in range(steps + 1):
            if step:
                updates, state = optimizer.update_in_place(surface.gradient_fn(params), state,
                                                           params)
                params += updates
            offsets = params - point
            distances[step] = np.sqrt(row_sum(offsets * offsets))
    return distances


def _measured_rate(distances: np.ndarray) -> np.ndarray:
    """Per run: ``exp`` of the least-squares slope of ``log |θ_t − θ*|`` over the last three
    quarters of the measurable steps (those before the run leaves the band between round-off and
    the edge of the quadratic model; never fewer than the first three). The first quarter is
    left out: there the faster modes have not died away yet. A fit, not two end points, because
    an oscillating run passes close to the minimum between swings."""
    frames, runs = distances.shape
    start = distances[0].astype(float)
    with np.errstate(all="ignore"):
        inside = (distances > _ROUND_OFF_FLOOR * start) & (distances < _MODEL_CEILING * start)
        logs = np.log(distances.astype(float))
    first_out = np.where(~inside.all(axis=0), np.argmax(~inside, axis=0), frames)
    last = np.clip(first_out - 1, 2, frames - 1)
    steps = np.arange(frames, dtype=float)[:, None]
    window = (steps >= last // 4) & (steps <= last)
    count = window.sum(axis=0)
    mean_step = np.where(window, steps, 0.0).sum(axis=0) / count
    mean_log = np.where(window, logs, 0.0).sum(axis=0) / count
    centred = np.where(window, steps - mean_step, 0.0)
    with np.errstate(all="ignore"):
        slope = (centred * np.where(window, logs - mean_log, 0.0)).sum(axis=0) / (
            (centred**2).sum(axis=0))
    rate = np.exp(slope)
    # A run that left through the ceiling (or overflowed) is growing, whatever the fit says.
    exit_distance = distances[np.minimum(first_out, frames - 1), np.arange(runs)]
    grew = (first_out < frames) & ~(exit_distance <= _ROUND_OFF_FLOOR * start)
    return np.where(grew, np.maximum(np.nan_to_num(rate, nan=np.inf), 1.0), rate)
