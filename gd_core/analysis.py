"""Reading a trajectory: where each run ended, how it behaved, and the learning rate's limits."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gd_core.basins import SETTLE_TOLERANCE
from gd_core.critical_points import hessian
from gd_core.descent import STOP_REASONS, UNDEFINED, Trajectory
from gd_core.surfaces import Surface


class Outcome(NamedTuple):
    """How one run ended.

    ``status`` is ``"converged"`` (within ``tolerance`` of a known minimum from ``step`` on),
    ``"settled"`` (stopped moving, but not at a known minimum), ``"moving"`` or ``"diverged"``
    (at ``step``). ``minimum`` indexes ``surface.minima`` (-1 if none). ``oscillating`` is True when
    successive steps mostly point against each other: the overshoot of a too-large learning rate.
    """

    status: str
    minimum: int
    step: int
    oscillating: bool
    message: str


def _fmt(point: np.ndarray) -> str:
    return "(" + ", ".join(f"{coordinate:.3g}" for coordinate in point) + ")"


def _is_oscillating(points: np.ndarray) -> bool:
    moves = np.diff(points, axis=0)
    lengths = np.linalg.norm(moves, axis=-1)
    moving = lengths > 1e-12 * max(1.0, float(np.max(np.abs(points))))
    if np.count_nonzero(moving) < 3:
        return False
    moves = moves[moving]
    turns = np.einsum("ij,ij->i", moves[1:], moves[:-1])
    return bool(np.mean(turns < 0) > 0.5)


def outcome(
    surface: Surface, trajectory: Trajectory, run: int | None = None,
    tolerance: float = SETTLE_TOLERANCE,
) -> Outcome:
    """The outcome of one run: the whole trajectory, or run ``run`` of a batch."""
    points, values = trajectory.points, trajectory.values
    diverged_at, stop_code = trajectory.diverged_at, trajectory.stop_code
    if run is not None:
        points, values = points[:, run], values[:, run]
        diverged_at, stop_code = int(diverged_at[run]), int(stop_code[run])
    steps = points.shape[0] - 1

    if diverged_at >= 0:
        path = points[: diverged_at + 1]
        # Stepping where f is undefined is no runaway: the run stopped, it did not blow up.
        verb = "stopped" if stop_code == UNDEFINED else "diverged"
        return Outcome("diverged", -1, diverged_at, _is_oscillating(path),
                       f"{verb} at step {diverged_at}: {STOP_REASONS[stop_code]}")

    oscillating = _is_oscillating(points)
    if surface.minima:
        minima = np.asarray(surface.minima)
        gaps = np.linalg.norm(points[:, None, :] - minima[None], axis=-1)
        nearest = int(np.argmin(gaps[-1]))
        near = gaps[:, nearest] < tolerance
        if near[-1]:
            # The first step from which the run never left the minimum's neighbourhood again.
            outside = np.flatnonzero(~near)
            step = int(outside[-1]) + 1 if outside.size else 0
            kind = "the global" if nearest == 0 else "a local (not the global)"
            if nearest > 0 and np.isclose(
                surface.value(minima[nearest]), surface.value(minima[0]), rtol=1e-9, atol=1e-9
            ):
                kind = "a global"
            return Outcome(
                "converged", nearest, step, oscillating,
                f"reached {kind} minimum {_fmt(minima[nearest])} at step {step}",
            )
    last_move = np.linalg.norm(points[-1] - points[-2]) if steps else 0.0
    if steps and last_move < tolerance * 1e-3:
        return Outcome("settled", -1, steps, oscillating,
                       f"stopped moving at {_fmt(points[-1])}: not a known minimum")
    return Outcome("moving", -1, steps, oscillating, f"still moving after {steps} steps")


def regime(surface: Surface, trajectory: Trajectory, run: int | None = None) -> str:
    """The behaviour in a learner's words.

    One of: "converging smoothly", "oscillating but converging", "diverging",
    "settled in a local (not global) minimum", "still moving", "stuck away from any minimum".
    """
    result = outcome(surface, trajectory, run)
    if result.status == "diverged":
        return "diverging"
    if result.status == "converged":
        if result.minimum > 0 and surface.value(surface.minima[result.minimum]) > surface.value(
            surface.minima[0]
        ) + 1e-9:
            return "settled in a local (not global) minimum"
        return "oscillating but converging" if result.oscillating else "converging smoothly"
    if result.status == "settled":
        return "stuck away from any minimum"
    return "still moving"


def critical_learning_rate(surface: Surface, point) -> float:
    r"""``2 / λ_max`` of the Hessian at ``point``: plain GD with a larger lr is unstable there.

    For a quadratic this is exact everywhere (``1/6`` for ``6x^2 - 12x + 3``); for other
    functions it is the local value at ``point`` (use a minimum). ``inf`` where the function is
    flat or curves downward.
    """
    point = np.atleast_1d(np.asarray(point, dtype=float))
    curvature = float(np.max(np.linalg.eigvalsh(hessian(surface.gradient, point))))
    return 2.0 / curvature if curvature > 0 else float("inf")
