"""Reading trajectories: outcomes, regimes in plain words, critical learning rates."""

import numpy as np
import pytest

import gd_core
from gd_core.analysis import critical_learning_rate, outcome, regime


def _gd(surface_name, lr, start, steps=100):
    surface = gd_core.get_surface(surface_name)
    return surface, gd_core.descend(surface, gd_core.make_optimizer("gd", lr=lr), start, steps)


@pytest.mark.parametrize(
    ("lr", "expected"),
    [(0.03, "converging smoothly"), (0.15, "oscillating but converging"), (0.2, "diverging")],
)
def test_quadratic_regimes_follow_the_critical_learning_rate(lr, expected):
    surface, run = _gd("quadratic_1d", lr, 0.75)
    assert regime(surface, run) == expected


def test_critical_learning_rate_of_the_parabola_is_one_sixth():
    surface = gd_core.get_surface("quadratic_1d")
    assert critical_learning_rate(surface, surface.minima[0]) == pytest.approx(1 / 6, rel=1e-8)
    assert critical_learning_rate(gd_core.get_surface("saddle"), [0, 0]) == pytest.approx(1.0)


def test_double_well_from_the_right_settles_in_the_local_minimum():
    surface, run = _gd("double_well_1d", 0.05, 1.5)
    result = outcome(surface, run)
    assert (result.status, result.minimum) == ("converged", 1)
    assert regime(surface, run) == "settled in a local (not global) minimum"
    assert "local" in result.message


def test_classic_two_minima_starts_split_between_the_valleys():
    starts = [(-1.5, 1.2), (1.5, -1.8), (0, 0), (0.7, -0.2), (1.5, 1.5)]
    surface, run = _gd("two_minima", 0.4, starts)
    reached = [outcome(surface, run, i).minimum for i in range(len(starts))]
    assert reached == [0, 1, 0, 1, 0]


def test_converged_step_is_where_the_run_stays_within_tolerance():
    surface, run = _gd("bowl", 0.02, (-0.5, 2.9), steps=200)
    result = outcome(surface, run)
    gaps = np.linalg.norm(run.points - surface.minima[0], axis=-1)
    assert result.status == "converged"
    assert np.all(gaps[result.step:] < gd_core.SETTLE_TOLERANCE)
    assert gaps[result.step - 1] >= gd_core.SETTLE_TOLERANCE


def test_diverged_and_moving_runs_say_so():
    surface, run = _gd("saddle", 0.1, (0.5, 0.1), steps=100)
    result = outcome(surface, run)
    assert result.status == "diverged"
    assert result.message.startswith(f"diverged at step {run.diverged_at}")
    surface, run = _gd("rosenbrock", 1e-4, (-1.5, 2.0), steps=20)
    assert outcome(surface, run).status == "moving"
    assert regime(surface, run) == "still moving"
