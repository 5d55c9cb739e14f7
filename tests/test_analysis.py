"""Reading trajectories: outcomes, regimes in plain words, critical learning rates."""

import re

import numpy as np
import pytest

import gd_core
from gd_core.analysis import critical_learning_rate, minimum_reached, outcome, regime, regime_of
from gd_core.basins import SETTLE_TOLERANCE
from gd_core.critical_points import hessian
from gd_core.descent import UNDEFINED


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


def test_a_run_that_lands_in_one_step_says_1_step():
    """η = 1/f″ lands on the parabola's minimum at once: "in 1 steps" was the message."""
    surface, run = _gd("quadratic_1d", 1 / 12, 0.75, steps=10)
    assert outcome(surface, run).message == "reached the global minimum at x = 1 in 1 step"
    surface, run = _gd("quadratic_1d", 0.03, 0.75, steps=1)
    assert outcome(surface, run).message.startswith("after 1 step it is at x = ")


def test_a_flat_minimum_has_no_critical_learning_rate():
    """x⁸'s minimum has f″ = 0: no rate is too large near it (the finite differences' 8e-30
    gave 2.5e29)."""
    surface = gd_core.parse_surface("x^8", domain=[(-5, 5)])
    assert gd_core.critical_learning_rate(surface, np.array([0.0])) == float("inf")


@pytest.mark.parametrize(("surface", "point"), [
    (gd_core.parse_surface("abs(x)"), [0.0]),
    (gd_core.parse_surface("abs(x) + abs(y)"), [0.0, 0.0]),
    (gd_core.get_surface("ackley"), [0.0, 0.0]),
])
def test_a_kink_has_no_critical_learning_rate(surface, point):
    """|x| has no f″ at 0: the finite differences read 1e5, and the 1D page marked "2/f″ = 2e-5:
    above it every step overshoots further", while every fixed rate hops across the kink."""
    assert critical_learning_rate(surface, np.array(point)) == float("inf")


@pytest.mark.parametrize("name", [name for name, s in gd_core.SURFACES.items()
                                  if name != "ackley"])
def test_every_smooth_minimum_keeps_its_critical_rate(name):
    surface = gd_core.get_surface(name)
    for point in surface.minima:
        rate = critical_learning_rate(surface, point)
        curvature = np.max(np.linalg.eigvalsh(hessian(surface.gradient, np.atleast_1d(point))))
        assert rate == (2 / curvature if curvature > 1e-6 else float("inf"))


def test_critical_learning_rate_of_the_parabola_is_one_sixth():
    surface = gd_core.get_surface("quadratic_1d")
    assert critical_learning_rate(surface, surface.minima[0]) == pytest.approx(1 / 6, rel=1e-8)
    assert critical_learning_rate(gd_core.get_surface("saddle"), [0, 0]) == pytest.approx(1.0)


def test_double_well_from_the_right_settles_in_the_local_minimum():
    surface, run = _gd("double_well_1d", 0.05, 1.5)
    result = outcome(surface, run)
    assert (result.status, result.minimum) == ("local_minimum", 1)
    assert regime(surface, run) == "stuck in a higher valley"
    assert result.message == f"reached a local minimum at x = 1.13 in {result.step} steps"


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
    result = outcome(surface, run)
    assert result.status == "moving"
    assert regime(surface, run) == "still moving"
    assert result.message == (f"after 20 steps it is at {gd_core.format_point(run.points[-1])} "
                              "and keeps going")


