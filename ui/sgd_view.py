"""The SGD page's view: its controls, the chart (the runs' table in it) and the downloads.

Three runs fit the same data from the same start with the same optimizer and shuffle seed: full
batch (one step per epoch), minibatch (the batch-size slider) and single sample. Runs, the
model and its loss grid are cached apart, so changing the batch size reruns only the minibatch
run and the range test; the chart's payload is cached per view.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

import gd_core
from ui import lessons, sgd
from ui.chart import chart, format_number, notes
from ui.controls import (
    KEPT,
    LEARNING_RATE,
    Control,
    OptimizerChoice,
    choice,
    flag_control,
    learning_rate_slider,
    number_control,
    optimizer_choice,
    optimizer_controls,
    optimizer_params,
    toggle,
)
from ui.downloads import download_csv
from ui.messages import show_error, show_notice
from ui.page_state import PageState
from ui.payloads import surface_grid
from ui.runs import format_learning_rate
from ui.sgd_payload import sgd_payload
from ui.stores import SharedStore
from ui.surface_view import parse_point

#: Range test: from this fraction of 2/λmax to this multiple of it, in this many steps.
RANGE_TEST = {"low": 1e-3, "high": 10.0, "steps": 300}
#: Session key (under the page's prefix) of the uploaded data: ``(file name, Dataset,
#: digest)``. Not a control: an upload is never in the URL.
_UPLOADED = "uploaded"
_UPLOAD_ERROR = "upload_error"


def dump_point(point) -> str:
    return f"{point[0]:g},{point[1]:g}"


def parse_data(text: str) -> str:
    """A data source from a link: the synthetic ones only (an upload is not in a link)."""
    if text == "csv":
        raise ValueError("an uploaded file is not kept in a link: upload it again")
    return choice(["line", "network"])(text)


def _synthetic(values: Mapping) -> bool:
    return values["data"] != "csv"


def _line_data(values: Mapping) -> bool:
    return values["data"] == "line"


def controls() -> list[Control]:
    """The page's controls, each with its URL parser (``ui.controls``)."""
    return [
        Control("data", "line", parse_data, label="Data",
                domain=tuple(sgd.DATA_SOURCES), used=_synthetic, unlinked=("csv",),
                help="A line with noise, an S-curve fitted by a one-unit network (a loss with "
                     "two minima), or your own CSV. An upload is not kept in a link."),
        number_control("n", 200, 10, sgd.MAX_N, 10, whole=True, label="Samples n",
                       used=_synthetic, help="How many points the synthetic data has."),
        number_control("slope", 2.0, -5.0, 5.0, 0.5, label="True slope", used=_line_data,
                       help="The line the data is drawn around: y = slope · x + intercept."),
        number_control("intercept", 1.0, -5.0, 5.0, 0.5, label="True intercept",
                       used=_line_data, help="Where that line crosses x = 0."),
        number_control("noise", 1.0, 0.0, 3.0, 0.1, label="Noise σ", used=_synthetic,
                       help="The standard deviation of the noise added to every y."),
        number_control("seed", 0, 0, 9999, 1, whole=True, label="Data seed", used=_synthetic,
                       help="The same seed draws the same data."),
        Control("scaling", "raw", choice(gd_core.SCALINGS), label="Scaling of x",
                domain=gd_core.SCALINGS, used=lambda values: values["data"] != "network",
                help="Raw x, x minus its mean (centered), or also divided by its standard "
                     "deviation (standardized): the fitted line is the same, the loss's shape "
                     "is not."),
        number_control("batch", 10, 1, sgd.MAX_UPLOAD_ROWS, 1, whole=True,
                       label="Batch size B",
                       help="The minibatch run's batch size: each step follows the gradient on "
                            "B samples. Full batch (B = n) and single sample (B = 1) run too."),
        number_control("epochs", 20, 1, sgd.MAX_EPOCHS, 1, whole=True, label="Epochs",
                       help="Passes over the data: every sample's gradient is used once per "
                            "epoch, by every run."),
        number_control("order", 0, 0, 9999, 1, whole=True, label="Shuffle seed",
                       help="The order the samples are dealt into batches each epoch; every "
                            "run uses the same seed."),
        *optimizer_params(),
        LEARNING_RATE,
        Control("start", (0.0, 0.0), parse_point, dump_point),
        Control("axis", "epochs", choice(list(sgd.STEP_AXES)), label="Loss chart against",
                domain=tuple(sgd.STEP_AXES),
                help="Minibatch steps, epochs or samples seen: per sample seen, the three "
                     "runs have done the same work."),
        flag_control("log", True, label="Loss on a log scale",
                     help="Plots J − J* (the gap to the best fit) on a log axis."),
        flag_control("show3d", True, label="Show the 3D loss surface",
                     help="J in 3D with the three paths lying on it."),
    ]


