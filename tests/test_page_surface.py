"""The "Descent on a surface" page under Streamlit's AppTest: every control, the URL state.

Clicks and the learning-rate slider inside the chart are browser events (tested in
tests/e2e/test_surface_page.py); here their effect is driven through session state.
"""


import itertools

import pytest
from helpers import change_each_hyperparameter, key, run_page, shown
from helpers import chart_payload as payload
from streamlit.testing.v1 import AppTest

import gd_core
from ui import lessons, surface_view
from ui.payloads import MAX_RUNS
from ui.runs import LEARNING_RATES, run_fan

PAGE = "pages/2_Descent_on_a_surface.py"
SURFACES_2D = [name for name, surface in gd_core.SURFACES.items() if surface.dim == 2]


def K(name: str) -> str:
    return key(PAGE, name)


def run(query: dict | None = None, **state) -> AppTest:
    return run_page(PAGE, query, **state)


def assert_ok(app: AppTest) -> dict:
    assert not app.exception, [error.message for error in app.exception]
    data = payload(app)
    assert data["panels"][0]["id"] == "contour"
    return data


@pytest.fixture
def app():
    """A fresh page session for each test, so no test depends on what another clicked."""
    return run()


def test_the_page_opens_on_himmelblau_with_four_starts(app):
    data = assert_ok(app)
    assert app.title[0].value == "Descent on a surface"
    assert len(data["series"]) == 4
    assert [panel["id"] for panel in data["panels"]] == ["contour", "onion", "loss"]
    assert data["fan"]["labels"][data["fan"]["index"]] == "0.01"
    assert not app.latex, "the chart typesets the formula"
    assert "(x^2 + y - 11)^2" in data["formula"] and r"\eta" in data["formula"], "formula, rule"
    assert "/katex/katex.min.js?v=" in data["katex"]["script"]
    assert "/katex/katex.min.css?v=" in data["katex"]["style"]
    assert data["notes"]["title"] == "What to try"
    assert data["notes"]["items"] == list(lessons.LESSONS["himmelblau"].tips)
    assert app.button[0].label == "Clear start points" and app.get("download_button")
    assert not app.warning


@pytest.mark.parametrize("surface", SURFACES_2D)
def test_each_surface(app, surface):
    app.selectbox(key=K("surface")).set_value(surface).run()
    data = assert_ok(app)
    assert data["panels"][0]["layout"]["uirevision"] == surface
    assert data["series"], "each surface opens with suggested start points"


@pytest.mark.parametrize("optimizer", list(gd_core.OPTIMIZERS))
def test_each_optimizer_and_its_hyperparameters(app, optimizer):
    app.selectbox(key=K("surface")).set_value("ravine").run()
    app.button_group(key=K("optimizer")).set_value(optimizer).run()
    assert_ok(app)
    change_each_hyperparameter(app, PAGE, optimizer)
    assert_ok(app)
    assert app.query_params.get("optimizer", "gd") == optimizer, "the link keeps it"


def test_learning_rate_steps_noise_and_seed(app):
    app.button_group(key=K("optimizer")).set_value("gd").run()
    app.select_slider(key=K("lr")).set_value(0.1).run()
    assert payload(app)["fan"]["labels"][payload(app)["fan"]["index"]] == "0.1"
    app.slider(key=K("steps")).set_value(250).run()
    channel = payload(app)["series"][0]["channels"]["x"]
    assert channel["shape"] == [len(LEARNING_RATES), 251]
    app.select_slider(key=K("noise")).set_value(0.3).run()
    assert not app.number_input(key=K("seed")).disabled
    app.number_input(key=K("seed")).set_value(7).run()
    assert_ok(app)
    assert app.query_params["seed"] == "7"
    assert "varepsilon" in payload(app)["formula"], "the rule mentions the noise"


@pytest.mark.parametrize("schedule", ["step", "exponential", "cosine", "inverse_time", "constant"])
def test_each_schedule_and_its_parameter(app, schedule):
    app.selectbox(key=K("schedule")).set_value(schedule).run()
    if schedule == "step":
        app.slider(key=K("step_size")).set_value(20).run()
        app.slider(key=K("gamma")).set_value(0.3).run()
    elif schedule == "exponential":
        app.slider(key=K("exp_gamma")).set_value(0.95).run()
    elif schedule == "cosine":
        app.slider(key=K("min_factor")).set_value(0.1).run()
    elif schedule == "inverse_time":
        app.select_slider(key=K("decay")).set_value(0.1).run()
    assert_ok(app)


