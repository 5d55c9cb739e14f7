"""The SGD page's chart payload: the data with the moving fitted line and this step's minibatch,
the loss J over the two parameters (contour and 3D) with the full-batch, minibatch and
single-sample paths, the loss against the step, and the learning-rate range test. Pure: no
Streamlit here."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np

import gd_core
from ui import sgd
from ui.chart import coordinate_encoding, encode_array, fit_half_range, format_number
from ui.chart_payload import (
    Add,
    Badge,
    Curve,
    Head,
    Legend,
    LegendItem,
    Notes,
    Panel,
    Path,
    Payload,
    Phrase,
    PlotlyTrace,
    Readout,
    Series,
    Subset,
    Table,
    TableColumn,
    TableMember,
    TableRow,
)
from ui.payloads import (
    GAP_BITS,
    GAP_FLOOR,
    RunStyle,
    SurfaceGrid,
    contour_panel,
    exit_points,
    grid_arrays,
    key_with_3d,
    onion_panel,
    step_layout,
)
from ui.runs import format_learning_rate

STYLES = {kind.key: RunStyle(kind.color, kind.symbol, kind.glyph, kind.dash)
          for kind in sgd.RUN_KINDS}
#: The step-axis channels every series carries (``sgd.STEP_AXES`` keys -> channel).
CLOCK_CHANNELS = {"steps": "mstep", "epochs": "epoch", "samples": "samples"}
_SAMPLES_COLOR = "#8a96a3"
_BATCH_COLOR = "#D55E00"
_FIT_COLOR = "#3c4858"
_FONT = {"family": "sans-serif", "size": 12}


def marks_key(problem) -> str:
    minimum = ("× the two minima of J" if isinstance(problem, gd_core.OneUnitNetwork)
               else "× the least-squares fit, where J is lowest")
    return (f"○ where the runs start · each run's marker: where it is after the samples seen "
            f"so far · □ where a run left the map · {minimum}")


def run_channels(problem, run: gd_core.MinibatchTrajectory, rows: np.ndarray,
                 line: sgd.Timeline) -> dict:
    """A run at the timeline's frames as chart channels: ``x``, ``y`` the two parameters;
    ``gap`` = J − J*; where it left the map (``exit_*``); ``gone`` once it ran away and the
    step it did (``diverged``); the step axes (``mstep``, ``epoch``, ``samples``)."""
    best = sgd.best_loss(problem)
    points = run.points[rows]
    with np.errstate(invalid="ignore"):
        gap = np.maximum(run.values[rows] - best, GAP_FLOOR)
    exits = exit_points(points, problem.surface.domain)
    with np.errstate(all="ignore"):
        exit_gap = np.maximum(problem.surface.value(np.nan_to_num(exits)) - best, GAP_FLOOR)
    exit_gap = np.where(np.isnan(exits[..., 0]), np.nan, exit_gap)
    coordinates, limit = coordinate_encoding(problem.surface.domain)
    shown = fit_half_range(points, limit)
    diverged = np.full(len(rows), float(run.diverged_at) if run.diverged_at >= 0 else np.nan)
    return {
        "x": encode_array(shown[:, 0], coordinates, compress=True),
        "y": encode_array(shown[:, 1], coordinates, compress=True),
        "gap": encode_array(gap, "f4", compress=True, significant_bits=GAP_BITS),
        "exit_x": encode_array(exits[:, 0], coordinates, compress=True),
        "exit_y": encode_array(exits[:, 1], coordinates, compress=True),
        "exit_gap": encode_array(exit_gap, "f4", compress=True, significant_bits=GAP_BITS),
        "gone": encode_array(~np.isfinite(points[:, 0]), "u1", compress=True),
        "diverged": encode_array(diverged, "f4", compress=True),
        "mstep": encode_array(line.minibatch_steps, "f4", compress=True),
        "epoch": encode_array(line.epochs, "f4", compress=True),
        "samples": encode_array(line.samples, "f4", compress=True),
    }


def run_series(problem, runs: Mapping[str, gd_core.MinibatchTrajectory], line: sgd.Timeline,
               labels: Mapping[str, str]) -> list[Series]:
    """One series per run of ``sgd.RUN_KINDS``, with its verdict as its badge. Derived in the
    browser: ``f`` = gap + J*, and the parameters under their own names for the fitted curve."""
    first, second = sgd.parameter_names(problem)
    best = sgd.best_loss(problem)
    series = []
    for kind in sgd.RUN_KINDS:
        text, tone = sgd.verdict(problem, runs[kind.key])
        series.append(Series(
            name=labels[kind.key], color=kind.color, glyph=kind.glyph,
            channels=run_channels(problem, runs[kind.key], line.rows[kind.key], line),
            derived={"f": Add(of="gap", value=best), first: Add(of="x", value=0.0),
                     second: Add(of="y", value=0.0)},
            badges=[Badge(text=text, tone=tone)]))
    return series


def fitted_curve(problem) -> list:
    """The model's prediction at ``x`` as a chart expression of its parameter channels."""
    if isinstance(problem, gd_core.OneUnitNetwork):
        return ["*", "v", ["tanh", ["*", "w", "x"]]]
    scaled = ["/", ["-", "x", problem.x_shift], problem.x_scale]
    return ["+", ["*", "w", scaled], "b"]


