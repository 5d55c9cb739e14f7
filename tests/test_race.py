"""The race's runs and its results table, against gd_core's own reading of each run."""

import itertools

import numpy as np
import pytest

import gd_core
from ui import race
from ui.runs import RACE_LEARNING_RATES as LEARNING_RATES

TITLES = {name: spec.title for name, spec in gd_core.OPTIMIZERS.items()}
START = (0.0, 0.0)
STEPS = 120


def _race(surface, mode, names=tuple(gd_core.OPTIMIZERS), start=START):
    runs, tuned = {}, {}
    for name in names:
        runs[name], rate = race.run_racer(surface, name, {}, start, STEPS, mode)
        if rate is not None:
            tuned[name] = rate
    return race.Race(mode, np.asarray(start), runs, tuned)


@pytest.fixture(scope="module")
def himmelblau():
    return gd_core.get_surface("himmelblau")


def test_shared_mode_runs_every_racer_at_every_rate_of_the_slider(himmelblau):
    shared = _race(himmelblau, "shared")
    for name, runs in shared.runs.items():
        assert runs.lrs.tolist() == list(LEARNING_RATES) and runs.optimizer == name
        assert runs.points.shape == (len(LEARNING_RATES), 1, STEPS + 1, 2)
        assert shared.lr(name, 7) == LEARNING_RATES[7]


def test_tuned_mode_runs_each_racer_at_tune_lrs_rate(himmelblau):
    tuned = _race(himmelblau, "tuned", names=("gd", "adam"))
    for name in ("gd", "adam"):
        rate = gd_core.tune_lr(himmelblau, name, START, STEPS)
        assert tuned.tuned[name] == rate and tuned.lr(name, 30) == rate
        single = gd_core.descend(himmelblau, gd_core.make_optimizer(name, lr=rate), START, STEPS)
        np.testing.assert_array_equal(tuned.runs[name].points[0, 0], single.points)
        np.testing.assert_array_equal(tuned.runs[name].values[0, 0], single.values)
        np.testing.assert_array_equal(tuned.runs[name].gradients[0, 0],
                                      himmelblau.gradient(single.points))
        assert tuned.runs[name].diverged_at.shape == (1, 1)
        run = tuned.run(name, 30)
        np.testing.assert_array_equal(run.points, single.points)
        assert (run.diverged_at, run.stop_code) == (single.diverged_at, single.stop_code)


@pytest.mark.parametrize("mode", list(race.MODES))
@pytest.mark.parametrize("surface_name", ["himmelblau", "rosenbrock", "two_minima", "saddle"])
def test_every_row_says_what_gd_core_reads_off_the_run(surface_name, mode):
    surface = gd_core.get_surface(surface_name)
    start = np.mean(surface.domain, axis=1) + 0.3
    contest = _race(surface, mode, start=start)
    lr_index = LEARNING_RATES.index(0.01)
    rows = {row.optimizer: row for row in race.results(surface, contest, lr_index, TITLES)}
    assert len(rows) == len(gd_core.OPTIMIZERS)
    for name, runs in contest.runs.items():
        member = contest.member(name, lr_index)
        run = runs.trajectory(member)
        found = gd_core.outcome(surface, run, 0)
        row = rows[TITLES[name]]
        assert row.outcome == found.message
        assert row.learning_rate == runs.lrs[member]
        assert row.final_value == run.values[-1, 0] or np.isnan(row.final_value)
        diverged = int(run.diverged_at[0])
        assert (np.isnan(row.diverged_at) if diverged < 0 else row.diverged_at == diverged)
        if found.minimum >= 0:
            assert row.reached_at == found.step
            assert row.minimum.startswith(gd_core.format_point(surface.minima[found.minimum]))
            assert row.distance < gd_core.SETTLE_TOLERANCE
        else:
            assert np.isnan(row.reached_at)


def test_the_winner_comes_first_and_equal_finishes_share_a_place(himmelblau):
    rows = race.results(himmelblau, _race(himmelblau, "tuned"), 0, TITLES)
    places = [row.place for row in rows]
    assert places[0] == 1 and places == sorted(places)
    reached = [row.reached_at for row in rows if not np.isnan(row.reached_at)]
    assert reached == sorted(reached)
    for a, b in itertools.pairwise(rows):
        same = (a.reached_at == b.reached_at and a.final_value == b.final_value
                and a.outcome.split(" at ")[0] == b.outcome.split(" at ")[0])
        assert (a.place == b.place) == same