def test_log_scale_and_three_d_toggles(app):
    app.selectbox(key=K("surface")).set_value("himmelblau").run()
    app.toggle(key=K("log")).set_value(True).run()
    assert payload(app)["panels"][-1]["layout"]["yaxis"]["type"] == "log"
    app.toggle(key=K("show3d")).set_value(False).run()
    assert [panel["id"] for panel in assert_ok(app)["panels"]] == ["contour", "loss"]
    app.toggle(key=K("show3d")).set_value(True).run()
    assert len(assert_ok(app)["panels"]) == 3


def test_log_scale_is_off_and_disabled_without_a_known_minimum(app):
    app.selectbox(key=K("surface")).set_value("saddle").run()
    assert app.toggle(key=K("log")).disabled
    assert payload(app)["panels"][-1]["layout"]["yaxis"]["type"] == "linear"


def test_clear_start_points_then_click_one_in(app):
    app.selectbox(key=K("surface")).set_value("bowl").run()
    app.button[0].click().run()
    assert assert_ok(app)["series"] == []
    assert "Click the contour map" in app.info[0].value
    assert app.query_params["starts"] == ""
    # What the chart's click callback does, as the browser would trigger it.
    app.session_state[K("starts")] = ((0.5, 0.5),)
    app.run()
    assert payload(app)["series"][0]["name"] == "start 1 (0.5, 0.5)"
    assert app.query_params["starts"] == "0.5,0.5"


def test_changing_the_surface_applies_its_opening_configuration(app):
    app.session_state[K("starts")] = ((0.5, 0.5), (1.0, 1.0))
    app.run()
    app.button_group(key=K("optimizer")).set_value("adam").run()
    app.select_slider(key=K("lr")).set_value(2.0).run()
    app.selectbox(key=K("surface")).set_value("rosenbrock").run()
    opening = lessons.LESSONS["rosenbrock"].opening
    data = payload(app)
    assert [series["name"] for series in data["series"]] == ["start 1 (−1.5, 2)"]
    assert app.button_group(key=K("optimizer")).value == opening.optimizer
    assert app.select_slider(key=K("lr")).value == opening.lr
    assert app.slider(key=K("steps")).value == opening.steps
    assert data["series"][0]["channels"]["x"]["shape"] == [len(LEARNING_RATES), opening.steps + 1]
    assert app.query_params["surface"] == "rosenbrock"
    assert not {"lr", "steps", "optimizer", "starts"} & set(app.query_params), (
        "the opening configuration needs no URL parameters")


def test_a_link_restores_the_view():
    query = {"surface": "ravine", "optimizer": "momentum", "momentum": "0.5", "lr": "0.025",
             "steps": "150", "starts": "-0.5,2.5;2,0", "log": "1", "show3d": "0"}
    app = run(query)
    data = assert_ok(app)
    assert app.selectbox(key=K("surface")).value == "ravine"
    assert app.slider(key=K("momentum")).value == 0.5
    assert data["fan"]["labels"][data["fan"]["index"]] == "0.025"
    assert [series["name"] for series in data["series"]] == [
        "start 1 (−0.5, 2.5)", "start 2 (2, 0)"]
    assert [panel["id"] for panel in data["panels"]] == ["contour", "loss"]
    assert data["series"][0]["channels"]["x"]["shape"] == [len(LEARNING_RATES), 151]
    assert not app.warning
    assert app.query_params == query, "the URL stays as it came"


@pytest.mark.parametrize(("name", "text"), [
    ("lr", "fast"), ("lr", "1e6"), ("surface", "quadratic_1d"), ("steps", "12.5"),
    ("starts", "1,2,3"), ("starts", "nan,1"), ("optimizer", "__import__('os')"),
    ("noise", "0.2"), ("banana", "1"),
])
def test_a_bad_url_parameter_falls_back_with_a_notice(name, text):
    app = run({name: text, "steps": "40"} if name != "steps" else {name: text})
    data = assert_ok(app)
    assert len(app.warning) == 1
    assert shown(app.warning[0].value).startswith(f"Ignored {name}")
    assert data["series"], "the rest of the page is intact"