def opening(values: Mapping) -> dict:
    """What the page opens on for the chosen data (``ui.lessons.SGD_OPENINGS``)."""
    return dict(lessons.SGD_OPENINGS[values.get("data") or "line"])


def page_state() -> PageState:
    return PageState("sgd", controls(), opening=opening)


# --- cached work, shared by every session (ui.stores): `key` stands for the data and scaling -

_PROBLEMS: SharedStore = SharedStore(32)
_GRIDS: SharedStore = SharedStore(32)
_RUNS: SharedStore = SharedStore(96)
_RANGE_TESTS: SharedStore = SharedStore(32)
_PAYLOADS: SharedStore = SharedStore(32)


def _problem(key: tuple, data: gd_core.Dataset, source: str, scaling: str):
    return _PROBLEMS.get(key, lambda: sgd.make_problem(source, data, scaling))


def _run(key: tuple, problem, optimizer: str, hyperparams: tuple, lr: float, start: tuple,
         epochs: int, size: int, seed: int):
    return _RUNS.get((key, optimizer, hyperparams, lr, start, epochs, size, seed), lambda: sgd.run(
        problem, optimizer, dict(hyperparams), lr, start, epochs, size, seed))


def _range_test(key: tuple, problem, optimizer: str, hyperparams: tuple, start: tuple,
                size: int, seed: int):
    def test():
        critical = problem.largest_stable_lr
        return gd_core.lr_range_test(
            problem, optimizer, start, RANGE_TEST["low"] * critical,
            RANGE_TEST["high"] * critical, RANGE_TEST["steps"], batch_size=size, seed=seed,
            **dict(hyperparams))

    return _RANGE_TESTS.get((key, optimizer, hyperparams, start, size, seed), test)


def _payload(identity: tuple, problem, runs, range_test, lr: float, axis: str, log: bool,
             show_3d: bool, formula: str, tips: tuple):
    """``identity`` names the runs and the range test (its first item the problem's key)."""
    def build():
        line = sgd.timeline(runs, problem.data.n)
        labels = {kind.key: sgd.run_label(kind, problem.data.n, runs["minibatch"].batch_size)
                  for kind in sgd.RUN_KINDS}
        grid = _GRIDS.get(identity[0], lambda: surface_grid(problem.surface, sgd.LOSS_GRID))
        return sgd_payload(problem, grid, runs, line, labels, range_test, lr=lr, step_axis=axis,
                           log_loss=log, show_3d=show_3d, formula=formula,
                           notes=notes("What to try", list(tips)))

    return _PAYLOADS.get((identity, lr, axis, log, show_3d, formula, tips), build)


def _frozen(hyperparams: Mapping) -> tuple:
    return tuple(sorted(hyperparams.items()))


# --- callbacks ---------------------------------------------------------------------------------

def _open_data(state: PageState) -> None:
    """A newly chosen data source opens on its own start, learning rate and batch size."""
    state.apply(opening({"data": state["data"]}))


def _move_start(state: PageState, point) -> None:
    state["start"] = (round(point[0], 3), round(point[1], 3))


def _read_upload(state: PageState) -> None:
    """A good file becomes the data; a bad one leaves everything as it was, with a message."""
    upload = state.get("upload_widget")
    state[_UPLOAD_ERROR] = None
    if upload is None:
        return
    raw = upload.getvalue()
    try:
        data = sgd.read_csv(raw)
    except ValueError as error:
        state[_UPLOAD_ERROR] = f"{upload.name}: {error}. Nothing else was changed."
        return
    state[_UPLOADED] = (upload.name, data, hashlib.blake2b(raw, digest_size=12).hexdigest())
    state["data"] = "csv"
    state.apply(opening({"data": "csv"}))


# --- the view ------------------------------------------------------------------------------------

def show(state: PageState) -> None:
    with st.sidebar:
        sidebar = st.container()
    _view(state, sidebar)
    # Outside the view's fragment: a change does not send it again.
    st.subheader("Why minibatches?")
    st.markdown("\n".join(f"- {line}" for line in lessons.SGD_EXPLANATION))


