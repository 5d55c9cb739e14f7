"""The SGD page's pure logic (ui.sgd) and payload (ui.sgd_payload): the CSV reader, the shared
timeline, each frame's batch, the verdicts, the CSV download and the chart payload."""

import csv
import io

import numpy as np
import pytest
from helpers import decode

import gd_core
from ui import sgd, sgd_payload
from ui.chart_payload import to_json
from ui.payloads import surface_grid

N, BATCH, EPOCHS = 50, 8, 3


def _runs(problem, lr=0.02, batch=BATCH, epochs=EPOCHS, seed=0):
    return {kind.key: sgd.run(problem, "gd", {}, lr, (0.0, 0.0), epochs,
                              sgd.batch_size(kind, problem.data.n, batch), seed)
            for kind in sgd.RUN_KINDS}


LINE = sgd.make_problem("line", sgd.synthetic_data("line", N, 2.0, 1.0, 1.0, 0), "raw")
NETWORK = sgd.make_problem("network", sgd.synthetic_data("network", N, 0, 0, 0.3, 0), "raw")


# --- the CSV reader ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "x,y\n1,2\n2,4.5\n3,5\n",
    "1,2\n2,4.5\n3,5\n",
    "height;weight\n1;2\n2;4.5\n\n3;5\n",
    "a\tb\n1\t2\n2\t4.5\n3\t5\n",
    "\ufeffx,y\r\n1,2\r\n2,4.5\r\n3,5\r\n",
])
def test_a_csv_of_two_numeric_columns_is_read_with_or_without_a_header(text):
    data = sgd.read_csv(text.encode("utf-8"))
    assert data.x.tolist() == [1, 2, 3] and data.y.tolist() == [2, 4.5, 5]


@pytest.mark.parametrize(("text", "names"), [
    ("size_sqft,price\n800,150000\n1200,210000\n", ("size_sqft", "price")),
    ("1,2\n2,4.5\n", ("x", "y")),
    ("height (cm);weight [kg]\n1;2\n2;4.5\n", ("height (cm)", "weight [kg]")),
    # Markup is not a name: plotly would read the tags in an axis title.
    ("<a href='javascript:alert(1)'>x</a>,<b>y</b>\n1,2\n2,3\n",
     ("a hrefjavascript:alert(1)x/a", "by/b")),
    ("<>,  \n1,2\n2,3\n", ("x", "y")),
    ("a very long column name that goes on and on,y\n1,2\n2,3\n",
     ("a very long column name that go…", "y")),
])
def test_a_csv_header_names_the_data_chart_s_axes(text, names):
    data = sgd.read_csv(text.encode("utf-8"))
    assert data.names == names
    problem = sgd.make_problem("csv", data, "standardized")
    runs = _runs(problem)
    panel = sgd_payload.data_panel(problem, runs["minibatch"],
                                   sgd.timeline(runs, data.n).rows["minibatch"])
    assert (panel.layout["xaxis"]["title"]["text"],
            panel.layout["yaxis"]["title"]["text"]) == names


@pytest.mark.parametrize(("raw", "says"), [
    (b"x,y,z\n1,2,3\n4,5,6\n", "row 1 has 3 columns"),
    (b"x\n1\n2\n3\n", "row 1 has 1 column: the file needs exactly two"),
    (b"x,y\n1,2\n3,oops\n", "row 2 is not two numbers"),
    (b"x,y\n1,2\n", "at least two rows"),
    (b"x,y\n1,nan\n2,3\n", "row 1 is not two numbers"),
    (b"x,y\n2,1\n2,3\n2,5\n", "every x is the same"),
    (b"\xff\xfe\x00\x01garbage", "not text"),
    (b"x,y\n" + b"1,2\n" * (sgd.MAX_UPLOAD_ROWS + 1), "rows"),
    (b"1," + b"0" * sgd.MAX_UPLOAD_BYTES + b"\n2,3\n", "kB"),
])
def test_a_bad_csv_is_refused_with_what_to_change(raw, says):
    with pytest.raises(ValueError, match=says):
        sgd.read_csv(raw)


