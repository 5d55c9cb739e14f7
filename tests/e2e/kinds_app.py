"""A chart with each panel kind the data pages build on, declared with ``ui.chart_payload``: a
basin map (image layer with shading, a line over it, clicks reporting cells), a data panel with
a fitted curve and a minibatch (subset) as a plotly live plot and as SVG, a loss as SVG on an
autoscaled log axis, and a legend.
``tests/e2e/test_chart_kinds.py`` drives it; the constants below are what it checks against.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui.chart import chart, encode_array
from ui.chart_payload import (
    Curve,
    Head,
    ImageLayer,
    Legend,
    LegendItem,
    Panel,
    Payload,
    PlotlyTrace,
    Series,
    Shade,
    Subset,
)

ROWS, COLS = 300, 300
# Cell (row, col) is centred at (X0 + col DX, Y0 + row DY).
X0, DX, Y0, DY = -3.0, 0.02, -1.5, 0.01
PALETTE = ["#0072B2", "#E69F00", "#009E73"]
SHIFT = 50  # columns the bands move by for "Another map"
MAX_STEPS = 80
SHADE_STRENGTH = 0.5
LINE_Y = 0.0  # a black line over the map, drawn above it
FRAMES = 12
BATCH = 4
SAMPLE_X = np.linspace(-2.0, 2.0, 40)
SAMPLE_Y = 0.5 * SAMPLE_X + 0.3 * np.sin(3 * SAMPLE_X)
# The fitted line's parameters per frame, and the minibatch of each frame (the last short).
WEIGHTS = np.linspace(0.0, 0.5, FRAMES)
BIASES = np.linspace(1.0, 0.0, FRAMES)
BATCHES = np.arange(FRAMES * BATCH).reshape(FRAMES, BATCH) % len(SAMPLE_X)
BATCHES[-1, 2:] = 65535
# A loss falling over six decades: drawn as SVG against the step on an autoscaled log axis.
LOSSES = 10.0 ** np.linspace(3, -3, FRAMES)
LEGEND = Legend(title="Runs and basins", items=[
    LegendItem(label="SGD", color="#D55E00", swatch="line", dash="solid", symbol="circle"),
    LegendItem(label="Adam", color="#CC79A7", swatch="line", dash="dash", symbol="diamond"),
    *(LegendItem(label=f"minimum {name}", color=color, swatch="box")
      for name, color in zip("ABC", PALETTE, strict=True)),
])


def labels(shift: int = 0) -> np.ndarray:
    """Three vertical bands (labels 0, 1, 2) below row 200 and no colour (label 3) above;
    ``shift`` rolls the bands sideways (another map)."""
    rows, cols = np.indices((ROWS, COLS))
    out = (((cols + shift) % COLS) // 100).astype(np.uint8)
    out[rows >= 200] = 3
    return out


def steps() -> np.ndarray:
    """The steps each start needed: at the maximum in rows 100-149, none elsewhere."""
    out = np.zeros((ROWS, COLS), dtype=np.uint16)
    out[100:150] = MAX_STEPS * 2
    return out


def payload(shift: int) -> Payload:
    series = Series(name="fit", color="#D55E00", glyph="●", channels={
        "w": encode_array(WEIGHTS), "b": encode_array(BIASES),
        "x": encode_array(np.full(FRAMES, -2.0)), "y": encode_array(np.full(FRAMES, -1.0)),
        "loss": encode_array(LOSSES),
    })
    samples = {"x": {"ref": "sample_x"}, "y": {"ref": "sample_y"}}
    data_traces = [
        PlotlyTrace(kind="marker", trace={"type": "scatter", "mode": "markers", **samples,
                                          "marker": {"color": "#999999", "size": 6}}),
        Curve(series=0, x=[-2.0, 0.0, 2.0], y=["+", ["*", "w", "x"], "b"],
              trace={"type": "scatter", "mode": "lines", "line": {"color": "#D55E00"}}),
        Subset(series=0, **samples, indices=encode_array(BATCHES, "u2", compress=True),
               trace={"type": "scatter", "mode": "markers",
                      "marker": {"color": "#0072B2", "size": 10}}),
    ]
    axes = {"xaxis": {"range": [-2.5, 2.5]}, "yaxis": {"range": [-2, 2]},
            "margin": {"l": 40, "r": 10, "t": 10, "b": 30}, "showlegend": False}

    def data_panel(panel_id: str, live: str | None) -> Panel:
        return Panel(id=panel_id, layout=axes, height=300, traces=data_traces, live=live)

    return Payload(
        arrays={"sample_x": encode_array(SAMPLE_X), "sample_y": encode_array(SAMPLE_Y),
                "basin_labels": encode_array(labels(shift), "u1", compress=True)},
        panels=[
            Panel(id="basins", height=420, click=True, wide=True,
                  layout={"xaxis": {"range": [-3.2, 3.2]}, "yaxis": {"range": [-1.6, 1.6]},
                          "plot_bgcolor": "#ffffff", "showlegend": False,
                          "margin": {"l": 40, "r": 10, "t": 10, "b": 30}},
                  traces=[
                      ImageLayer(labels={"ref": "basin_labels"}, x0=X0, dx=DX, y0=Y0, dy=DY,
                                 palette=PALETTE,
                                 shade=Shade(steps=encode_array(steps(), "u2", compress=True),
                                             max=MAX_STEPS, strength=SHADE_STRENGTH)),
                      PlotlyTrace(kind="line", trace={
                          "type": "scatter", "mode": "lines", "x": [-3.2, 3.2],
                          "y": [LINE_Y, LINE_Y], "line": {"color": "#000000", "width": 3}}),
                      Head(series=0, map={"x": "x", "y": "y"},
                           trace={"type": "scatter", "mode": "markers"}),
                  ]),
            data_panel("fit_plotly", None),
            data_panel("fit_svg", "svg"),
            Panel(id="loss_svg", height=300, live="svg",
                  layout={"xaxis": {"range": [0, FRAMES - 1]},
                          "yaxis": {"type": "log", "autorange": True},
                          "margin": {"l": 40, "r": 10, "t": 10, "b": 30}, "showlegend": False},
                  traces=[Head(series=0, map={"x": "step", "y": "loss"}, trace={
                      "type": "scatter", "mode": "markers",
                      "marker": {"color": "#000000", "size": 14}})]),
        ],
        series=[series],
        legend=LEGEND,
    )


def main() -> None:
    st.session_state.setdefault("shift", 0)

    def clicked(x: float, y: float, panel: str) -> None:
        st.session_state["click"] = f"click at {x:.2f},{y:.2f} in {panel}"

    def clicked_cell(row: int, col: int, panel: str) -> None:
        st.session_state["cell"] = f"cell {row},{col} in {panel}"

    if st.button("Another map"):
        st.session_state["shift"] += SHIFT
    chart(payload(st.session_state["shift"]), key="kinds", on_click=clicked,
          on_cell=clicked_cell)
    st.text(st.session_state.get("click", "no click yet"))
    st.text(st.session_state.get("cell", "no cell yet"))


if __name__ == "__main__":
    main()
