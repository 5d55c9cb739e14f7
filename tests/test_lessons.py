"""What each function teaches (ui/lessons.py) is true: every opening configuration shows its
lesson at once, and every "what to try" claim with numbers is what gd_core computes."""

import re

import numpy as np
import pytest

import gd_core
from ui import lessons
from ui.runs import LEARNING_RATES


def outcomes(name, opening_or_lr, starts=None, steps=None, optimizer="gd", **hyperparams):
    """The outcome of every start, from an ``Opening`` or from the numbers given."""
    surface = gd_core.get_surface(name)
    if isinstance(opening_or_lr, lessons.Opening):
        lr, starts, steps = opening_or_lr.lr, opening_or_lr.starts, opening_or_lr.steps
        optimizer = opening_or_lr.optimizer
    else:
        lr = opening_or_lr
    trajectory = gd_core.descend(surface, gd_core.make_optimizer(optimizer, lr=lr, **hyperparams),
                                 np.array(starts, dtype=float), steps)
    return gd_core.outcomes(surface, trajectory)


def test_every_registered_function_has_a_lesson_on_the_offered_controls():
    assert set(lessons.LESSONS) == set(gd_core.SURFACES)
    for name, lesson in lessons.LESSONS.items():
        opening = lesson.opening
        assert opening.lr in LEARNING_RATES, name
        assert opening.optimizer in gd_core.OPTIMIZERS, name
        assert all(len(start) == gd_core.get_surface(name).dim for start in opening.starts)
        assert lesson.tips, name


#: What each opening must show, run for run: the status of each start (and, where the lesson is
#: which minimum, the minimum's index in ``surface.minima``).
OPENING_SHOWS = {
    "quadratic_1d": [("converged", 0)],
    "bowl_1d": [("converged", 0)],
    "double_well_1d": [("local_minimum", 1)],  # the local one: where you start decides
    "bowl": [("converged", 0)],
    "ravine": [("converged", 0)],
    "two_minima": [("local_minimum", 1), ("converged", 0)],  # two starts, two minima
    "rosenbrock": [("moving", -1)],  # the crawl along the valley, not a divergence
    "himmelblau": [("converged", 0), ("converged", 2), ("converged", 3), ("converged", 1)],
    "beale": [("moving", -1), ("converged", 0)],
    "six_hump_camel": [("converged", 1), ("local_minimum", 3)],
    "styblinski_tang": [("converged", 0), ("local_minimum", 3), ("local_minimum", 1)],
    "rastrigin": [("local_minimum", None)],  # a dip, not the global minimum
    "ackley": [("local_minimum", None)],
    "saddle": [("settled", -1), ("diverged", -1)],  # stuck on the saddle, and the escape
}


@pytest.mark.parametrize("name", list(OPENING_SHOWS))
def test_each_opening_shows_its_lesson_at_once(name):
    found = outcomes(name, lessons.LESSONS[name].opening)
    expected = OPENING_SHOWS[name]
    assert [o.status for o in found] == [status for status, _ in expected]
    for outcome, (_, minimum) in zip(found, expected, strict=True):
        if minimum is None:
            assert outcome.minimum > 0, "trapped in a local dip"
        elif minimum >= 0:
            assert outcome.minimum == minimum


def test_the_rosenbrock_opening_crawls_all_the_way_along_the_valley():
    opening = lessons.LESSONS["rosenbrock"].opening
    surface = gd_core.get_surface("rosenbrock")
    run = gd_core.descend(surface, gd_core.make_optimizer("gd", lr=opening.lr),
                          opening.starts[0], opening.steps)
    assert run.diverged_at == -1
    assert np.linalg.norm(run.points[-1] - [1, 1]) < 0.1, "near the minimum, still moving"


