"""The curve view's pure builders (ui.curve): window, critical learning rate, channels, payload."""

import json

import numpy as np
import pytest
from helpers import decode

import gd_core
from tests.chart_reference import derive, fill_template
from ui import curve
from ui.chart import _with_static_keys
from ui.chart_payload import to_json
from ui.runs import LEARNING_RATES, TONES, badges, format_learning_rate, run_fan

CURVES = [name for name, surface in gd_core.SURFACES.items() if surface.dim == 1]
QUADRATIC = gd_core.get_surface("quadratic_1d")
DOUBLE_WELL = gd_core.get_surface("double_well_1d")


def build(surface=QUADRATIC, start=-0.9, optimizer="gd", hyperparams=None, steps=50,
          lr=0.03, compact=False):
    hyperparams = hyperparams or {}
    runs = run_fan(surface, optimizer, hyperparams, [[start]], LEARNING_RATES, steps)
    critical = curve.critical_rate(surface, curve.heading_minimum(surface, start), optimizer,
                                   hyperparams)
    payload = curve.curve_payload(
        surface, runs, curve.regimes(surface, runs), optimizer=optimizer,
        optimizer_title=gd_core.OPTIMIZERS[optimizer].title,
        lr_index=LEARNING_RATES.index(lr), critical=critical, compact=compact,
    )
    return runs, to_json(payload)


def browser_channels(payload: dict) -> dict[str, np.ndarray]:
    """The series' channels as the browser has them: decoded, then derived."""
    series = payload["series"][0]
    decoded = {name: decode(spec) for name, spec in series["channels"].items()}
    return derive(decoded, series["derived"])


def readout_lines(payload: dict, lr: float, frame: int) -> list[str]:
    channels = browser_channels(payload)
    member = LEARNING_RATES.index(lr)
    return [fill_template(line["text"], line, channels, member, frame, format_learning_rate(lr))
            for line in payload["readouts"]]


# --- window, minima and the critical learning rate ---------------------------------------------


@pytest.mark.parametrize("name", CURVES)
def test_the_window_holds_the_domain_and_room_below_the_minimum_for_the_arrow(name):
    surface = gd_core.get_surface(name)
    window = curve.curve_window(surface)
    (lo, hi), = surface.domain
    assert window.x[0] < lo and window.x[1] > hi
    assert window.x[1] - window.x[0] <= 1.2 * (hi - lo), "widened only a little"
    lowest = float(surface.value(surface.minima[0][None])[0])
    assert window.y[0] < window.axis < lowest < window.y[1]


def test_a_pole_does_not_flatten_the_window():
    surface = gd_core.parse_surface("1/x^2 + x^2", domain=[(-3, 3)])
    window = curve.curve_window(surface)
    assert np.isfinite(window.y).all()
    assert window.y[1] < 1e3, "the top follows the bulk of the curve, not its pole"


def test_a_flat_minimum_gets_no_critical_rate_mark():
    surface = gd_core.parse_surface("x^8", domain=[(-5, 5)])
    assert curve.critical_rate(surface, np.array([0.0]), "gd", {}) is None


def test_a_path_above_float16s_range_is_drawn_on_its_curve():
    """x⁸ over −5 … 5 rises to 3.9e5 inside the window: its points above 6e4 went as float16,
    clamped, and were drawn off the curve."""
    surface = gd_core.parse_surface("x^8", domain=[(-5, 5)])
    window = curve.curve_window(surface)
    runs = run_fan(surface, "gd", {}, [[-4.5]], LEARNING_RATES, 5)
    sent = curve.encode_channels(curve.curve_channels(runs, window), window)
    assert sent["f"]["dtype"] == "f4"
    assert decode(sent["f"])[0, 0] == pytest.approx(4.5**8, rel=1e-6)
    # A curve within float16's range still sends f as float16.
    assert curve.encode_channels(curve.curve_channels(
        run_fan(QUADRATIC, "gd", {}, [[-0.9]], LEARNING_RATES, 5), curve.curve_window(QUADRATIC)),
        curve.curve_window(QUADRATIC))["f"]["dtype"] == "f2"


@pytest.mark.parametrize(("surface", "start", "expected"), [
    (QUADRATIC, -0.9, 1.0), (QUADRATIC, 2.5, 1.0),
    (DOUBLE_WELL, 0.5, 1.1309), (DOUBLE_WELL, -0.5, -1.3008), (DOUBLE_WELL, 0.0, -1.3008),
    (DOUBLE_WELL, 2.0, 1.1309), (DOUBLE_WELL, -2.0, -1.3008),
])
def test_the_heading_minimum_is_the_one_downhill_from_the_start(surface, start, expected):
    assert curve.heading_minimum(surface, start)[0] == pytest.approx(expected, abs=1e-4)


