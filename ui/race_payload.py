"""The race's chart payload: every racer on the contour map, the 3D surface and the loss chart in
its own style, a legend, and a look inside one racer's optimizer. Pure: no Streamlit here."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

import gd_core
from gd_core.inside import QUANTITIES
from ui.chart import encode_array, format_number
from ui.chart_payload import (
    Head,
    Legend,
    LegendItem,
    Panel,
    Path,
    Payload,
    Readout,
    Series,
    Table,
    TableColumn,
    TableMember,
    TableRow,
)
from ui.payloads import (
    RunStyle,
    SurfaceGrid,
    contour_panel,
    fan_spec,
    grid_arrays,
    key_with_3d,
    loss_panel,
    onion_panel,
    run_readouts,
    run_series,
    step_layout,
)
from ui.race import (
    RACER_STYLES,
    RESULT_COLUMNS,
    TITLES,
    Race,
    Result,
    learning_rate_text,
    racer_outcomes,
    standings,
    winner_text,
)
from ui.runs import RACE_LEARNING_RATES, FanRuns, badge, format_learning_rate

#: The key to the marks on the race's contour map and 3D view, a line of text under the chart.
RACE_MARKS_KEY = ("○ where the race starts · each racer's marker: where it is at this step · "
                  "□ where a racer left the map · × a known minimum")
#: How the results table is ranked, under it.
RANKING = ("Ranked: a global minimum first, then a local one, in fewer steps; then the lowest "
           "final f; diverged last. A racer has reached a minimum when it is within "
           f"{format_number(gd_core.SETTLE_TOLERANCE)} of it from that step to the end. Click a "
           "column's name to sort by it.")
#: The results table's columns that hold text (the others print numbers).
_TEXT_COLUMNS = ("optimizer", "minimum")
#: The coordinates of a per-coordinate quantity: channel suffixes and how the readout names them.
_AXES = ("x", "y")


def racer_label(race: Race, name: str, lr_index: int) -> str:
    """A racer as the legend and its badge name it: the optimizer, and its rate when tuned."""
    title = gd_core.OPTIMIZERS[name].title
    return f"{title} · {learning_rate_text(race, name, lr_index)}" if race.mode == "tuned" \
        else title


def inside_series(inside: Mapping[str, np.ndarray], optimizer: str, style: RunStyle) -> Series:
    """``gd_core.look_inside``'s quantities of one run (``(frames, 2)`` or ``(frames,)`` each)
    as the channels of a series without a fan: ``<key>_x``, ``<key>_y`` per coordinate."""
    channels = {}
    for quantity in QUANTITIES[optimizer]:
        values = np.asarray(inside[quantity.key], dtype=float)
        if quantity.per_coordinate:
            for axis, column in zip(_AXES, values.T, strict=True):
                channels[f"{quantity.key}_{axis}"] = encode_array(column, "f4", compress=True)
        else:
            channels[quantity.key] = encode_array(values, "f4", compress=True)
    return Series(name=f"inside {gd_core.OPTIMIZERS[optimizer].title}", color=style.color,
                  glyph=style.glyph, channels=channels)


def inside_readout(series: int, optimizer: str, lr: float) -> Readout:
    """One line under the chart: every quantity of the optimizer's state at the current step."""
    parts = []
    for quantity in QUANTITIES[optimizer]:
        if quantity.per_coordinate:
            value = f"({{{quantity.key}_x}}, {{{quantity.key}_y}})"
        else:
            value = f"{{{quantity.key}}}"
        parts.append(f"{quantity.symbol} = {value}")
    title = gd_core.OPTIMIZERS[optimizer].title
    return Readout(series=series, text=f"Inside {title} (η = {format_learning_rate(lr)}) after "
                                       f"step {{step}}: " + " · ".join(parts))


def inside_panel(series: int, optimizer: str, lr: float, steps: int, style: RunStyle) -> Panel:
    """The effective step size of each coordinate against the step, on a log axis: constant η for
    plain GD and momentum, adapting per coordinate for AdaGrad, RMSProp and Adam. Drawn as SVG
    (smooth while the race plays); the title says which line is which coordinate."""
    title = gd_core.OPTIMIZERS[optimizer].title
    step_symbol = next(q.symbol for q in QUANTITIES[optimizer] if q.key == "step_size")
    traces = []
    for axis, dash in zip(_AXES, ("solid", "dash"), strict=True):
        where = {"series": series, "map": {"x": "step", "y": f"step_size_{axis}"}}
        line = {"color": style.color, "width": 2.5}
        if dash != "solid":
            line["dash"] = dash
        traces += [
            Path(**where, frames="all", trace={
                "type": "scatter", "mode": "lines", "opacity": 0.3,
                "line": {**line, "width": 1.5},
            }),
            Path(**where, trace={"type": "scatter", "mode": "lines", "line": line}),
        ]
    traces.append(Head(series=series, map={"x": "step", "y": "step_size_x"}, trace={
        "type": "scatter", "mode": "markers",
        "marker": {"color": style.color, "size": 9, "symbol": style.symbol},
    }))
    layout = step_layout(
        f"inside|{optimizer}",
        # Two short lines: a phone shows some 45 characters of a title.
        f"Inside {title} (η = {format_learning_rate(lr)})<br>step size {step_symbol}: "
        "x solid, y dashed", f"{step_symbol}  (log scale)", True, steps)
    layout["margin"] = {**layout["margin"], "t": 56}
    return Panel(id="inside", layout=layout, height=284, wide=True, live="svg", traces=traces)


