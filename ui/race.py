"""The optimizer race: every racer from one start, and the table that says who won.

A fair race has two modes. With one learning rate for all, each racer runs at every rate of
``RACE_LEARNING_RATES`` (a fan), so the chart's slider switches all of them in the browser. Tuned,
each racer runs at the rate ``gd_core.tune_lr`` finds for it from this start (the run taken from
the tuning batch itself). No Streamlit here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

import gd_core
from gd_core.analysis import minimum_reached
from gd_core.tuning import tuned_run, tuned_runs
from ui.payloads import RunStyle
from ui.runs import RACE_LEARNING_RATES, FanRuns, fan_of, run_fan

#: The race's two modes: a key (the URL's value) and what the learner reads.
MODES = {"shared": "One learning rate for all", "tuned": "Each at its tuned rate"}

#: Each racer's name in the race's controls, legend and table.
TITLES = {name: spec.title for name, spec in gd_core.OPTIMIZERS.items()}

#: Each optimizer's look in the race, the same whichever others run: an Okabe–Ito colour (safe
#: for colour-blind viewers), its own marker, and a dash, so no two racers rely on colour alone.
RACER_STYLES = {
    "gd": RunStyle("#0072B2", "circle", "●", "solid"),
    "momentum": RunStyle("#D55E00", "square", "■", "dash"),
    "nesterov": RunStyle("#CC79A7", "diamond", "◆", "dot"),
    "adagrad": RunStyle("#009E73", "triangle-up", "▲", "dashdot"),
    "rmsprop": RunStyle("#E69F00", "x", "✖", "dash"),
    "adam": RunStyle("#000000", "star", "★", "solid"),
}


@dataclass(frozen=True)
class Race:
    """The racers' runs from one start: ``runs[name]`` is a fan over ``RACE_LEARNING_RATES``
    (mode ``"shared"``) or of the one rate in ``tuned[name]`` (mode ``"tuned"``)."""

    mode: str
    start: np.ndarray
    runs: dict[str, FanRuns]
    tuned: dict[str, float]

    def member(self, name: str, lr_index: int) -> int:
        """The fan member of racer ``name`` the chart shows at the slider's ``lr_index``."""
        return lr_index if self.mode == "shared" else 0

    def lr(self, name: str, lr_index: int) -> float:
        return float(self.runs[name].lrs[self.member(name, lr_index)])

    def run(self, name: str, lr_index: int) -> gd_core.Trajectory:
        """Racer ``name``'s run at the slider's ``lr_index``, as ``gd_core.descend`` gives one."""
        runs = self.runs[name].trajectory(self.member(name, lr_index))
        return gd_core.Trajectory(runs.points[:, 0], runs.values[:, 0],
                                  int(runs.diverged_at[0]), int(runs.stop_code[0]))


def run_racer(
    surface: gd_core.Surface, optimizer: str, hyperparams: Mapping, start, steps: int,
    mode: str,
) -> tuple[FanRuns, float | None]:
    """One racer's runs: the whole fan (``"shared"``), or its tuned rate's run and that rate."""
    start = np.asarray(start, dtype=float).reshape(1, surface.dim)
    if mode == "shared":
        return run_fan(surface, optimizer, dict(hyperparams), start, RACE_LEARNING_RATES,
                       steps), None
    tuned, run = tuned_run(surface, optimizer, start[0], steps, **hyperparams)
    return fan_of(surface, optimizer, [tuned], start, run), tuned