def _padded(low: float, high: float, fraction: float = 0.08) -> list[float]:
    pad = fraction * ((high - low) or 1.0)
    return [low - pad, high + pad]


def data_panel(problem, minibatch: gd_core.MinibatchTrajectory, rows: np.ndarray) -> Panel:
    """The samples, the best fit (dashed), the minibatch run's fit moving with the animation
    and the samples of the batch its current step used."""
    data = problem.data
    xs = np.linspace(float(data.x.min()), float(data.x.max()), 60)
    best = problem.surface.minima[0]
    if isinstance(problem, gd_core.OneUnitNetwork):
        best_y = best[1] * np.tanh(best[0] * xs)
    else:
        slope, intercept = problem.line(best)
        best_y = slope * xs + intercept
    samples = {"x": {"ref": "sample_x"}, "y": {"ref": "sample_y"}}
    traces = [
        PlotlyTrace(kind="marker", trace={
            "type": "scatter", "mode": "markers", **samples, "hoverinfo": "skip",
            "marker": {"color": _SAMPLES_COLOR, "size": 5, "opacity": 0.75}}),
        PlotlyTrace(kind="line", trace={
            "type": "scatter", "mode": "lines", "x": xs.tolist(), "y": best_y.tolist(),
            "hoverinfo": "skip", "line": {"color": _FIT_COLOR, "width": 1.5, "dash": "dash"}}),
        Subset(series=1, **samples,
               indices=encode_array(sgd.frame_batches(minibatch, rows), "u2", compress=True),
               trace={"type": "scatter", "mode": "markers", "marker": {
                   "color": _BATCH_COLOR, "size": 9, "symbol": "circle",
                   "line": {"color": "white", "width": 1}}}),
        Curve(series=1, x=xs.tolist(), y=fitted_curve(problem), trace={
            "type": "scatter", "mode": "lines", "hoverinfo": "skip",
            "line": {"color": _BATCH_COLOR, "width": 3}}),
    ]
    layout = {
        "uirevision": "sgd-data",
        # plotly sets an x title's baseline 52 px under the plot: room for a column name's
        # descenders (size_sqft's underscore) below it.
        "margin": {"l": 48, "r": 12, "t": 36, "b": 60},
        # Short: a phone has some 37 characters beside the plot's toolbar.
        "title": {"text": "Minibatch fit, its batch in orange",
                  "font": {"size": 14}, "x": 0.02, "xanchor": "left"},
        "xaxis": {"range": _padded(float(data.x.min()), float(data.x.max())),
                  "title": {"text": data.names[0]}, "zeroline": False},
        "yaxis": {"range": _padded(float(data.y.min()), float(data.y.max()), 0.15),
                  "title": {"text": data.names[1]}, "zeroline": False},
        "showlegend": False, "hovermode": False, "font": _FONT,
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
    }
    return Panel(id="data", layout=layout, height=460, live="svg", traces=traces)


def _loss_shading(panel: Panel) -> Panel:
    """The contour panel with its colour bar naming the loss J (the shading is of f)."""
    return dataclasses.replace(panel, colorbar=dataclasses.replace(panel.colorbar,
                                                                   title="J (light = low)"))


def _retitled(panel: Panel, titles: Mapping[str, str]) -> Panel:
    """A 3D ``panel`` with its axes named after the model's parameters (``{"xaxis": "w", ...}``)."""
    scene = dict(panel.layout["scene"])
    for axis, text in titles.items():
        scene[axis] = {**scene[axis], "title": {"text": text}}
    return dataclasses.replace(panel, layout={**panel.layout, "scene": scene})