def _reference_outcome(surface, points, diverged_at, stop_code, tolerance=SETTLE_TOLERANCE):
    """A per-run reading, the oracle ``outcomes`` must agree with. Runs that reached no minimum
    and did not run away are "unfinished": ``outcomes`` tells them apart further (settled,
    oscillating, growing, moving)."""
    steps = points.shape[0] - 1

    def oscillating(path):
        moves = np.diff(path, axis=0)
        lengths = np.linalg.norm(moves, axis=-1)
        moving = lengths > 1e-12 * max(1.0, float(np.max(np.abs(path))))
        if np.count_nonzero(moving) < 3:
            return False
        moves = moves[moving]
        return bool(np.mean(np.einsum("ij,ij->i", moves[1:], moves[:-1]) < 0) > 0.5)

    if diverged_at >= 0:
        status = "undefined" if stop_code == UNDEFINED else "diverged"
        return (status, -1, diverged_at, oscillating(points[: diverged_at + 1]), stop_code)
    if surface.minima:
        minima = np.asarray(surface.minima)
        gaps = np.linalg.norm(points[:, None, :] - minima[None], axis=-1)
        nearest = int(np.argmin(gaps[-1]))
        near = gaps[:, nearest] < tolerance
        if near[-1]:
            outside = np.flatnonzero(~near)
            step = int(outside[-1]) + 1 if outside.size else 0
            depths = [float(surface.value(minimum)) for minimum in minima]
            lowest = min(depths)
            deepest = abs(depths[nearest] - lowest) <= 1e-9 * max(1.0, abs(lowest))
            return ("converged" if deepest else "local_minimum", nearest, step,
                    oscillating(points), 0)
    return ("unfinished", -1, steps, oscillating(points), 0)


_UNFINISHED = {"settled", "oscillating", "growing", "moving"}


def _table_run(surface, optimizer):
    """6 random starts x learning rates 1e-4 .. 10, 120 steps, as one flat batch."""
    rng = np.random.default_rng(3)
    lows, highs = np.asarray(surface.domain, dtype=float).T
    starts = rng.uniform(lows, highs, size=(6, surface.dim))
    lrs = np.array([1e-4, 1e-3, 0.01, 0.1, 1.0, 10.0])[:, None, None]
    batch = np.broadcast_to(starts, (len(lrs), *starts.shape))
    run = gd_core.descend(surface, gd_core.make_optimizer(optimizer, lr=lrs), batch, 120)
    return gd_core.Trajectory(
        run.points.reshape(121, -1, surface.dim), run.values.reshape(121, -1),
        run.diverged_at.reshape(-1), run.stop_code.reshape(-1))


TABLE = [(surface, optimizer) for surface in gd_core.SURFACES.values()
         for optimizer in ("gd", "momentum", "adam")]


@pytest.mark.parametrize(("surface", "optimizer"), TABLE,
                         ids=[f"{s.name}-{o}" for s, o in TABLE])
def test_batched_outcomes_read_every_run_as_the_per_run_reading_did(surface, optimizer):
    flat = _table_run(surface, optimizer)
    for index, result in enumerate(gd_core.outcomes(surface, flat)):
        expected = _reference_outcome(surface, flat.points[:, index], int(flat.diverged_at[index]),
                                      int(flat.stop_code[index]))
        status = "unfinished" if result.status in _UNFINISHED else result.status
        assert (status, result.minimum, result.step, result.oscillating) == expected[:4]
        assert result == outcome(surface, flat, index)


def test_the_table_covers_every_kind_of_ending():
    seen = {(result.status, result.oscillating) for surface, optimizer in TABLE
            for result in gd_core.outcomes(surface, _table_run(surface, optimizer))}
    assert {status for status, _ in seen} == set(gd_core.OUTCOME_STATUSES) - {"undefined"}
    assert {oscillating for _, oscillating in seen} == {True, False}


@pytest.mark.parametrize("steps", [0, 1, 2])
def test_outcomes_of_runs_too_short_to_read(steps):
    surface = gd_core.get_surface("himmelblau")
    run = gd_core.descend(surface, gd_core.make_optimizer("gd", lr=0.01),
                          np.array([[0.0, 0.0], [3.0, 2.0]]), steps)
    away, home = gd_core.outcomes(surface, run)
    assert (away.status, away.oscillating) == ("moving", False)
    assert (home.status, home.minimum, home.step) == ("converged", 0, 0)