def _data(state: PageState) -> tuple[tuple, gd_core.Dataset] | None:
    """The data the page's values name, ``(cache key, Dataset)``; None while the CSV source has
    no file yet."""
    source = state["data"]
    if source == "csv":
        uploaded = state.get(_UPLOADED)
        if uploaded is None:
            return None
        _, data, digest = uploaded
        return ("csv", digest), data
    n, noise, seed = int(state["n"]), state["noise"], int(state["seed"])
    slope, intercept = (state["slope"], state["intercept"]) if source == "line" else (0.0, 0.0)
    key = (source, n, slope, intercept, noise, seed)
    return key, sgd.synthetic_data(source, n, slope, intercept, noise, seed)


def _at_most(state: PageState, name: str, high) -> int:
    """The value of ``name``, lowered to ``high`` first (a batch larger than the new data)."""
    if state[name] > high:
        state[name] = high
    return int(state[name])


def _data_controls(state: PageState, data: gd_core.Dataset | None) -> None:
    """The data source and its settings (``data``: the data they chose, None if none yet)."""
    st.segmented_control(
        state.controls["data"].label, state.controls["data"].domain, key=state.key("data"),
        required=True, format_func=sgd.DATA_SOURCES.get, help=state.controls["data"].help,
        on_change=_open_data, args=(state,), width="stretch")
    source = state["data"]
    with st.expander("Your own data (CSV)", expanded=source == "csv", icon=":material/upload:"):
        st.file_uploader(
            "Two columns of numbers, x then y", type=["csv", "txt"],
            key=state.key("upload_widget"), on_change=_read_upload, args=(state,),
            max_upload_size=sgd.UPLOAD_MEGABYTES,
            help=f"Up to {sgd.MAX_UPLOAD_ROWS} rows and {sgd.MAX_UPLOAD_BYTES // 1000} kB; a "
                 "header row of names is skipped.")
        if state.get(_UPLOAD_ERROR):
            show_error(state[_UPLOAD_ERROR])
        st.caption("An uploaded file stays in this browser tab only: a link to this page "
                   "opens the synthetic data, not your file.")
    if source == "csv":
        if data is not None:
            st.caption(f"Fitting a line to {state[_UPLOADED][0]}: {data.n} rows.")
        return
    _slider(state, "n")
    if source == "line":
        _slider(state, "slope")
        _slider(state, "intercept")
    _slider(state, "noise")
    _number_input(state, "seed")


def _slider(state: PageState, name: str, high=None, **extra) -> None:
    control = state.controls[name]
    low, top, step = control.domain
    st.slider(control.label, low, top if high is None else high, step=step,
              key=state.key(name), help=control.help, persist_state=KEPT, **extra)


def _number_input(state: PageState, name: str) -> None:
    control = state.controls[name]
    low, high, step = control.domain
    st.number_input(control.label, low, high, step=step, key=state.key(name), help=control.help,
                    persist_state=KEPT)


def _problem_facts(problem) -> None:
    """The condition number and the largest stable learning rate, as the scaling changes."""
    where = " at the minimum" if isinstance(problem, gd_core.OneUnitNetwork) else ""
    left, right = st.columns(2)
    left.metric("Condition κ", format_number(sgd.condition_number(problem), 3),
                help=f"The condition number λmax / λmin of J's Hessian{where}: 1 is a round "
                     "bowl, large a narrow valley that gradient descent crawls along.")
    right.metric("Stable η below", format_learning_rate(
        float(f"{problem.largest_stable_lr:.3g}")),
        help=f"The largest stable learning rate 2 / λmax{where}: full-batch gradient descent "
             "with a larger rate diverges.")


def _formula(problem, optimizer: str) -> str:
    rule = gd_core.OPTIMIZERS[optimizer].update_rule
    if optimizer == "gd":
        rule = (r"\theta_t = \theta_{t-1} - \eta\, \frac{1}{|B_t|}\sum_{i \in B_t}"
                r" \nabla \ell_i(\theta_{t-1})")
        if isinstance(problem, gd_core.LinearRegression):
            rule += r"\\ = \theta_{t-1} - \eta\,\frac{1}{m} X_B^\top (X_B\theta_{t-1} - y_B)"
    else:
        rule += r",\quad g_t = \frac{1}{|B_t|}\sum_{i \in B_t} \nabla \ell_i(\theta_{t-1})"
    # gathered: KaTeX breaks lines in display mode only inside an environment.
    return (r"\begin{gathered}" + problem.surface.formula + r"\\" + rule
            + r"\end{gathered}")


@dataclass(frozen=True)
class Settings:
    """What the page's values choose: the model (and its cache key) and how the runs go."""

    problem_key: tuple
    problem: object
    batch: int
    epochs: int
    order: int
    optimizer: OptimizerChoice
    lr: float
    axis: str
    log_loss: bool
    show_3d: bool


