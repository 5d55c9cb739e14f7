"""Runs for the charts: every start point at every learning rate of a fan, in one ``descend`` call,
and a badge per run saying how it ended (reached which minimum, still moving, diverged at step k).

The learning-rate fan is what lets the browser scrub the learning rate with no server round
trip: ``lr`` is passed as an array ``(m, 1, 1)`` against starts ``(n, dim)``, so a single
vectorized call returns all ``m x n`` trajectories. Also here: the learning rates every page
offers and their name, and the key runs are cached on (``surface_key``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

import gd_core
from ui.chart_payload import Badge

#: The learning rates every page offers (its sidebar slider and the chart's live slider): 1, 1.2,
#: 1.5, 2, 2.5, 3, 4, 5, 6, 8 per decade from 1e-4 to 10. Neighbours differ by a factor of 1.2 to
#: 1.33, the values read well, and the textbook rates (0.02, 0.03, 0.1, 0.15, 0.2, 0.4, 0.5, 1) are
#: on it. Every value is a precomputed run in the chart's payload: keep it short.
LEARNING_RATES: tuple[float, ...] = (
    *(float(f"{m * 10.0 ** e:.2g}") for e in range(-4, 1)
      for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8)),
    10.0,
)
#: The race's learning rates: every other one (1, 1.5, 2.5, 4, 6 per decade). Every racer runs at
#: each of them in the chart's payload, six times the runs of one start on the surface page.
RACE_LEARNING_RATES: tuple[float, ...] = LEARNING_RATES[::2]
#: What both learning-rate sliders (the sidebar's and the chart's) are called.
LEARNING_RATE_LABEL = "Learning rate η"
#: Where the chart's own learning-rate slider is, as the tips and the sidebar's help call it.
CHART_SLIDER = f"the {LEARNING_RATE_LABEL} slider above the chart panels"


def nearest_learning_rate(lr: float, rates: tuple[float, ...] = LEARNING_RATES) -> int:
    """Index of the learning rate in ``rates`` closest to ``lr`` on a log scale."""
    grid = np.log10(rates)
    return int(np.argmin(np.abs(grid - math.log10(lr))))


def format_learning_rate(lr: float) -> str:
    """A learning rate as a learner reads it, to three significant digits as every other
    figure: 0.0013, 0.5, 3.2 (never 1.3e-03), a tuned 1.77828 as 1.78; below 0.0001, where six
    decimals would read 0 (raw x in the thousands: 2/λmax = 4.5e-7), as 4.5e-7."""
    if 0 < lr < 1e-4:
        return gd_core.format_number(lr, 3)
    lr = float(f"{lr:.3g}")
    return f"{lr:.6f}".rstrip("0").rstrip(".") if lr < 1 else f"{lr:g}"


def surface_key(surface: gd_core.Surface) -> tuple:
    """A hashable stand-in for ``surface`` in cache keys. A parsed formula is named "custom" and
    titled with its text, so the title (with the LaTeX formula and the domain) tells typed
    formulas apart."""
    return (surface.name, surface.title, surface.formula, surface.domain)


@dataclass(frozen=True)
class FanRuns:
    """Runs from ``n`` starts at ``m`` learning rates, each ``steps + 1`` frames long.

    ``points`` is ``(m, n, frames, dim)``, ``values`` and ``gradients`` follow it;
    ``diverged_at`` and ``stop_code`` are ``(m, n)`` as in ``gd_core.Trajectory``. After
    divergence everything is NaN.
    """

    lrs: np.ndarray
    starts: np.ndarray
    points: np.ndarray
    values: np.ndarray
    gradients: np.ndarray
    diverged_at: np.ndarray
    stop_code: np.ndarray
    optimizer: str

    @property
    def steps(self) -> int:
        return self.points.shape[2] - 1

    def trajectory(self, member: int) -> gd_core.Trajectory:
        """The runs from every start at learning rate ``lrs[member]``, as ``gd_core.descend``
        returns a batch: ``(frames, starts, dim)``."""
        return gd_core.Trajectory(
            np.moveaxis(self.points[member], 1, 0), np.moveaxis(self.values[member], 1, 0),
            self.diverged_at[member], self.stop_code[member],
        )


def run_fan(
    surface: gd_core.Surface,
    optimizer: str,
    hyperparams: dict,
    starts,
    lrs,
    steps: int,
    *,
    schedule: tuple[str, dict] | None = None,
    noise: float = 0.0,
    seed: int | None = None,
) -> FanRuns:
    """All ``starts`` x ``lrs`` runs of ``optimizer`` (torch names, without ``lr``) at once."""
    lrs = np.asarray(lrs, dtype=float)
    starts = np.asarray(starts, dtype=float).reshape(-1, surface.dim)
    made_schedule = gd_core.make_schedule(schedule[0], **schedule[1]) if schedule else None
    opt = gd_core.make_optimizer(
        optimizer, lr=lrs[:, None, None], schedule=made_schedule, **hyperparams
    )
    batch = np.broadcast_to(starts, (len(lrs), *starts.shape))
    trajectory = gd_core.descend(surface, opt, batch, steps, noise=noise, seed=seed)
    return fan_of(surface, optimizer, lrs, starts, trajectory)


def joined_fans(fans: Sequence[FanRuns]) -> FanRuns:
    """The runs of several ``FanRuns`` at the same learning rates, their starts one after the
    other: without gradient noise, the same numbers as one ``run_fan`` of all the starts (a
    batch gives exactly the single runs' numbers)."""
    first = fans[0]
    return FanRuns(
        first.lrs, np.concatenate([fan.starts for fan in fans]),
        *(np.concatenate([getattr(fan, name) for fan in fans], axis=1)
          for name in ("points", "values", "gradients", "diverged_at", "stop_code")),
        first.optimizer,
    )


def fan_of(surface: gd_core.Surface, optimizer: str, lrs, starts,
           trajectory: gd_core.Trajectory) -> FanRuns:
    """``FanRuns`` from ``descend``'s runs of every start (n) at every rate (m), which come as
    ``(frames, m, n, dim)`` (or as one run, ``(frames, dim)``, for one rate and one start)."""
    lrs = np.asarray(lrs, dtype=float)
    starts = np.asarray(starts, dtype=float).reshape(-1, surface.dim)
    frames = trajectory.points.shape[0]
    runs = (len(lrs), len(starts))
    # Charts slice one run's frames contiguously: (m, n, frames, ...).
    points = np.moveaxis(trajectory.points.reshape(frames, *runs, surface.dim), 0, 2)
    values = np.moveaxis(trajectory.values.reshape(frames, *runs), 0, 2)
    gradients = surface.gradient(points)
    return FanRuns(
        lrs, starts, points, values, gradients,
        np.asarray(trajectory.diverged_at).reshape(runs),
        np.asarray(trajectory.stop_code).reshape(runs), optimizer,
    )


#: A badge's colour per ``gd_core.Outcome.status``, on every page: "good" only for a run that
#: reached a global minimum, "bad" for one that diverges or cannot go on.
TONES = {
    "converged": "good", "local_minimum": "neutral", "oscillating": "neutral",
    "settled": "neutral", "moving": "neutral", "growing": "bad", "diverged": "bad",
    "undefined": "bad",
}


def badges(surface: gd_core.Surface, runs: FanRuns) -> list[list[Badge]]:
    """One badge per run, indexed ``[start][learning rate]``."""
    count, starts = runs.diverged_at.shape
    # gd_core.outcome reads a batch trajectory (frames, runs, dim): every run of the fan is one.
    batch = gd_core.Trajectory(
        np.moveaxis(runs.points, 2, 0).reshape(runs.steps + 1, count * starts, surface.dim),
        np.moveaxis(runs.values, 2, 0).reshape(runs.steps + 1, count * starts),
        runs.diverged_at.reshape(-1),
        runs.stop_code.reshape(-1),
    )
    result = [[None] * count for _ in range(starts)]
    for run, outcome in enumerate(gd_core.outcomes(surface, batch)):
        member, start = divmod(run, starts)
        result[start][member] = badge(outcome)
    return result


def badge(outcome: gd_core.Outcome) -> Badge:
    """A run's ``gd_core.outcome`` as its badge."""
    return Badge(text=outcome.message, tone=TONES[outcome.status])
