"""Baseline for benchmarks/bench_basins_page.py: the basin map drawn with plain st.plotly_chart.

The same surface, grid, optimizers, learning rates (``LEARNING_RATES``), colours and URL
parameters as pages/4_Basins_of_attraction.py, but every change goes through Python, recomputes
the map (no cache) and redraws one st.plotly_chart figure: the labels as a heatmap with the
surface's contour lines and the clicked start's path over it. A click selects the nearest point
of an invisible grid of markers over the map, which moves the start there. Run it with
`streamlit run` from the repository root.
"""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import gd_core
from ui import basins
from ui.payloads import surface_grid
from ui.runs import LEARNING_RATES, format_learning_rate, run_fan

st.set_page_config(page_title="Baseline basins: st.plotly_chart", layout="wide")
TITLES = {name: spec.title for name, spec in gd_core.OPTIMIZERS.items()}
query = st.query_params
if "ready" not in st.session_state:
    st.session_state.ready = True
    st.session_state.surface = query.get("surface", "himmelblau")
    st.session_state.optimizer = query.get("optimizer", "gd")
    st.session_state.momentum = float(query.get("momentum", 0.9))
    st.session_state.lr = float(query.get("lr", 0.01))
    st.session_state.steps = int(query.get("steps", 200))
    st.session_state.start = tuple(float(v) for v in query.get("start", "0,0").split(","))


def move_start() -> None:
    points = st.session_state.basins.selection.points
    if points:
        st.session_state.start = (points[0]["x"], points[0]["y"])


with st.sidebar:
    surface = gd_core.get_surface(st.selectbox(
        "Surface", basins.BASIN_SURFACES, key="surface",
        format_func=lambda n: gd_core.get_surface(n).title))
    optimizer = st.segmented_control("Optimizer", list(TITLES), key="optimizer", required=True,
                                     format_func=TITLES.get, width="stretch")
    hyperparams = {}
    if optimizer in ("momentum", "nesterov"):
        hyperparams["momentum"] = st.slider("Momentum μ", 0.01, 0.99, step=0.01, key="momentum")
    lr = st.select_slider("Learning rate η", LEARNING_RATES, key="lr",
                          format_func=format_learning_rate)
    steps = st.slider("Steps", 10, basins.MAX_STEPS, step=10, key="steps")

made = gd_core.make_optimizer(optimizer, lr=lr, **hyperparams)
found = gd_core.basin_map(surface, made, 200, steps)
minima = len(surface.minima)
labels = basins.image_labels(found, minima)
colors = basins.palette(minima)
# A discrete colour scale: label k is colours[k], flat over its own band.
scale = [[edge, color] for k, color in enumerate(colors)
         for edge in (k / len(colors), (k + 1) / len(colors))]
grid = surface_grid(surface)
start = np.array(st.session_state.start)
path = run_fan(surface, optimizer, hyperparams, start[None], [lr], steps).points[0, 0]
(xlo, xhi), (ylo, yhi) = surface.domain
figure = go.Figure([
    go.Heatmap(x=found.xs, y=found.ys, z=labels, zmin=-0.5, zmax=len(colors) - 0.5,
               colorscale=scale, showscale=False, hoverinfo="skip"),
    go.Contour(x=grid.xs, y=grid.ys, z=np.log1p(grid.z - np.nanmin(grid.z)), ncontours=20,
               contours={"coloring": "none"}, line={"color": "rgba(20,20,20,0.45)"},
               showscale=False, hoverinfo="skip"),
    go.Scatter(x=path[:, 0], y=path[:, 1], mode="lines", line={"color": "white", "width": 2}),
])
# Plotly selects no point of a heatmap: a click lands on the nearest of an invisible 41 x 41
# grid of markers over the map (the last trace), which moves the start there.
picks = np.meshgrid(np.linspace(xlo, xhi, 41), np.linspace(ylo, yhi, 41))
figure.add_trace(go.Scatter(x=picks[0].ravel().round(3), y=picks[1].ravel().round(3),
                            mode="markers", marker={"size": 8, "opacity": 0}, hoverinfo="none",
                            selected={"marker": {"opacity": 0}},
                            unselected={"marker": {"opacity": 0}}))
figure.update_layout(height=520, uirevision=surface.name, showlegend=False,
                     title="Basins of attraction — click to play a start",
                     xaxis={"range": [xlo, xhi]},
                     yaxis={"range": [ylo, yhi], "scaleanchor": "x"})
shares = basins.shares(found, minima)
st.caption(" · ".join(label for label, _ in basins.legend_entries(surface, shares, steps)))
st.plotly_chart(figure, key="basins", on_select=move_start, selection_mode="points")
