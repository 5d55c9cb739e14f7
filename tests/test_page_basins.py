"""The "Basins of attraction" page under Streamlit's AppTest: both views, the words when a basin
vanishes, cell clicks (driven through the chart's callback values), URL state, and the figures
the "What to try" tips quote. Clicks and the chart's slider in a real browser:
tests/e2e/test_basins_page.py."""

import numpy as np
import pytest
from helpers import chart_payload as payload
from helpers import decode, run_page, shown
from streamlit.testing.v1 import AppTest

import gd_core
from ui import basins, lessons
from ui.basins_view import basin_map
from ui.runs import LEARNING_RATES

PAGE = "pages/4_Basins_of_attraction.py"
HIMMELBLAU = gd_core.get_surface("himmelblau")
OPENING = lessons.BASINS["himmelblau"].opening


def K(name: str) -> str:
    return f"basins.{name}"


def run(query: dict | None = None, **state) -> AppTest:
    return run_page(PAGE, query, **state)


def assert_ok(app: AppTest) -> dict:
    assert not app.exception, [error.message for error in app.exception]
    return payload(app)


def expected_map(optimizer="gd", lr=OPENING.lr, steps=OPENING.steps, resolution=200, **hyper):
    return gd_core.basin_map(HIMMELBLAU, gd_core.make_optimizer(optimizer, lr=lr, **hyper),
                             resolution, steps)


# --- the basin map ------------------------------------------------------------------------------


def test_the_page_opens_on_himmelblau_with_its_honest_map_and_legend():
    app = run()
    data = assert_ok(app)
    assert app.title[0].value == "Basins of attraction"
    assert app.selectbox(key=K("surface")).value == "himmelblau"
    assert [panel["id"] for panel in data["panels"]] == ["basins"]
    image = data["panels"][0]["traces"][0]
    assert image["kind"] == "image" and image["labels"] == {"ref": "basin_labels"}
    expected = expected_map()
    labels = decode(data["arrays"]["basin_labels"])
    np.testing.assert_array_equal(labels, basins.image_labels(expected, 4))
    assert image["palette"] == basins.palette(4)
    assert image["shade"]["steps"] == {"ref": "basin_steps"}
    assert data["panels"][0]["traces"][1]["trace"]["contours"]["coloring"] == "none"
    shares = basins.shares(expected, 4)
    items = [item["label"] for item in data["legend"]["items"]]
    assert items[:4] == [f"{basins.minimum_name(HIMMELBLAU, k)}: {100 * shares[k]:.1f} %"
                         for k in range(4)]
    assert items[4:] == ["not settled within 200 steps: 0.0 %", "diverged: 0.0 %"]
    assert not app.warning and not app.exception and dict(app.query_params) == {}


def test_the_critical_rates_are_marked_on_the_chart_slider_and_named():
    data = assert_ok(run())
    marks = basins.critical_marks(HIMMELBLAU, "gd", {})
    assert [round(mark.rate, 5) for mark in marks] == [0.01495, 0.01897, 0.02431, 0.02483]
    ticks = data["fan"]["marks"]
    # 0.02431 and 0.02483 fall within half a slider step: they share one ▲.
    assert len(ticks) == 3 and all(tick["label"] == "" for tick in ticks)
    assert "0.02431 at the minimum (3, 2)" in ticks[2]["help"]
    assert "0.02483 at the minimum (−2.81, 3.13)" in ticks[2]["help"]
    fan_lr = np.interp(ticks[0]["position"], range(len(LEARNING_RATES)), np.log10(LEARNING_RATES))
    assert 10**fan_lr == pytest.approx(0.01495, rel=1e-3)
    assert "0.01495 at (−3.78, −3.28)" in run().caption[0].value


def test_a_minimum_on_an_axis_reads_0_there_not_newtons_round_off():
    """Newton's method leaves this formula's minima at x = 1.3e-37 and 9.1e-28."""
    surface = gd_core.parse_surface("exp(x^2/4) + (y^2-1)^2*x^2 + 100*y^4 - 50*y^2",
                                    domain=[(-4, 4)])
    assert 0 < abs(surface.minima[0][0]) < 1e-20, "the round-off this test is about"
    marks = basins.critical_marks(surface, "gd", {})
    text = basins.critical_rates_text(surface, marks)
    assert "at (0, −0.5)" in text and "at (0, 0.5)" in text and "e-" not in text
    assert basins.minimum_name(surface, 0) == "(0, −0.5), f = −5.25"