def _settings(state: PageState) -> Settings | None:
    """The runs the page's values ask for, read before any widget is drawn (``PageState.check``
    has vetted them); None while there is no data yet. A dataset the model cannot fit raises
    ValueError."""
    found = _data(state)
    if found is None:
        return None
    data_key, data = found
    scaling = "raw" if state["data"] == "network" else state["scaling"]
    key = (*data_key, scaling)
    return Settings(
        problem_key=key, problem=_problem(key, data, state["data"], scaling),
        batch=_at_most(state, "batch", data.n),
        epochs=_at_most(state, "epochs", sgd.max_epochs(data.n)),
        order=int(state["order"]),
        optimizer=optimizer_choice(state),
        lr=state["lr"],
        axis=state["axis"],
        log_loss=bool(state["log"]),
        show_3d=bool(state["show3d"]),
    )


def _controls(state: PageState, chosen: Settings | None) -> None:
    """The sidebar: every control, showing the values ``_settings`` read."""
    data = chosen.problem.data if chosen is not None else None
    _data_controls(state, data)
    if state["data"] != "network":
        st.segmented_control(
            state.controls["scaling"].label, gd_core.SCALINGS, key=state.key("scaling"),
            required=True, help=state.controls["scaling"].help, width="stretch")
    if chosen is None:
        return
    _problem_facts(chosen.problem)
    _slider(state, "batch", high=data.n)
    _slider(state, "epochs", high=sgd.max_epochs(data.n))
    _number_input(state, "order")
    optimizer_controls(state)
    learning_rate_slider(state)
    st.segmented_control(
        state.controls["axis"].label, tuple(sgd.STEP_AXES), key=state.key("axis"),
        required=True, format_func=sgd.STEP_AXES.get, width="stretch",
        help=state.controls["axis"].help)
    toggle(state, "log")
    toggle(state, "show3d")


@st.fragment
def _view(state: PageState, sidebar) -> None:
    # Streamlit drops the value of a widget a run leaves out (the slope while the network is
    # shown, the data's sliders while a CSV is): put the page's values back before drawing.
    for notice in state.restore():
        show_notice(notice)
    error = None
    try:
        chosen = _settings(state)
    except ValueError as unfit:
        chosen, error = None, str(unfit)
    # The chart first, the sidebar's controls after: the browser gets the new chart before the
    # twenty-odd controls, each of which it redraws as it comes.
    if chosen is not None:
        _show_runs(state, chosen)
    elif error is not None:  # where the chart was, not out of sight in the sidebar
        remedy = ("upload another file" if state["data"] == "csv" else
                  "less noise, more samples or another seed in the sidebar")
        show_error(f"No model to fit on these data: {error}. Try {remedy}.")
    elif state["data"] == "csv" and state.get(_UPLOADED) is None:
        st.info("Upload a CSV file of two numeric columns (x, y) in the sidebar, under "
                "“Your own data”.", icon=":material/upload:")
    with sidebar:
        _controls(state, chosen)
    state.save()


def _show_runs(state: PageState, chosen: Settings) -> None:
    """The chart of the three runs (and the range test), and their download."""
    problem, n = chosen.problem, chosen.problem.data.n
    start = tuple(float(c) for c in state["start"])
    name, frozen = chosen.optimizer.name, _frozen(chosen.optimizer.hyperparams)
    runs = {kind.key: _run(chosen.problem_key, problem, name, frozen, chosen.lr, start,
                           chosen.epochs, sgd.batch_size(kind, n, chosen.batch), chosen.order)
            for kind in sgd.RUN_KINDS}
    test = _range_test(chosen.problem_key, problem, name, frozen, start, min(chosen.batch, n),
                       chosen.order)
    tips = lessons.SGD_TIPS[state["data"]]
    payload = _payload(
        (chosen.problem_key, name, frozen, chosen.lr, start, chosen.epochs, chosen.batch,
         chosen.order), problem, runs, test, chosen.lr, chosen.axis, chosen.log_loss,
        chosen.show_3d, _formula(problem, name), tips)
    chart(payload, key="sgd_chart", on_click=lambda x, y, panel: _move_start(state, (x, y)))
    labels = {kind.key: sgd.run_label(kind, n, chosen.batch) for kind in sgd.RUN_KINDS}
    download_csv(label="Download the three runs (CSV)",
                 data=functools.partial(sgd.runs_csv, problem, runs, labels),
                 file_name="sgd_runs.csv",
                 help="Every step of every run: batch size, epoch, samples seen, the "
                      "parameters and the loss on all the data.")