# --- global or local: decided once ------------------------------------------------------------


@pytest.mark.parametrize(("make", "expected"), [
    (lambda: gd_core.parse_surface("x^4 - 2*x^2"), [True, True]),
    (lambda: gd_core.get_surface("double_well_1d"), [True, False]),
    (lambda: gd_core.get_surface("himmelblau"), [True] * 4),
    (lambda: gd_core.get_surface("two_minima"), [True, False]),
    (lambda: gd_core.get_surface("saddle"), []),
])
def test_global_minima_are_those_as_deep_as_the_lowest(make, expected):
    assert gd_core.global_minima(make()).tolist() == expected


def test_both_minima_of_a_symmetric_well_are_reached_as_global():
    surface = gd_core.parse_surface("x^4 - 2*x^2")
    run = gd_core.descend(surface, gd_core.make_optimizer("gd", lr=0.03), [[0.5], [-0.5]], 100)
    for result in gd_core.outcomes(surface, run):
        assert result.status == "converged"
        assert result.message.startswith("reached a global minimum at x = ")
        assert regime_of(surface, result) == "converging smoothly"


@pytest.mark.parametrize(("name", "lr", "start", "expected"), [
    ("quadratic_1d", 0.03, -0.9, "reached the global minimum at x = 1 in "),
    ("bowl", 0.042, (-0.5, 2.5), "reached the global minimum at (1, 0.778) in "),
    ("two_minima", 0.42, (0.7, -0.2), "reached a local minimum at (0.894, −0.894) in "),
    ("himmelblau", 0.01, (0.0, 0.0), "reached a global minimum at (3, 2) in "),
])
def test_a_minimum_is_named_by_where_it_is(name, lr, start, expected):
    surface, run = _gd(name, lr, start)
    assert outcome(surface, run).message.startswith(expected)


# --- the words of every ending ----------------------------------------------------------------


def test_at_exactly_the_critical_rate_the_run_oscillates_forever():
    surface, run = _gd("bowl_1d", 1.0, 0.0, steps=50)
    assert set(np.round(run.points[:, 0], 9)) == {0.0, 6.0}
    result = outcome(surface, run)
    assert (result.status, result.oscillating) == ("oscillating", True)
    assert regime(surface, run) == "oscillating"
    assert result.message == ("after 50 steps the swings are as wide as ever: neither "
                              "converging nor diverging")


def test_swings_that_grow_inside_the_escape_limits_are_diverging():
    surface, run = _gd("bowl_1d", 1.2, 0.0, steps=10)
    assert run.diverged_at == -1
    result = outcome(surface, run)
    assert result.status == "growing" and regime(surface, run) == "diverging"
    assert result.message == "the swings keep growing: after 10 steps it is at x = −83.8"


def test_swings_that_die_out_are_oscillating_but_converging():
    surface, run = _gd("bowl_1d", 0.99, 0.0, steps=50)
    result = outcome(surface, run)
    assert result.status == "moving"
    assert regime(surface, run) == "oscillating but converging"


def test_one_overshoot_across_the_valley_is_not_smooth():
    # x⁴ − 3x² + x from −3 at η = 0.06: the first step flies to x ≈ 2.34, past the other
    # valley; the second comes back, and from there it slides down to x ≈ −1.3.
    surface, run = _gd("double_well_1d", 0.06, -3.0, steps=50)
    result = outcome(surface, run)
    assert (result.status, result.oscillating, result.turns) == ("converged", False, 1)
    assert regime(surface, run) == "converging after overshooting"
    _, calm = _gd("double_well_1d", 0.01, -3.0, steps=200)
    assert (outcome(surface, calm).turns, regime(surface, calm)) == (0, "converging smoothly")