def test_without_marks_the_page_says_why_for_gradient_descent_too():
    """|x| + |y| has a kink at its minimum: no critical rate. The page said gradient descent
    "rescales its steps by the gradients it has seen"."""
    app = run({"surface": "custom", "formula": "abs(x) + abs(y)"})
    assert not app.exception
    said = " ".join(caption.value for caption in app.caption)
    assert "no minimum here has a critical learning rate" in said
    assert "rescales" not in said
    adam = " ".join(caption.value for caption in run({"optimizer": "adam"}).caption)
    assert "Adam rescales its steps by the gradients it has seen" in adam


def test_past_a_critical_rate_the_basin_vanishes_and_the_page_says_so():
    app = run()
    app.select_slider(key=K("lr")).set_value(0.02).run()
    data = assert_ok(app)
    labels = decode(data["arrays"]["basin_labels"])
    assert not np.isin(labels, [2, 3]).any(), "both basins past their edge are empty"
    (warning,) = app.warning
    assert ("The basins of (−3.78, −3.28) and (3.58, −1.85) have vanished."
            in shown(warning.value))
    assert app.query_params["lr"] == "0.02"
    app.select_slider(key=K("lr")).set_value(0.012).run()
    assert not app.warning, "below every critical rate nothing vanishes"
    assert (decode(payload(app)["arrays"]["basin_labels"]) == 2).mean() > 0.2


def test_the_chart_slider_sets_the_learning_rate_of_the_map():
    index = LEARNING_RATES.index(0.015)
    app = run()
    app.session_state[K("lr")] = LEARNING_RATES[index]  # what letting go of it does (on_fan)
    data = assert_ok(app.run())
    assert data["fan"]["index"] == index
    np.testing.assert_array_equal(decode(data["arrays"]["basin_labels"]),
                                  basins.image_labels(expected_map(lr=0.015), 4))
    (warning,) = app.warning
    assert "is emptying" in warning.value


