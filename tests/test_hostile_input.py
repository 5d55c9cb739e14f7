"""Every page under hostile input: crafted links, widget messages a browser never sends (a value
far outside a slider, a text of megabytes) and chart events carrying anything JSON can (NaN as
text, huge numbers, wrong types, missing keys). None of them raises, none makes a page work
past its caps (ui.limits), and a link's or the chart's is refused with a notice.

A crafted message goes through Streamlit exactly as a browser's would: the page runs with the
widget states (and the chart's trigger events) a browser would send, with one of them replaced.
"""

from __future__ import annotations

import json
import math

import pytest
from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from tests.helpers import run_page, shown
from ui import basins, curve_view, limits, race_view, sgd, surface_view, typed_formula
from ui.payloads import MAX_RUNS
from ui.runs import LEARNING_RATES

CURVE = "pages/1_Why_minus_the_gradient.py"
SURFACE = "pages/2_Descent_on_a_surface.py"
RACE = "pages/3_Optimizer_race.py"
BASINS = "pages/4_Basins_of_attraction.py"
SGD = "pages/5_SGD_on_real_data.py"
CUSTOM = "pages/6_Your_own_function.py"


def sent(app: AppTest, *crafted: WidgetState) -> AppTest:
    """Run the page as a browser that sends ``crafted`` in place of those widgets' values."""
    states = app._tree.get_widget_states()
    replaced = {state.id for state in crafted}
    kept = [state for state in states.widgets if state.id not in replaced]
    del states.widgets[:]
    states.widgets.extend([*kept, *crafted])
    return app._tree._runner._run(states, timeout=app.default_timeout)


def numbers(element, *values) -> WidgetState:
    """A slider's message (a list of numbers)."""
    state = WidgetState(id=element.id)
    state.double_array_value.data.extend(values)
    return state


def texts(element, *values) -> WidgetState:
    """A select slider's or a segmented control's message (a list of option labels)."""
    state = WidgetState(id=element.id)
    state.string_array_value.data.extend(values)
    return state


def text(element, value: str) -> WidgetState:
    """A text box's or a select box's message."""
    return WidgetState(id=element.id, string_value=value)


def chart_event(app: AppTest, event: str, value) -> WidgetState:
    """The chart component's message for ``event`` (``click``, ``fan``) carrying ``value``; JSON
    as Python writes it, so NaN and Infinity arrive as the bare words."""
    (component,) = app.get("bidi_component")
    return WidgetState(id=_make_trigger_id(component.proto.id, "events"),
                       json_trigger_value=json.dumps([{"event": event, "value": value}]))


def notices(app: AppTest) -> str:
    return shown(" ".join(warning.value for warning in app.warning))


def calm(app: AppTest) -> AppTest:
    assert not app.exception, [error.value for error in app.exception]
    return app


# --- links ----------------------------------------------------------------------------------------

#: (page, what the link asks for: a hostile value per name, the values each may take
#: instead); a link may also name legitimate settings (``"surface": "custom"``).
HOSTILE_LINKS = [
    (CURVE, {"steps": "1000000000", "start": "1e300", "lr": "nan"},
     {"steps": range(1, curve_view.MAX_STEPS + 1)}),
    (SURFACE, {"steps": "99999999", "starts": ";".join(["1,1"] * (MAX_RUNS + 1))},
     {"steps": range(10, surface_view.MAX_STEPS + 1)}),
    (SURFACE, {"formula": "x^(10^10)", "starts": "1e300,0"}, {}),
    (SURFACE, {"formula": "(" * 500 + "x" + ")" * 500}, {}),
    (RACE, {"steps": "1e9", "start": "1e300,0", "racers": "gd,fork_bomb"},
     {"steps": range(10, race_view.MAX_STEPS + 1)}),
    (BASINS, {"resolution": "100000", "steps": "1000000", "minimum": "99999999"},
     {"resolution": basins.RESOLUTIONS, "steps": range(10, basins.MAX_STEPS + 1)}),
    (SGD, {"n": "10000000", "epochs": "1000000", "batch": "1000000000"},
     {"n": range(10, sgd.MAX_N + 1), "epochs": range(1, sgd.MAX_EPOCHS + 1)}),
    (CUSTOM, {"formula": "9^9^9", "range": "-1e308,1e308", "steps": "1e12"},
     {"steps": range(1, surface_view.MAX_STEPS + 1)}),
    (CUSTOM, {"formula": "x" * 5000}, {}),
]
#: The page state's name on each page (its session keys start with it).
STATES = {CURVE: "curve", SURFACE: "surface", RACE: "race", BASINS: "basins", SGD: "sgd",
          CUSTOM: "custom"}


@pytest.mark.parametrize(("page", "hostile", "capped"), HOSTILE_LINKS)
def test_a_link_asking_for_too_much_is_refused_with_a_notice(page, hostile, capped):
    typed = {"surface": "custom"} if page == SURFACE and "formula" in hostile else {}
    app = calm(run_page(page, {**typed, **hostile}))
    said = notices(app)
    for name, value in hostile.items():
        assert f"{name}={value[:40]}" in said, name
    for name, allowed in capped.items():
        assert app.session_state[f"{STATES[page]}.{name}"] in allowed, name


@pytest.mark.parametrize("text", ["5", "1,2,3", "", "a,b", "3,-3"])
def test_a_plot_range_that_is_not_two_numbers_in_order_falls_back_with_a_plain_notice(text):
    app = calm(run_page(CUSTOM, {"formula": "x^2 + y^2", "range": text}))
    said = notices(app)
    assert f"range={text}" in said
    # Said in words, never as a Python error message.
    assert "unpack" not in said and "could not convert" not in said
    assert app.session_state["custom.range"] == typed_formula.DEFAULT_RANGES[2]


