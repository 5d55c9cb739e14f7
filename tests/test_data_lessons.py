"""Every claim of the SGD page's "What to try" (ui.lessons.SGD_TIPS), checked against the runs
the page makes (ui.sgd) at its opening configuration (ui.lessons.SGD_OPENINGS and the controls'
defaults)."""

import numpy as np
import pytest

import gd_core
from gd_core.formatting import format_number
from ui import lessons, sgd, sgd_view
from ui.runs import LEARNING_RATES

DEFAULTS = {control.name: control.default for control in sgd_view.controls()}


def _opening(source: str) -> dict:
    return {**DEFAULTS, **lessons.SGD_OPENINGS[source]}


def _problem(source: str, scaling: str = "raw"):
    values = _opening(source)
    data = sgd.synthetic_data(source, values["n"], values["slope"], values["intercept"],
                              values["noise"], values["seed"])
    return sgd.make_problem(source, data, scaling)


def _runs(source: str, scaling: str = "raw", **changes):
    values = {**_opening(source), **changes}
    problem = _problem(source, scaling)
    return problem, {kind.key: sgd.run(problem, "gd", {}, values["lr"], values["start"],
                                       values["epochs"],
                                       sgd.batch_size(kind, problem.data.n, values["batch"]),
                                       values["order"])
                     for kind in sgd.RUN_KINDS}


def _tip(source: str, start: str) -> str:
    (found,) = [tip for tip in lessons.SGD_TIPS[source] if tip.startswith(start)]
    return found


def test_one_epoch_is_one_full_step_and_many_noisy_ones():
    tip = _tip("line", "One epoch")
    _, runs = _runs("line")
    assert [runs[key].steps_per_epoch for key in ("full", "minibatch", "single")] == [1, 20, 200]
    assert "(B = 10) 20 and the single-sample run 200" in tip
    after_one = {key: run.values[run.steps_per_epoch] for key, run in runs.items()}
    assert f"minibatch run's J is {format_number(after_one['minibatch'], 2)}" in tip
    assert f"the full batch's still {format_number(after_one['full'], 2)}" in tip
    assert after_one["minibatch"] < after_one["full"] / 5


def test_raw_x_makes_a_narrow_valley_and_standardizing_makes_it_round():
    tip = _tip("line", "Raw x")
    raw, runs = _runs("line")
    assert f"condition number {format_number(raw.condition_number, 3)}" in tip
    distance = np.linalg.norm(runs["full"].points[-1] - raw.least_squares)
    assert f"still {format_number(distance, 2)} from the fit" in tip
    standard, standard_runs = _runs("line", "standardized", lr=0.5)
    assert standard.condition_number == pytest.approx(1.0)
    assert f"from {format_number(raw.largest_stable_lr, 2)} to " \
           f"{format_number(standard.largest_stable_lr, 2)}" in tip
    assert np.linalg.norm(standard_runs["full"].points[-1] - standard.least_squares) < 1e-4


def test_the_single_sample_run_jitters_around_the_fit():
    tip = _tip("line", "The single-sample run never settles")
    _, runs = _runs("line")
    single = runs["single"]
    assert f"ends higher ({format_number(single.values[-1], 2)})" in tip
    assert f"after the first epoch ({format_number(single.values[single.steps_per_epoch], 2)})" \
        in tip
    assert single.values[-1] > single.values[single.steps_per_epoch]
    # The cloud: smaller for a larger batch, and for a smaller learning rate.
    problem = _problem("line", "standardized")
    spreads = {}
    for batch, lr in ((1, 0.1), (10, 0.1), (1, 0.01)):
        run = sgd.run(problem, "gd", {}, lr, (0, 0), 20, batch, 0)
        last = run.points[-run.steps_per_epoch:]
        spreads[batch, lr] = np.mean(np.linalg.norm(last - problem.least_squares, axis=1))
    assert spreads[10, 0.1] < spreads[1, 0.1] / 2 and spreads[1, 0.01] < spreads[1, 0.1] / 2


def test_just_under_two_over_lambda_max_only_the_single_sample_run_diverges():
    tip = _tip("line", "η = 0.05")
    problem, runs = _runs("line", lr=0.05)
    assert problem.largest_stable_lr > 0.05
    assert f"2/λmax = {format_number(problem.largest_stable_lr, 2)}" in tip
    assert runs["full"].diverged_at == runs["minibatch"].diverged_at == -1
    assert f"diverges at step {runs['single'].diverged_at}" in tip
    assert np.max(problem.features**2 + 1) > 95