# --- the timeline and the batches ----------------------------------------------------------

def test_the_runs_share_a_timeline_of_samples_seen():
    runs = _runs(LINE)
    line = sgd.timeline(runs, N)
    per_epoch = -(-N // BATCH)
    assert runs["minibatch"].steps == EPOCHS * per_epoch
    assert line.minibatch_steps.tolist() == list(range(EPOCHS * per_epoch + 1))
    assert line.samples.tolist() == runs["minibatch"].samples_seen.tolist()
    assert line.samples[-1] == N * EPOCHS and line.epochs[-1] == EPOCHS
    # Full batch has taken a step per finished epoch; single sample one per sample seen.
    assert line.rows["full"].tolist() == (line.samples // N).tolist()
    assert line.rows["single"].tolist() == line.samples.tolist()
    for key, run in runs.items():
        assert line.rows[key][-1] == run.steps


def test_a_long_minibatch_run_is_shown_every_k_th_step_and_its_last():
    problem = sgd.make_problem("line", sgd.synthetic_data("line", 300, 2, 1, 1, 0), "raw")
    runs = _runs(problem, batch=1, epochs=8)
    line = sgd.timeline(runs, 300)
    assert len(line.samples) <= sgd.MAX_FRAMES + 1
    assert line.minibatch_steps[0] == 0 and line.minibatch_steps[-1] == 2400
    assert np.all(np.diff(line.minibatch_steps) == 2)


def test_each_frame_shows_the_batch_its_step_used():
    run = _runs(LINE)["minibatch"]
    steps = np.arange(run.steps + 1)
    batches = sgd.frame_batches(run, steps)
    assert batches.shape == (run.steps + 1, BATCH) and batches.dtype == np.uint16
    assert np.all(batches[0] == sgd.NO_SAMPLE)
    for step in range(1, run.steps + 1):
        used = batches[step][batches[step] != sgd.NO_SAMPLE]
        assert used.tolist() == run.batches[step - 1].tolist()


def test_the_epochs_cap_keeps_the_single_sample_run_within_its_budget():
    assert sgd.max_epochs(200) == sgd.MAX_EPOCHS
    assert sgd.max_epochs(1000) * 1000 <= sgd.MAX_SAMPLE_STEPS
    assert sgd.max_epochs(sgd.MAX_SAMPLE_STEPS * 2) == 1


# --- verdicts and the download -----------------------------------------------------------------

def test_verdicts_say_how_far_down_and_how_near_the_fit_each_run_ended():
    standardized = sgd.make_problem("line", LINE.data, "standardized")
    runs = _runs(standardized, lr=0.5, epochs=20)
    text, tone = sgd.verdict(standardized, runs["full"])
    assert "100 % of the way down" in text and "from the least-squares fit" in text
    assert tone == "good"
    text, tone = sgd.verdict(LINE, _runs(LINE, lr=2.0)["full"])
    assert text.startswith("diverged at step") and tone == "bad"
    text, _ = sgd.verdict(NETWORK, _runs(NETWORK, lr=0.2, epochs=20)["minibatch"])
    assert "from the minimum (" in text


def test_a_run_short_of_the_fit_never_reads_100_percent_of_the_way_down():
    # The page's opening: minibatch B = 10 ends at J = 0.525 beside J* = 0.521, 99.996 % down.
    line = sgd.make_problem("line", sgd.synthetic_data("line", 200, 2.0, 1.0, 1.0, 0), "raw")
    run = sgd.run(line, "gd", {}, 0.02, (0.0, 0.0), 20, 10, 0)
    text, _ = sgd.verdict(line, run)
    assert "J = 0.525" in text and "J* = 0.521" in text
    percent = float(text.split(" % of the way down")[0].rsplit(" ", 1)[1])
    assert 99.99 < percent < 100


def test_the_runs_table_says_how_each_run_ended_without_repeating_its_other_columns():
    runs = _runs(LINE, lr=2.0)  # every run diverges
    labels = {kind.key: sgd.run_label(kind, N, BATCH) for kind in sgd.RUN_KINDS}
    table = sgd_payload.runs_table(LINE, runs, labels)
    assert [column.label for column in table.columns][-2:] == [
        f"Way down to J* = {gd_core.format_number(sgd.best_loss(LINE))}", "Ended"]
    for row, run in zip(table.members[0].rows, runs.values(), strict=True):
        assert row.cells[-2].startswith(f"diverged at step {run.diverged_at} (epoch ")
        assert row.cells[-1] == "—"
    calm = _runs(LINE)
    rows = sgd_payload.runs_table(LINE, calm, labels).members[0].rows
    for row, run in zip(rows, calm.values(), strict=True):
        end = sgd.ending(LINE, run)
        assert row.cells[-2:] == [end.down, end.near]
        assert row.cells[-2].endswith(" %") and " from the least-squares fit" in row.cells[-1]
        assert end.down in sgd.verdict(LINE, run)[0] and end.near in sgd.verdict(LINE, run)[0]


def test_the_download_has_every_step_of_every_run():
    runs = _runs(LINE)
    labels = {kind.key: sgd.run_label(kind, N, BATCH) for kind in sgd.RUN_KINDS}
    rows = list(csv.DictReader(io.StringIO(sgd.runs_csv(LINE, runs, labels))))
    assert len(rows) == sum(run.steps + 1 for run in runs.values())
    last = [row for row in rows if row["run"] == "Minibatch (B = 8)"][-1]
    assert float(last["epoch"]) == EPOCHS and int(last["samples_seen"]) == N * EPOCHS
    assert float(last["w"]) == runs["minibatch"].points[-1, 0]
    assert float(last["loss"]) == runs["minibatch"].values[-1]
    assert set(rows[0]) == {"run", "batch_size", "step", "epoch", "samples_seen", "w", "b",
                            "loss"}


# --- the payload -----------------------------------------------------------------------------

def _payload(problem, **kwargs):
    runs = _runs(problem, lr=kwargs.pop("lr", 0.02))
    line = sgd.timeline(runs, problem.data.n)
    labels = {kind.key: sgd.run_label(kind, problem.data.n, BATCH) for kind in sgd.RUN_KINDS}
    critical = problem.largest_stable_lr
    test = gd_core.lr_range_test(problem, "gd", (0, 0), critical / 1000, critical * 10, 100)
    options = {"step_axis": "epochs", "log_loss": True, "show_3d": True, **kwargs}
    return runs, line, to_json(sgd_payload.sgd_payload(
        problem, surface_grid(problem.surface), runs, line, labels, test, lr=0.02, **options))


@pytest.mark.parametrize("problem", [LINE, NETWORK], ids=["line", "network"])
def test_the_payload_carries_each_run_at_the_timeline_frames(problem):
    runs, line, payload = _payload(problem)
    assert [panel["id"] for panel in payload["panels"]] == ["data", "contour", "loss", "onion",
                                                           "range"]
    assert [series["name"] for series in payload["series"]] == [
        "Full batch (B = 50)", "Minibatch (B = 8)", "Single sample (B = 1)"]
    for series, kind in zip(payload["series"], sgd.RUN_KINDS, strict=True):
        points = runs[kind.key].points[line.rows[kind.key]]
        assert np.allclose(decode(series["channels"]["x"]), points[:, 0], rtol=1e-3, atol=1e-3)
        assert np.allclose(decode(series["channels"]["y"]), points[:, 1], rtol=1e-3, atol=1e-3)
        assert decode(series["channels"]["samples"]).tolist() == line.samples.tolist()
        assert series["derived"]["f"]["value"] == pytest.approx(sgd.best_loss(problem))
    data_panel = payload["panels"][0]
    curve = next(trace for trace in data_panel["traces"] if trace["kind"] == "curve")
    subset = next(trace for trace in data_panel["traces"] if trace["kind"] == "subset")
    assert curve["series"] == subset["series"] == 1
    assert decode(subset["indices"]).shape == (len(line.samples), BATCH)
    assert decode(payload["arrays"]["sample_x"]).tolist() == pytest.approx(
        problem.data.x.tolist(), rel=1e-6)


def test_the_fitted_curve_is_the_line_in_the_data_s_own_units():
    standardized = sgd.make_problem("line", LINE.data, "standardized")
    expression = sgd_payload.fitted_curve(standardized)
    w, b, x = 1.5, -0.5, 7.0

    def evaluate(node):
        if isinstance(node, str):
            return {"w": w, "b": b, "x": x}[node]
        if not isinstance(node, list):
            return node
        op, *args = node
        values = [evaluate(arg) for arg in args]
        return {"+": lambda p, q: p + q, "-": lambda p, q: p - q, "*": lambda p, q: p * q,
                "/": lambda p, q: p / q}[op](*values)

    slope, intercept = standardized.line(np.array([w, b]))
    assert evaluate(expression) == pytest.approx(slope * x + intercept)
    assert sgd_payload.fitted_curve(NETWORK) == ["*", "v", ["tanh", ["*", "w", "x"]]]


@pytest.mark.parametrize(("axis", "channel"), list(sgd_payload.CLOCK_CHANNELS.items()))
def test_the_loss_chart_runs_against_the_chosen_step_axis(axis, channel):
    *_, payload = _payload(LINE, step_axis=axis)
    loss = next(panel for panel in payload["panels"] if panel["id"] == "loss")
    assert {trace["map"]["x"] for trace in loss["traces"]} == {channel}
    assert loss["layout"]["xaxis"]["title"]["text"] == sgd.STEP_AXES[axis]


def test_without_3d_the_range_test_spans_the_row_and_marks_two_over_lambda_max():
    _, _, payload = _payload(LINE, show_3d=False)
    assert [panel["id"] for panel in payload["panels"]] == ["data", "contour", "loss", "range"]
    range_panel = payload["panels"][-1]
    assert range_panel["wide"] is True
    critical = LINE.largest_stable_lr
    lines = [trace["trace"] for trace in range_panel["traces"] if trace["kind"] == "line"]
    assert any(trace["x"] == [critical, critical] and trace["name"].startswith("2/λmax")
               for trace in lines)


def test_a_diverging_run_is_in_the_payload_as_gone_with_its_step():
    runs, _, payload = _payload(LINE, lr=2.0)
    full = payload["series"][0]
    assert decode(full["channels"]["gone"])[-1] == 1
    assert decode(full["channels"]["diverged"])[0] == runs["full"].diverged_at
    assert full["badges"][0]["tone"] == "bad"


@pytest.mark.parametrize("problem", [LINE, NETWORK], ids=["line", "network"])
def test_the_loss_map_and_3d_view_name_the_model_s_parameters_not_x_and_y(problem):
    _, _, payload = _payload(problem)
    first, second = sgd.parameter_names(problem)
    panels = {panel["id"]: panel for panel in payload["panels"]}
    contour = panels["contour"]
    assert [contour["layout"][axis]["title"]["text"] for axis in ("xaxis", "yaxis")] == [
        first, second]
    (shading,) = [trace for trace in contour["traces"] if trace["kind"] == "contour"]
    assert shading["trace"]["hovertemplate"].startswith(f"{first} = %{{x:.3f}}<br>{second} = ")
    scene = panels["onion"]["layout"]["scene"]
    assert [scene[axis]["title"]["text"] for axis in ("xaxis", "yaxis", "zaxis")] == [
        first, second, "J"]
