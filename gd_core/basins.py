r"""Basins of attraction: which known minimum each start on a grid ends in.

A label is honest: it is the minimum a run is at when the steps end, exactly as if every start
ran every step. To keep the cost following the hard cells, a run may leave the batch early only
once it is *certified* to stay near its minimum for good (``_Certificate``): for plain gradient
descent and heavy-ball or Nesterov momentum at a constant learning rate, the step map
:math:`z \mapsto F(z)` of the state :math:`z = (\theta - \theta^*, b)` (offset from the minimum,
momentum buffer) has Jacobian :math:`A(H(\theta))`, the linearised iteration at the Hessian
:math:`H` where the run is. When a norm :math:`\|\cdot\|_P` makes every such Jacobian over a ball
of radius :math:`R` around the minimum a contraction, :math:`\|A\|_P \le q < 1`, the mean value
inequality gives :math:`\|F(z)\|_P \le q \|z\|_P + \delta` (:math:`\delta` the round-off of
:math:`F(0)`), so the set :math:`\{\|z\|_P \le c\}` whose offsets lie within :math:`R` is never
left. ``P`` solves a Lyapunov equation for the iteration at the minimum; the supremum over the
ball is taken over Hessians sampled on rings, with a third of the gap :math:`1 - \rho(A)` kept as
margin. Adaptive optimizers (AdaGrad, RMSProp, Adam) rescale their steps by a state that keeps
changing near a minimum, so no such bound holds: their runs all run to the end.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass

import numpy as np

from gd_core.coordinate_reductions import row_sum
from gd_core.critical_points import hessian
from gd_core.descent import escape_limits, escaped
from gd_core.optimizers import Optimizer
from gd_core.surfaces import Surface

#: A run has reached minimum k when it lies within this distance of k when the steps end; its
#: settle step is the first step from which it stayed that close to the end. Small next to the
#: spacing of any two registered minima (Rastrigin's: about 1).
SETTLE_TOLERANCE = 1e-2

#: The optimizers whose runs can be certified to stay (their step is linear in the gradient).
CERTIFIED_OPTIMIZERS = ("gd", "momentum", "nesterov")

# Runaways and certificates are checked every few steps: a certified run leaves a little later.
_CHECK_EVERY = 8
_COMPACT_FRACTION = 0.1
# As few blocks as the cores allow: NumPy lets go of the GIL inside each call, and two threads
# then take turns over it between calls, so a block's cost per run grows as its calls get
# shorter (a 300x300 Adam map here: about 0.5 s in blocks of 22,500 runs, 0.4 s in 45,000).
_CHUNK_RUNS = 45_000
_PROGRESS_EVERY_S = 0.025
# Blocks of starts run on this many threads.
_WORKERS = min(2, os.cpu_count() or 1)
# The certified ball starts just inside the tolerance and is halved while the sampled Hessians
# vary too much for the contraction to hold; past this many halvings the minimum goes without.
_BALL_HALVINGS = 12
# A minimum whose linearised iteration contracts by less than this per step gets no certificate.
_MIN_GAP = 1e-3
_RING_ANGLES = 32
_RING_RADII = (0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class BasinMap:
    """Per grid cell: the minimum the run is at when the steps end, and since when, or why not.

    For a 2D surface the arrays are ``(resolution, resolution)``: row ``i`` is ``y = ys[i]``,
    column ``j`` is ``x = xs[j]``. For a 1D surface they are ``(resolution,)`` over ``xs``.
    ``labels`` index ``surface.minima``: the run ends within ``tolerance`` of that minimum (-1:
    of none, or it diverged); ``steps`` is the first step from which it stayed within
    ``tolerance`` of it to the end (0 for a start already there; -1 without a label), the
    ``minimum_reached`` reading of a full trajectory; ``diverged`` marks runaways.
    """

    labels: np.ndarray
    steps: np.ndarray
    diverged: np.ndarray
    xs: np.ndarray
    ys: np.ndarray | None
    tolerance: float


def _grid_starts(surface: Surface, resolution: int):
    axes = [np.linspace(lo, hi, resolution) for lo, hi in surface.domain]
    if surface.dim == 1:
        return axes[0][:, None], axes[0], None, (resolution,)
    # meshgrid's default "xy" indexing puts y along rows, the layout images and heatmaps use.
    grid_x, grid_y = np.meshgrid(axes[0], axes[1])
    starts = np.stack([grid_x.ravel(), grid_y.ravel()], axis=-1)
    return starts, axes[0], axes[1], (resolution, resolution)


def _take(state, keep: np.ndarray):
    """The optimizer state restricted to the runs in ``keep`` (counters stay shared)."""
    return type(state)(*(_kept(part, keep) if np.ndim(part) else part for part in state))


def _kept(runs: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``runs[keep]``, column-major like every batch here (indexing returns row-major)."""
    return np.asfortranarray(runs[keep])


