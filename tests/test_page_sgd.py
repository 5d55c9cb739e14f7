"""The "SGD on real data" page under Streamlit's AppTest: each data source (synthetic line, the
one-unit network's S-curve, an uploaded CSV) and each batch mode (single sample, minibatch, full
batch), scaling, the optimizer, the step axis, the start, and the URL state.

A click on the loss map and a real file upload are browser events (tests/e2e/test_sgd_page.py);
here their effect is driven through session state. The table's numbers are the runs ``ui.sgd``
makes for the same settings (themselves checked by tests/test_data_sgd_page.py)."""

import numpy as np
import pandas as pd
import pytest
from helpers import chart_payload as payload
from helpers import decode, run_page, shown
from streamlit.testing.v1 import AppTest

import gd_core
from gd_core.formatting import format_number
from ui import lessons, sgd

PAGE = "pages/5_SGD_on_real_data.py"
LINE = lessons.SGD_OPENINGS["line"]
NETWORK = lessons.SGD_OPENINGS["network"]


def K(name: str) -> str:
    return f"sgd.{name}"


def run(query: dict | None = None, **state) -> AppTest:
    return run_page(PAGE, query, **state)


def assert_ok(app: AppTest) -> dict:
    assert not app.exception, [error.message for error in app.exception]
    data = payload(app)
    assert [panel["id"] for panel in data["panels"]][:3] == ["data", "contour", "loss"]
    return data


def table(app: AppTest) -> pd.DataFrame:
    """The runs' table the chart shows, as text."""
    shown = payload(app)["table"]
    (member,) = shown["members"]
    return pd.DataFrame([row["cells"] for row in member["rows"]],
                        columns=[column["label"] for column in shown["columns"]])


def metrics(app: AppTest) -> list[str]:
    return [metric.value for metric in app.metric]


def expected_runs(source="line", scaling="raw", n=200, batch=LINE["batch"], epochs=20,
                  lr=LINE["lr"], start=LINE["start"], order=0, noise=None, optimizer="gd"):
    noise = LINE["noise"] if noise is None else noise
    data = sgd.synthetic_data(source, n, 2.0, 1.0, noise, 0)
    problem = sgd.make_problem(source, data, scaling)
    return problem, {kind.key: sgd.run(problem, optimizer, {}, lr, start, epochs,
                                       sgd.batch_size(kind, n, batch), order)
                     for kind in sgd.RUN_KINDS}


def test_the_page_opens_on_the_synthetic_line():
    app = run()
    data = assert_ok(app)
    assert not app.warning and not app.error and dict(app.query_params) == {}
    problem, runs = expected_runs()
    assert metrics(app) == [format_number(problem.condition_number, 3),
                            format_number(problem.largest_stable_lr, 3)]
    frame = table(app)
    assert frame["Run"].tolist() == ["Full batch (B = 200)", "Minibatch (B = 10)",
                                     "Single sample (B = 1)"]
    assert frame["Steps"].tolist() == ["20", "400", "4000"]
    assert frame["Final J"].tolist() == [format_number(float(run.values[-1]))
                                         for run in runs.values()]
    assert [series["name"] for series in data["series"]] == frame["Run"].tolist()
    assert len(decode(data["series"][1]["channels"]["x"])) == 401
    assert "X_B^\\top" in data["formula"]
    assert data["notes"]["items"] == list(lessons.SGD_TIPS["line"])
    assert app.subheader[0].value == "Why minibatches?"


@pytest.mark.parametrize(("batch", "steps", "frames"), [
    (1, 4000, 2001),    # single sample: every other step is a frame
    (25, 160, 161),     # minibatch
    (200, 20, 21),      # full batch: the minibatch run is the full-batch run
])
def test_each_batch_mode(batch, steps, frames):
    app = run()
    app.slider(key=K("batch")).set_value(batch).run()
    data = assert_ok(app)
    assert app.query_params["batch"] == str(batch)
    frame = table(app)
    assert frame["Run"][1] == f"Minibatch (B = {batch})"
    assert frame["Steps"].tolist() == ["20", str(steps), "4000"]
    _, runs = expected_runs(batch=batch)
    minibatch = data["series"][1]
    assert decode(minibatch["channels"]["x"]).shape == (frames,)
    subset = next(trace for trace in data["panels"][0]["traces"] if trace["kind"] == "subset")
    assert decode(subset["indices"]).shape == (frames, batch)
    assert decode(minibatch["channels"]["x"])[-1] == pytest.approx(
        runs["minibatch"].points[-1, 0], rel=1e-3)
    if batch == 200:
        assert frame["Final J"][0] == frame["Final J"][1]