def test_no_known_minimum_gives_no_critical_rate():
    line = gd_core.parse_surface("x", domain=[(-2, 2)])
    assert curve.heading_minimum(line, 0.0) is None
    assert curve.critical_rate(line, None, "gd", {}) is None


@pytest.mark.parametrize(("optimizer", "hyperparams", "expected", "label"), [
    ("gd", {}, 1 / 6, "2/f″ = 0.167"),
    ("momentum", {"momentum": 0.9}, 2 * 1.9 / 12, "2(1+μ)/f″ = 0.317"),
    ("nesterov", {"momentum": 0.5}, 2 * 1.5 / (2 * 12), "2(1+μ)/((1+2μ)f″) = 0.125"),
    ("adam", {}, 1 / 6, "2/f″ = 0.167 (plain GD)"),
])
def test_critical_rates_on_the_parabola(optimizer, hyperparams, expected, label):
    critical = curve.critical_rate(QUADRATIC, np.array([1.0]), optimizer, hyperparams)
    assert critical.value == pytest.approx(expected, rel=1e-6)
    assert critical.label == label
    theory = optimizer if optimizer in gd_core.CRITICAL_RATE_OPTIMIZERS else "gd"
    assert critical.value == gd_core.critical_learning_rate(
        QUADRATIC, np.array([1.0]), theory, hyperparams.get("momentum", 0.0))


@pytest.mark.parametrize(("optimizer", "hyperparams"), [
    ("gd", {}), ("momentum", {"momentum": 0.9}), ("momentum", {"momentum": 0.5}),
    ("nesterov", {"momentum": 0.9}), ("nesterov", {"momentum": 0.3}),
])
def test_the_critical_rate_is_where_runs_stop_converging(optimizer, hyperparams):
    edge = curve.critical_rate(QUADRATIC, np.array([1.0]), optimizer, hyperparams).value
    lrs = np.array([0.97 * edge, 1.03 * edge])
    opt = gd_core.make_optimizer(optimizer, lr=lrs[:, None], **hyperparams)
    run = gd_core.descend(QUADRATIC, opt, np.full((2, 1), 0.75), 2000)
    below, above = np.abs(run.points[-1, :, 0] - 1.0)
    assert below < 1e-6, "just below the edge the run converges"
    assert run.diverged_at[1] >= 0 or above > 0.25, "just above it, it does not"


def test_the_critical_rate_of_the_double_well_depends_on_the_valley():
    right = curve.critical_rate(DOUBLE_WELL, curve.heading_minimum(DOUBLE_WELL, 0.5), "gd", {})
    left = curve.critical_rate(DOUBLE_WELL, curve.heading_minimum(DOUBLE_WELL, -0.5), "gd", {})
    # f″ = 12x² − 6 at each minimum.
    assert right.value == pytest.approx(2 / (12 * 1.1309**2 - 6), rel=1e-3)
    assert left.value == pytest.approx(2 / (12 * 1.3008**2 - 6), rel=1e-3)


def test_fan_position_interpolates_on_a_log_scale():
    rates = LEARNING_RATES
    position = curve.fan_position(rates, 1 / 6)
    assert rates.index(0.15) < position < rates.index(0.2)
    assert curve.fan_position(rates, 0.03) == rates.index(0.03)
    assert curve.fan_position(rates, 50.0) is None


# --- channels --------------------------------------------------------------------------------


def member(lr):
    return LEARNING_RATES.index(lr)


def test_why_codes_follow_the_slope_and_the_step():
    runs = run_fan(QUADRATIC, "gd", {}, [[-0.9]], LEARNING_RATES, 50)
    channels = curve.curve_channels(runs, curve.curve_window(QUADRATIC))
    why = channels["why"]
    assert why[member(0.03), 0] == curve.DOWNHILL_RIGHT
    # η = 0.15 from −0.9 jumps to 2.52: the slope there is positive, so back left.
    assert runs.points[member(0.15), 0, 1, 0] == pytest.approx(2.52)
    assert why[member(0.15), 1] == curve.DOWNHILL_LEFT
    assert why[member(0.03), -1] == curve.LAST_STEP
    diverged = runs.diverged_at[member(0.2), 0]
    assert diverged == 14
    assert why[member(0.2), diverged] == curve.ESCAPED
    assert np.all(why[member(0.2), diverged + 1:] == curve.GONE)
    assert channels["diverged"][member(0.2), 0] == 14
    assert np.isnan(channels["diverged"][member(0.03), 0])