def run_racers(
    surface: gd_core.Surface, racers: Mapping[str, Mapping], start, steps: int, mode: str,
) -> dict[str, tuple[FanRuns, float | None]]:
    """``run_racer`` for each of ``racers`` (optimizer -> its hyperparameters), all of them in
    one ``descend`` (``gd_core.side_by_side``: one gradient call per step for every racer, and
    the numbers of their separate runs): every racer's fan, or every racer's tuning."""
    start = np.asarray(start, dtype=float).reshape(1, surface.dim)
    if mode != "shared":
        tuned = tuned_runs(surface, racers, start[0], steps)
        return {name: (fan_of(surface, name, [rate], start, run), rate)
                for name, (rate, run) in tuned.items()}
    lrs = np.asarray(RACE_LEARNING_RATES)
    made = [gd_core.make_optimizer(name, lr=lrs[:, None, None], **dict(hyperparams))
            for name, hyperparams in racers.items()]
    batch = np.broadcast_to(start, (len(made) * len(lrs), *start.shape))
    both = gd_core.descend(surface, gd_core.side_by_side(made, [len(lrs)] * len(made)), batch,
                           steps)
    runs = {}
    for i, name in enumerate(racers):
        block = slice(i * len(lrs), (i + 1) * len(lrs))
        mine = gd_core.Trajectory(both.points[:, block], both.values[:, block],
                                  both.diverged_at[block], both.stop_code[block])
        runs[name] = (fan_of(surface, name, lrs, start, mine), None)
    return runs


@dataclass(frozen=True)
class Result:
    """One racer's row of the results table (numbers, so the table sorts them as numbers)."""

    place: int
    optimizer: str            # the optimizer's title
    learning_rate: float
    final_value: float
    minimum: str              # the known minimum the run ends nearest, named
    distance: float           # from the last point to that minimum
    reached_at: float         # the step from which it stays within tolerance of it; NaN: never
    diverged_at: float        # NaN: never
    outcome: str              # gd_core.outcome's sentence


#: The columns of the results table, in the order shown (the outcome's sentence is the racer's
#: badge under the chart).
RESULT_COLUMNS = {
    "place": "Place", "optimizer": "Optimizer", "learning_rate": "η",
    "final_value": "Final f", "minimum": "Nearest minimum", "distance": "Distance to it",
    "reached_at": "Reached it at step", "diverged_at": "Diverged at step",
}


def _minimum_names(surface: gd_core.Surface) -> list[str]:
    is_global = gd_core.global_minima(surface)
    return [f"{gd_core.format_point(point)} {'global' if top else 'local'}"
            for point, top in zip(surface.minima, is_global, strict=True)]


def _finish_key(status: str, reached: int, final: float, stopped: int) -> tuple:
    """Order of the finish: a global minimum, then a local one, fewer steps first; then the
    runs that reached none, lowest final value first; diverged or undefined runs last, the
    one that kept going longest (``stopped``: its step) first."""
    group = {"converged": 0, "local_minimum": 1, "diverged": 3, "undefined": 3}.get(status, 2)
    if group == 3:
        return (group, -stopped, 0.0)
    return (group, reached if group < 2 else 0, final if np.isfinite(final) else np.inf)


def racer_outcomes(surface: gd_core.Surface, race: Race) -> dict[str, list[gd_core.Outcome]]:
    """Every racer's ``gd_core.outcome`` at each of its fan members, all in one call."""
    names = list(race.runs)
    found = gd_core.outcomes(surface, _all_runs(surface, race))
    counts = np.cumsum([0, *(len(race.runs[name].lrs) for name in names)])
    return {name: found[counts[i]:counts[i + 1]] for i, name in enumerate(names)}


def _all_runs(surface: gd_core.Surface, race: Race) -> gd_core.Trajectory:
    """Every racer's run at every member, racer after racer, as one batch ``(frames, runs,
    dim)`` (a race has one start, so a fan member is one run)."""
    runs = list(race.runs.values())
    return gd_core.Trajectory(
        np.concatenate([np.moveaxis(run.points[:, 0], 1, 0) for run in runs], axis=1),
        np.concatenate([run.values[:, 0].T for run in runs], axis=1),
        np.concatenate([run.diverged_at[:, 0] for run in runs]),
        np.concatenate([run.stop_code[:, 0] for run in runs]),
    )