def test_a_batch_larger_than_the_data_is_cut_to_n():
    app = run({"batch": "300"})
    assert_ok(app)
    app.slider(key=K("n")).set_value(50).run()
    assert_ok(app)
    assert app.slider(key=K("batch")).value == 50
    assert table(app)["Run"][1] == "Minibatch (B = 50)"


@pytest.mark.parametrize("scaling", gd_core.SCALINGS)
def test_scaling_shows_its_condition_number_and_largest_stable_rate(scaling):
    app = run()
    app.button_group(key=K("scaling")).set_value(scaling).run()
    data = assert_ok(app)
    problem, runs = expected_runs(scaling=scaling)
    assert metrics(app) == [format_number(problem.condition_number, 3),
                            format_number(problem.largest_stable_lr, 3)]
    assert app.query_params.get("scaling") == (None if scaling == "raw" else scaling)
    assert table(app)["Final J"].tolist() == [format_number(float(run.values[-1]))
                                              for run in runs.values()]
    (wlo, whi), _ = problem.surface.domain
    contour = next(panel for panel in data["panels"] if panel["id"] == "contour")
    assert contour["layout"]["xaxis"]["range"] == [wlo, whi]


def test_an_s_curve_with_no_minimum_says_so_where_the_chart_was():
    # n = 100 at the opening noise once found no minimum (Newton ran off); σ = 3 on 140 samples
    # is best fitted by a step, a network with no minimum.
    assert_ok(run({"data": "network", "n": "100"}))
    app = run({"data": "network", "n": "140", "noise": "3"})
    assert not app.exception and not app.get("bidi_component")
    (error,) = app.main.error
    assert "best fit is a step" in error.value and "less noise" in error.value
    assert not app.sidebar.error
    # Less noise brings the chart back.
    app.slider(key=K("noise")).set_value(0.3).run()
    assert_ok(app)
    assert not app.error


def test_the_network_opens_on_its_own_start_rate_and_batch():
    app = run()
    app.button_group(key=K("data")).set_value("network").run()
    data = assert_ok(app)
    assert dict(app.query_params) == {"data": "network"}, "its opening is its baseline"
    assert app.slider(key=K("batch")).value == NETWORK["batch"]
    assert app.select_slider(key=K("lr")).value == NETWORK["lr"]
    assert not [group for group in app.button_group if group.key == K("scaling")]
    problem, runs = expected_runs("network", batch=NETWORK["batch"], lr=NETWORK["lr"],
                                  start=NETWORK["start"], noise=NETWORK["noise"])
    assert table(app)["Final J"].tolist() == [format_number(float(run.values[-1]))
                                              for run in runs.values()]
    assert all(" from the minimum (" in text for text in table(app)["Ended"])
    assert data["notes"]["items"] == list(lessons.SGD_TIPS["network"])
    curve = next(trace for trace in data["panels"][0]["traces"] if trace["kind"] == "curve")
    assert curve["y"] == ["*", "v", ["tanh", ["*", "w", "x"]]]
    assert metrics(app)[1] == format_number(problem.largest_stable_lr, 3)
    # Back to the line: its own opening again.
    app.button_group(key=K("data")).set_value("line").run()
    assert_ok(app)
    assert app.slider(key=K("batch")).value == LINE["batch"] and dict(app.query_params) == {}


def _uploaded(x, y, name="heights.csv"):
    return (name, gd_core.Dataset(x, y), "digest-" + name)


def test_an_uploaded_csv_is_fitted_and_kept_out_of_the_link():
    x = np.linspace(0, 3, 30)
    y = -1.5 * x + 4 + np.sin(7 * x)
    app = run()
    # What the upload's callback leaves (a real upload: tests/e2e/test_sgd_page.py).
    app.session_state[K("uploaded")] = _uploaded(x, y)
    app.button_group(key=K("data")).set_value("csv").run()
    data = assert_ok(app)
    assert "data" not in app.query_params, "an upload is not in the URL"
    assert any("Fitting a line to heights.csv: 30 rows" in caption.value
               for caption in app.caption)
    assert any("a link to this page opens the synthetic data" in caption.value
               for caption in app.caption)
    assert table(app)["Run"].tolist()[0] == "Full batch (B = 30)"
    # The upload's own opening: standardized x, where its rate is stable whatever x's units.
    assert app.button_group(key=K("scaling")).value == "standardized"
    assert app.select_slider(key=K("lr")).value == lessons.SGD_OPENINGS["csv"]["lr"]
    problem = gd_core.linear_regression(gd_core.Dataset(x, y))
    assert np.allclose(problem.line(problem.least_squares), np.polyfit(x, y, 1))
    assert decode(data["arrays"]["sample_x"]) == pytest.approx(x, rel=1e-6)
    assert not [slider for slider in app.slider if slider.key == K("n")]
    # Its own "What to try": none of the synthetic line's figures.
    assert data["notes"]["items"] == list(lessons.SGD_TIPS["csv"])


