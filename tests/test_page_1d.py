"""The "Why minus the gradient" page under Streamlit's AppTest: every control, badges, the URL.

Clicks on the curve and the learning-rate slider inside the chart are browser events (tested in
tests/e2e/test_1d_page.py); here their effect is driven through session state, as the chart's
callbacks do.
"""

import json

import numpy as np
import pytest
from helpers import change_each_hyperparameter, decode, key, run_page, shown
from helpers import chart_payload as payload
from streamlit.testing.v1 import AppTest

import gd_core
from ui import curve_view, lessons
from ui.runs import LEARNING_RATES

PAGE = "pages/1_Why_minus_the_gradient.py"
CURVES = [name for name, surface in gd_core.SURFACES.items() if surface.dim == 1]


def K(name: str) -> str:
    return key(PAGE, name)


def run(query: dict | None = None, **state) -> AppTest:
    return run_page(PAGE, query, **state)


def assert_ok(app: AppTest) -> dict:
    assert not app.exception, [error.message for error in app.exception]
    data = payload(app)
    assert [panel["id"] for panel in data["panels"]] == ["curve", "value"]
    return data


def test_with_another_optimizer_the_tips_say_they_are_told_for_gradient_descent():
    """The parabola's tips quote gradient descent's steps (−0.216, the ▲ at 1/6), which Adam
    does not take."""
    data = assert_ok(run({"optimizer": "adam"}))
    assert data["notes"]["title"] == "What to try, from plain gradient descent"
    assert data["notes"]["items"] == list(lessons.LESSONS["quadratic_1d"].tips)
    typed = assert_ok(run({"curve": "custom", "optimizer": "adam"}))
    assert typed["notes"]["title"] == "What to try", "a typed curve's tips are general"


def channel(data: dict, name: str) -> np.ndarray:
    return decode(data["series"][0]["channels"][name])


def badge(data: dict) -> str:
    return data["series"][0]["badges"][data["fan"]["index"]]["text"]


def page_text(app: AppTest) -> str:
    return " ".join(block.value for block in app.markdown)


@pytest.fixture
def app():
    """A fresh page session for each test, so no test depends on what another clicked."""
    return run()


def test_the_page_opens_on_the_textbook_parabola(app):
    data = assert_ok(app)
    assert app.title[0].value == "Why minus the gradient"
    assert not app.warning
    assert data["fan"]["labels"][data["fan"]["index"]] == "0.03"
    assert data["series"][0]["name"] == "start x₀ = −0.9"
    formula, rule, first = (latex.value for latex in app.latex)
    assert "6x^2 - 12x + 3" in formula
    assert r"x_{k+1} = x_k - \eta\, f'(x_k)" in rule
    assert r"-0.9 - 0.03 \times (-22.8) = -0.216" in first
    assert app.caption[-1].value.startswith("▲ 2/f″ = 0.167: the critical learning rate")
    assert all(widget.help for widget in (
        app.selectbox(key=K("curve")), app.slider(key=K("start_slider")),
        app.button_group(key=K("optimizer")), app.select_slider(key=K("lr")),
        app.slider(key=K("steps")))), "every control explains itself"
    assert data["notes"]["title"] == "What to try"
    assert data["notes"]["items"][0].startswith("η = 0.03 from x₀ = −0.9")
    assert app.query_params == {}, "the defaults need no URL parameters"


@pytest.mark.parametrize(("lr", "regime"), [
    (0.03, "converging smoothly"), (0.15, "oscillating but converging"), (0.2, "diverging"),
])
def test_the_badge_names_the_regime_for_each_learning_rate(app, lr, regime):
    app.select_slider(key=K("lr")).set_value(lr).run()
    data = assert_ok(app)
    assert data["fan"]["labels"][data["fan"]["index"]] == f"{lr:g}"
    assert badge(data).startswith(f"{regime} · ")
    assert f"this run is **{regime}**" in page_text(app)
    if regime == "diverging":
        assert "diverged at step 14" in badge(data)
    assert app.query_params.get("lr", "0.03") == f"{lr:g}"


def test_each_curve_opens_at_its_own_start(app):
    for name in CURVES:
        app.selectbox(key=K("curve")).set_value(name).run()
        data = assert_ok(app)
        assert data["panels"][0]["layout"]["uirevision"].startswith(name)
        (start,), = lessons.LESSONS[name].opening.starts
        assert app.slider(key=K("start_slider")).value == pytest.approx(start)
        assert channel(data, "x")[0, 0] == pytest.approx(start, abs=1e-6)
    assert app.query_params["curve"] == CURVES[-1]