# --- widget messages ------------------------------------------------------------------------------

@pytest.mark.parametrize(("page", "name", "cap"), [
    (CURVE, "curve.steps", curve_view.MAX_STEPS),
    (SURFACE, "surface.steps", surface_view.MAX_STEPS),
    (RACE, "race.steps", race_view.MAX_STEPS),
    (BASINS, "basins.steps", basins.MAX_STEPS),
    (SGD, "sgd.n", sgd.MAX_N),
    (SGD, "sgd.epochs", sgd.MAX_EPOCHS),
    (SGD, "sgd.batch", sgd.MAX_UPLOAD_ROWS),
])
def test_a_slider_message_beyond_its_range_changes_nothing_past_the_cap(page, name, cap):
    app = run_page(page)
    for value in (1e9, -1e9, math.nan, math.inf):
        app = calm(sent(app, numbers(app.slider(key=name), value)))
        assert app.session_state[name] <= cap, value


def test_a_grid_the_basin_slider_does_not_offer_is_not_drawn():
    app = run_page(BASINS)
    app = calm(sent(app, texts(app.select_slider(key="basins.resolution"), "100000")))
    assert app.session_state["basins.resolution"] in basins.RESOLUTIONS


def test_an_optimizer_or_a_function_no_button_offers_changes_nothing():
    app = run_page(SURFACE)
    app = calm(sent(app, texts(app.button_group(key="surface.optimizer"), "__import__")))
    assert app.session_state["surface.optimizer"] == "gd"
    app = calm(sent(app, text(app.selectbox(key="surface.surface"), "../../etc/passwd")))
    assert app.session_state["surface.surface"] == "himmelblau"


def test_a_start_point_typed_as_megabytes_is_refused_with_a_message():
    app = run_page(SURFACE)
    starts = app.session_state["surface.starts"]
    app = calm(sent(app, text(app.text_input(key="surface.new_start"), "1," * 100_000)))
    assert app.session_state["surface.starts"] == starts and app.error


def test_a_formula_typed_as_a_long_text_is_refused_and_the_last_one_kept():
    app = run_page(CUSTOM)
    formula = app.session_state["custom.formula"]
    app = calm(sent(app, text(app.text_input(key="custom.formula_text"), "x+" * 200_000 + "x")))
    assert app.session_state["custom.formula"] == formula
    assert "too long" in shown(app.error[0].value)


def test_a_message_past_the_browser_cap_never_reaches_the_page():
    app = run_page(CUSTOM)
    formula = app.session_state["custom.formula"]
    megabytes = "x" * (limits.BROWSER_MESSAGE_MEGABYTES * 10**6 + 1)
    app = sent(app, text(app.text_input(key="custom.formula_text"), megabytes))
    # A server closes the connection (Streamlit's websocket); AppTest reports the same check.
    (refused,) = app.exception
    assert "exceeds the widget state size limit" in refused.value
    assert app.session_state["custom.formula"] == formula


# --- chart events ---------------------------------------------------------------------------------

HOSTILE_CLICKS = [
    {"panel": "contour", "x": math.nan, "y": 0.0},
    {"panel": "contour", "x": math.inf, "y": -math.inf},
    {"panel": "contour", "x": 10**400, "y": 1},
    {"panel": "contour", "x": "1", "y": "2"},
    {"panel": "contour", "x": True, "y": False},
    {"panel": "contour"},
    {"x": [1.0] * 10_000, "y": {"a": 1}},
    [1, 2],
    "click",
    None,
]


@pytest.mark.parametrize("page", [CURVE, SURFACE, RACE, SGD])
def test_a_click_that_is_no_point_changes_nothing(page):
    app = run_page(page)
    before = dict(app.query_params)
    for event in HOSTILE_CLICKS:
        app = calm(sent(app, chart_event(app, "click", event)))
        assert dict(app.query_params) == before, event


@pytest.mark.parametrize(("page", "name"), [(CURVE, "curve.start"), (SURFACE, "surface.starts"),
                                            (RACE, "race.start"), (SGD, "sgd.start")])
def test_a_click_far_off_every_map_is_refused_with_a_notice(page, name):
    app = run_page(page)
    before = app.session_state[name]
    app = calm(sent(app, chart_event(app, "click", {"panel": "contour", "x": 1e300, "y": 0.0})))
    assert app.session_state[name] == before
    assert "must lie between" in notices(app)


@pytest.mark.parametrize(("page", "name"), [(CURVE, "curve.lr"), (SURFACE, "surface.lr"),
                                            (BASINS, "basins.lr")])
def test_a_learning_rate_index_off_the_slider_changes_nothing(page, name):
    app = run_page(page)
    before = app.session_state[name]
    for index in (len(LEARNING_RATES), 10**9, -1, 10**400, True, 1.5, "3", None):
        app = calm(sent(app, chart_event(app, "fan", {"index": index})))
        assert app.session_state[name] == before, index
    for event in ({}, [0], "fan", None):
        app = calm(sent(app, chart_event(app, "fan", event)))
        assert app.session_state[name] == before, event


def test_a_cell_off_the_basin_map_changes_nothing():
    app = run_page(BASINS)
    before = app.session_state["basins.start"]
    for cell in ({"row": 10**9, "col": 0}, {"row": -1, "col": -1}, {"row": 10**400, "col": 2},
                 {"row": "1", "col": 1}, {"row": True, "col": True}, {"row": math.nan}, [3, 4]):
        app = calm(sent(app, chart_event(app, "click", {"panel": "basins", "x": 0, "y": 0,
                                                        "cell": cell})))
        assert app.session_state["basins.start"] == before, cell