def loss_panel(problem, log: bool, step_axis: str, line: sgd.Timeline) -> Panel:
    """The loss on all the data against the chosen step axis, per run: the whole curve faint,
    the part played so far bold, the current point."""
    clock = CLOCK_CHANNELS[step_axis]
    offset = {} if log else {"y": sgd.best_loss(problem)}
    traces = []
    for run, kind in enumerate(sgd.RUN_KINDS):
        style = STYLES[kind.key]
        line_style = {"color": style.color, "width": 2.5}
        if style.dash != "solid":
            line_style["dash"] = style.dash
        where = {"series": run, "map": {"x": clock, "y": "gap"}, "offset": offset}
        traces += [
            Path(**where, frames="all", trace={
                "type": "scatter", "mode": "lines", "hoverinfo": "skip", "opacity": 0.3,
                "line": {**line_style, "width": 1.5}, "showlegend": False}),
            Path(**where, trace={"type": "scatter", "mode": "lines", "line": line_style,
                                 "showlegend": False, "hoverinfo": "skip"}),
            Head(**where, trace={
                "type": "scatter", "mode": "markers", "hoverinfo": "skip", "name": kind.label,
                "marker": {"color": style.color, "size": 10, "symbol": style.symbol,
                           "line": {"color": "white", "width": 1}}}),
        ]
    ytitle = "J − J*  (log scale)" if log else "J (loss on all the data)"
    layout = step_layout(f"sgd-loss|{log}|{step_axis}", "Loss on all the data", ytitle, log,
                         1)
    ends = {"steps": line.minibatch_steps[-1], "epochs": line.epochs[-1],
            "samples": line.samples[-1]}
    layout["xaxis"] = {**layout["xaxis"], "title": {"text": sgd.STEP_AXES[step_axis]},
                       "range": [0, float(max(ends[step_axis], 1))]}
    return Panel(id="loss", layout=layout, height=284, wide=True, live="svg", traces=traces)


def range_panel(test: gd_core.RangeTest, lr: float, wide: bool) -> Panel:
    """The range test: the loss against the growing learning rate (log-log), 2/λmax and the
    chosen rate marked."""
    finite = test.losses[np.isfinite(test.losses)]
    low = float(max(finite.min(), 1e-12)) if finite.size else 1e-3
    high = float(max(test.start_loss, finite.max() if finite.size else 1.0))
    span = [low / 2, high * 4]
    critical = test.largest_stable_lr
    shown = np.minimum(test.losses, span[1])

    def vertical(x: float, color: str, dash: str, name: str) -> PlotlyTrace:
        return PlotlyTrace(kind="line", trace={
            "type": "scatter", "mode": "lines", "x": [x, x], "y": span, "name": name,
            "line": {"color": color, "width": 2, "dash": dash}, "hoverinfo": "name"})

    traces = [
        PlotlyTrace(kind="line", trace={
            "type": "scatter", "mode": "lines", "name": "loss after the step",
            "x": encode_array(test.lrs, "f4"), "y": encode_array(shown, "f4"),
            "line": {"color": "#3c4858", "width": 2},
            "hovertemplate": "η = %{x:.3g}<br>J = %{y:.4g}<extra></extra>"}),
        vertical(critical, "#CC79A7", "dash", f"2/λmax = {format_number(critical, 3)}"),
        vertical(lr, _BATCH_COLOR, "dot", f"your η = {format_learning_rate(lr)}"),
    ]
    blow_up = test.blow_up_lr()
    if np.isfinite(blow_up):
        at = int(np.argmax(test.lrs >= blow_up))
        traces.append(PlotlyTrace(kind="marker", trace={
            "type": "scatter", "mode": "markers", "x": [blow_up],
            "y": [float(min(test.losses[at], span[1])) if np.isfinite(test.losses[at])
                  else span[1]],
            "name": f"back above its start: η = {format_number(blow_up, 2)} "
                    f"({format_number(blow_up / critical, 2)} × 2/λmax)",
            "marker": {"color": "#CC79A7", "size": 10, "symbol": "x"}, "hoverinfo": "name"}))
    title = "Range test: η grows every step"
    layout = {
        "uirevision": "sgd-range",
        "margin": {"l": 60, "r": 12, "t": 36, "b": 44},
        "title": {"text": title, "font": {"size": 14}, "x": 0.02, "xanchor": "left"},
        "xaxis": {"type": "log", "title": {"text": "learning rate η (log scale)"},
                  "exponentformat": "power"},
        "yaxis": {"type": "log", "title": {"text": "J  (log scale)"}, "range": [
            float(np.log10(span[0])), float(np.log10(span[1]))], "exponentformat": "power"},
        "showlegend": True, "hovermode": "closest", "font": _FONT,
        # Inside the plot, top left: the loss is high there only before the run starts.
        "legend": {"x": 0.01, "xanchor": "left", "y": 0.99, "yanchor": "top",
                   "bgcolor": "rgba(255,255,255,0.8)", "font": {"size": 11}},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
    }
    return Panel(id="range", layout=layout, height=300, wide=wide, traces=traces)