def test_prices_in_the_hundreds_of_thousands_are_drawn_where_they_are():
    """A line fitted to prices: its intercept and J are beyond float16's range (6e4), where the
    paths, the fitted line's parameters and the loss map were clamped."""
    x = np.linspace(800, 3500, 60)
    y = 150 * x + 20_000 + 30_000 * np.sin(x)
    app = run()
    app.session_state[K("uploaded")] = _uploaded(x, y, "houses.csv")
    app.button_group(key=K("data")).set_value("csv").run()
    data = assert_ok(app)
    minibatch = data["series"][1]["channels"]
    assert minibatch["y"]["dtype"] == "f4"
    problem = gd_core.linear_regression(gd_core.Dataset(x, y), "standardized")
    intercept = decode(minibatch["y"])[-1]
    assert intercept == pytest.approx(problem.least_squares[1], rel=0.05)
    assert data["arrays"]["grid_z"]["dtype"] == "f4"


def test_choosing_your_csv_before_any_upload_asks_for_one():
    app = run()
    app.button_group(key=K("data")).set_value("csv").run()
    assert not app.exception
    assert not app.get("bidi_component")
    assert "Upload a CSV file" in app.info[0].value


def test_the_optimizer_and_the_step_axis_reach_the_chart():
    app = run()
    app.button_group(key=K("optimizer")).set_value("adam").run()
    app.select_slider(key=K("lr")).set_value(0.1).run()
    app.button_group(key=K("axis")).set_value("samples").run()
    data = assert_ok(app)
    assert app.query_params["optimizer"] == "adam" and app.query_params["axis"] == "samples"
    assert "g_t = " in data["formula"]
    loss = next(panel for panel in data["panels"] if panel["id"] == "loss")
    assert {trace["map"]["x"] for trace in loss["traces"]} == {"samples"}
    _, runs = expected_runs(optimizer="adam", lr=0.1)
    assert table(app)["Final J"].tolist() == [format_number(float(run.values[-1]))
                                              for run in runs.values()]


def test_a_new_start_moves_every_run():
    app = run()
    app.session_state[K("start")] = (3.0, -1.0)
    app.run()
    data = assert_ok(app)
    assert app.query_params["start"] == "3,-1"
    for series in data["series"]:
        assert decode(series["channels"]["x"])[0] == 3.0
        assert decode(series["channels"]["y"])[0] == -1.0


def test_a_link_reproduces_the_view():
    app = run()
    app.slider(key=K("n")).set_value(120).run()
    app.slider(key=K("noise")).set_value(2.0).run()
    app.number_input(key=K("seed")).set_value(5).run()
    app.button_group(key=K("scaling")).set_value("centered").run()
    app.slider(key=K("batch")).set_value(16).run()
    app.slider(key=K("epochs")).set_value(8).run()
    app.number_input(key=K("order")).set_value(3).run()
    app.toggle(key=K("show3d")).set_value(False).run()
    first = assert_ok(app)
    query = dict(app.query_params)
    assert query == {"n": "120", "noise": "2", "seed": "5", "scaling": "centered",
                     "batch": "16", "epochs": "8", "order": "3", "show3d": "0"}
    again = run(query)
    assert not again.warning
    assert payload(again)["series"] == first["series"]
    assert table(again).equals(table(app))


@pytest.mark.parametrize(("query", "says"), [
    ({"data": "csv"}, "data=csv in the URL (an uploaded file is not kept in a link"),
    ({"batch": "zero"}, "batch=zero"),
    ({"scaling": "log"}, "scaling=log"),
    ({"n": "5"}, "n=5"),
    ({"epochs": "500"}, "epochs=500"),
    ({"start": "1"}, "start=1"),
])
def test_a_bad_link_parameter_falls_back_with_a_notice(query, says):
    app = run(query)
    assert_ok(app)
    assert any(says in shown(warning.value) for warning in app.warning)
    assert table(app)["Steps"].tolist() == ["20", "400", "4000"]
