"""Baseline for benchmarks/bench_sgd_page.py: the SGD page drawn with plain st.plotly_chart.

The same data (synthetic line or the network's S-curve), model, scaling, three runs (full
batch, minibatch, single sample; ``ui.sgd``) on the same timeline, and the same sidebar controls
as pages/5_SGD_on_real_data.py, but every change goes through Python, recomputes everything (no
cache) and redraws three st.plotly_chart figures: the data with the minibatch run's final fit,
the paths on the loss's contour map, animated with plotly's own frames (its play button), and
the loss against epochs. Run it with `streamlit run` from the repository root.
"""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import gd_core
from ui import sgd
from ui.payloads import GAP_FLOOR, TERRAIN, surface_grid

st.set_page_config(page_title="Baseline SGD: st.plotly_chart", layout="wide")

with st.sidebar:
    source = st.segmented_control("Data", ["line", "network"], default="line", required=True,
                                  format_func=sgd.DATA_SOURCES.get, width="stretch")
    n = st.slider("Samples n", 10, sgd.MAX_N, 200, step=10)
    noise = st.slider("Noise σ", 0.0, 3.0, 1.0 if source == "line" else 0.3, step=0.1)
    seed = int(st.number_input("Data seed", 0, 9999, 0))
    scaling = st.segmented_control("Scaling of x", gd_core.SCALINGS, default="raw",
                                   required=True, width="stretch")
    batch = st.slider("Batch size B", 1, n, min(10, n))
    epochs = st.slider("Epochs", 1, sgd.max_epochs(n), min(20, sgd.max_epochs(n)))
    lr = st.select_slider("Learning rate η", [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2,
                                              0.5, 1.0], value=0.02 if source == "line" else 0.2)

data = sgd.synthetic_data(source, n, 2.0, 1.0, noise, seed)
problem = sgd.make_problem(source, data, scaling)
start = (0.0, 0.0) if source == "line" else (0.235, -0.25)
runs = {kind.key: sgd.run(problem, "gd", {}, lr, start, epochs,
                          sgd.batch_size(kind, n, batch), 0) for kind in sgd.RUN_KINDS}
line = sgd.timeline(runs, n)
paths = {key: runs[key].points[line.rows[key]] for key in runs}
best = sgd.best_loss(problem)
grid = surface_grid(problem.surface)
(wlo, whi), (blo, bhi) = problem.surface.domain

xs = np.linspace(data.x.min(), data.x.max(), 60)
final = runs["minibatch"].points[-1]
if source == "network":
    fit = final[1] * np.tanh(final[0] * xs)
else:
    slope, intercept = problem.line(final)
    fit = slope * xs + intercept
fitted = go.Figure([go.Scatter(x=data.x, y=data.y, mode="markers", name="data",
                               marker={"color": "#8a96a3", "size": 5}),
                    go.Scatter(x=xs, y=fit, mode="lines", name="minibatch fit",
                               line={"color": "#D55E00", "width": 3})])
fitted.update_layout(height=420, title="Data and the minibatch run's fit")


def style(kind: sgd.RunKind) -> dict:
    return {"line": {"color": kind.color, "dash": kind.dash},
            "marker": {"color": kind.color, "symbol": kind.symbol}}


contour = go.Figure([go.Contour(x=grid.xs, y=grid.ys, z=np.log1p(grid.z - np.nanmin(grid.z)),
                                colorscale=TERRAIN, showscale=False, ncontours=20)])
for kind in sgd.RUN_KINDS:
    path = paths[kind.key]
    contour.add_trace(go.Scatter(x=path[:, 0], y=path[:, 1], mode="lines+markers",
                                 name=kind.label, marker_size=4, **style(kind)))
contour.frames = [
    go.Frame(data=[go.Scatter(x=paths[kind.key][: k + 1, 0], y=paths[kind.key][: k + 1, 1])
                   for kind in sgd.RUN_KINDS], traces=[1, 2, 3], name=str(k))
    for k in range(len(line.samples))
]
contour.update_layout(
    height=420, title="Loss J: the three paths",
    xaxis={"range": [wlo, whi]}, yaxis={"range": [blo, bhi], "scaleanchor": "x"},
    updatemenus=[{"type": "buttons", "buttons": [{
        "label": "Play", "method": "animate",
        "args": [None, {"frame": {"duration": 20, "redraw": False},
                        "transition": {"duration": 0}, "fromcurrent": True}],
    }]}],
)
loss = go.Figure([go.Scatter(x=line.epochs, y=np.maximum(runs[kind.key].values[
    line.rows[kind.key]] - best, GAP_FLOOR), mode="lines", name=kind.label,
    line=style(kind)["line"]) for kind in sgd.RUN_KINDS])
loss.update_layout(height=300, title="Loss on all the data", yaxis={"type": "log"},
                   xaxis={"title": "epochs"})

left, right = st.columns(2)
left.plotly_chart(fitted, key="data")
right.plotly_chart(contour, key="contour")
st.plotly_chart(loss, key="loss")