#: What the "What to try" tips of the surfaces claim: surface, optimizer and hyperparameters,
#: learning rate, start, steps -> words in gd_core's outcome.
HINT_CLAIMS = [
    ("bowl", "gd", {}, 0.05, (-0.5, 2.5), 100, "reached the global minimum"),
    ("bowl", "gd", {}, 0.1, (-0.5, 2.5), 100, "reached the global minimum"),
    ("bowl", "gd", {}, 0.12, (-0.5, 2.5), 100, "diverged"),
    ("ravine", "gd", {}, 0.02, (-0.5, 2.5), 100, "reached the global minimum"),
    ("ravine", "gd", {}, 0.025, (-0.5, 2.5), 100, "swings are as wide as ever"),
    ("ravine", "gd", {}, 0.03, (-0.5, 2.5), 100, "diverged"),
    ("ravine", "gd", {}, 0.012, (-0.5, 2.5), 100, "reached the global minimum"),
    ("ravine", "momentum", {"momentum": 0.9}, 0.01, (-0.5, 2.5), 100,
     "reached the global minimum"),
    ("two_minima", "gd", {}, 0.4, (0.7, -0.2), 100, "reached a local minimum"),
    ("two_minima", "gd", {}, 0.4, (-1.5, 1.2), 100, "reached the global minimum"),
    ("rosenbrock", "gd", {}, 0.002, (-1.5, 2.0), 500, "and keeps going"),
    ("rosenbrock", "gd", {}, 0.0025, (-1.5, 2.0), 500, "diverged at step 5"),
    ("himmelblau", "gd", {}, 0.01, (0.0, 0.0), 100, "a global minimum at (3, 2)"),
    ("himmelblau", "gd", {}, 0.01, (-1.0, -1.0), 100, "a global minimum at (−3.78, −3.28)"),
    ("himmelblau", "gd", {}, 0.01, (1.0, -1.0), 100, "a global minimum at (3.58, −1.85)"),
    ("himmelblau", "gd", {}, 0.01, (-1.0, 1.0), 100, "a global minimum at (−2.81, 3.13)"),
    *(("himmelblau", "gd", {}, 0.025, start, 100, "swings are as wide as ever")
      for start in ((0.0, 0.0), (-1.0, -1.0), (1.0, -1.0), (-1.0, 1.0))),
    ("beale", "gd", {}, 0.005, (3.0, 1.0), 500,
     "reached the global minimum at (3, 0.5) in 386 steps"),
    ("beale", "gd", {}, 0.005, (1.0, 1.5), 500, "and keeps going"),
    ("beale", "gd", {}, 0.0005, (-3.0, -3.0), 100, "diverged"),
    ("beale", "adam", {}, 0.2, (1.0, 1.5), 500,
     "reached the global minimum at (3, 0.5) in 244 steps"),
    ("six_hump_camel", "gd", {}, 0.01, (-0.5, 1.5), 100, "a global minimum at (−0.0898, 0.713)"),
    ("six_hump_camel", "gd", {}, 0.04, (-0.5, 1.5), 100, "a global minimum at (0.0898, −0.713)"),
    ("six_hump_camel", "gd", {}, 0.01, (2.0, -1.0), 100,
     "reached a local minimum"),
    ("six_hump_camel", "gd", {}, 0.04, (2.0, -1.0), 100,
     "reached a local minimum"),
    ("rastrigin", "gd", {}, 0.004, (2.3, -1.7), 100,
     "a local minimum at (1.99, −1.99)"),
    ("rastrigin", "gd", {}, 0.01, (2.3, -1.7), 100, "swings are as wide as ever"),
    ("ackley", "gd", {}, 0.01, (2.3, -1.7), 100, "a local minimum at (1.97, −1.97)"),
    ("ackley", "gd", {}, 0.1, (2.3, -1.7), 100, "swings are as wide as ever"),
    ("saddle", "gd", {}, 0.1, (1.5, 0.0), 100, "stopped at the saddle point (0, 0)"),
    ("saddle", "gd", {}, 0.1, (1.5, 0.05), 100, "diverged at step 46"),
    ("saddle", "gd", {}, 0.01, (1.5, 0.0), 100, "and keeps going"),
    ("saddle", "gd", {}, 0.01, (1.5, 0.05), 100, "and keeps going"),
]