def test_a_run_still_on_its_way_that_turns_back_is_still_swinging():
    # Heavy-ball momentum on 6x² − 12x + 3 at η = 0.12: a slow spiral in (x, buffer), so x
    # swings about the minimum, turning back every few steps, still 0.1 away after 50.
    surface = gd_core.get_surface("quadratic_1d")
    run = gd_core.descend(surface, gd_core.make_optimizer("momentum", lr=0.12), -0.9, 50)
    result = outcome(surface, run)
    assert (result.status, result.oscillating) == ("moving", False) and result.turns > 3
    assert regime(surface, run) == "still swinging"
    _, slow = _gd("quadratic_1d", 0.001, -0.9, steps=50)
    assert regime(surface, slow) == "still moving"


def test_a_run_stopped_at_a_saddle_point_says_so():
    surface, run = _gd("saddle", 0.1, (1.5, 0.0))
    result = outcome(surface, run)
    assert (result.status, regime(surface, run)) == ("settled", "stuck")
    assert result.message == ("stopped at the saddle point (0, 0): the gradient is zero there, "
                              "but it is not a minimum")


@pytest.mark.parametrize(("formula", "start", "expected"), [
    ("-(x^2 + y^2)", (0.0, 0.0), "stopped on top of a hill, the maximum at (0, 0)"),
    ("x^3", 1.0, "stopped on a flat spot at x = 0: the gradient is zero there"),
])
def test_a_stationary_point_is_named_from_the_hessian(formula, start, expected):
    surface = gd_core.parse_surface(formula)
    run = gd_core.descend(surface, gd_core.make_optimizer("gd", lr=0.1), start, 3000)
    result = outcome(surface, run)
    assert result.status == "settled" and result.message.startswith(expected)


def test_a_run_on_a_valley_s_level_floor_stopped_at_a_minimum_and_says_so():
    """x²y² + x² is 0 all along x = 0; the known minima name that valley once, by (0, 0.41).
    Runs that stopped elsewhere on its floor were told "a flat spot …, but it is not a
    minimum"."""
    surface = gd_core.parse_surface("x^2*y^2 + x^2")
    run = gd_core.descend(surface, gd_core.make_optimizer("gd", lr=0.12),
                          np.array([[2.5, 2.0], [-2.5, -3.0]]), 100)
    for result in gd_core.outcomes(surface, run):
        assert result.status == "settled"
        assert result.message.startswith("stopped on the level floor of a valley at (0, ")
        assert result.message.endswith(", f = 0: nothing nearby is lower, so it is a minimum, as "
                                       "every point of that floor is")


def test_a_run_that_stops_far_off_the_plot_ran_off_to_a_flat_region():
    surface, run = _gd("two_minima", 10.0, (-1.5, 1.2))
    result = outcome(surface, run)
    assert result.status == "settled"
    assert result.message == ("ran off to a flat region outside the plotted area: stopped at "
                              "(7.25, −2.35)")


def test_a_crawling_run_is_still_moving_not_stopped():
    # Steps of 6e-6 (under the 1e-5 of a run that stopped), yet the slope there is −6.
    surface, run = _gd("bowl_1d", 1e-6, 0.0, steps=20)
    assert abs(run.points[-1, 0] - run.points[-2, 0]) < SETTLE_TOLERANCE * 1e-3
    assert outcome(surface, run).status == "moving"


def test_a_start_where_f_is_undefined_says_so_plainly():
    surface = gd_core.parse_surface("log(x)")
    run = gd_core.descend(surface, gd_core.make_optimizer("gd", lr=0.1), -3.0, 50)
    result = outcome(surface, run)
    assert (result.status, result.step) == ("undefined", 0)
    assert result.message == "f is undefined at the start x = −3: pick a start where it is defined"
    assert regime(surface, run) == "off the function"


def test_stepping_where_f_is_undefined_is_no_runaway():
    surface = gd_core.parse_surface("log(x) + y^2")
    run = gd_core.descend(surface, gd_core.make_optimizer("gd", lr=0.42), (0.5, 1.0), 50)
    result = outcome(surface, run)
    assert (result.status, result.step) == ("undefined", 1)
    assert result.message == "stopped at step 1: the iterate reached a point where f is undefined"
    surface, run = _gd("saddle", 0.1, (0.5, 0.1))
    assert outcome(surface, run).status == "diverged"


