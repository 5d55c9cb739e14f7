"""Baseline for benchmarks/bench_race_page.py: the race drawn with plain st.plotly_chart.

The same racers, styles, start, learning rates (``RACE_LEARNING_RATES``) and URL parameters as
pages/3_Optimizer_race.py (one learning rate for all, or each at its ``gd_core.tune_lr`` rate),
but every change goes through Python, recomputes every racer (no cache) and redraws two
st.plotly_chart figures: the racers' paths on the contour map, animated with plotly's own frames
(its play button), and their loss lines. A click on the contour map selects the nearest point of
an invisible grid of markers over it, which moves the start there. Run it with `streamlit run`
from the repository root.
"""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import gd_core
from ui.payloads import GAP_FLOOR, TERRAIN, reference_value, surface_grid
from ui.race import MODES, RACER_STYLES
from ui.runs import RACE_LEARNING_RATES, format_learning_rate, run_fan

st.set_page_config(page_title="Baseline race: st.plotly_chart", layout="wide")
SURFACES_2D = [name for name, surface in gd_core.SURFACES.items() if surface.dim == 2]
TITLES = {name: spec.title for name, spec in gd_core.OPTIMIZERS.items()}
query = st.query_params
if "ready" not in st.session_state:
    st.session_state.ready = True
    st.session_state.surface = query.get("surface", "himmelblau")
    st.session_state.racers = [n for n in query.get("racers", ",".join(TITLES)).split(",")
                               if n in TITLES]
    st.session_state.mode = query.get("mode", "shared")
    st.session_state.lr = float(query.get("lr", 0.01))
    st.session_state.steps = int(query.get("steps", 200))
    st.session_state.start = tuple(float(v) for v in query.get("start", "0,0").split(","))


def move_start() -> None:
    points = st.session_state.contour.selection.points
    if points:
        st.session_state.start = (round(points[0]["x"], 3), round(points[0]["y"], 3))


with st.sidebar:
    surface = gd_core.get_surface(st.selectbox(
        "Surface", SURFACES_2D, key="surface", format_func=lambda n: gd_core.get_surface(n).title))
    racers = st.segmented_control("Racers", list(TITLES), selection_mode="multi", key="racers",
                                  format_func=TITLES.get, width="stretch")
    mode = st.segmented_control("Learning rate", list(MODES), key="mode", required=True,
                                format_func=MODES.get, width="stretch")
    if mode == "shared":
        lr = st.select_slider("Learning rate η", RACE_LEARNING_RATES, key="lr",
                              format_func=format_learning_rate)
    steps = st.slider("Steps", 10, 500, step=10, key="steps")

racers = [name for name in TITLES if name in (racers or ())]
start = np.array(st.session_state.start)
grid = surface_grid(surface)
shade = np.log1p(grid.z - np.nanmin(grid.z))
reference = reference_value(surface)
(xlo, xhi), (ylo, yhi) = surface.domain
paths, gaps, rates = [], [], []
for name in racers:
    rate = lr if mode == "shared" else gd_core.tune_lr(surface, name, start, steps)
    runs = run_fan(surface, name, {}, start[None], [rate], steps)
    paths.append(runs.points[0, 0])
    gaps.append(np.maximum(runs.values[0, 0] - reference, GAP_FLOOR))
    rates.append(rate)
labels = [TITLES[name] if mode == "shared" else f"{TITLES[name]} · tuned η = "
          f"{format_learning_rate(rate)}" for name, rate in zip(racers, rates, strict=True)]


def style(name: str) -> dict:
    look = RACER_STYLES[name]
    return {"line": {"color": look.color, "dash": look.dash},
            "marker": {"color": look.color, "symbol": look.symbol}}


contour = go.Figure([go.Contour(x=grid.xs, y=grid.ys, z=shade, colorscale=TERRAIN,
                                showscale=False, ncontours=20)])
for name, label, path in zip(racers, labels, paths, strict=True):
    contour.add_trace(go.Scatter(x=path[:, 0], y=path[:, 1], mode="lines+markers", name=label,
                                 marker_size=4, **style(name)))
for name, path in zip(racers, paths, strict=True):
    contour.add_trace(go.Scatter(x=path[-1:, 0], y=path[-1:, 1], mode="markers",
                                 showlegend=False, marker={**style(name)["marker"], "size": 12}))
# Plotly selects no point of a contour trace: a click lands on the nearest of an invisible
# 41 x 41 grid of markers over the map (the last trace), which moves the start there.
picks = np.meshgrid(np.linspace(xlo, xhi, 41), np.linspace(ylo, yhi, 41))
contour.add_trace(go.Scatter(x=picks[0].ravel().round(3), y=picks[1].ravel().round(3),
                             mode="markers", marker={"size": 8, "opacity": 0}, showlegend=False,
                             hoverinfo="none", selected={"marker": {"opacity": 0}},
                             unselected={"marker": {"opacity": 0}}))
count = len(racers)
contour.frames = [
    go.Frame(data=[go.Scatter(x=path[: k + 1, 0], y=path[: k + 1, 1]) for path in paths]
             + [go.Scatter(x=path[k: k + 1, 0], y=path[k: k + 1, 1]) for path in paths],
             traces=list(range(1, 2 * count + 1)), name=str(k))
    for k in range(steps + 1)
] if count else []
contour.update_layout(
    height=520, uirevision=surface.name,
    title="Contour map — click to move the start",
    xaxis={"range": [xlo, xhi]}, yaxis={"range": [ylo, yhi], "scaleanchor": "x"},
    updatemenus=[{"type": "buttons", "buttons": [{
        "label": "Play", "method": "animate",
        "args": [None, {"frame": {"duration": 20, "redraw": False},
                        "transition": {"duration": 0}, "fromcurrent": True}],
    }]}],
)
loss = go.Figure([go.Scatter(x=np.arange(steps + 1), y=gap, mode="lines", name=label,
                             line=style(name)["line"])
                  for name, label, gap in zip(racers, labels, gaps, strict=True)])
loss.update_layout(height=300, title="Loss at each step", yaxis={"type": "log"},
                   xaxis={"title": "step"})

if not racers:
    st.info("Pick at least one racer in the sidebar.")
st.plotly_chart(contour, key="contour", on_select=move_start, selection_mode="points")
st.plotly_chart(loss, key="loss")