@pytest.mark.parametrize(("surface", "optimizer", "hyperparams", "lr", "start", "steps", "words"),
                         HINT_CLAIMS)
def test_what_the_surface_tips_claim_is_what_the_core_computes(surface, optimizer, hyperparams,
                                                               lr, start, steps, words):
    assert lr in LEARNING_RATES, "the tip's learning rate is one the controls offer"
    (found,) = outcomes(surface, lr, [start], steps, optimizer, **hyperparams)
    assert words in found.message


def test_the_tips_name_only_learning_rates_the_controls_offer():
    for name, lesson in lessons.LESSONS.items():
        for tip in lesson.tips:
            for number in re.findall(r"η = (\d+(?:\.\d+)?)", tip):
                assert float(number) in LEARNING_RATES, (name, tip)


def test_the_critical_rates_the_tips_quote():
    assert gd_core.critical_learning_rate(gd_core.get_surface("bowl"), (1, 7 / 9)) == (
        pytest.approx(2 / 18))
    assert gd_core.critical_learning_rate(gd_core.get_surface("ravine"), (1, 0.375)) == (
        pytest.approx(2 / 80))
    assert gd_core.critical_learning_rate(gd_core.get_surface("quadratic_1d"), (1,)) == (
        pytest.approx(1 / 6))


# --- the curves' tips -----------------------------------------------------------------------


def gd_run(name, start, lr, steps=50):
    surface = gd_core.get_surface(name)
    trajectory = gd_core.descend(surface, gd_core.make_optimizer("gd", lr=lr), [start], steps)
    return trajectory, gd_core.regime(surface, trajectory)


def test_the_parabola_suggestions():
    run_, regime = gd_run("quadratic_1d", -0.9, 0.03)
    assert run_.points[1, 0] == pytest.approx(-0.216) and regime == "converging smoothly"
    assert gd_run("quadratic_1d", -0.9, 0.15)[1] == "oscillating but converging"
    assert gd_run("quadratic_1d", -0.9, 0.2)[1] == "diverging"
    assert gd_run("quadratic_1d", -0.9, 0.08)[0].points[1, 0] == pytest.approx(0.924)


def test_the_bowl_suggestions():
    run_, _ = gd_run("bowl_1d", 0.0, 0.1)
    np.testing.assert_allclose(run_.points[:4, 0], [0, 0.6, 1.08, 1.464])
    assert gd_run("bowl_1d", 0.0, 0.5)[0].points[1, 0] == 3.0
    np.testing.assert_allclose(gd_run("bowl_1d", 0.0, 1.0)[0].points[:5, 0], [0, 6, 0, 6, 0])
    assert gd_run("bowl_1d", 0.0, 0.8)[1] == "oscillating but converging"
    assert gd_run("bowl_1d", 0.0, 1.2)[1] == "diverging"


def test_the_double_well_suggestions():
    surface = gd_core.get_surface("double_well_1d")
    assert surface.gradient(np.array([0.5]))[0] < 0, "the slope at 0.5 is negative"
    run_, regime = gd_run("double_well_1d", 0.5, 0.03)
    assert regime == "stuck in a higher valley"
    assert run_.points[-1, 0] == pytest.approx(1.1309, abs=1e-3)
    assert gd_run("double_well_1d", -0.5, 0.03)[0].points[-1, 0] == pytest.approx(-1.3008,
                                                                                   abs=1e-3)
    assert gd_run("double_well_1d", 2.0, 0.1)[0].points[-1, 0] == pytest.approx(-1.3008,
                                                                                 abs=1e-3)


# --- typed formulas ----------------------------------------------------------------------------


def typed(text: str) -> gd_core.Surface:
    return gd_core.parse_surface(text, domain=[(-5.0, 5.0)])