def readouts(problem, labels: Sequence[str], show_3d: bool) -> list[Readout]:
    first, second = sgd.parameter_names(problem)
    where = Phrase(channel="gone", options=[
        f"{first} = {{x}}, {second} = {{y}}, J = {{f}}",
        "diverged at step {diverged}: step back to watch it escape"])
    return [
        Readout(series=0, text=key_with_3d(marks_key(problem), show_3d)),
        Readout(series=1, text="After {samples} samples seen: epoch {epoch}, minibatch step "
                               "{mstep}", digits=4),
        *(Readout(series=run, text=f"{kind.glyph} {label}: {{where}}", phrases={"where": where})
          for run, (kind, label) in enumerate(zip(sgd.RUN_KINDS, labels, strict=True))),
    ]


def runs_table(problem, runs: Mapping[str, gd_core.MinibatchTrajectory],
               labels: Mapping[str, str]) -> Table:
    """The three runs side by side: how many steps each took, where it ended and how
    (``sgd.ending``, the badges' words without what the other columns say)."""
    first, second = sgd.parameter_names(problem)
    best = format_number(sgd.best_loss(problem))
    columns = [TableColumn(label="Run"), TableColumn(label="Steps", numeric=True),
               TableColumn(label=f"Final {first}", numeric=True),
               TableColumn(label=f"Final {second}", numeric=True),
               TableColumn(label="Final J", numeric=True),
               TableColumn(label=f"Way down to J* = {best}"), TableColumn(label="Ended")]
    rows = []
    for kind in sgd.RUN_KINDS:
        run = runs[kind.key]
        end = sgd.ending(problem, run)
        rows.append(TableRow(cells=[
            labels[kind.key], str(run.steps), format_number(float(run.points[-1, 0])),
            format_number(float(run.points[-1, 1])), format_number(float(run.values[-1])),
            end.down, end.near or "—"]))
    return Table(columns=columns, members=[TableMember(rows=rows)])


def sgd_payload(
    problem,
    grid: SurfaceGrid,
    runs: Mapping[str, gd_core.MinibatchTrajectory],
    line: sgd.Timeline,
    labels: Mapping[str, str],
    range_test: gd_core.RangeTest,
    *,
    lr: float,
    step_axis: str,
    log_loss: bool,
    show_3d: bool,
    formula: str | None = None,
    notes: Notes | None = None,
) -> Payload:
    """The whole SGD view as one chart payload (``labels``: each run's name by key)."""
    first, second = sgd.parameter_names(problem)
    styles = [STYLES[kind.key] for kind in sgd.RUN_KINDS]
    surface = problem.surface
    contour = _loss_shading(contour_panel(surface, grid, styles, arrows=False,
                                           title="Loss J — click to move the start",
                                           names=(first, second)))
    panels = [data_panel(problem, runs["minibatch"], line.rows["minibatch"]), contour,
              loss_panel(problem, log_loss, step_axis, line)]
    if show_3d:
        panels.append(_retitled(onion_panel(surface, grid, styles),
                                {"xaxis": first, "yaxis": second, "zaxis": "J"}))
    panels.append(range_panel(range_test, lr, wide=not show_3d))
    ordered = [labels[kind.key] for kind in sgd.RUN_KINDS]
    return Payload(
        arrays={**grid_arrays(grid), "sample_x": encode_array(problem.data.x, "f4"),
                "sample_y": encode_array(problem.data.y, "f4")},
        panels=panels,
        series=run_series(problem, runs, line, labels),
        readouts=readouts(problem, ordered, show_3d),
        legend=Legend(items=[
            LegendItem(label=label, color=kind.color, swatch="line", dash=kind.dash,
                       symbol=kind.symbol)
            for kind, label in zip(sgd.RUN_KINDS, ordered, strict=True)]),
        formula=formula,
        notes=notes,
        table=runs_table(problem, runs, labels),
    )
