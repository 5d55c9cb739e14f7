"""The "Descent on a surface" page under Streamlit's AppTest: every control, the URL state.

Clicks and the learning-rate slider inside the chart are browser events (tested in
tests/e2e/test_surface_page.py); here their effect is driven through session state.
"""


import pytest
from helpers import change_each_hyperparameter, run_page
from helpers import chart_payload as payload
from streamlit.testing.v1 import AppTest

import gd_core
from ui import surface_view
from ui.runs import LEARNING_RATES, run_fan

PAGE = "pages/2_Descent_on_a_surface.py"
SURFACES_2D = [name for name, surface in gd_core.SURFACES.items() if surface.dim == 2]


def run(query: dict | None = None, **state) -> AppTest:
    return run_page(PAGE, query, **state)


def assert_ok(app: AppTest) -> dict:
    assert not app.exception, [error.message for error in app.exception]
    data = payload(app)
    assert data["panels"][0]["id"] == "contour"
    return data


@pytest.fixture(scope="module")
def app():
    """One page session shared by the control tests, as a viewer would click through them."""
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
    assert data["notes"]["items"] == list(surface_view.TRY["himmelblau"][1])
    assert app.button[0].label == "Clear start points" and app.get("download_button")
    assert not app.warning


@pytest.mark.parametrize("surface", SURFACES_2D)
def test_each_surface(app, surface):
    app.selectbox(key="surface").set_value(surface).run()
    data = assert_ok(app)
    assert data["panels"][0]["layout"]["uirevision"] == surface
    assert data["series"], "each surface opens with suggested start points"


@pytest.mark.parametrize("optimizer", list(gd_core.OPTIMIZERS))
def test_each_optimizer_and_its_hyperparameters(app, optimizer):
    app.selectbox(key="surface").set_value("ravine").run()
    app.button_group(key="optimizer").set_value(optimizer).run()
    assert_ok(app)
    change_each_hyperparameter(app, optimizer)
    assert_ok(app)
    assert app.query_params.get("optimizer", "gd") == optimizer, "the link keeps it"


def test_learning_rate_steps_noise_and_seed(app):
    app.button_group(key="optimizer").set_value("gd").run()
    app.select_slider(key="lr").set_value(0.1).run()
    assert payload(app)["fan"]["labels"][payload(app)["fan"]["index"]] == "0.1"
    app.slider(key="steps").set_value(250).run()
    channel = payload(app)["series"][0]["channels"]["x"]
    assert channel["shape"] == [len(LEARNING_RATES), 251]
    app.select_slider(key="noise").set_value(0.3).run()
    assert not app.number_input(key="seed").disabled
    app.number_input(key="seed").set_value(7).run()
    assert_ok(app)
    assert app.query_params["seed"] == "7"
    assert "varepsilon" in payload(app)["formula"], "the rule mentions the noise"


@pytest.mark.parametrize("schedule", ["step", "exponential", "cosine", "inverse_time", "constant"])
def test_each_schedule_and_its_parameter(app, schedule):
    app.selectbox(key="schedule").set_value(schedule).run()
    if schedule == "step":
        app.slider(key="step_size").set_value(20).run()
        app.slider(key="gamma").set_value(0.3).run()
    elif schedule == "exponential":
        app.slider(key="exp_gamma").set_value(0.95).run()
    elif schedule == "cosine":
        app.slider(key="min_factor").set_value(0.1).run()
    elif schedule == "inverse_time":
        app.select_slider(key="decay").set_value(0.1).run()
    assert_ok(app)


def test_log_scale_and_three_d_toggles(app):
    app.selectbox(key="surface").set_value("himmelblau").run()
    app.toggle(key="log").set_value(True).run()
    assert payload(app)["panels"][-1]["layout"]["yaxis"]["type"] == "log"
    app.toggle(key="show3d").set_value(False).run()
    assert [panel["id"] for panel in assert_ok(app)["panels"]] == ["contour", "loss"]
    app.toggle(key="show3d").set_value(True).run()
    assert len(assert_ok(app)["panels"]) == 3


def test_log_scale_is_off_and_disabled_without_a_known_minimum(app):
    app.selectbox(key="surface").set_value("saddle").run()
    assert app.toggle(key="log").disabled
    assert payload(app)["panels"][-1]["layout"]["yaxis"]["type"] == "linear"


def test_clear_start_points_then_click_one_in(app):
    app.selectbox(key="surface").set_value("bowl").run()
    app.button[0].click().run()
    assert assert_ok(app)["series"] == []
    assert "Click the contour map" in app.info[0].value
    assert app.query_params["starts"] == ""
    # What the chart's click callback does, as the browser would trigger it.
    app.session_state["starts"] = [(0.5, 0.5)]
    app.run()
    assert payload(app)["series"][0]["name"] == "start 1 (0.50, 0.50)"
    assert app.query_params["starts"] == "0.5,0.5"


def test_changing_the_surface_resets_the_start_points(app):
    app.session_state["starts"] = [(0.5, 0.5), (1.0, 1.0)]
    app.run()
    app.selectbox(key="surface").set_value("two_minima").run()
    names = [series["name"] for series in payload(app)["series"]]
    assert names == ["start 1 (0.70, -0.20)", "start 2 (-1.50, 1.20)"]


