"""tune_lr: the quadratic theory, the rule run one rate at a time, and every fallback."""

import numpy as np
import pytest

import gd_core
from gd_core.analysis import minimum_reached
from gd_core.tuning import TUNING_LEARNING_RATES, tune_lr, tuned_run, tuned_runs

GRID_RATIO = TUNING_LEARNING_RATES[1] / TUNING_LEARNING_RATES[0]
SURFACES_WITH_MINIMA = [name for name, s in gd_core.SURFACES.items() if s.dim == 2 and s.minima]


def _start(surface):
    """A start a quarter of the way across the domain from its lower-left corner."""
    (x0, x1), (y0, y1) = surface.domain
    return np.array([x0 + 0.25 * (x1 - x0), y0 + 0.75 * (y1 - y0)])


@pytest.mark.parametrize("name, hessian", [("bowl", (12.0, 18.0)), ("ravine", (12.0, 80.0))])
def test_gd_on_a_quadratic_lands_near_the_classic_optimum(name, hessian):
    surface = gd_core.get_surface(name)
    optimum = 2.0 / (min(hessian) + max(hessian))
    tuned = tune_lr(surface, "gd", _start(surface), 200)
    assert optimum / GRID_RATIO <= tuned <= optimum * GRID_RATIO


def test_gd_on_a_parabola_takes_the_one_step_rate():
    # f = 6x² − 12x + 3 has f'' = 12: lr = 1/12 lands on the minimum in one step.
    surface = gd_core.get_surface("quadratic_1d")
    tuned = tune_lr(surface, "gd", [2.5], 50)
    assert 1 / 12 / GRID_RATIO <= tuned <= 1 / 12 * GRID_RATIO


def _reference_choice(surface, optimizer, start, steps, lrs):
    """The spec's rule, one learning rate at a time."""
    best = None
    for lr in lrs:
        run = gd_core.descend(surface, gd_core.make_optimizer(optimizer, lr=lr), start, steps)
        reached = int(minimum_reached(surface, run.points[:, None])[1][0])
        final = run.values[-1]
        key = (reached < 0, reached, np.inf if np.isnan(final) else final, lr)
        best = key if best is None or key < best else best
    return best[-1]


@pytest.mark.parametrize("optimizer", list(gd_core.OPTIMIZERS))
@pytest.mark.parametrize("name", SURFACES_WITH_MINIMA)
def test_the_batched_choice_equals_the_rule_run_one_rate_at_a_time(name, optimizer):
    surface = gd_core.get_surface(name)
    lrs = np.geomspace(1e-3, 1.0, 7)
    start = _start(surface)
    assert tune_lr(surface, optimizer, start, 60, lrs=lrs) == _reference_choice(
        surface, optimizer, start, 60, lrs)


def test_when_no_rate_reaches_a_minimum_the_lowest_final_value_wins():
    surface = gd_core.get_surface("bowl")
    lrs = np.array([1e-4, 3e-4, 1e-3])  # far too small to arrive within 5 steps
    start = _start(surface)
    finals = [gd_core.descend(surface, gd_core.make_optimizer("gd", lr=lr), start, 5).values[-1]
              for lr in lrs]
    assert tune_lr(surface, "gd", start, 5, lrs=lrs) == lrs[int(np.argmin(finals))]


def test_a_surface_without_known_minima_gets_the_lowest_final_value():
    surface = gd_core.get_surface("saddle")
    assert not surface.minima
    lrs = np.array([1e-3, 1e-2, 0.1])
    start = np.array([1.0, 0.01])
    finals = [gd_core.descend(surface, gd_core.make_optimizer("gd", lr=lr), start, 20).values[-1]
              for lr in lrs]
    assert tune_lr(surface, "gd", start, 20, lrs=lrs) == lrs[int(np.nanargmin(finals))]


def test_when_every_rate_diverges_the_smallest_wins():
    surface = gd_core.get_surface("ravine")
    lrs = np.array([5.0, 20.0, 80.0])
    assert tune_lr(surface, "gd", _start(surface), 100, lrs=lrs) == 5.0


def test_hyperparameters_reach_the_optimizer():
    surface = gd_core.get_surface("ravine")
    start = _start(surface)
    lrs = np.geomspace(1e-3, 0.1, 9)
    heavy = tune_lr(surface, "momentum", start, 150, lrs=lrs, momentum=0.9)
    light = tune_lr(surface, "momentum", start, 150, lrs=lrs, momentum=0.0)
    assert light == tune_lr(surface, "gd", start, 150, lrs=lrs)
    assert heavy != light


@pytest.mark.parametrize("lrs", [[], [0.1, -1.0], [np.nan], [[0.1]]])
def test_invalid_rates_are_refused(lrs):
    with pytest.raises(ValueError, match="learning rates"):
        tune_lr(gd_core.get_surface("bowl"), "gd", (0.0, 0.0), 10, lrs=lrs)


def test_only_one_start_is_tuned():
    with pytest.raises(ValueError, match="one point"):
        tune_lr(gd_core.get_surface("bowl"), "gd", [(0.0, 0.0), (1.0, 1.0)], 10)


def test_the_default_grid_spans_every_optimizers_useful_range():
    assert TUNING_LEARNING_RATES.size >= 40
    assert TUNING_LEARNING_RATES[0] <= 1e-4 and TUNING_LEARNING_RATES[-1] >= 10.0


@pytest.mark.parametrize(("name", "optimizer"), [("himmelblau", "adam"), ("saddle", "gd"),
                                                 ("rosenbrock", "momentum")])
def test_the_tuned_run_is_the_run_at_the_tuned_rate(name, optimizer):
    surface = gd_core.get_surface(name)
    lr, run = tuned_run(surface, optimizer, (0.5, -0.5), 80)
    assert lr == tune_lr(surface, optimizer, (0.5, -0.5), 80)
    single = gd_core.descend(surface, gd_core.make_optimizer(optimizer, lr=lr), (0.5, -0.5), 80)
    np.testing.assert_array_equal(run.points, single.points)
    np.testing.assert_array_equal(run.values, single.values)
    assert (run.diverged_at, run.stop_code) == (single.diverged_at, single.stop_code)


@pytest.mark.parametrize("name", ["himmelblau", "rosenbrock", "saddle"])
def test_tuning_several_optimizers_at_once_gives_each_its_own_rate_and_run(name):
    surface = gd_core.get_surface(name)
    start = np.array([0.4, -1.1])
    optimizers = {"gd": {}, "momentum": {"momentum": 0.5}, "adam": {"betas": (0.8, 0.99)},
                  "rmsprop": {}}
    together = tuned_runs(surface, optimizers, start, 80)
    assert list(together) == list(optimizers)
    for optimizer, hyperparams in optimizers.items():
        rate, run = tuned_run(surface, optimizer, start, 80, **hyperparams)
        assert together[optimizer][0] == rate, optimizer
        assert np.array_equal(together[optimizer][1].points, run.points, equal_nan=True)
        assert together[optimizer][1].diverged_at == run.diverged_at