def basin_map(
    surface: Surface,
    optimizer: Optimizer,
    resolution: int = 300,
    steps: int = 300,
    tolerance: float = SETTLE_TOLERANCE,
    progress: Callable[[float], None] | None = None,
) -> BasinMap:
    """Run ``optimizer`` from every point of a ``resolution``-per-axis grid over the domain.

    Every run counts until the steps end; only runs certified to stay at their minimum (see the
    module's docstring) and runaways leave the batch early, so the cost follows the hard cells,
    and no trajectory is kept (memory grows with the grid only). Hyperparameters must be scalars.
    ``progress(fraction)`` is called every ``_PROGRESS_EVERY_S`` seconds while the map
    computes, with the fraction of its steps run, and with 1.0 at the end.
    """
    if surface.dim not in (1, 2):
        raise ValueError(f"basin maps are drawn for 1D and 2D surfaces, not {surface.dim}D")
    if int(resolution) != resolution or not 2 <= resolution <= 2000:
        raise ValueError(f"resolution must be a whole number from 2 to 2000, got {resolution}")
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps}")
    for name, value in optimizer.hyperparams.items():
        if any(np.size(item) != 1 for item in (value if isinstance(value, tuple) else (value,))):
            raise ValueError(f"basin_map needs a scalar {name}, got {value!r}")

    starts, xs, ys, shape = _grid_starts(surface, int(resolution))
    certificate = _Certificate.build(surface, optimizer, int(steps), tolerance)
    # Runs are independent: blocks of them run side by side on the cores.
    blocks = -(-len(starts) // (_WORKERS * _CHUNK_RUNS)) * _WORKERS  # a multiple of workers
    chunks = np.array_split(starts, blocks)

    # Per block, the steps its worker has run: progress is read from them while the blocks run
    # (a block whose runs all left early counts as done).
    reached = [0] * len(chunks)

    def label(index, chunk):
        def at_step(step):
            reached[index] = step
        result = _label_starts(surface, optimizer, chunk, int(steps), tolerance, certificate,
                               at_step)
        reached[index] = int(steps)
        return result

    with ThreadPoolExecutor(_WORKERS) as pool:
        futures = [pool.submit(label, index, chunk) for index, chunk in enumerate(chunks)]
        pending = set(futures) if progress is not None else set()
        while pending:
            _, pending = wait(pending, timeout=_PROGRESS_EVERY_S)
            progress(sum(reached) / (len(chunks) * steps) if steps else 1.0)
        results = [future.result() for future in futures]
    labels, settled_at, diverged = (np.concatenate(parts) for parts in zip(*results, strict=True))
    return BasinMap(
        labels.reshape(shape), settled_at.reshape(shape), diverged.reshape(shape),
        xs, ys, float(tolerance),
    )


def linearised_step(optimizer_name: str, lr, momentum, curvature: np.ndarray) -> np.ndarray:
    """The Jacobian of one step of ``optimizer_name`` with respect to its state ``(offset,
    buffer)`` where the Hessian is ``curvature`` ``(..., dim, dim)``; ``(..., dim, dim)`` for
    gd, ``(..., 2 dim, 2 dim)`` for momentum and Nesterov (torch's update rules)."""
    curvature = np.asarray(curvature, dtype=float)
    dim = curvature.shape[-1]
    identity = np.broadcast_to(np.eye(dim), curvature.shape)
    if optimizer_name == "gd":
        return identity - lr * curvature
    # b' = μ b + H e; momentum: e' = e − η b'; Nesterov: e' = e − η (H e + μ b').
    gain = 1 + momentum if optimizer_name == "nesterov" else 1.0
    carry = momentum**2 if optimizer_name == "nesterov" else momentum
    top = np.concatenate([identity - lr * gain * curvature, -lr * carry * identity], axis=-1)
    bottom = np.concatenate([curvature, momentum * identity], axis=-1)
    return np.concatenate([top, bottom], axis=-2)


def _lyapunov_metric(step: np.ndarray, rate: float) -> np.ndarray:
    """P with (A/r)ᵀ P (A/r) − P = −I: the norm ‖z‖_P = √(zᵀPz) in which A shrinks by r."""
    size = step.shape[0]
    scaled = step / rate
    kron = np.kron(scaled.T, scaled.T)
    metric = np.linalg.solve(np.eye(size * size) - kron, np.eye(size).ravel()).reshape(size, size)
    return (metric + metric.T) / 2


def _ball_points(dim: int, radius: float) -> np.ndarray:
    """Offsets sampling the closed ball of ``radius``: its centre and rings (segment in 1D)."""
    if dim == 1:
        return np.linspace(-radius, radius, 2 * _RING_ANGLES + 1)[:, None]
    angles = np.linspace(0, 2 * np.pi, _RING_ANGLES, endpoint=False)
    ring = np.stack([np.cos(angles), np.sin(angles)], axis=-1)
    return np.concatenate([np.zeros((1, 2))] + [r * radius * ring for r in _RING_RADII])


def _constant_learning_rate(optimizer: Optimizer, steps: int) -> bool:
    """Does the optimizer take the same step for the same gradient at every count below
    ``steps``? (A schedule changes the iteration, and with it the certificate.)"""
    probe = np.ones((1, 1))
    state = optimizer.init(probe)
    first, _ = optimizer.update(probe, state, probe)
    return all(np.array_equal(optimizer.update(probe, state._replace(count=count), probe)[0],
                              first) for count in range(1, steps))


@dataclass(frozen=True)
class _Certificate:
    """Per known minimum: the metric ``P`` and the level ``c²`` below which a run's state
    ``z = (offset, buffer)`` provably stays within ``radius`` (< tolerance) of that minimum for
    every later step. A minimum without a certificate has level ``-inf``."""

    metrics: np.ndarray  # (minima, size, size)
    levels: np.ndarray  # (minima,)
    radii: np.ndarray  # (minima,)
    with_buffer: bool

    @classmethod
    def build(cls, surface: Surface, optimizer: Optimizer, steps: int,
              tolerance: float) -> _Certificate | None:
        if (optimizer.name not in CERTIFIED_OPTIMIZERS or not surface.minima
                or not _constant_learning_rate(optimizer, steps)):
            return None
        lr = float(optimizer.hyperparams["lr"])
        momentum = float(optimizer.hyperparams.get("momentum", 0.0))
        size = surface.dim * (1 if optimizer.name == "gd" else 2)
        metrics = np.zeros((len(surface.minima), size, size))
        levels = np.full(len(surface.minima), -np.inf)
        radii = np.zeros(len(surface.minima))
        for index, minimum in enumerate(surface.minima):
            found = _certify_minimum(surface, optimizer.name, lr, momentum, np.asarray(minimum),
                                     tolerance)
            if found is not None:
                metrics[index], levels[index], radii[index] = found
        if not np.isfinite(levels).any():
            return None
        return cls(metrics, levels, radii, optimizer.name != "gd")

    def stays(self, offsets: np.ndarray, buffers: np.ndarray | None,
              minima: np.ndarray) -> np.ndarray:
        """Per run: is its state inside the invariant set of minimum ``minima[run]``?"""
        state = offsets if not self.with_buffer else np.concatenate([offsets, buffers], axis=-1)
        squared = np.einsum("ni,nij,nj->n", state, self.metrics[minima], state)
        return squared <= self.levels[minima]


def _certify_minimum(surface: Surface, name: str, lr: float, momentum: float,
                     minimum: np.ndarray, tolerance: float):
    """(metric, level, radius) for one minimum, or None when the contraction cannot be shown."""
    with np.errstate(all="ignore"):
        step = linearised_step(name, lr, momentum, hessian(surface.gradient_fn, minimum))
        if not np.all(np.isfinite(step)):
            return None
        spectral_radius = float(np.max(np.abs(np.linalg.eigvals(step))))
        gap = 1.0 - spectral_radius
        if not gap > _MIN_GAP:
            return None
        metric = _lyapunov_metric(step, spectral_radius + gap / 3)
        try:
            factor = np.linalg.cholesky(metric)  # P = L Lᵀ, ‖A‖_P = ‖Lᵀ A L⁻ᵀ‖₂
        except np.linalg.LinAlgError:
            return None
        inverse_t = np.linalg.inv(factor).T
        bound = 1.0 - gap / 3  # the contraction every sampled Jacobian must beat
        dim = surface.dim
        # The largest offset a state of unit P-norm can have: √λmax of P⁻¹'s offset block.
        reach = np.sqrt(np.max(np.linalg.eigvalsh(np.linalg.inv(metric)[:dim, :dim])))
        # Round-off: F(0) is not exactly 0 (the gradient at the stored minimum, and rounding of
        # the iterate near it); the invariant set must absorb it with room to spare.
        residual = np.zeros(metric.shape[0])
        gradient = surface.gradient_fn(minimum[None])[0]
        residual[:dim] = np.abs(lr * gradient) + 64 * np.finfo(float).eps * (1 + np.abs(minimum))
        if metric.shape[0] > dim:
            residual[dim:] = np.abs(gradient) + 64 * np.finfo(float).eps
        drift = np.sqrt(np.max(np.linalg.eigvalsh(metric))) * np.linalg.norm(residual)
        radius = 0.9 * tolerance
        for _ in range(_BALL_HALVINGS):
            samples = minimum + _ball_points(dim, radius)
            jacobians = linearised_step(name, lr, momentum,
                                        hessian(surface.gradient_fn, samples))
            norms = np.linalg.svd(factor.T @ jacobians @ inverse_t, compute_uv=False)[..., 0]
            level = radius / reach
            if np.all(np.isfinite(norms)) and np.max(norms) <= bound and (
                    drift <= (1.0 - bound) * level / 2):
                return metric, level**2, radius
            radius /= 2
    return None


def _label_starts(surface: Surface, optimizer: Optimizer, starts: np.ndarray, steps: int,
                  tolerance, certificate: _Certificate | None, at_step: Callable[[int], None]):
    """Labels, settle steps and runaway flags for one batch of starts (see ``basin_map``);
    ``at_step(step)`` is called as each step begins."""
    count = len(starts)
    labels = np.full(count, -1, dtype=np.int64)
    settled_at = np.full(count, -1, dtype=np.int64)
    diverged = np.zeros(count, dtype=bool)
    minima = np.array(surface.minima, dtype=float).reshape(-1, surface.dim)
    limits = escape_limits(surface)
    active = np.arange(count)
    # Column-major: a coordinate of every run is one contiguous column, which the gradient and
    # the optimizer's arithmetic stream through (surfaces.points_layout).
    params = np.array(starts, dtype=float, order="F")
    finished = np.zeros(count, dtype=bool)  # per slot of the current batch
    # Per slot, every step, the run is measured against one minimum, ``nearest``: whenever it is
    # within tolerance of any minimum, that one. By the triangle inequality a run no farther than
    # ``reach`` (the distance from its minimum to the next one, less the tolerance) from it is
    # within tolerance of no other, so only runs beyond reach look for their nearest again.
    # ``last_out`` is the last step the run was outside its minimum's tolerance (-1: never).
    reach_of = _reach(minima, tolerance)
    nearest = _nearest_minimum(params, minima)
    reach_sq = reach_of[nearest] ** 2 if len(minima) else np.zeros(count)
    centre = np.asfortranarray(minima[nearest] if len(minima) else params)
    last_out = np.full(count, -1, dtype=np.int64)
    with np.errstate(all="ignore"):
        state = optimizer.init(params)
        for step in range(steps + 1):
            if active.size == 0:
                break
            at_step(step)
            if step > 0:
                updates, state = optimizer.update_in_place(surface.gradient_fn(params), state,
                                                           params)
                params += updates
            if len(minima):
                offsets = params - centre
                offsets *= offsets
                distance_sq = row_sum(offsets)
                beyond = np.flatnonzero(distance_sq > reach_sq)
                if beyond.size:
                    closest = _nearest_minimum(params[beyond], minima)
                    moved = beyond[closest != nearest[beyond]]
                    if moved.size:
                        # The step before, its nearest was the old minimum: it was not within
                        # tolerance of the new one (this also catches a jump between two).
                        last_out[moved] = np.maximum(last_out[moved], step - 1)
                        nearest[moved] = closest[closest != nearest[beyond]]
                        centre[moved] = minima[nearest[moved]]
                        reach_sq[moved] = reach_of[nearest[moved]] ** 2
                        offsets = params[moved] - centre[moved]
                        distance_sq[moved] = row_sum(offsets * offsets)
                # A run at NaN compares false, as if inside: the runaway check below retires
                # it before it could be labelled.
                np.copyto(last_out, step, where=distance_sq >= tolerance**2)
            if step > 0 and (step % _CHECK_EVERY == 0 or step == steps):
                # Runaways leave unlabelled. Checking now and then is enough: every labelling
                # (a certificate, the last step) comes right after a check.
                away = escaped(params, limits) & ~finished
                diverged[active[away]] = True
                finished |= away
                if certificate is not None:
                    inside = np.flatnonzero((last_out < step) & ~finished)
                    _drop_certified(certificate, inside, params, state, minima, nearest,
                                    last_out, active, labels, settled_at, finished)
            # Shrinking the batch costs a copy of every state array: do it once enough runs
            # have finished to pay for it.
            if np.count_nonzero(finished) > _COMPACT_FRACTION * active.size:
                keep = ~finished
                active, params, centre = active[keep], _kept(params, keep), _kept(centre, keep)
                nearest, reach_sq, last_out = nearest[keep], reach_sq[keep], last_out[keep]
                state = _take(state, keep)
                finished = np.zeros(active.size, dtype=bool)
    if len(minima):
        # Still in the batch when the steps end, and within tolerance then: labelled by where
        # they are, settled since the step after they were last outside.
        ended = ~finished & (last_out < steps)
        labels[active[ended]] = nearest[ended]
        settled_at[active[ended]] = last_out[ended] + 1
    return labels, settled_at, diverged


def _reach(minima: np.ndarray, tolerance: float) -> np.ndarray:
    """Per minimum: how far from it a point is within tolerance of no other minimum (the
    distance to the next minimum less the tolerance; inf for a lone minimum)."""
    if len(minima) < 2:
        return np.full(len(minima), np.inf)
    gaps = np.sqrt(((minima[:, None, :] - minima[None, :, :]) ** 2).sum(axis=-1))
    np.fill_diagonal(gaps, np.inf)
    return np.maximum(gaps.min(axis=1) - tolerance, 0.0)


def _nearest_minimum(points: np.ndarray, minima: np.ndarray) -> np.ndarray:
    """Per point ``(n, dim)``: the index of the nearest of ``minima`` (0 when there is none)."""
    if len(minima) < 2:
        return np.zeros(len(points), dtype=np.int64)
    gaps = sum((points[:, None, axis] - minima[None, :, axis]) ** 2
               for axis in range(points.shape[1]))
    return np.argmin(gaps, axis=1)


def _drop_certified(certificate: _Certificate, inside: np.ndarray, params, state, minima,
                    nearest, last_out, active, labels, settled_at, finished) -> None:
    """Label and retire the runs among ``inside`` (slots within tolerance) certified to stay."""
    if not inside.size:
        return
    which = nearest[inside]
    buffers = state.momentum_buffer[inside] if certificate.with_buffer else None
    staying = inside[certificate.stays(params[inside] - minima[which], buffers, which)]
    labels[active[staying]] = nearest[staying]
    settled_at[active[staying]] = last_out[staying] + 1
    finished[staying] = True