def test_a_settled_run_is_flat_and_momentum_can_carry_uphill():
    runs = run_fan(QUADRATIC, "gd", {}, [[-0.9]], LEARNING_RATES, 200)
    why = curve.curve_channels(runs, curve.curve_window(QUADRATIC))["why"]
    assert why[member(0.08), 150] == curve.FLAT_STILL
    runs = run_fan(DOUBLE_WELL, "momentum", {"momentum": 0.9}, [[0.5]], LEARNING_RATES, 60)
    why = curve.curve_channels(runs, curve.curve_window(DOUBLE_WELL))["why"]
    assert {curve.UPHILL_LEFT, curve.UPHILL_RIGHT} & set(why[member(0.03)].tolist())


def test_escaped_points_are_drawn_on_the_window_edge_and_say_so():
    _, payload = build(lr=0.2)
    window = curve.curve_window(QUADRATIC)
    channels = browser_channels(payload)
    run = member(0.2)
    out = channels["out"][run]
    assert curve.OFF_RIGHT in out and curve.OFF_LEFT in out
    (xlo, xhi), (ylo, yhi) = window.x, window.y
    drawn = channels["xv"][run, :15]
    assert np.all((drawn > xlo) & (drawn < xhi)), "every point up to the escape is on the chart"
    heights = channels["fv"][run, :15]
    assert np.all((heights > ylo) & (heights < yhi))
    assert np.all(np.isnan(channels["tangent"][run][out != curve.INSIDE]))
    layout = payload["panels"][0]["layout"]
    assert layout["xaxis"]["range"] == list(window.x), "the axes keep showing the curve"
    assert layout["yaxis"]["range"] == list(window.y)
    lines = readout_lines(payload, 0.2, 8)
    assert lines[2] == "◀ x = −27 is off the chart to the left: drawn at its edge."
    assert readout_lines(payload, 0.2, 20)[0] == (
        "Step 20: the run diverged at step 14: drag the step slider back to watch it escape.")


# --- text ------------------------------------------------------------------------------------


def test_the_readouts_spell_out_the_sign_logic_and_the_arithmetic():
    _, payload = build()
    assert readout_lines(payload, 0.03, 0) == [
        "Step 0: x = −0.9, slope f′(x) = −22.8: the slope is negative (downhill is to the "
        "right), so we move right.",
        "The step: x ← x − η·f′(x) = −0.9 − 0.03 × (−22.8) = −0.216.",
        "",
    ]
    step_one = readout_lines(payload, 0.15, 1)
    assert step_one[0].startswith("Step 1: x = 2.52, slope f′(x) = 18.2: the slope is positive")
    assert step_one[0].endswith("so we move left.")
    assert readout_lines(payload, 0.03, 50)[1] == "", "no step after the last one"


def test_other_optimizers_state_their_own_step():
    _, payload = build(optimizer="momentum", hyperparams={"momentum": 0.9})
    assert readout_lines(payload, 0.03, 0)[1] == "The Momentum step: 0.684, so x ← −0.216."


@pytest.mark.parametrize("optimizer", list(gd_core.OPTIMIZERS))
def test_update_rules_are_written_for_one_variable(optimizer):
    rule = curve.update_rule(optimizer)
    assert "f'(x" in rule
    assert r"\theta" not in rule and r"\nabla" not in rule


def test_the_first_step_with_its_numbers():
    runs, _ = build()
    text = curve.first_step(runs, member(0.03), "gd")
    assert r"-0.9 - 0.03 \times (-22.8) = -0.216" in text
    # Adam's first step is η times the sign of the slope: 0.1 to the right.
    adam = run_fan(QUADRATIC, "adam", {}, [[-0.9]], [0.1], 3)
    assert curve.first_step(adam, 0, "adam") == (
        r"\begin{aligned} x_0 &= -0.9,\quad f'(x_0) = -22.8 \\ x_1 &= -0.8 \end{aligned}")


# --- the payload -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", CURVES)
@pytest.mark.parametrize("optimizer", list(gd_core.OPTIMIZERS))
def test_every_curve_and_optimizer_gives_a_strict_json_payload_within_budget(name, optimizer):
    surface = gd_core.get_surface(name)
    (lo, hi), = surface.domain
    _, payload = build(surface, start=lo + 0.3 * (hi - lo), optimizer=optimizer, steps=200)
    text = json.dumps(_with_static_keys(payload), allow_nan=False)
    assert len(text) < 150_000, "bytes per change"
    assert [panel["id"] for panel in payload["panels"]] == ["curve", "value"]
    assert payload["columns"] == [2, 1]
    assert payload["badges_first"], "the regime sits next to the slider that changes it"
    series = payload["series"][0]
    assert len(series["badges"]) == len(LEARNING_RATES)
    assert decode(series["channels"]["x"]).shape == (len(LEARNING_RATES), 201)


