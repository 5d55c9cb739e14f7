"""Reading a trajectory: where each run ended, how it behaved, and the learning rate's limits."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gd_core.basins import SETTLE_TOLERANCE
from gd_core.coordinate_reductions import row_max, row_sum
from gd_core.critical_points import (
    FLAT,
    FLAT_CURVATURE,
    HESSIAN_STEP,
    MAXIMUM,
    SADDLE,
    hessian,
    is_weak_minimum,
    stationary_kinds,
    stationary_near,
)
from gd_core.descent import STOP_REASONS, UNDEFINED, Trajectory
from gd_core.formatting import counted, format_number, format_point, value_without_round_off
from gd_core.surfaces import Surface

#: Every ``Outcome.status``, in the order ``Outcome`` describes them.
OUTCOME_STATUSES = ("converged", "local_minimum", "oscillating", "settled", "moving", "growing",
                    "diverged", "undefined")

#: Two minima are equally deep when their values agree to this relative tolerance (or this
#: absolute one, for values near zero): minima are refined to machine precision, so equal depths
#: agree far closer than this, and distinct ones differ far more.
_SAME_DEPTH = 1e-9

# A run that oscillates "steadily" swings, late in the run, between these fractions of its
# swings early on: a bounded cycle, neither dying out nor growing.
_STEADY_SWINGS = (0.8, 1.25)


class Outcome(NamedTuple):
    """How one run ended.

    ``status`` is one of ``OUTCOME_STATUSES``:

    - ``"converged"``: within ``tolerance`` of a global minimum (``global_minima``) from ``step``
      on; ``"local_minimum"``: likewise, of a known minimum that is not global;
    - ``"oscillating"``: still swinging back and forth after all the steps, the swings neither
      dying out nor growing: a bounded cycle (gradient descent exactly at its critical rate);
    - ``"settled"``: stopped where the gradient vanishes, but not at a known minimum (a saddle
      point, a maximum, a flat spot, a flat region far off the plot);
    - ``"moving"``: still on its way when the steps ran out;
    - ``"growing"``: still inside the escape limits, but its swings grow: about to diverge;
    - ``"diverged"``: ran away at ``step`` (non-finite, or far outside the domain);
    - ``"undefined"``: f is undefined where the run is at ``step`` (0: at the start itself).

    ``minimum`` indexes ``surface.minima`` (-1 if none; >= 0 exactly for ``"converged"`` and
    ``"local_minimum"``). ``oscillating`` is True when successive steps mostly point against each
    other: the overshoot of a too-large learning rate. ``message`` says it in a sentence that
    stands on its own. ``turns`` counts the steps that point against the one before (a run can
    overshoot now and then without oscillating).
    """

    status: str
    minimum: int
    step: int
    oscillating: bool
    message: str
    turns: int = 0


def global_minima(surface: Surface) -> np.ndarray:
    """One flag per ``surface.minima``: True where its value equals the lowest known value, up
    to a relative tolerance (several minima can be global, as the four of Himmelblau's)."""
    if not surface.minima:
        return np.zeros(0, dtype=bool)
    depths = surface.value(np.asarray(surface.minima, dtype=float))
    return np.isclose(depths, np.min(depths), rtol=_SAME_DEPTH, atol=_SAME_DEPTH)


def _minimum_name(is_global: np.ndarray, index: int) -> str:
    if not is_global[index]:
        return "a local minimum"
    return "the global minimum" if np.count_nonzero(is_global) == 1 else "a global minimum"


def _turns(points: np.ndarray, in_path: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per run of ``points`` ``(frames, runs, dim)``: do successive steps mostly turn back
    (oscillating), and how many steps turn back?

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
    turns = np.count_nonzero(turning, axis=0)
    return (count >= 3) & (turns > 0.5 * (count - 1)), turns


def _swing_growth(points: np.ndarray) -> np.ndarray:
    """Per run of ``points`` ``(frames, runs, dim)``: the mean step length over the last quarter
    of the steps over that of the second quarter (1 for a steady cycle, < 1 dying out)."""
    lengths = np.sqrt(row_sum(np.diff(points, axis=0) ** 2))
    steps = len(lengths)
    quarter = max(1, steps // 4)
    early = np.mean(lengths[min(quarter, steps - 1):min(2 * quarter, steps)], axis=0)
    late = np.mean(lengths[steps - quarter:], axis=0)
    return late / early


def _outside(surface: Surface, point: np.ndarray) -> bool:
    """Is ``point`` outside the plotted area (the surface's domain)?"""
    bounds = np.asarray(surface.domain, dtype=float)
    return bool(np.any((point < bounds[:, 0]) | (point > bounds[:, 1])))


def _stopped_message(surface: Surface, where: np.ndarray, kind: str) -> str:
    """Where a run that stopped moving stopped, named from the Hessian there."""
    outside = _outside(surface, where)
    at = format_point(where)
    if kind == FLAT and outside:
        return f"ran off to a flat region outside the plotted area: stopped at {at}"
    span = np.array([hi - lo for lo, hi in surface.domain])
    if kind == FLAT and is_weak_minimum(surface.value, surface.gradient_fn, where, span):
        # The level floor of a valley (x²y² + x² along x = 0): every point of it is a minimum,
        # and the known minima name the valley once.
        height = format_number(value_without_round_off(surface.value(where)))
        return (f"stopped on the level floor of a valley at {at}, f = {height}: nothing nearby "
                "is lower, so it is a minimum, as every point of that floor is")
    text = {
        SADDLE: f"stopped at the saddle point {at}: the gradient is zero there, but it is not "
                "a minimum",
        MAXIMUM: f"stopped on top of a hill, the maximum at {at}: the gradient is zero there",
        FLAT: f"stopped on a flat spot at {at}: the gradient is zero there, but it is not a "
              "minimum",
    }.get(kind, f"stopped at a minimum at {at} that is not among the known ones")
    return f"{text} (outside the plotted area)" if outside else text


def minimum_reached(
    surface: Surface, points: np.ndarray, tolerance: float = SETTLE_TOLERANCE,
) -> tuple[np.ndarray, np.ndarray]:
    """Per run of ``points`` ``(steps+1, n, dim)``: the known minimum it is within ``tolerance``
    of when the steps end (an index into ``surface.minima``, -1 if none) and the first step from
    which it stayed that close (-1 if none).

    A run that passes through a minimum and leaves it again has not reached it: only where the
    run is when the steps end counts. A run whose last point is NaN (it diverged) reached none.
    """
    frames, runs = points.shape[:2]
    if not surface.minima:
        return np.full(runs, -1), np.full(runs, -1)
    minima = np.asarray(surface.minima, dtype=float)
    with np.errstate(invalid="ignore"):
        final = points[-1]
        nearest = np.argmin(np.sqrt(row_sum((final[:, None] - minima[None]) ** 2)), axis=1)
        offsets = points - minima[nearest][None]
        near = np.sqrt(row_sum(offsets * offsets)) < tolerance
    left = ~near
    since = np.where(left.any(axis=0), frames - np.argmax(left[::-1], axis=0), 0)
    reached = near[-1]
    return np.where(reached, nearest, -1), np.where(reached, since, -1)


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
    is_global = global_minima(surface)
    # A run is judged on its path up to the point where it ran away (NaN after that).
    in_path = np.arange(frames)[:, None] <= np.where(diverged, diverged_at, steps)
    with np.errstate(all="ignore"):
        oscillating, turns = _turns(points, in_path)
        growth = _swing_growth(points) if steps else np.ones(runs)
        reached, since = minimum_reached(surface, points, tolerance)
        converged = ~diverged & (reached >= 0)
        last_move = (np.sqrt(row_sum((points[-1] - points[-2]) ** 2)) if steps
                     else np.full(runs, np.inf))
    # Runs that stopped moving away from the known minima: is there a stationary point, and
    # which kind? (All such runs at once.)
    still = np.flatnonzero(~diverged & ~converged & (last_move < tolerance * 1e-3))
    stopped_at, stationary = stationary_near(surface.gradient_fn, points[-1, still], tolerance)
    stopped_at, still = stopped_at[stationary], still[stationary]
    kinds = stationary_kinds(surface.gradient_fn, stopped_at)
    stops = {int(run): (where, kind) for run, where, kind in zip(still, stopped_at, kinds,
                                                                  strict=True)}
    results = []
    for run in range(runs):
        swinging = bool(oscillating[run])
        if diverged[run]:
            step, code = int(diverged_at[run]), int(stop_code[run])
            if code == UNDEFINED:
                message = (f"f is undefined at the start {format_point(points[0, run])}: pick a "
                           "start where it is defined" if step == 0 else
                           f"stopped at step {step}: {STOP_REASONS[code]}")
                results.append(Outcome("undefined", -1, step, swinging, message))
            else:
                results.append(Outcome("diverged", -1, step, swinging,
                                       f"diverged at step {step}: {STOP_REASONS[code]}"))
        elif converged[run]:
            index, step = int(reached[run]), int(since[run])
            results.append(Outcome(
                "converged" if is_global[index] else "local_minimum", index, step, swinging,
                f"reached {_minimum_name(is_global, index)} at "
                f"{format_point(surface.minima[index])} "
                f"in {counted(step, 'step')}",
            ))
        elif run in stops:
            where, kind = stops[run]
            results.append(Outcome("settled", -1, steps, swinging,
                                   _stopped_message(surface, where, kind)))
        elif swinging and _STEADY_SWINGS[0] <= growth[run] <= _STEADY_SWINGS[1]:
            results.append(Outcome(
                "oscillating", -1, steps, swinging,
                f"after {counted(steps, 'step')} the swings are as wide as ever: neither "
                "converging nor diverging",
            ))
        elif swinging and growth[run] > _STEADY_SWINGS[1]:
            results.append(Outcome(
                "growing", -1, steps, swinging,
                f"the swings keep growing: after {counted(steps, 'step')} it is at "
                f"{format_point(points[-1, run])}",
            ))
        else:
            where = points[-1, run]
            off = " (outside the plotted area)" if _outside(surface, where) else ""
            results.append(Outcome(
                "moving", -1, steps, swinging,
                f"after {counted(steps, 'step')} it is at {format_point(where)}{off} and keeps "
                "going",
            ))
    return [result._replace(turns=int(count)) for result, count in zip(results, turns,
                                                                         strict=True)]


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

    One of: "converging smoothly", "converging after overshooting" (it turned back now and then),
    "oscillating but converging", "still swinging" (on its way, turning back now and then),
    "stuck in a higher valley"
    (a local, not global, minimum), "oscillating" (a steady cycle), "stuck" (stopped away from
    the known minima), "still moving", "diverging", "off the function" (f undefined there).
    The words never repeat the outcome's message, so "regime · message" reads as one badge.
    """
    return regime_of(surface, outcome(surface, trajectory, run))


def regime_of(surface: Surface, result: Outcome) -> str:
    """``regime``'s words for an outcome already worked out (e.g. one of ``outcomes``)."""
    if result.status in ("converged", "moving"):
        if result.oscillating:
            return "oscillating but converging"
        if result.status == "moving":
            return "still swinging" if result.turns else "still moving"
        return "converging after overshooting" if result.turns else "converging smoothly"
    return {
        "local_minimum": "stuck in a higher valley",
        "oscillating": "oscillating",
        "settled": "stuck",
        "growing": "diverging",
        "diverged": "diverging",
        "undefined": "off the function",
    }[result.status]


#: The optimizers whose critical learning rate the quadratic theory gives.
CRITICAL_RATE_OPTIMIZERS = ("gd", "momentum", "nesterov")


#: A wider finite-difference step than ``HESSIAN_STEP``: the two Hessians agree (within
#: ``_KINK_RTOL``) wherever f is smooth (at sin(1/x)'s minimum at −0.637, 1.4e-5 apart); at a
#: kink they differ a hundredfold.
_KINK_STEP, _KINK_RTOL = 1e-3, 0.01


def critical_learning_rate(
    surface: Surface, point, optimizer: str = "gd", momentum: float = 0.0,
) -> float:
    r"""The largest stable learning rate at ``point`` (use a minimum), from the Hessian's largest
    eigenvalue λ: ``2/λ`` for gradient descent, ``(2 + 2μ)/λ`` for heavy-ball momentum and
    ``(2 + 2μ)/((1 + 2μ)λ)`` for Nesterov, μ = ``momentum``. Above it the steps overshoot ever
    further.

    Exact everywhere for a quadratic (``1/6`` for ``6x^2 - 12x + 3`` with gd); for other
    functions it is the local value at ``point``. ``inf`` where the function is flat or curves
    downward, and at a kink (``|x|``, Ackley's minimum), which has no curvature: any fixed rate
    leaves the steps hopping across it, η|f′| wide. Adaptive optimizers rescale their steps, so
    they have no such rate: ValueError.
    """
    if optimizer not in CRITICAL_RATE_OPTIMIZERS:
        raise ValueError(
            f"the critical learning rate is known for {', '.join(CRITICAL_RATE_OPTIMIZERS)}, "
            f"not {optimizer!r}"
        )
    if not 0.0 <= momentum < 1.0:
        raise ValueError(f"momentum must be in [0, 1), got {momentum}")
    point = np.atleast_1d(np.asarray(point, dtype=float))
    curvature, wider = (float(np.max(np.linalg.eigvalsh(hessian(surface.gradient, point, step))))
                        for step in (HESSIAN_STEP, _KINK_STEP))
    # Flat as ``stationary_kinds`` has it: x⁸'s minimum has f″ = 0, and the finite differences'
    # 8e-30 made its rate 2.5e29. At a kink the differences are the jump in f′ over the step:
    # |x| read f″ = 1e5 (a rate of 2e-5) with one step and 1e3 with the other.
    if not curvature > FLAT_CURVATURE or not np.isclose(wider, curvature, rtol=_KINK_RTOL):
        return float("inf")
    if optimizer == "momentum":
        return (2 + 2 * momentum) / curvature
    if optimizer == "nesterov":
        return (2 + 2 * momentum) / ((1 + 2 * momentum) * curvature)
    return 2.0 / curvature