def test_the_start_slider_and_a_click_on_the_curve(app):
    app.selectbox(key=K("curve")).set_value("quadratic_1d").run()
    app.slider(key=K("start_slider")).set_value(2.5).run()
    data = assert_ok(app)
    assert channel(data, "x")[0, 0] == 2.5
    assert app.query_params["start"] == "2.5"
    # What the chart's click callback does, as the browser would trigger it.
    app.session_state[K("start")] = 0.123
    app.run()
    data = assert_ok(app)
    assert channel(data, "x")[0, 0] == pytest.approx(0.123, abs=1e-6)
    assert app.slider(key=K("start_slider")).value == pytest.approx(0.123)
    assert app.query_params["start"] == "0.123"


@pytest.mark.parametrize("optimizer", list(gd_core.OPTIMIZERS))
def test_each_optimizer_and_its_hyperparameters(app, optimizer):
    app.button_group(key=K("optimizer")).set_value(optimizer).run()
    assert_ok(app)
    change_each_hyperparameter(app, PAGE, optimizer)
    data = assert_ok(app)
    assert app.query_params.get("optimizer", "gd") == optimizer, "the link keeps it"
    if optimizer != "gd":
        assert r"\begin{aligned}" in app.latex[1].value
        assert f"The {gd_core.OPTIMIZERS[optimizer].title} step" in json.dumps(
            data["readouts"], ensure_ascii=False)
    mark = data["fan"]["marks"][0]["label"]
    assert mark.endswith("(plain GD)") == (optimizer in ("adagrad", "rmsprop", "adam"))


def test_steps(app):
    app.button_group(key=K("optimizer")).set_value("gd").run()
    app.slider(key=K("steps")).set_value(120).run()
    data = assert_ok(app)
    assert channel(data, "x").shape == (len(LEARNING_RATES), 121)
    assert data["panels"][1]["layout"]["xaxis"]["range"] == [0, 120]
    assert app.query_params["steps"] == "120"


def test_the_chart_learning_rate_callback_moves_the_sidebar_slider():
    app = run()
    # The component's on_fan callback sets the learning rate by index before the next run.
    app.session_state[K("lr")] = 0.15
    app.run()
    assert app.select_slider(key=K("lr")).value == 0.15
    assert app.query_params["lr"] == "0.15"
    assert badge(payload(app)).startswith("oscillating but converging")


def test_a_link_restores_the_view():
    query = {"curve": "double_well_1d", "start": "-0.5", "optimizer": "momentum",
             "momentum": "0.5", "lr": "0.05", "steps": "80"}
    app = run(query)
    data = assert_ok(app)
    assert app.selectbox(key=K("curve")).value == "double_well_1d"
    assert app.slider(key=K("start_slider")).value == -0.5
    assert app.slider(key=K("momentum")).value == 0.5
    assert data["fan"]["labels"][data["fan"]["index"]] == "0.05"
    assert channel(data, "x").shape == (len(LEARNING_RATES), 81)
    assert not app.warning
    assert app.query_params == query, "the URL stays as it came"


@pytest.mark.parametrize(("name", "text"), [
    ("lr", "fast"), ("lr", "1e6"), ("curve", "bowl"), ("steps", "0"),
    ("steps", "12.5"), ("start", "abc"), ("start", "50"), ("optimizer", "sgd; rm -rf"),
    ("momentum", "2"), ("banana", "1"),
])
def test_a_bad_url_parameter_falls_back_with_a_notice(name, text):
    app = run({name: text})
    data = assert_ok(app)
    assert len(app.warning) == 1
    expected = "The start x₀ = 50 lies outside" if text == "50" else f"Ignored {name}={text}"
    assert shown(app.warning[0].value).startswith(expected)
    assert data["series"], "the rest of the page is intact"


def test_a_learning_rate_between_the_offered_ones_snaps_to_the_nearest():
    app = run({"lr": "0.031"})
    assert app.select_slider(key=K("lr")).value == 0.03
    assert not app.warning


def test_the_csv_download_holds_every_step_of_the_run_at_the_chosen_rate():
    surface = gd_core.get_surface("quadratic_1d")
    view = curve_view.computed_view(surface, "gd", {}, -0.9, 3, 0.03)
    rows = curve_view.trajectory_csv(view, 0.03).splitlines()
    # The same columns as the CLI's and the surface page's (gd_core.trajectory_csv).
    assert rows[0] == "optimizer,learning_rate,run,step,x,value,stop_reason"
    assert rows[1] == "gd,0.03,1,0,-0.9,18.66,"
    # The worked first step of the page: x1 = −0.9 − 0.03·f′(−0.9) = −0.216 (f′ = 12x − 12).
    assert float(rows[2].split(",")[4]) == pytest.approx(-0.216)
    assert len(rows) == 1 + 4