def _words(text):
    return {word for word in re.findall(r"[a-z]+", text.lower()) if len(word) > 3}


@pytest.mark.parametrize(("surface", "optimizer"), TABLE,
                         ids=[f"{s.name}-{o}" for s, o in TABLE])
def test_regime_and_message_never_repeat_a_word_and_numbers_use_one_minus(surface, optimizer):
    for result in gd_core.outcomes(surface, _table_run(surface, optimizer)):
        assert not _words(regime_of(surface, result)) & _words(result.message), result
        # A hyphen before a digit is a minus written wrong (exponents: the chart's 1e-7).
        assert not re.search(r"(?<![e\d])-\d", result.message), result.message


def test_every_status_is_documented_and_has_its_words():
    surface = gd_core.get_surface("bowl_1d")
    for status in gd_core.OUTCOME_STATUSES:
        assert f'``"{status}"``' in gd_core.Outcome.__doc__
        assert regime_of(surface, gd_core.Outcome(status, -1, 0, False, ""))


# --- the critical learning rate ---------------------------------------------------------------


@pytest.mark.parametrize(("optimizer", "momentum", "formula"), [
    ("gd", 0.0, lambda lam, mu: 2 / lam),
    ("momentum", 0.9, lambda lam, mu: (2 + 2 * mu) / lam),
    ("momentum", 0.5, lambda lam, mu: (2 + 2 * mu) / lam),
    ("nesterov", 0.9, lambda lam, mu: (2 + 2 * mu) / ((1 + 2 * mu) * lam)),
    ("nesterov", 0.3, lambda lam, mu: (2 + 2 * mu) / ((1 + 2 * mu) * lam)),
])
@pytest.mark.parametrize(("name", "curvature"), [("bowl_1d", 2.0), ("quadratic_1d", 12.0)])
def test_critical_learning_rate_is_the_quadratic_theorys_edge(
    optimizer, momentum, formula, name, curvature,
):
    surface = gd_core.get_surface(name)
    edge = gd_core.critical_learning_rate(surface, surface.minima[0], optimizer, momentum)
    assert edge == pytest.approx(formula(curvature, momentum), rel=1e-6)
    hyperparams = {"momentum": momentum} if optimizer != "gd" else {}
    start = surface.minima[0] + 0.5

    def gap(lr):
        run = gd_core.descend(surface, gd_core.make_optimizer(optimizer, lr=lr, **hyperparams),
                              start, 4000)
        return run.diverged_at, abs(run.points[-1, 0] - surface.minima[0][0])

    diverged_at, below = gap(0.97 * edge)
    assert diverged_at == -1 and below < 1e-6
    assert gap(1.03 * edge)[0] >= 0


def test_critical_learning_rate_refuses_adaptive_optimizers_by_name():
    surface = gd_core.get_surface("bowl_1d")
    with pytest.raises(ValueError, match="gd, momentum, nesterov"):
        gd_core.critical_learning_rate(surface, surface.minima[0], "adam")


def test_a_run_that_passes_through_a_minimum_and_leaves_has_not_reached_it():
    surface = gd_core.get_surface("bowl")
    minimum = surface.minima[0]
    away = minimum + 1.0
    points = np.array([away, minimum, away, away])[:, None]     # passes through at step 1
    stays = np.array([away, away, minimum, minimum])[:, None]   # arrives at step 2 and stays
    both = np.concatenate([points, stays], axis=1)
    assert [a.tolist() for a in minimum_reached(surface, both)] == [[-1, 0], [-1, 2]]


def test_a_diverged_run_never_counts_as_reaching():
    surface = gd_core.get_surface("bowl")
    points = np.array([surface.minima[0], [np.nan, np.nan]])[:, None]
    assert [a.tolist() for a in minimum_reached(surface, points)] == [[-1], [-1]]
