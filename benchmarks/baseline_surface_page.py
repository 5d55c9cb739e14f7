"""Baseline for benchmarks/bench_surface_page.py: the same view drawn with plain st.plotly_chart.

Same surface grid, run, controls and URL parameters as pages/2_Descent_on_a_surface.py, but every
change goes through Python and redraws three st.plotly_chart figures; the contour animates with
plotly's own frames (its play button). Run it with `streamlit run` from the repository root.
"""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import gd_core
from ui.payloads import TERRAIN, surface_grid
from ui.runs import LEARNING_RATES, format_learning_rate, run_fan

st.set_page_config(page_title="Baseline: st.plotly_chart", layout="wide")
SURFACES_2D = [name for name, surface in gd_core.SURFACES.items() if surface.dim == 2]
query = st.query_params
if "ready" not in st.session_state:
    st.session_state.ready = True
    st.session_state.surface = query.get("surface", "himmelblau")
    st.session_state.optimizer = query.get("optimizer", "gd")
    st.session_state.lr = float(query.get("lr", 0.01))
    st.session_state.steps = int(query.get("steps", 100))
start = np.array([float(v) for v in query.get("starts", "-4,4").split(",")])

with st.sidebar:
    surface = gd_core.get_surface(st.selectbox(
        "Surface", SURFACES_2D, key="surface", format_func=lambda n: gd_core.get_surface(n).title))
    optimizer = st.segmented_control(
        "Optimizer", list(gd_core.OPTIMIZERS), key="optimizer", required=True,
        format_func=lambda n: gd_core.OPTIMIZERS[n].title, width="stretch")
    lr = st.select_slider("Learning rate η", LEARNING_RATES, key="lr",
                          format_func=format_learning_rate)
    steps = st.slider("Steps", 10, 500, step=10, key="steps")

grid = surface_grid(surface)
runs = run_fan(surface, optimizer, {}, start[None], [lr], steps)
path, values = runs.points[0, 0], runs.values[0, 0]
shade = np.log1p(grid.z - np.nanmin(grid.z))
(xlo, xhi), (ylo, yhi) = surface.domain

contour = go.Figure([
    go.Contour(x=grid.xs, y=grid.ys, z=shade, colorscale=TERRAIN, showscale=False,
               ncontours=20),
    go.Scatter(x=path[:, 0], y=path[:, 1], mode="lines+markers", line={"color": "#D55E00"}),
    go.Scatter(x=path[-1:, 0], y=path[-1:, 1], mode="markers", marker={"size": 13}),
])
contour.frames = [
    go.Frame(data=[go.Scatter(x=path[: k + 1, 0], y=path[: k + 1, 1]),
                   go.Scatter(x=path[k: k + 1, 0], y=path[k: k + 1, 1])], traces=[1, 2],
             name=str(k))
    for k in range(len(path))
]
contour.update_layout(
    height=460, uirevision=surface.name, showlegend=False,
    xaxis={"range": [xlo, xhi]}, yaxis={"range": [ylo, yhi], "scaleanchor": "x"},
    updatemenus=[{"type": "buttons", "buttons": [{
        "label": "Play", "method": "animate",
        "args": [None, {"frame": {"duration": 20, "redraw": False},
                        "transition": {"duration": 0}, "fromcurrent": True}],
    }]}],
)
onion = go.Figure([
    go.Surface(x=grid.xs, y=grid.ys, z=grid.z, colorscale=TERRAIN, showscale=False),
    go.Scatter3d(x=path[:, 0], y=path[:, 1], z=values, mode="lines"),
])
onion.update_layout(height=460, uirevision=surface.name)
loss = go.Figure([go.Scatter(x=np.arange(len(values)), y=values)])
loss.update_layout(height=260)

left, right = st.columns(2)
left.plotly_chart(contour, key="contour")
right.plotly_chart(onion, key="onion")
st.plotly_chart(loss, key="loss")