def test_a_diverged_racer_finishes_last(himmelblau):
    contest = _race(himmelblau, "shared", names=("gd", "adam"))
    rows = race.results(himmelblau, contest, LEARNING_RATES.index(0.1), TITLES)
    assert rows[-1].optimizer == "Gradient descent" and rows[-1].diverged_at >= 0
    assert rows[-1].minimum == "—" and np.isnan(rows[-1].distance)


def test_when_every_racer_diverges_none_wins_and_the_last_to_go_is_named():
    # The saddle at η = 10, from (1.5, 0.01), a hair off its ridge: racers are thrown off at
    # step 2, AdaGrad (whose steps keep shrinking) holds out far longer.
    saddle = gd_core.get_surface("saddle")
    runs = {name: race.run_racer(saddle, name, {}, (1.5, 0.01), 100, "shared")[0]
            for name in gd_core.OPTIMIZERS}
    contest = race.Race("shared", np.array([1.5, 0.01]), runs, {})
    rows = race.results(saddle, contest, LEARNING_RATES.index(10.0), TITLES)
    assert all(not np.isnan(row.diverged_at) for row in rows)
    steps = [row.diverged_at for row in rows]
    assert steps == sorted(steps, reverse=True), "the one that lasted longest first"
    first = rows[0]
    assert first.place == 1 and [row.place for row in rows].count(1) == 1
    assert race.winner_text(rows) == (
        f"No winner: every racer diverged. The last to go: {first.optimizer} — "
        f"{first.outcome}.")
    assert f"diverged at step {first.diverged_at:.0f}" in first.outcome


def test_winners_who_finish_alike_each_get_their_own_outcome():
    rows = [race.Result(1, "Momentum", 0.01, 0.0, "(3, 2) global", 0.001, 40.0, float("nan"),
                        "reached a global minimum at (3, 2) in 40 steps"),
            race.Result(1, "Adam", 0.01, 0.0, "(−2.81, 3.13) global", 0.001, 40.0,
                        float("nan"), "reached a global minimum at (−2.81, 3.13) in 40 steps"),
            race.Result(3, "AdaGrad", 0.01, 5.0, "(3, 2) global", 1.0, float("nan"),
                        float("nan"), "after 100 steps it is at (2, 1) and keeps going")]
    assert race.winner_text(rows) == (
        "Winners: Momentum — reached a global minimum at (3, 2) in 40 steps; Adam — reached a "
        "global minimum at (−2.81, 3.13) in 40 steps.")
    assert race.winner_text(rows[:1]) == (
        "Winner: Momentum — reached a global minimum at (3, 2) in 40 steps.")


def test_the_legend_names_tuned_rates():
    contest = race.Race("tuned", np.zeros(2), {"gd": race.run_racer(
        gd_core.get_surface("bowl"), "gd", {}, (0.0, 0.0), 20, "tuned")[0]}, {})
    assert race.learning_rate_text(contest, "gd", 0).startswith("tuned η = 0.0")


def test_the_results_download_is_the_table_in_full_precision(himmelblau):
    rows = race.results(himmelblau, _race(himmelblau, "tuned", names=("gd", "adam")), 0, TITLES)
    lines = race.results_csv(rows).splitlines()
    assert lines[0].split(",") == [*race.RESULT_COLUMNS, "outcome"]
    first = lines[1].split(",")
    assert first[1] == rows[0].optimizer and float(first[2]) == rows[0].learning_rate
    assert len(lines) == 3


@pytest.mark.parametrize("mode", ["shared", "tuned"])
def test_racers_run_together_give_each_racer_its_own_runs(himmelblau, mode):
    racers = {"gd": {}, "nesterov": {"momentum": 0.5}, "adagrad": {"eps": 1e-4}, "adam": {}}
    together = race.run_racers(himmelblau, racers, (1.5, -2.5), 60, mode)
    for name, hyperparams in racers.items():
        fan, rate = race.run_racer(himmelblau, name, hyperparams, (1.5, -2.5), 60, mode)
        assert together[name][1] == rate
        for field in ("lrs", "points", "values", "diverged_at", "stop_code"):
            assert np.array_equal(getattr(together[name][0], field), getattr(fan, field),
                                  equal_nan=True), (name, field)