def test_the_shuffle_seed_moves_only_the_noisy_paths():
    _tip("line", "Change the shuffle seed")
    _, first = _runs("line")
    _, other = _runs("line", order=7)
    assert np.allclose(first["full"].points, other["full"].points, rtol=1e-12)
    assert not np.allclose(first["minibatch"].points, other["minibatch"].points)
    assert not np.allclose(first["single"].points, other["single"].points)


def _minimum_reached(problem, run) -> str:
    minima = np.asarray(problem.surface.minima)
    nearest = minima[np.argmin(np.linalg.norm(minima - run.points[-1], axis=-1))]
    return f"({format_number(nearest[0], 3)}, {format_number(nearest[1], 3)})"


def test_the_network_s_two_minima_and_where_each_run_goes():
    tip = _tip("network", "J has two minima")
    problem, runs = _runs("network")
    first, second = problem.surface.minima
    assert np.allclose(first, -second)
    assert f"minima, {_minimum_reached(problem, runs['minibatch'])} and" in tip
    assert _minimum_reached(problem, runs["full"]) == _minimum_reached(problem,
                                                                       runs["minibatch"])
    assert _minimum_reached(problem, runs["single"]) != _minimum_reached(problem,
                                                                         runs["minibatch"])


def test_another_shuffle_seed_sends_the_minibatch_run_to_the_other_valley():
    tip = _tip("network", "Shuffle seed 4")
    problem, runs = _runs("network")
    _, other = _runs("network", order=4)
    assert "(B = 4)" in tip and lessons.SGD_OPENINGS["network"]["batch"] == 4
    assert _minimum_reached(problem, other["minibatch"]) != _minimum_reached(
        problem, runs["minibatch"])
    assert np.allclose(other["full"].points, runs["full"].points, rtol=1e-12)


def test_the_full_batch_network_run_is_still_on_its_way():
    tip = _tip("network", "After 20 epochs")
    problem, runs = _runs("network")
    minima = np.asarray(problem.surface.minima)
    distance = np.min(np.linalg.norm(minima - runs["full"].points[-1], axis=-1))
    assert f"still {format_number(distance, 2)} from its minimum" in tip
    for key in ("minibatch", "single"):
        assert np.min(np.linalg.norm(minima - runs[key].points[-1], axis=-1)) < 0.2


# Your own data's tips hold for any line fit: checked here on a line of prices.
PRICES = gd_core.Dataset(np.linspace(800, 3500, 60),
                         150 * np.linspace(800, 3500, 60) + 20_000
                         + 30_000 * np.sin(np.linspace(800, 3500, 60)))


def test_your_own_data_tips_scaling_keeps_the_line_and_changes_the_valley():
    assert _tip("csv", "Switch “Scaling of x”")
    fits = {scaling: gd_core.linear_regression(PRICES, scaling) for scaling in gd_core.SCALINGS}
    lines = [np.array(fit.line(fit.least_squares)) for fit in fits.values()]
    assert all(np.allclose(line, lines[0], rtol=1e-9) for line in lines)
    assert fits["standardized"].condition_number == pytest.approx(1.0)
    assert fits["raw"].condition_number > 1e6
    assert fits["raw"].largest_stable_lr < fits["standardized"].largest_stable_lr


def test_your_own_data_tips_a_rate_past_the_stable_one_diverges_and_the_seed_moves_the_noisy_runs():
    assert _tip("csv", "Raise the learning rate past")
    problem = gd_core.linear_regression(PRICES, "standardized")
    # The slider's first rate past it (2.0 is 2/λmax here, up to round-off: a steady swing).
    lr = min(rate for rate in LEARNING_RATES if rate > 1.01 * problem.largest_stable_lr)
    over = sgd.run(problem, "gd", {}, lr, (0.0, 0.0), 20, 60, 0)
    assert over.diverged_at > 0
    distance = np.linalg.norm(over.points[:over.diverged_at] - problem.least_squares, axis=-1)
    assert (np.diff(distance) > 0).all()
    assert _tip("csv", "Change the shuffle seed")
    runs = {seed: {size: sgd.run(problem, "gd", {}, 0.1, (0.0, 0.0), 5, size, seed)
                   for size in (60, 10, 1)} for seed in (0, 1)}
    assert np.allclose(runs[0][60].points, runs[1][60].points, rtol=1e-12)
    assert not np.allclose(runs[0][10].points, runs[1][10].points)
    assert not np.allclose(runs[0][1].points, runs[1][1].points)