def test_a_typed_curve_opens_where_it_is_defined():
    (start,), = lessons.opening(typed("log(x)")).starts
    assert start > 0, "log is undefined at the usual start −3"
    surface = typed("sqrt(x - 4)")
    (start,), = lessons.opening(surface).starts
    assert 4 <= start <= 5 and np.isfinite(surface.value(np.array([start])))


def test_a_formula_undefined_everywhere_has_no_opening():
    assert lessons.opening(typed("sqrt(-x^2 - 1)")) is None
    assert lessons.opening(typed("sqrt(-x^2 - y^2 - 1)")) is None


def test_a_typed_formula_opens_on_a_run_that_reaches_a_minimum():
    surface = typed("sin(x)*cos(y) + 0.1*(x^2 + y^2)")
    opening = lessons.opening(surface)
    trajectory = gd_core.descend(surface, gd_core.make_optimizer("gd", lr=opening.lr),
                                 np.array(opening.starts), opening.steps)
    found = gd_core.outcomes(surface, trajectory)
    assert all(o.status in ("converged", "local_minimum") and not o.oscillating for o in found)
    assert len({o.minimum for o in found}) == 2, "two starts, two valleys"


def test_a_ravine_too_long_for_the_steps_opens_below_its_stability_edge():
    """No rate brings x^2 + 1e-6 y^2 to its minimum in 100 steps; the largest at which nothing
    runs away is 1 = 2/f_xx, where GD bounces across the ravine for ever. It opens where the
    bounce dies out and the crawl along the floor shows."""
    surface = typed("x^2 + 1e-6*y^2")
    opening = lessons.opening(surface)
    assert opening.lr < 1
    trajectory = gd_core.descend(surface, gd_core.make_optimizer("gd", lr=opening.lr),
                                 np.array(opening.starts), opening.steps)
    found = gd_core.outcomes(surface, trajectory)
    assert not any(o.oscillating for o in found)
    assert np.all(np.abs(trajectory.points[-1, :, 0]) < 1e-6), "across the ravine: settled"


def test_a_bounded_curve_without_minima_in_range_opens_on_its_escape():
    """cos(x) over −2.5 … 2.5: nothing runs away at any rate, and its largest safe rate (10)
    hopped chaotically far off the plot. It opens at the smallest rate whose run leaves it."""
    surface = gd_core.parse_surface("cos(x)", domain=[(-2.5, 2.5)])
    opening = lessons.opening(surface)
    assert opening.lr < 0.1
    run = gd_core.descend(surface, gd_core.make_optimizer("gd", lr=opening.lr),
                          np.array(opening.starts), opening.steps)
    (found,) = gd_core.outcomes(surface, run)
    assert abs(run.points[-1, 0, 0]) > 2.5 and not found.oscillating
    slower = gd_core.descend(surface, gd_core.make_optimizer(
        "gd", lr=LEARNING_RATES[LEARNING_RATES.index(opening.lr) - 1]),
        np.array(opening.starts), opening.steps)
    assert abs(slower.points[-1, 0, 0]) <= 2.5, "the smallest rate that leaves"


def test_typed_tips_mention_only_marks_and_minima_that_exist():
    without = " ".join(lessons.tips(typed("x^3"), critical_mark=False))
    assert "▲" not in without and "which minimum" not in without
    assert "no minimum" in without
    assert "▲" in " ".join(lessons.tips(typed("x^4 - 3*x^2 + x"), critical_mark=True))
    assert "which minimum" in " ".join(lessons.tips(typed("x^4 - 3*x^2 + x")))
    assert "above the chart" in lessons.tips(typed("x^2 + y^2"))[1]


@pytest.mark.parametrize(("text", "gaps"), [
    ("abs(x)", False), ("x^2 + y^2", False), ("log(x)", True), ("sqrt(x^2 + y - 1)", True),
    ("1/x", True),
])
def test_the_tip_about_gaps_shows_only_where_f_has_some(text, gaps):
    said = " ".join(lessons.tips(typed(text)))
    assert ("the plot has gaps" in said) is gaps