def results_table(race: Race, table: list[list[Result]]) -> Table:
    """``ui.race.standings`` as the chart's table: at each position of the learning-rate slider
    (one, tuned) a heading, who won in a sentence, and the racers' rows, the winners in bold."""
    columns = [TableColumn(label=label, numeric=name not in _TEXT_COLUMNS)
               for name, label in RESULT_COLUMNS.items()]
    members = []
    for lr_index, rows in enumerate(table):
        at = (f"η = {format_number(RACE_LEARNING_RATES[lr_index])} for all"
              if race.mode == "shared" else "each at its tuned rate")
        members.append(TableMember(
            title=f"Results ({at})", summary=winner_text(rows),
            rows=[TableRow(cells=[_cell(getattr(row, name)) for name in RESULT_COLUMNS],
                           strong=row.place == 1) for row in rows]))
    return Table(columns=columns, members=members, caption=RANKING)


def _cell(value) -> str:
    return value if isinstance(value, str) else format_number(value)


def _side_by_side(fans: list[FanRuns]) -> FanRuns:
    """Fans of one start each as the starts of one fan (their members side by side)."""
    def joined(name: str) -> np.ndarray:
        return np.concatenate([getattr(fan, name) for fan in fans], axis=1)

    return FanRuns(fans[0].lrs, np.concatenate([fan.starts for fan in fans]), joined("points"),
                   joined("values"), joined("gradients"), joined("diverged_at"),
                   joined("stop_code"), fans[0].optimizer)


def race_payload(
    surface: gd_core.Surface,
    grid: SurfaceGrid,
    race: Race,
    *,
    lr_index: int,
    log_loss: bool,
    show_3d: bool,
    inside: tuple[str, Mapping[str, np.ndarray], float] | None = None,
) -> Payload:
    """The race as one chart payload: a series per racer (a fan over ``RACE_LEARNING_RATES`` in the
    shared mode, so the chart's slider switches every racer at once), and, with ``inside``
    (optimizer, ``look_inside``'s quantities, its learning rate), the inside panel."""
    names = list(race.runs)
    styles = [RACER_STYLES[name] for name in names]
    labels = [racer_label(race, name, lr_index) for name in names]
    outcomes = racer_outcomes(surface, race)
    # Every racer as one start of a single fan (each has one start, and the same number of
    # members): the series are made in one go, as a page's several starts are.
    series: list[Series] = run_series(
        surface, _side_by_side([race.runs[name] for name in names]),
        [[badge(found) for found in outcomes[name]] for name in names], labels, styles,
        gradients=False) if names else []
    panels = [contour_panel(surface, grid, styles, arrows=False,
                            title="Contour map — click to move the start")]
    if show_3d:
        panels.append(onion_panel(surface, grid, styles))
    steps = next(iter(race.runs.values())).steps if race.runs else 0
    panels.append(loss_panel(surface, steps, log_loss, styles, live="svg",
                             starts=race.start.reshape(1, -1)))
    readouts = run_readouts(labels, styles, key=key_with_3d(RACE_MARKS_KEY, show_3d),
                            gradients=False)
    if inside is not None:
        optimizer, quantities, lr = inside
        style = RACER_STYLES[optimizer]
        series.append(inside_series(quantities, optimizer, style))
        panels.append(inside_panel(len(series) - 1, optimizer, lr, steps, style))
        readouts.append(inside_readout(len(series) - 1, optimizer, lr))
    legend = Legend(items=[
        LegendItem(label=label, color=style.color, swatch="line", dash=style.dash,
                   symbol=style.symbol)
        for label, style in zip(labels, styles, strict=True)])
    return Payload(
        arrays=grid_arrays(grid),
        panels=panels,
        series=series,
        fan=fan_spec(RACE_LEARNING_RATES,
                     [format_learning_rate(lr) for lr in RACE_LEARNING_RATES],
                     lr_index) if race.mode == "shared" else None,
        readouts=readouts,
        legend=legend,
        badges_first=False,
        table=results_table(race, standings(surface, race, TITLES, outcomes)),
    )