def standings(
    surface: gd_core.Surface, race: Race, titles: Mapping[str, str],
    outcomes: Mapping[str, list[gd_core.Outcome]] | None = None,
) -> list[list[Result]]:
    """The results table at every position of the learning-rate slider (one, tuned): per
    position one row per racer, winner first.

    Every figure is read off the runs (``gd_core.outcomes``, given or worked out, and
    ``minimum_reached``, with the tolerance they share); racers that finish alike share a place.
    """
    names = list(race.runs)
    outcomes = outcomes if outcomes is not None else racer_outcomes(surface, race)
    batch = _all_runs(surface, race)
    reached, since = minimum_reached(surface, batch.points)
    last = batch.points[-1]
    final = batch.values[-1]
    minimum_names = _minimum_names(surface)
    minima = np.asarray(surface.minima, dtype=float).reshape(-1, surface.dim)
    with np.errstate(invalid="ignore"):
        gaps = np.linalg.norm(last[:, None] - minima[None], axis=-1)  # (runs, minima)
    first_run = dict(zip(names, np.cumsum([0, *(len(race.runs[n].lrs) for n in names)]),
                         strict=False))
    positions = len(RACE_LEARNING_RATES) if race.mode == "shared" else 1
    table = []
    for lr_index in range(positions):
        rows = []
        for name in names:
            member = race.member(name, lr_index)
            run = first_run[name] + member
            if surface.minima and np.all(np.isfinite(last[run])):
                nearest = int(reached[run]) if reached[run] >= 0 else int(np.argmin(gaps[run]))
                minimum, distance = minimum_names[nearest], float(gaps[run, nearest])
            else:
                minimum, distance = "—", float("nan")
            found = outcomes[name][member]
            diverged = int(batch.diverged_at[run])
            rows.append((
                _finish_key(found.status, int(since[run]), float(final[run]), diverged),
                Result(0, titles[name], race.lr(name, lr_index), float(final[run]), minimum,
                       distance, float(since[run]) if since[run] >= 0 else float("nan"),
                       float(diverged) if diverged >= 0 else float("nan"), found.message),
            ))
        rows.sort(key=lambda row: row[0])
        ranked, place, previous = [], 0, None
        for position, (key, result) in enumerate(rows, start=1):
            place = place if key == previous else position
            previous = key
            ranked.append(replace(result, place=place))
        table.append(ranked)
    return table


def results(
    surface: gd_core.Surface, race: Race, lr_index: int, titles: Mapping[str, str],
) -> list[Result]:
    """The results table at the slider's ``lr_index`` (``standings`` there)."""
    everywhere = standings(surface, race, titles)
    return everywhere[lr_index if race.mode == "shared" else 0]


def winner_text(rows: list[Result]) -> str:
    """Who won, in a sentence: the racers in first place and how each finished; when every
    racer diverged, that there is no winner, and which one lasted longest."""
    first = [row for row in rows if row.place == 1]
    names = " and ".join(row.optimizer for row in first)
    outcomes = {row.outcome for row in first}
    how = (f"{names} — {first[0].outcome}" if len(outcomes) == 1
           else "; ".join(f"{row.optimizer} — {row.outcome}" for row in first))
    if not np.isnan(first[0].diverged_at):  # diverged runs rank last: every racer did
        return f"No winner: every racer diverged. The last to go: {how}."
    return f"{'Winners' if len(first) > 1 else 'Winner'}: {how}."


def results_csv(rows: list[Result]) -> str:
    """The results table as CSV: a column per ``RESULT_COLUMNS`` key and the outcome's
    sentence, numbers in full precision, empty where there is none."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    names = [*RESULT_COLUMNS, "outcome"]
    writer.writerow(names)
    for row in rows:
        values = [getattr(row, name) for name in names]
        writer.writerow(["" if isinstance(v, float) and np.isnan(v) else
                         repr(v) if isinstance(v, float) else v for v in values])
    return buffer.getvalue()


def learning_rate_text(race: Race, name: str, lr_index: int) -> str:
    """The rate a racer runs at, as the legend names it (``tuned η = 0.0215`` when tuned: three
    significant digits, as the table prints it)."""
    rate = gd_core.format_number(race.lr(name, lr_index))
    return f"tuned η = {rate}" if race.mode == "tuned" else f"η = {rate}"