def test_another_learning_rate_moves_along_the_runs_already_computed(monkeypatch):
    computed = []
    monkeypatch.setattr(surface_view, "run_fan",
                        lambda *args, **kwargs: computed.append(args) or run_fan(*args, **kwargs))
    app = run({"surface": "ravine", "steps": "130", "lr": "0.01"})
    before = payload(app)
    app.select_slider(key=K("lr")).set_value(0.015).run()
    after = payload(app)
    assert not app.exception and len(computed) == 1, "the fan holds every learning rate"
    assert after["series"] == before["series"]
    assert after["fan"]["labels"][after["fan"]["index"]] == "0.015"
    assert before["fan"]["labels"][before["fan"]["index"]] == "0.01"


def test_the_chart_learning_rate_callback_moves_the_sidebar_slider():
    app = run()
    # The component's on_fan callback sets the learning rate by index before the next run.
    app.session_state[K("lr")] = 0.1
    app.run()
    assert app.select_slider(key=K("lr")).value == 0.1
    assert app.query_params["lr"] == "0.1"


def test_each_optimizer_shows_its_own_defaults_unless_set():
    app = run()
    app.button_group(key=K("optimizer")).set_value("adagrad").run()
    assert app.select_slider(key=K("eps")).value == gd_core.OPTIMIZERS["adagrad"].defaults["eps"]
    app.button_group(key=K("optimizer")).set_value("adam").run()
    assert app.select_slider(key=K("eps")).value == gd_core.OPTIMIZERS["adam"].defaults["eps"]
    assert "eps" not in app.query_params, "a default needs no link parameter"
    app.select_slider(key=K("eps")).set_value(1e-4).run()
    app.button_group(key=K("optimizer")).set_value("rmsprop").run()
    assert app.select_slider(key=K("eps")).value == 1e-4, "the viewer's own value stays"
    assert app.query_params["eps"] == "0.0001"


def test_a_start_point_typed_in_exactly_and_one_removed_alone():
    app = run({"surface": "bowl", "starts": "0,0;1,1;2,2"})
    app.text_input(key=K("new_start")).set_value("0.25, -0.75").run()
    assert app.query_params["starts"] == "0,0;1,1;2,2;0.25,-0.75"
    assert app.text_input(key=K("new_start")).value == "", "ready for the next one"
    app.text_input(key=K("new_start")).set_value("1, 99").run()
    assert "y must lie between −1 and 3" in shown(app.error[0].value)
    app.text_input(key=K("new_start")).set_value("one, two").run()
    assert "not a number" in shown(app.error[0].value)
    assert app.query_params["starts"] == "0,0;1,1;2,2;0.25,-0.75", "bad text adds nothing"
    remove = [button for button in app.button if button.label.startswith("Remove start 2")]
    remove[0].click().run()
    assert app.query_params["starts"] == "0,0;2,2;0.25,-0.75"
    names = [series["name"] for series in payload(app)["series"]]
    assert names == ["start 1 (0, 0)", "start 2 (2, 2)", "start 3 (0.25, −0.75)"]
    for index in range(MAX_RUNS):
        app.text_input(key=K("new_start")).set_value(f"{index / 10}, 0").run()
    assert len(payload(app)["series"]) == MAX_RUNS, "capped like clicks"


def test_one_learning_rate_grid_and_one_label_for_both_sliders():
    surface_page = run()
    curve_page = run_page("pages/1_Why_minus_the_gradient.py")
    sidebar = surface_page.select_slider(key=K("lr"))
    assert list(sidebar.options) == list(
        curve_page.select_slider(key=key("pages/1_Why_minus_the_gradient.py", "lr")).options)
    for app in (surface_page, curve_page):
        assert payload(app)["fan"]["label"] == sidebar.label == "Learning rate η"
        assert "above the chart" in sidebar.help


def test_the_learning_rate_grid_is_log_even_and_holds_the_textbook_values():
    ratios = [b / a for a, b in itertools.pairwise(LEARNING_RATES)]
    assert LEARNING_RATES[0] == 1e-4 and LEARNING_RATES[-1] == 10
    assert all(1.15 <= ratio <= 1.35 for ratio in ratios)
    assert len(LEARNING_RATES) <= 55, "every value is a precomputed run in the payload"
    assert {0.02, 0.03, 0.1, 0.15, 0.2, 0.4, 0.5, 1.0} <= set(LEARNING_RATES)
