"""Basins of attraction: which known minimum each start on a grid ends in."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gd_core.coordinate_reductions import row_max, row_sum
from gd_core.descent import escape_limits, escaped
from gd_core.optimizers import Optimizer
from gd_core.surfaces import Surface

#: A run has settled in minimum k at the first step where its iterate lies within this distance
#: of k and its last move was shorter than it too (so a fast pass through a minimum does not
#: count). Small next to the spacing of any two registered minima (Rastrigin's: about 1).
SETTLE_TOLERANCE = 1e-2


_RUNAWAY_CHECK_EVERY = 8
_COMPACT_FRACTION = 0.1
_CHUNK_RUNS = 30_000


@dataclass(frozen=True)
class BasinMap:
    """Per grid cell: the minimum reached and when, or why not.

    For a 2D surface the arrays are ``(resolution, resolution)``: row ``i`` is ``y = ys[i]``,
    column ``j`` is ``x = xs[j]``. For a 1D surface they are ``(resolution,)`` over ``xs``.
    ``labels`` index ``surface.minima`` (-1: none reached within the steps, or diverged);
    ``steps`` is the step the run settled at (-1 if it never did); ``diverged`` marks runaways.
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
    return type(state)(*(part[keep] if np.ndim(part) else part for part in state))


def basin_map(
    surface: Surface,
    optimizer: Optimizer,
    resolution: int = 300,
    steps: int = 300,
    tolerance: float = SETTLE_TOLERANCE,
) -> BasinMap:
    """Run ``optimizer`` from every point of a ``resolution``-per-axis grid over the domain.

    Only the still-moving runs are updated: settled and diverged ones drop out of the batch, so
    the cost follows the hard cells, and no trajectory is kept (memory grows with the grid only).
    Hyperparameters must be scalars here.
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
    # Runs are independent: chunks keep every temporary array cache-sized.
    chunks = np.array_split(starts, max(1, -(-len(starts) // _CHUNK_RUNS)))
    results = [_label_starts(surface, optimizer, chunk, int(steps), tolerance) for chunk in chunks]
    labels, settled_at, diverged = (np.concatenate(parts) for parts in zip(*results, strict=True))
    return BasinMap(
        labels.reshape(shape), settled_at.reshape(shape), diverged.reshape(shape),
        xs, ys, float(tolerance),
    )


def _label_starts(surface: Surface, optimizer: Optimizer, starts: np.ndarray, steps: int,
                  tolerance):
    """Labels, settle steps and runaway flags for one batch of starts (see ``basin_map``)."""
    count = len(starts)
    labels = np.full(count, -1, dtype=np.int64)
    settled_at = np.full(count, -1, dtype=np.int64)
    diverged = np.zeros(count, dtype=bool)
    minima = np.array(surface.minima, dtype=float).reshape(-1, surface.dim)
    limits = escape_limits(surface)
    active = np.arange(count)
    params = starts.copy()
    finished = np.zeros(count, dtype=bool)  # per slot of the current batch
    # A lower bound on each run's distance to every minimum: the distance when last measured
    # minus how far the run has moved since (triangle inequality). Only runs whose bound drops
    # under the tolerance are measured again, so most steps measure few runs, yet no settling
    # is missed or delayed.
    clearance = np.zeros(count)
    with np.errstate(all="ignore"):
        state = optimizer.init(params)
        for step in range(1, steps + 1):
            if active.size == 0:
                break
            updates, state = optimizer.update(surface.gradient_fn(params), state, params)
            params = params + updates
            if step % _RUNAWAY_CHECK_EVERY == 0:
                # A runaway can never pass the settle test below (NaN compares false, an escaped
                # point is far from every minimum), so checking now and then is enough.
                away = escaped(params, limits)
                diverged[active[away & ~finished]] = True
                finished |= away
            if len(minima):
                moves = np.abs(updates)
                clearance -= row_sum(moves)  # the 1-norm bounds the distance moved
                candidates = np.flatnonzero(
                    (clearance < tolerance) & (row_max(moves) < tolerance) & ~finished
                )
                if candidates.size:
                    gaps = sum(
                        (params[candidates, None, axis] - minima[None, :, axis]) ** 2
                        for axis in range(surface.dim)
                    )
                    nearest = np.argmin(gaps, axis=1)
                    distance = np.sqrt(gaps[np.arange(candidates.size), nearest])
                    clearance[candidates] = distance
                    close = candidates[distance < tolerance]
                    labels[active[close]] = nearest[distance < tolerance]
                    settled_at[active[close]] = step
                    finished[close] = True
            # Shrinking the batch costs a copy of every state array: do it once enough runs
            # have finished to pay for it.
            if np.count_nonzero(finished) > _COMPACT_FRACTION * active.size:
                keep = ~finished
                active, params, clearance = active[keep], params[keep], clearance[keep]
                state = _take(state, keep)
                finished = np.zeros(active.size, dtype=bool)
    return labels, settled_at, diverged