@pytest.mark.parametrize("optimizer", ["momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_every_optimizer_redraws_the_map(optimizer):
    app = run()
    app.button_group(key=K("optimizer")).set_value(optimizer).run()
    data = assert_ok(app)
    defaults = dict(gd_core.OPTIMIZERS[optimizer].defaults)
    defaults.pop("lr")
    expected = expected_map(optimizer, **defaults)
    np.testing.assert_array_equal(decode(data["arrays"]["basin_labels"]),
                                  basins.image_labels(expected, 4))
    critical = optimizer in gd_core.CRITICAL_RATE_OPTIMIZERS
    assert bool(data["fan"].get("marks")) == critical
    if not critical:
        assert "no fixed critical learning rate" in app.caption[0].value


def test_momentum_shifts_the_shares_as_the_tip_says():
    app = run({"optimizer": "momentum", "momentum": "0.9", "lr": "0.001"})
    data = assert_ok(app)
    shares = [item["label"].rsplit(": ", 1)[1] for item in data["legend"]["items"][:4]]
    assert shares == ["29.6 %", "26.5 %", "22.7 %", "21.2 %"]


def test_a_cell_click_plays_that_start_and_its_badge_says_where_it_went():
    app = run()
    basins_now = basin_map(HIMMELBLAU, "gd", (), OPENING.lr, OPENING.steps, 200)
    row, col = 30, 40  # (−3.0, −3.8): the basin of (−3.78, −3.28)
    point = basins.cell_point(basins_now, row, col)
    assert basins_now.labels[row, col] == 2
    app.session_state[K("start")] = point
    data = assert_ok(app.run())
    (series,) = data["series"]
    index = data["fan"]["index"]
    xs, ys = decode(series["channels"]["x"]), decode(series["channels"]["y"])
    assert (xs[index, 0], ys[index, 0]) == pytest.approx(point, abs=5e-3)
    end = np.array([xs[index, -1], ys[index, -1]], dtype=float)
    assert np.linalg.norm(end - HIMMELBLAU.minima[2]) < 0.01
    assert series["badges"][index]["text"].startswith("reached a global minimum at (−3.78")
    assert app.query_params["start"] == f"{point[0]:.9g},{point[1]:.9g}"


def test_many_minima_are_summed_up_in_the_marks_and_the_words():
    app = run({"surface": "rastrigin", "lr": "0.006"})
    data = assert_ok(app)
    assert len(data["fan"]["marks"]) == 1 and "and 117 more minima" in data["fan"]["marks"][0][
        "help"]
    assert "the critical rates of the 121 minima, from 0.005041" in app.caption[0].value
    (warning,) = app.warning
    words = shown(warning.value)
    assert "past the critical rates of 121 minima" in words and "of their basins" in words
    assert len(data["legend"]["items"]) == basins.LEGEND_BASINS + 3


def test_cell_point_maps_rows_to_y_and_columns_to_x():
    grid = expected_map(resolution=100)
    assert basins.cell_point(grid, 0, 0) == (-5.0, -5.0)
    assert basins.cell_point(grid, 99, 0) == (-5.0, 5.0)
    assert basins.cell_point(grid, 100, 0) is None and basins.cell_point(grid, 0, -1) is None


def test_resolution_steps_and_shading_follow_the_controls_and_the_url():
    app = run({"resolution": "100", "steps": "50", "shade": "0"})
    data = assert_ok(app)
    assert decode(data["arrays"]["basin_labels"]).shape == (100, 100)
    assert "shade" not in data["panels"][0]["traces"][0]
    assert data["legend"]["items"][4]["label"].startswith("not settled within 50 steps")
    assert dict(app.query_params) == {"resolution": "100", "steps": "50", "shade": "0"}


def test_bad_url_values_fall_back_with_a_notice():
    app = run({"resolution": "5000", "lr": "banana", "start": "1,2,3"})
    data = assert_ok(app)
    assert decode(data["arrays"]["basin_labels"]).shape == (200, 200)
    notices = shown(" ".join(warning.value for warning in app.warning))
    assert "resolution=5000" in notices and "lr=banana" in notices and "start=1,2,3" in notices


def test_maps_are_kept_per_configuration():
    first = basin_map(HIMMELBLAU, "gd", (), 0.01, 50, 100)
    assert basin_map(HIMMELBLAU, "gd", (), 0.01, 50, 100) is first
    assert basin_map(HIMMELBLAU, "gd", (), 0.012, 50, 100) is not first


def test_surfaces_offered_are_the_2d_ones_with_minima_and_typed_formulas():
    assert "saddle" not in basins.BASIN_SURFACES and "rosenbrock" in basins.BASIN_SURFACES
    app = run({"surface": "six_hump_camel"})
    data = assert_ok(app)
    assert decode(data["arrays"]["basin_labels"]).shape == (200, 200)
    assert data["notes"]["items"] == list(lessons.BASINS["six_hump_camel"].tips)
    app = run({"surface": "custom", "formula": "(x^2 - 1)^2 + y^2"})
    data = assert_ok(app)
    assert len(data["legend"]["items"]) == 2 + 2
    app = run({"surface": "custom", "formula": "x + y"})
    assert not app.exception and "no known minimum" in app.info[0].value


# --- the stability map ---------------------------------------------------------------------------


def test_the_stability_view_draws_the_measured_map_the_edge_and_the_optimum():
    app = run({"view": "stability"})
    data = assert_ok(app)
    assert [panel["id"] for panel in data["panels"]] == ["stability", "contour"]
    lrs, momenta = basins.stability_axes(HIMMELBLAU, 0)
    expected = gd_core.stability_map(HIMMELBLAU, HIMMELBLAU.minima[0], lrs, momenta, 300)
    classes = decode(data["arrays"]["rate_classes"])
    np.testing.assert_array_equal(classes, basins.rate_classes(expected.rate))
    edge, optimum, chosen, _ = data["panels"][0]["traces"][1:]  # chosen: a ring, twice
    assert edge["trace"]["x"] == pytest.approx(
        [(2 + 2 * mu) / expected.eigenvalues[-1] for mu in momenta])
    assert (optimum["trace"]["x"][0], optimum["trace"]["y"][0]) == pytest.approx(expected.best)
    # Until a cell is clicked, the pair run is the optimum.
    assert (chosen["trace"]["x"][0], chosen["trace"]["y"][0]) == pytest.approx(expected.best)
    (series,) = data["series"]
    start = basins.pair_start(HIMMELBLAU, 0)
    assert start == pytest.approx(HIMMELBLAU.minima[0] + 0.5)
    xs, ys = decode(series["channels"]["x"]), decode(series["channels"]["y"])
    assert (xs[0, 0], ys[0, 0]) == pytest.approx(start, abs=5e-3)
    assert series["badges"][0]["text"].startswith("reached a global minimum at (3, 2)")
    assert dict(app.query_params) == {"view": "stability"}


def test_the_stability_view_says_what_to_try_on_the_stability_map_not_on_basins():
    data = assert_ok(run({"view": "stability"}))
    assert data["notes"]["items"] == [*lessons.STABILITY_TIPS, lessons.STABILITY_MINIMA_TIP]
    one = assert_ok(run({"surface": "rosenbrock", "view": "stability"}))
    assert one["notes"]["items"] == list(lessons.STABILITY_TIPS), "no other minimum to pick"


def stability_at(name: str, minimum: int = 0):
    surface = gd_core.get_surface(name)
    lrs, momenta = basins.stability_axes(surface, minimum)
    return gd_core.stability_map(surface, surface.minima[minimum], lrs, momenta,
                                 basins.STABILITY_STEPS)


def test_the_stability_tips_figures():
    rosenbrock = stability_at("rosenbrock")
    lam = rosenbrock.eigenvalues
    assert round(float(lam[-1] / lam[0])) == 2508 and round(rosenbrock.best[1], 2) == 0.92
    assert "0.92 at Rosenbrock's minimum, whose λ differ 2508-fold" in lessons.STABILITY_TIPS[1]
    for name, minimum in [("rastrigin", 0), ("styblinski_tang", 0), ("two_minima", 0)]:
        round_minimum = stability_at(name, minimum)
        assert round_minimum.eigenvalues[-1] / round_minimum.eigenvalues[0] < 1.1
        assert round_minimum.best[1] < 0.01, name


@pytest.mark.parametrize("name", ["himmelblau", "rosenbrock", "two_minima", "beale", "ravine"])
def test_right_of_the_dashed_edge_the_map_says_no_convergence(name):
    found = stability_at(name)
    lrs, momenta = basins.stability_axes(gd_core.get_surface(name), 0)
    edge = (2 + 2 * np.asarray(momenta)) / found.eigenvalues[-1]
    right = np.asarray(lrs)[None, :] > 1.2 * edge[:, None]
    assert right.any() and np.all(found.rate.reshape(right.shape)[right] >= 1)


def test_a_stability_cell_click_runs_that_pair_and_the_minimum_can_change():
    app = run({"view": "stability", "minimum": "2", "pair": "0.05,0.5"})
    data = assert_ok(app)
    assert app.selectbox(key=K("minimum")).value == 2
    (series,) = data["series"]
    assert series["name"] == "momentum η = 0.05, μ = 0.5"
    start = basins.pair_start(HIMMELBLAU, 2)
    run_ = gd_core.descend(HIMMELBLAU, gd_core.make_optimizer("momentum", lr=0.05, momentum=0.5),
                           start, OPENING.steps)
    assert series["badges"][0]["text"] == gd_core.outcome(HIMMELBLAU, run_).message
    assert app.query_params["pair"] == "0.05,0.5"
    app.selectbox(key=K("minimum")).set_value(1).run()
    (series,) = assert_ok(app)["series"]
    assert series["badges"][0]["text"].startswith("reached a global minimum at (−2.81, 3.13)")
    assert "pair" not in app.query_params, "another minimum runs its own optimum"


def test_a_click_beside_the_stability_map_moves_the_pairs_start():
    app = run({"view": "stability", "pair_start": "2.5,1.5"})
    (series,) = assert_ok(app)["series"]
    assert (decode(series["channels"]["x"])[0, 0], decode(series["channels"]["y"])[0, 0]) == (
        pytest.approx((2.5, 1.5), abs=5e-3))


def test_a_pair_that_diverges_from_a_far_start_says_why_the_map_disagrees():
    # Rosenbrock's optimum pair converges right beside (1, 1), as the map shows, but from the
    # default start 0.283 away its run diverges: the page says the map is the near picture.
    app = run({"surface": "rosenbrock", "view": "stability"})
    (series,) = assert_ok(app)["series"]
    assert series["badges"][0]["text"].startswith("diverged at step 15")
    (note,) = [info.value for info in app.info]
    assert note.startswith("From this start, 0.283 from the minimum, the pair diverged at step "
                           "15. Right beside the minimum, where the map's cells start, the pair "
                           "converges.")
    app = run({"surface": "rosenbrock", "view": "stability", "pair_start": "1.01,1.01"})
    (series,) = assert_ok(app)["series"]
    assert series["badges"][0]["text"].startswith("reached the global minimum at (1, 1)")
    assert not app.info, "a start close enough follows the map"
    app = run({"view": "stability"})
    assert_ok(app)
    assert not app.info, "Himmelblau's optimum pair reaches its minimum from the default start"


def test_the_optimums_factor_per_step_is_said_in_words_where_it_is_zero():
    # Rastrigin's minima are round (equal eigenvalues): the optimum's factor is 0 (or 2e-16).
    captions = " ".join(caption.value for caption in run({"surface": "rastrigin",
                                                             "view": "stability"}).caption)
    assert ("is multiplied by less than 0.001 each step: one step all but lands on the minimum"
            in captions)
    captions = " ".join(caption.value for caption in run({"surface": "rosenbrock",
                                                             "view": "stability"}).caption)
    assert "where the distance is multiplied by 0.961 each step." in captions


def test_an_impossible_minimum_in_a_link_falls_back_to_the_first():
    app = run({"view": "stability", "minimum": "9"})
    assert_ok(app)
    assert app.selectbox(key=K("minimum")).value == 0


# --- what to try --------------------------------------------------------------------------------


def _shares(name, optimizer, lr, steps=200, resolution=200, **hyper):
    surface = gd_core.get_surface(name)
    found = gd_core.basin_map(surface, gd_core.make_optimizer(optimizer, lr=lr, **hyper),
                              resolution, steps)
    return [round(100 * share, 1) for share in basins.shares(found, len(surface.minima))]


def test_the_himmelblau_tips_figures():
    assert _shares("himmelblau", "gd", 0.01)[:4] == [25.7, 26.0, 23.6, 24.7]
    assert _shares("himmelblau", "gd", 0.001, steps=1000, resolution=300)[:4] == [
        25.6, 26.0, 23.7, 24.7]
    assert _shares("himmelblau", "momentum", 0.001, momentum=0.9)[:4] == [29.6, 26.5, 22.7, 21.2]
    assert _shares("himmelblau", "gd", 0.015)[2] == 1.2
    at_002 = _shares("himmelblau", "gd", 0.02)
    assert at_002[2] == at_002[3] == 0 and at_002[4] == 45.8


def test_the_other_surfaces_tips_figures():
    assert _shares("two_minima", "gd", 0.4)[:2] == [66.6, 33.4]
    assert _shares("two_minima", "momentum", 0.1, momentum=0.9)[0] == 69.4
    assert _shares("two_minima", "gd", 1.0)[:2] == [5.4, 33.4]
    assert _shares("six_hump_camel", "gd", 0.01)[:6] == [24.7, 24.7, 15.2, 15.2, 10.1, 10.1]
    camel = _shares("six_hump_camel", "gd", 0.1)
    assert camel[2] == camel[3] == 0 and camel[0] > 10
    assert _shares("six_hump_camel", "momentum", 0.01, momentum=0.9)[7] == 6.3
    assert _shares("styblinski_tang", "gd", 0.02)[:4] == [26.5, 25.0, 25.0, 23.5]
    assert _shares("styblinski_tang", "gd", 0.06) == [0, 0, 0, 21.2, 75.9, 3.0]


def test_basins_that_vanish_together_are_named_in_one_sentence_and_emptying_ones_apart():
    surface = gd_core.get_surface("himmelblau")
    marks = basins.critical_marks(surface, "gd", {})
    shares = np.zeros(len(surface.minima))
    shares[marks[-1].minimum] = 0.02
    text = basins.vanished_text(surface, marks, 1.0, shares)
    gone = [basins.minimum_point(surface, mark.minimum) for mark in marks[:-1]]
    assert f"The basins of {gone[0]}, {gone[1]} and {gone[2]} have vanished." in text
    assert text.count("vanished") == 1
    assert (f"The basin of {basins.minimum_point(surface, marks[-1].minimum)} is emptying: 2 %"
            in text)