def test_badges_name_the_regime_for_each_learning_rate():
    _, payload = build()
    badges = payload["series"][0]["badges"]
    assert badges[member(0.03)] == {
        "text": "converging smoothly · reached the global minimum at x = 1 in 12 steps",
        "tone": "good"}
    assert badges[member(0.15)]["text"].startswith("oscillating but converging · ")
    assert badges[member(0.2)]["text"].startswith("diverging · diverged at step 14")
    assert badges[member(0.2)]["tone"] == "bad"
    local = build(DOUBLE_WELL, start=0.5)[1]["series"][0]["badges"][member(0.03)]
    assert local == {"text": "stuck in a higher valley · reached a local minimum at x = 1.13 in "
                             "19 steps", "tone": "neutral"}


def test_at_the_critical_rate_the_badge_says_oscillating_once():
    bowl = gd_core.get_surface("bowl_1d")
    _, payload = build(bowl, start=0.0, lr=1.0)
    badge = payload["series"][0]["badges"][member(1.0)]
    assert badge == {"text": "oscillating · after 50 steps the swings are as wide as ever: "
                             "neither converging nor diverging", "tone": "neutral"}


def test_a_start_where_f_is_undefined_is_no_divergence():
    _, payload = build(gd_core.parse_surface("log(x)"), start=-3.0)
    badge = payload["series"][0]["badges"][member(0.03)]
    assert badge == {"text": "off the function · f is undefined at the start x = −3: pick a "
                             "start where it is defined", "tone": "bad"}


def test_badge_tones_are_the_surface_pages_tones():
    # One table keyed by the outcome: a local minimum reads the same on both pages.
    runs, payload = build(DOUBLE_WELL, start=0.5)
    found = curve.regimes(DOUBLE_WELL, runs)
    tones = [badge["tone"] for badge in payload["series"][0]["badges"]]
    assert tones == [badges(DOUBLE_WELL, runs)[0][member].tone for member in range(len(found))]
    assert set(TONES) == set(gd_core.OUTCOME_STATUSES)


def test_minima_labels_agree_with_the_badge_on_a_symmetric_well():
    surface = gd_core.parse_surface("x^4 - 2*x^2")
    for start in (0.5, -0.5):
        _, payload = build(surface, start=start)
        (markers,) = [trace["trace"] for trace in payload["panels"][0]["traces"]
                      if trace["kind"] == "marker"]
        assert markers["text"] == ["global minimum", "global minimum"]
        badge = payload["series"][0]["badges"][member(0.03)]
        assert badge["text"].startswith("converging smoothly · reached a global minimum at x = ")
        assert badge["tone"] == "good"


def test_the_fan_marks_the_critical_learning_rate():
    _, payload = build()
    fan = payload["fan"]
    assert fan["values"] == list(LEARNING_RATES)
    assert fan["labels"][fan["index"]] == "0.03"
    (mark,) = fan["marks"]
    assert mark["label"] == "2/f″ = 0.167"
    assert fan["values"][int(mark["position"])] == 0.15


def test_the_compact_view_is_one_smaller_panel():
    _, payload = build(compact=True)
    assert [panel["id"] for panel in payload["panels"]] == ["curve"]
    assert payload["panels"][0]["height"] < 400
    assert "columns" not in payload


def test_a_typed_formula_uses_the_same_view():
    surface = gd_core.parse_surface("x^4 - 3*x^2 + x", domain=[(-2.2, 2.2)])
    runs, payload = build(surface, start=0.5)
    registered = build(DOUBLE_WELL, start=0.5)[0]
    np.testing.assert_allclose(runs.points, registered.points, rtol=1e-12, equal_nan=True)
    assert payload["fan"]["marks"][0]["label"] == "2/f″ = 0.214"


def test_a_2d_surface_is_refused():
    runs = run_fan(gd_core.get_surface("bowl"), "gd", {}, [[0.0, 0.0]], [0.1], 3)
    with pytest.raises(ValueError, match="1D"):
        curve.curve_payload(gd_core.get_surface("bowl"), runs, [], optimizer="gd",
                            optimizer_title="Gradient descent", lr_index=0)


@pytest.mark.parametrize(("x", "slope", "side"), [
    (5.0, -2.0, "bottom left"),   # below, where the tangent rises
    (5.0, 2.0, "bottom right"),
    (5.0, 0.0, "bottom right"),   # a flat tangent: below, clear of it
    (1.0, -2.0, "top right"),     # no room on the left: above, where both fall away
    (9.0, 2.0, "top left"),
    (1.0, 2.0, "bottom right"),   # room on the rising side: as usual
    (9.0, -2.0, "bottom left"),
])
def test_the_slope_label_goes_where_the_tangent_and_the_window_leave_room(x, slope, side):
    window = curve.CurveWindow(x=(0.0, 10.0), y=(-1.0, 1.0), axis=-1.0)
    code = curve._slope_label_side(np.array([[x]]), np.array([[slope]]), window)
    assert curve.SLOPE_LABEL_SIDES[int(code[0, 0])] == side
