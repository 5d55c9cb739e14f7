"""Running an optimizer on a surface: whole trajectories for a batch of starts at once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gd_core.coordinate_reductions import row_all, row_any
from gd_core.optimizers import Optimizer
from gd_core.surfaces import Surface

# A run counts as escaped once a coordinate lies this many half-widths of the domain away from
# the domain's centre: far off any chart, and far enough that a path swinging out and back in
# (momentum on a wide basin) is not cut short.
ESCAPE_HALF_WIDTHS = 100.0

#: Why a run stopped; index with ``Trajectory.stop_code``.
STOP_REASONS = (
    "",
    "the iterate or f(iterate) became infinite",
    "the iterate ran far outside the domain",
    "the iterate reached a point where f is undefined",
)
_RUNNING, _OVERFLOW, _ESCAPED, UNDEFINED = range(4)


@dataclass(frozen=True)
class Trajectory:
    """The iterates of one run ``(steps+1, dim)`` or of a batch ``(steps+1, n, dim)``.

    Row 0 is the start. ``diverged_at`` is the step where a run ran away (-1 if never); every
    point after that step is NaN, the runaway point itself is kept so the escape stays visible.
    ``stop_code`` says why (an index into ``STOP_REASONS``; 0 while running).
    """

    points: np.ndarray
    values: np.ndarray
    diverged_at: np.ndarray | int
    stop_code: np.ndarray | int

    @property
    def steps(self) -> int:
        return self.points.shape[0] - 1

    @property
    def stop_reason(self):
        """Plain-words reason per run ('' when the run did not run away)."""
        reasons = np.asarray(STOP_REASONS, dtype=object)[np.asarray(self.stop_code)]
        return reasons if np.ndim(reasons) else str(reasons)


def as_points(surface: Surface, start) -> np.ndarray:
    """``start`` as float points ``(..., dim)``; a plain number is a 1D point."""
    points = np.array(start, dtype=float)
    if surface.dim == 1 and (points.ndim == 0 or points.shape[-1] != 1):
        points = points[..., None]
    if points.shape[-1] != surface.dim:
        raise ValueError(
            f"start must have shape (dim,) or (n, dim) with dim = {surface.dim} for "
            f"{surface.name}, got shape {points.shape}"
        )
    return points


def batch_shape(start: np.ndarray, hyperparams) -> tuple[int, ...]:
    """The shape of the run's points once ``start`` broadcasts against array hyperparameters."""
    shapes = [start.shape]
    for value in hyperparams.values():
        for item in value if isinstance(value, tuple) else (value,):
            shapes.append(np.shape(item))
    return np.broadcast_shapes(*shapes)


def starting_params(surface: Surface, start, hyperparams) -> tuple[np.ndarray, bool]:
    """The batch a run starts from, ``(n, dim)``, and whether ``start`` was a lone point.

    ``start`` broadcasts against array hyperparameters; a lone start runs as a batch of one, so
    it takes the same arithmetic path as a batch (see Surface._as_points) and gives
    bit-identical numbers.
    """
    start = as_points(surface, start)
    shape = batch_shape(start, hyperparams)
    single = len(shape) == 1
    if single:
        shape = (1, *shape)
    return np.array(np.broadcast_to(start, shape), dtype=float), single


# Points per call when descend evaluates f and checks for runaways after its loop.
_POINTS_PER_BLOCK = 1 << 16


def escape_limits(surface: Surface) -> tuple[np.ndarray, np.ndarray]:
    """Centre and half-width radius beyond which a run counts as escaped, per axis."""
    bounds = np.asarray(surface.domain, dtype=float)
    centre = bounds.mean(axis=1)
    return centre, ESCAPE_HALF_WIDTHS * (bounds[:, 1] - bounds[:, 0]) / 2


def escaped(points: np.ndarray, limits) -> np.ndarray:
    """Per point of ``points`` ``(..., dim)``: has it run away (a coordinate that is not finite,
    or beyond the surface's ``escape_limits``)?"""
    centre, radius = limits
    return ~row_all(np.isfinite(points)) | row_any(np.abs(points - centre) > radius)


def runaway_code(points: np.ndarray, values: np.ndarray, limits) -> np.ndarray:
    """Per point, why it counts as runaway (``STOP_REASONS`` index), or 0 if it does not.

    ``limits`` is the surface's ``escape_limits``.
    """
    code = np.zeros(values.shape, dtype=np.int8)
    code[np.isnan(values)] = UNDEFINED
    code[escaped(points, limits)] = _ESCAPED
    # An infinite coordinate or value is an overflow, not a mere escape.
    code[np.isinf(values) | ~row_all(np.isfinite(points))] = _OVERFLOW
    return code


def descend(
    surface: Surface,
    optimizer: Optimizer,
    start,
    steps: int,
    noise: float = 0.0,
    seed: int | None = None,
) -> Trajectory:
    """Run ``optimizer`` on ``surface`` for ``steps`` updates from ``start``.

    ``start`` is ``(dim,)``, a batch ``(n, dim)`` or, for a 1D surface, a plain number. The batch
    broadcasts against array hyperparameters (``lr`` of shape ``(n, 1)``). ``noise`` is the
    standard deviation of Gaussian noise added to every gradient component (SGD on an analytic
    surface), drawn from ``numpy.random.default_rng(seed)``. Always returns ``steps + 1`` rows.
    Without noise a batch gives exactly the numbers of the single runs.
    """
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a standard deviation >= 0, got {noise}")
    steps = int(steps)
    params, single = starting_params(surface, start, optimizer.hyperparams)
    shape = params.shape
    rng = np.random.default_rng(seed) if noise > 0 else None

    points = np.empty((steps + 1, *shape))
    with np.errstate(all="ignore"):
        state = optimizer.init(params)
        points[0] = params
        for step in range(1, steps + 1):
            grads = surface.gradient_fn(params)
            if rng is not None:
                grads = grads + noise * rng.standard_normal(grads.shape)
            updates, state = optimizer.update_in_place(grads, state, params)
            params += updates
            points[step] = params
        # Values and runaways after the loop, many steps per call: a small batch costs NumPy's
        # per-call overhead, paid per call rather than per step. (f is computed point by point,
        # so the numbers are those of a call per step.) Blocks keep the temporaries small.
        values = np.empty(points.shape[:-1])
        code = np.empty(points.shape[:-1], dtype=np.int8)
        limits = escape_limits(surface)
        block = max(1, _POINTS_PER_BLOCK // max(1, params[..., 0].size))
        for first in range(0, steps + 1, block):
            rows = slice(first, first + block)
            values[rows] = surface.value_fn(points[rows].reshape(-1, shape[-1])).reshape(
                values[rows].shape)
            code[rows] = runaway_code(points[rows], values[rows], limits)
    stopped = code > 0
    diverged_at = np.where(stopped.any(axis=0), stopped.argmax(axis=0), -1)
    stop_code = np.take_along_axis(code, np.maximum(diverged_at, 0)[None], axis=0)[0]

    # Keep the runaway point itself (the escape stays visible); blank everything after it.
    after = np.arange(steps + 1).reshape(-1, *[1] * diverged_at.ndim) > np.where(
        diverged_at >= 0, diverged_at, steps + 1
    )
    points[after] = np.nan
    values[after] = np.nan
    if single:
        return Trajectory(points[:, 0], values[:, 0], int(diverged_at[0]), int(stop_code[0]))
    return Trajectory(points, values, diverged_at, stop_code)
