"""Reading a trajectory: where each run ended, how it behaved, and the learning rate's limits."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gd_core.basins import SETTLE_TOLERANCE
from gd_core.critical_points import hessian
from gd_core.descent import STOP_REASONS, UNDEFINED, Trajectory
from gd_core.rows import row_max, row_sum
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


def _oscillating(points: np.ndarray, in_path: np.ndarray) -> np.ndarray:
    """Per run of ``points`` ``(frames, runs, dim)``: do successive steps mostly turn back?

    Only frames where ``in_path`` ``(frames, runs)`` holds count. Steps too short to have a
    direction (1e-12 of the path's size) are skipped, and each remaining step is compared with
    the one before it; at least three such steps are needed.
    """
    frames, runs, _ = points.shape
    moves = np.diff(points, axis=0)
    lengths = np.sqrt(row_sum(moves * moves))
    reach = np.max(np.where(in_path, row_max(np.abs(points)), 0.0), axis=0)
    # fmax: a NaN among the coordinates (a runaway point) leaves the scale at 1.
    moving = in_path[1:] & (lengths > 1e-12 * np.fmax(1.0, reach))
    # Each moving step's predecessor: the last moving step before it.
    seen = np.maximum.accumulate(np.where(moving, np.arange(frames - 1)[:, None], -1), axis=0)
    before = np.concatenate([np.full((1, runs), -1), seen])[:-1]
    previous = moves[np.maximum(before, 0), np.arange(runs)]
    turning = moving & (before >= 0) & (row_sum(moves * previous) < 0)
    count = np.count_nonzero(moving, axis=0)
    return (count >= 3) & (np.count_nonzero(turning, axis=0) > 0.5 * (count - 1))


def outcomes(
    surface: Surface, trajectory: Trajectory, tolerance: float = SETTLE_TOLERANCE,
) -> list[Outcome]:
    """The ``outcome`` of every run of a batch trajectory, worked out for all runs at once."""
    points = np.asarray(trajectory.points, dtype=float)
    frames, runs, _ = points.shape
    steps = frames - 1
    diverged_at = np.asarray(trajectory.diverged_at).reshape(runs)
    stop_code = np.asarray(trajectory.stop_code).reshape(runs)
    diverged = diverged_at >= 0
    # A run is judged on its path up to the point where it ran away (NaN after that).
    in_path = np.arange(frames)[:, None] <= np.where(diverged, diverged_at, steps)
    with np.errstate(all="ignore"):
        oscillating = _oscillating(points, in_path)
        converged = np.zeros(runs, dtype=bool)
        if surface.minima:
            minima = np.asarray(surface.minima, dtype=float)
            final = points[-1]
            gaps = np.sqrt(row_sum((final[:, None] - minima[None]) ** 2))
            nearest = np.argmin(gaps, axis=1)
            offsets = points - minima[nearest][None]
            near = np.sqrt(row_sum(offsets * offsets)) < tolerance
            converged = ~diverged & near[-1]
            # The first step from which the run never left the minimum's neighbourhood again.
            left = ~near
            since = np.where(left.any(axis=0), frames - np.argmax(left[::-1], axis=0), 0)
            depths = surface.value(minima)
            same_depth = np.isclose(depths, depths[0], rtol=1e-9, atol=1e-9)
        last_move = (np.sqrt(row_sum((points[-1] - points[-2]) ** 2)) if steps
                     else np.zeros(runs))
    results = []
    for run in range(runs):
        if diverged[run]:
            step, code = int(diverged_at[run]), int(stop_code[run])
            # Stepping where f is undefined is no runaway: the run stopped, it did not blow up.
            verb = "stopped" if code == UNDEFINED else "diverged"
            results.append(Outcome("diverged", -1, step, bool(oscillating[run]),
                                   f"{verb} at step {step}: {STOP_REASONS[code]}"))
        elif converged[run]:
            index, step = int(nearest[run]), int(since[run])
            kind = ("the global" if index == 0 else
                    "a global" if same_depth[index] else "a local (not the global)")
            results.append(Outcome(
                "converged", index, step, bool(oscillating[run]),
                f"reached {kind} minimum {_fmt(minima[index])} at step {step}",
            ))
        elif steps and last_move[run] < tolerance * 1e-3:
            results.append(Outcome(
                "settled", -1, steps, bool(oscillating[run]),
                f"stopped moving at {_fmt(points[-1, run])}: not a known minimum",
            ))
        else:
            results.append(Outcome("moving", -1, steps, bool(oscillating[run]),
                                   f"still moving after {steps} steps"))
    return results


def outcome(
    surface: Surface, trajectory: Trajectory, run: int | None = None,
    tolerance: float = SETTLE_TOLERANCE,
) -> Outcome:
    """The outcome of one run: the whole trajectory, or run ``run`` of a batch."""
    points, values = np.asarray(trajectory.points), np.asarray(trajectory.values)
    diverged_at, stop_code = trajectory.diverged_at, trajectory.stop_code
    if run is None:
        points, values = points[:, None], values[:, None]
    else:
        points, values = points[:, run:run + 1], values[:, run:run + 1]
        diverged_at, stop_code = np.asarray(diverged_at)[run], np.asarray(stop_code)[run]
    return outcomes(surface, Trajectory(points, values, diverged_at, stop_code), tolerance)[0]


def regime(surface: Surface, trajectory: Trajectory, run: int | None = None) -> str:
    """The behaviour in a learner's words.

    One of: "converging smoothly", "oscillating but converging", "diverging",
    "settled in a local (not global) minimum", "still moving", "stuck away from any minimum".
    """
    return regime_of(surface, outcome(surface, trajectory, run))


def regime_of(surface: Surface, result: Outcome) -> str:
    """``regime``'s words for an outcome already worked out (e.g. one of ``outcomes``)."""
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