def test_a_link_restores_the_view():
    query = {"surface": "ravine", "optimizer": "momentum", "momentum": "0.5", "lr": "0.024",
             "steps": "150", "starts": "-0.5,2.5;2,0", "log": "1", "show3d": "0"}
    app = run(query)
    data = assert_ok(app)
    assert app.selectbox(key="surface").value == "ravine"
    assert app.slider(key="momentum").value == 0.5
    assert data["fan"]["labels"][data["fan"]["index"]] == "0.024"
    assert [series["name"] for series in data["series"]] == [
        "start 1 (-0.50, 2.50)", "start 2 (2.00, 0.00)"]
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
    assert f"`{name}" in app.warning[0].value
    assert data["series"], "the rest of the page is intact"


def test_another_learning_rate_moves_along_the_runs_already_computed(monkeypatch):
    computed = []
    monkeypatch.setattr(surface_view, "run_fan",
                        lambda *args, **kwargs: computed.append(args) or run_fan(*args, **kwargs))
    app = run({"surface": "ravine", "steps": "130", "lr": "0.01"})
    before = payload(app)
    app.select_slider(key="lr").set_value(0.018).run()
    after = payload(app)
    assert not app.exception and len(computed) == 1, "the fan holds every learning rate"
    assert after["series"] == before["series"]
    assert after["fan"]["labels"][after["fan"]["index"]] == "0.018"
    assert before["fan"]["labels"][before["fan"]["index"]] == "0.01"


def test_the_chart_learning_rate_callback_moves_the_sidebar_slider():
    app = run()
    # The component's on_fan callback sets the learning rate by index before the next run.
    app.session_state["lr"] = 0.1
    app.run()
    assert app.select_slider(key="lr").value == 0.1
    assert app.query_params["lr"] == "0.1"


#: What the "What to try" hints (ui/surface_view.TRY) claim, as gd_core computes it: surface,
#: optimizer and hyperparameters, learning rate, start, 100 steps -> words in the outcome.
HINT_CLAIMS = [
    ("bowl", "gd", {}, 0.042, (-0.5, 2.5), "reached the global minimum"),
    ("bowl", "gd", {}, 0.13, (-0.5, 2.5), "diverged"),
    ("ravine", "gd", {}, 0.024, (-0.5, 2.5), "reached the global minimum"),
    ("ravine", "gd", {}, 0.032, (-0.5, 2.5), "diverged"),
    ("ravine", "momentum", {"momentum": 0.9}, 0.01, (-0.5, 2.5), "reached the global minimum"),
    ("rosenbrock", "gd", {}, 0.001, (-1.5, 2.0), "and keeps going"),
    ("himmelblau", "gd", {}, 0.01, (0.0, 0.0), "a global minimum at (3, 2)"),
    ("himmelblau", "gd", {}, 0.01, (-1.0, -1.0), "a global minimum at (−3.78, −3.28)"),
    ("himmelblau", "gd", {}, 0.01, (1.0, -1.0), "a global minimum at (3.58, −1.85)"),
    ("himmelblau", "gd", {}, 0.01, (-1.0, 1.0), "a global minimum at (−2.81, 3.13)"),
    ("two_minima", "gd", {}, 0.42, (0.7, -0.2), "reached a local minimum"),
    ("two_minima", "gd", {}, 0.42, (-1.5, 1.2), "reached the global minimum"),
    ("six_hump_camel", "gd", {}, 0.01, (-0.5, 1.5), "a global minimum at (−0.0898, 0.713)"),
    ("six_hump_camel", "gd", {}, 0.042, (-0.5, 1.5), "a global minimum at (0.0898, −0.713)"),
    ("six_hump_camel", "gd", {}, 0.01, (2.0, -1.0), "reached a local minimum"),
    ("rastrigin", "gd", {}, 0.0042, (2.3, -1.7), "a local minimum at (1.99, −1.99)"),
    ("rastrigin", "gd", {}, 0.01, (2.3, -1.7), "the swings are as wide as ever"),
    ("saddle", "gd", {}, 0.1, (1.5, 0.0), "stopped at the saddle point (0, 0)"),
    ("saddle", "gd", {}, 0.1, (1.5, 0.05), "diverged at step 46"),
    ("saddle", "gd", {}, 0.01, (1.5, 0.05), "and keeps going"),
    ("beale", "gd", {}, 0.001, (-3.0, -3.0), "diverged"),
]


@pytest.mark.parametrize(("surface", "optimizer", "hyperparams", "lr", "start", "words"),
                         HINT_CLAIMS)
def test_what_the_hints_claim_is_what_the_core_computes(surface, optimizer, hyperparams, lr,
                                                        start, words):
    assert lr in LEARNING_RATES, "the hint's learning rate is one the controls offer"
    landscape = gd_core.get_surface(surface)
    trajectory = gd_core.descend(
        landscape, gd_core.make_optimizer(optimizer, lr=lr, **hyperparams), start, 100)
    assert words in gd_core.outcome(landscape, trajectory).message
