"""Pure builders: surfaces and runs -> chart payloads for ``ui.chart`` (no Streamlit here).

The descent view has three panels sharing one animation: the contour map (click to add a start,
paths, the current iterate and the downhill direction −∇f there), the 3D "onion" (the surface
with its level rings and the same paths lying on it), and the loss against the step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

import gd_core
from ui.chart import (
    FLOAT_MAX,
    HALF_MAX,
    coordinate_encoding,
    encode_array,
    fit_half_range,
    format_number,
)
from ui.chart_payload import (
    Add,
    Arrow,
    Badge,
    ColorBar,
    Fan,
    FanMark,
    Head,
    Panel,
    Path,
    Payload,
    Phrase,
    PlotlyTrace,
    Readout,
    Series,
)
from ui.runs import LEARNING_RATE_LABEL, FanRuns

#: Okabe–Ito colours (safe for colour-blind viewers), each run also gets its own marker.
PALETTE = ("#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#F0E442")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross", "pentagon")
GLYPHS = ("●", "■", "◆", "▲", "✖", "★", "✚", "⬟")
MAX_RUNS = len(PALETTE)

#: Light terrain: paths in the palette above stay readable on every shade of it.
TERRAIN = [[0.0, "#fbfcfd"], [0.35, "#dfe7ef"], [0.7, "#b3c3d3"], [1.0, "#7f93a8"]]
#: Loss gaps are floored here so a run that lands exactly on the minimum stays on a log axis.
GAP_FLOOR = 1e-12
#: Loss gaps are sent to 12 significant bits (within 0.025 %): the readouts print f to three
#: digits, and float32's range still reaches down to the floor.
GAP_BITS = 12
#: Contour and 3D surface share one copy of the grid (``grid_arrays``) in the payload.
GRID_REFS = {"x": {"ref": "grid_x"}, "y": {"ref": "grid_y"}, "z": {"ref": "grid_z"}}
_ARROW_FRACTION = 0.12
_FLAT_GRADIENT = 1e-6
_ONION_LIFT = 0.01
#: How many boxes away a 3D scene holds a point beyond its box (onion_panel).
_FAR_OFF = 1000
_FONT = {"family": "sans-serif", "size": 12}


@dataclass(frozen=True)
class SurfaceGrid:
    """``z[i, j] = f(xs[j], ys[i])`` over the surface's plotting domain."""

    xs: np.ndarray
    ys: np.ndarray
    z: np.ndarray


def surface_grid(surface: gd_core.Surface, resolution: int = 101) -> SurfaceGrid:
    """Sample a 2D surface on a ``resolution`` x ``resolution`` grid over its domain."""
    (xlo, xhi), (ylo, yhi) = surface.domain
    xs = np.linspace(xlo, xhi, resolution)
    ys = np.linspace(ylo, yhi, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    return SurfaceGrid(xs, ys, surface.value(np.stack([grid_x, grid_y], axis=-1)))


def grid_limit(z: np.ndarray) -> float:
    """The largest |z| a grid sends and draws: float16's range (``HALF_MAX``) when every finite
    value fits in it, else float32's. A loss over prices in the hundreds of thousands is in the
    billions everywhere: clamped to float16's range, its map was one flat colour under a colour
    bar that read 60000 from bottom to top."""
    with np.errstate(invalid="ignore"):
        largest = np.nanmax(np.abs(np.where(np.isfinite(z), z, np.nan))) if z.size else 0.0
    return HALF_MAX if not largest > HALF_MAX else FLOAT_MAX


def grid_arrays(grid: SurfaceGrid) -> dict:
    """The grid as shared payload arrays; z in float16 (float32 when its values need that
    range: ``grid_limit``), compressed (smooth, so it shrinks)."""
    limit = grid_limit(grid.z)
    return {
        "grid_x": encode_array(grid.xs, "f4"),
        "grid_y": encode_array(grid.ys, "f4"),
        # Undefined points (log of a negative, a pole) become NaN, which plotly leaves as gaps;
        # the type turns anything beyond its range into ±inf, which would break the shading.
        "grid_z": encode_array(
            np.clip(np.where(np.isfinite(grid.z), grid.z, np.nan), -limit, limit),
            "f2" if limit == HALF_MAX else "f4", compress=True,
        ),
    }


def reference_value(surface: gd_core.Surface) -> float:
    """f at the global minimum (0 when none is known): the loss chart's log baseline."""
    if not surface.minima:
        return 0.0
    return float(min(surface.value(point) for point in surface.minima))


def exit_points(points: np.ndarray, domain) -> np.ndarray:
    """Where each path first leaves the plotted box ``domain``: ``points`` ``(..., frames, 2)``
    -> the same shape, NaN up to the frame the path is first outside (or gone), from there on
    the point where its last step crossed the box's edge (the last point inside when the step
    went to infinity). A path that never leaves, or starts outside, stays NaN."""
    (xlo, xhi), (ylo, yhi) = domain
    low, high = np.array([xlo, ylo]), np.array([xhi, yhi])
    with np.errstate(all="ignore"):
        inside = np.all((points >= low) & (points <= high), axis=-1)
        first_out = np.argmax(~inside, axis=-1)
        leaves = (~inside).any(axis=-1) & (first_out > 0)
        at = np.maximum(first_out, 1)[..., None, None]
        before = np.take_along_axis(points, at - 1, axis=-2)[..., 0, :]
        after = np.take_along_axis(points, at, axis=-2)[..., 0, :]
        travel = after - before
        room = np.where(after > high, high - before, np.where(after < low, low - before, np.inf))
        ratio = room / travel
        fraction = np.min(np.where(np.isfinite(ratio), ratio, np.inf), axis=-1)
        fraction = np.where(np.isfinite(fraction), np.clip(fraction, 0.0, 1.0), 0.0)
        crossing = np.where(np.isfinite(after), before + fraction[..., None] * travel, before)
    frames = np.arange(points.shape[-2])
    shown = leaves[..., None] & (frames >= first_out[..., None])
    return np.where(shown[..., None], crossing[..., None, :], np.nan)


def run_series(
    surface: gd_core.Surface, runs: FanRuns, badges: list[list[Badge]], names: list[str],
    styles: Sequence[RunStyle], *, gradients: bool = True,
) -> list[Series]:
    """One chart series per start: its fan of paths as channels, and a badge per fan member;
    ``names`` and ``styles`` one per start.

    Channels (each ``(learning rates, frames)``): ``x``, ``y`` in float16; ``gap`` = f − f* in
    float32 to ``GAP_BITS`` (floored at ``GAP_FLOOR``: loss charts go down to tiny values);
    ``heading`` = the angle of −∇f in float16, the downhill direction the arrow shows;
    ``grad_norm`` = |∇f|
    in float16 for the readouts (3 digits, at half float32's bytes; beyond float16's range a
    runaway's gradient reads "∞"); ``exit_x``, ``exit_y``,
    ``exit_gap``: where the path left the plotted box (``exit_points``, NaN before it did),
    and f − f* there; ``gone`` = 1 once the run has diverged (its points are NaN) and
    ``diverged`` = the step it did (NaN if never), for the readouts. Derived in the browser:
    ``f`` = gap + f*. Without ``gradients`` (no arrows, no |∇f| readout) ``heading`` and
    ``grad_norm`` are left out.
    """
    reference = reference_value(surface)
    coordinates, limit = coordinate_encoding(surface.domain)
    points = fit_half_range(runs.points, limit)
    gap = np.maximum(runs.values - reference, GAP_FLOOR)
    downhill = -runs.gradients
    with np.errstate(invalid="ignore"):
        steepness = np.hypot(downhill[..., 0], downhill[..., 1])
        # At a stationary point the direction is noise: no arrow there.
        flat = steepness < _FLAT_GRADIENT
    heading = np.where(flat, np.nan, np.arctan2(downhill[..., 1], downhill[..., 0]))
    exits = exit_points(runs.points, surface.domain)
    with np.errstate(all="ignore"):
        exit_gap = np.maximum(surface.value(np.nan_to_num(exits)) - reference, GAP_FLOOR)
    exit_gap = np.where(np.isnan(exits[..., 0]), np.nan, exit_gap)
    diverged_at = runs.diverged_at
    series = []
    for start, (name, style) in enumerate(zip(names, styles, strict=True)):
        slopes = {
            "heading": encode_array(heading[:, start], "f2", compress=True),
            "grad_norm": encode_array(steepness[:, start], "f2", compress=True),
        } if gradients else {}
        series.append(Series(
            name=name,
            color=style.color,
            glyph=style.glyph,
            channels={
                "x": encode_array(points[:, start, :, 0], coordinates, compress=True),
                "y": encode_array(points[:, start, :, 1], coordinates, compress=True),
                "gap": encode_array(gap[:, start], "f4", compress=True,
                                    significant_bits=GAP_BITS),
                **slopes,
                "exit_x": encode_array(exits[:, start, :, 0], coordinates, compress=True),
                "exit_y": encode_array(exits[:, start, :, 1], coordinates, compress=True),
                "exit_gap": encode_array(exit_gap[:, start], "f4", compress=True,
                                         significant_bits=GAP_BITS),
                "gone": encode_array(~np.isfinite(runs.points[:, start, :, 0]), "u1",
                                     compress=True),
                "diverged": encode_array(np.broadcast_to(
                    np.where(diverged_at[:, start, None] >= 0, diverged_at[:, start, None],
                             np.nan), gap[:, start].shape), "f2", compress=True),
            },
            derived={"f": Add(of="gap", value=reference)},
            badges=badges[start],
        ))
    return series


@dataclass(frozen=True)
class RunStyle:
    """How a run is drawn in every panel: its colour, marker symbol (plotly's name), the same
    marker as a text glyph, and its line's dash (plotly's name)."""

    color: str
    symbol: str
    glyph: str
    dash: str = "solid"


def run_style(run: int) -> RunStyle:
    """The style of the start point with this index (solid lines: starts differ by colour and
    marker)."""
    return RunStyle(PALETTE[run % MAX_RUNS], SYMBOLS[run % MAX_RUNS], GLYPHS[run % MAX_RUNS])


def _line(style: RunStyle, width: float) -> dict:
    line = {"color": style.color, "width": width}
    if style.dash != "solid":
        line["dash"] = style.dash
    return line


def shading_scale(grid: SurfaceGrid, ticks: int = 4) -> ColorBar:
    """The contour's colour bar: the shading is log(1 + f − min f) (chart.js
    ``log1p_above_min``), so its ticks sit at even steps of that and are labelled with f."""
    finite = np.minimum(grid.z[np.isfinite(grid.z)], grid_limit(grid.z))
    low = float(finite.min()) if finite.size else 0.0
    top = float(np.log1p(finite.max() - low)) if finite.size else 0.0
    values = [low + float(np.expm1(shade)) for shade in np.linspace(0.0, top, ticks)]
    # Three significant digits, more while two labels would read the same: a loss in the
    # billions rises by thousands over the bar's first third (4.58242e8, then 4.58249e8).
    for digits in range(3, 10):
        labels = [format_number(value, digits) for value in values]
        if len(set(labels)) == len(set(values)):
            break
    labels[0] += " low"
    labels[-1] += " high"
    heights = np.linspace(0.0, 1.0, ticks)
    return ColorBar(title="f (light = low)", colors=[(float(at), color) for at, color in TERRAIN],
                    ticks=list(zip(heights.tolist(), labels, strict=True)))


#: The colour bar's room in the right margin, in px: a gap, the bar, a gap, its labels (11 px
#: text: at most this much a character) and its title. Kept in step with chart.css.
_BAR_PX = {"gap": 8, "bar": 10, "label_gap": 4, "char": 6.6, "title": 20}


def colorbar_margin(bar: ColorBar) -> int:
    """The right margin a panel leaves for ``bar``."""
    longest = max((len(text) for _, text in bar.ticks), default=0)
    return round(_BAR_PX["gap"] + _BAR_PX["bar"] + _BAR_PX["label_gap"]
                 + longest * _BAR_PX["char"] + _BAR_PX["title"])


#: The key to the marks on the contour map and the 3D view, a line of text under the chart.
MARKS_KEY = ("○ where a run starts · ● where it is at this step · ┈➤ −∇f, the downhill "
             "direction there · □ where a run left the map · × a known minimum")
#: Paths in the 3D view are drawn over the surface, faint where it hides them (onion_panel).
HIDDEN_IN_3D = "faint in 3D: behind the surface"


def key_with_3d(key: str, show_3d: bool) -> str:
    """A page's key to its marks, with what faint means in the 3D view when it is shown."""
    return f"{key} · {HIDDEN_IN_3D}" if show_3d else key


def contour_panel(surface: gd_core.Surface, grid: SurfaceGrid, styles: Sequence[RunStyle], *,
                  title: str = "Contour map — click to add a start point",
                  arrows: bool = True, names: tuple[str, str] = ("x", "y")) -> Panel:
    """The contour map: shaded levels (with a colour bar), known minima, and per run (one per
    style) a trail, head and (with ``arrows``) the downhill arrow, then its start and where it
    left the map. ``names``: the two coordinates' names, on the axes and in the hover text."""
    (xlo, xhi), (ylo, yhi) = surface.domain
    traces = [
        PlotlyTrace(kind="contour", transform={"z": "log1p_above_min"}, trace={
            "type": "contour", **GRID_REFS,
            # 20 levels: enough to read the terrain, and few enough that plotly computes a new
            # surface's contours quickly even on Rastrigin's many dips.
            "colorscale": TERRAIN, "showscale": False, "ncontours": 20,
            "contours": {"coloring": "fill", "showlines": True},
            "line": {"color": "rgba(60, 72, 88, 0.35)", "width": 0.6},
            "hovertemplate": f"{names[0]} = %{{x:.3f}}<br>{names[1]} = %{{y:.3f}}"
                             "<extra>click to start here</extra>",
        }),
    ]
    if surface.minima:
        minima = np.asarray(surface.minima)
        traces.append(PlotlyTrace(kind="marker", trace={
            "type": "scatter", "mode": "markers", "x": minima[:, 0].tolist(),
            "y": minima[:, 1].tolist(), "hoverinfo": "skip",
            "marker": {"symbol": "x-thin", "size": 9, "line": {"width": 2, "color": "#3c4858"}},
        }))
    arrow_length = _ARROW_FRACTION * max(xhi - xlo, yhi - ylo)
    for run, style in enumerate(styles):
        color, symbol = style.color, style.symbol
        where = {"series": run, "map": {"x": "x", "y": "y"}}
        traces += [
            Path(**where, trace={
                "type": "scatter", "mode": "lines+markers", "hoverinfo": "skip",
                "line": _line(style, 2), "marker": {"color": color, "size": 4},
            }),
            *([Arrow(**where, angle="heading", normalize=arrow_length, trace={
                "type": "scatter", "mode": "lines+markers", "hoverinfo": "skip",
                "line": {"color": color, "width": 2, "dash": "dot"},
                "marker": {"color": color, "size": [0, 11], "symbol": "arrow",
                           "angleref": "previous"},
            })] if arrows else []),
            Head(**where, trace={
                "type": "scatter", "mode": "markers", "hoverinfo": "skip",
                "marker": {"color": color, "size": 13, "symbol": symbol,
                           "line": {"color": "white", "width": 1.5}},
            }),
        ]
    # After every run's path (the first three traces per run keep their places).
    for run, style in enumerate(styles):
        color = style.color
        traces += [
            Head(series=run, map={"x": "x", "y": "y"}, frame=0, trace={
                "type": "scatter", "mode": "markers", "hoverinfo": "skip",
                "marker": {"color": color, "opacity": 0, "size": 15, "symbol": "circle",
                           "line": {"color": color, "width": 2.5}},
            }),
            Head(series=run, map={"x": "exit_x", "y": "exit_y"}, trace={
                "type": "scatter", "mode": "markers", "hoverinfo": "skip",
                "marker": {"color": color, "opacity": 0, "size": 15, "symbol": "square",
                           "line": {"color": color, "width": 2.5}},
            }),
        ]
    bar = shading_scale(grid)
    layout = {
        "uirevision": surface.name,
        "margin": {"l": 44, "r": colorbar_margin(bar), "t": 36, "b": 40},
        "title": {"text": title, "font": {"size": 14}, "x": 0.02, "xanchor": "left"},
        "xaxis": {"range": [xlo, xhi], "title": {"text": names[0]}, "constrain": "domain",
                  "zeroline": False},
        "yaxis": {"range": [ylo, yhi], "title": {"text": names[1]}, "scaleanchor": "x",
                  "constrain": "domain", "zeroline": False},
        "showlegend": False, "hovermode": "closest", "font": _FONT,
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
    }
    return Panel(id="contour", layout=layout, height=460, click=True, live="svg", traces=traces,
                 colorbar=bar)


def onion_panel(surface: gd_core.Surface, grid: SurfaceGrid, styles: Sequence[RunStyle]) -> Panel:
    """The 3D surface with level rings, and per run (one per style) its path lying just above
    the surface."""
    finite = np.minimum(grid.z[np.isfinite(grid.z)], grid_limit(grid.z))
    low, high = float(finite.min()), float(finite.max())
    lift = _ONION_LIFT * (high - low)
    # Meshing the surface is most of a 3D panel's first draw (slow in software GL): every
    # other grid point is drawn where that mesh stays within the lift of f, so no path sinks
    # under it. (Paths moving on it are SVG over the scene, live "svg": they redraw nothing.)
    stride = 2 if len(grid.xs) % 2 and coarse_mesh_error(grid.z) < lift else 1
    traces = [PlotlyTrace(kind="surface", stride=stride, trace={
        "type": "surface", **GRID_REFS, "colorscale": TERRAIN,
        "showscale": False, "opacity": 0.95, "hoverinfo": "skip",
        "contours": {"z": {"show": True, "usecolormap": False, "color": "rgba(60,72,88,0.45)",
                           "width": 1, "start": low, "end": high, "size": (high - low) / 20}},
    })]
    (xlo, xhi), (ylo, yhi) = surface.domain
    # The surface's own box: an escaping path leaves it (plotly clips it at the box) instead
    # of stretching the f axis to its last value and flattening the surface.
    span = (high - low) or 1.0
    zlo, zhi = low - 0.02 * span, high + 2 * lift + 0.02 * span
    offset = {"z": reference_value(surface) + lift}
    # A runaway's last point can be at f = 1e34: a scene given that projects nothing right.
    # Held a thousand boxes away, the path still leaves the box the way it went.
    clamp = {axis: (lo - _FAR_OFF * (hi - lo), hi + _FAR_OFF * (hi - lo))
             for axis, (lo, hi) in zip("xyz", ((xlo, xhi), (ylo, yhi), (zlo, zhi)), strict=True)}
    for run, style in enumerate(styles):
        color, symbol = style.color, style.symbol
        where = {"series": run, "map": {"x": "x", "y": "y", "z": "gap"}, "offset": offset,
                 "clamp": clamp}
        # Drawn by the chart as SVG over the scene (live "svg"), in the contour map's symbols.
        traces += [
            Path(**where, trace={"mode": "lines", "line": _line(style, 3)}),
            Head(**where, trace={
                "mode": "markers",
                "marker": {"color": color, "size": 10, "symbol": symbol,
                           "line": {"color": "white", "width": 1.5}},
            }),
            Head(**where, frame=0, trace={
                "mode": "markers",
                "marker": {"color": color, "opacity": 0, "size": 11, "symbol": "circle",
                           "line": {"color": color, "width": 2}},
            }),
            Head(series=run, map={"x": "exit_x", "y": "exit_y", "z": "exit_gap"},
                 offset=offset, clamp=clamp, trace={
                     "mode": "markers",
                     "marker": {"color": color, "opacity": 0, "size": 11, "symbol": "square",
                                "line": {"color": color, "width": 2}},
                 }),
        ]
    layout = {
        "uirevision": surface.name,
        "margin": {"l": 0, "r": 0, "t": 36, "b": 0},
        "title": {"text": "3D surface — drag to turn", "font": {"size": 14},
                  "x": 0.02, "xanchor": "left"},
        "scene": {
            "xaxis": {"title": {"text": "x"}, "range": [xlo, xhi]},
            "yaxis": {"title": {"text": "y"}, "range": [ylo, yhi]},
            "zaxis": {"title": {"text": "f"}, "range": [zlo, zhi]},
            "aspectmode": "manual", "aspectratio": {"x": 1, "y": 1, "z": 0.7},
            "camera": {"eye": {"x": 1.5, "y": -1.5, "z": 1.1}},
        },
        "showlegend": False, "font": _FONT, "paper_bgcolor": "rgba(0,0,0,0)",
    }
    return Panel(id="onion", layout=layout, height=460, live="svg", traces=traces)


def coarse_mesh_error(z: np.ndarray) -> float:
    """How far every other point of the grid ``z`` is from the mesh of the remaining ones
    (midway along x, along y and across a cell), at most; NaN (undefined) points are ignored."""
    with np.errstate(all="ignore"):  # undefined points: NaN or infinite differences
        z = np.minimum(z, grid_limit(z))
        gaps = [
            z[::2, 1::2] - (z[::2, :-1:2] + z[::2, 2::2]) / 2,
            z[1::2, ::2] - (z[:-1:2, ::2] + z[2::2, ::2]) / 2,
            z[1::2, 1::2] - (z[:-1:2, :-1:2] + z[2::2, 2::2]) / 2,
        ]
        errors = [np.nanmax(np.abs(gap)) if np.isfinite(gap).any() else 0.0 for gap in gaps]
    return float(max(errors))


def loss_panel(surface: gd_core.Surface, steps: int, log: bool, styles: Sequence[RunStyle],
               names: Sequence[str] = (), *, live: Literal["svg"] | None = None,
               starts=None) -> Panel:
    """Loss against step, per run (one per style): the whole curve faint, the part played so
    far bold, the iterate.

    The runs with a name in ``names`` (the first ones; the others are spares, drawn empty) are
    in the plot's legend, each by its colour, marker and name. ``live="svg"`` draws the runs as
    SVG (many runs animate smoothly), without the plot's legend or hover: for a chart whose
    legend names the runs. With ``starts`` (the runs' start points, ``(n, dim)``) the y range
    ends a decade above the highest start's f − f* (log) or as far again above it (linear): a
    run that climbs higher than it began leaves at the top instead of flattening the others.
    """
    if live == "svg" and names:
        raise ValueError("an SVG loss panel has no legend to name its runs in")
    offset = {} if log else {"y": reference_value(surface)}
    traces = []
    for run, style in enumerate(styles):
        color, symbol = style.color, style.symbol
        where = {"series": run, "map": {"x": "step", "y": "gap"}, "offset": offset}
        traces += [
            Path(**where, frames="all", trace={
                "type": "scatter", "mode": "lines", "hoverinfo": "skip", "opacity": 0.3,
                "line": _line(style, 1.5), "showlegend": False,
            }),
            Path(**where, trace={
                "type": "scatter", "mode": "lines", "line": _line(style, 2.5),
                "showlegend": False,
                "hovertemplate": "step %{x}<br>%{y:.4g}<extra></extra>",
            }),
            Head(**where, trace={
                "type": "scatter", "mode": "markers", "hoverinfo": "skip",
                "name": names[run] if run < len(names) else f"start {run + 1}",
                "showlegend": run < len(names),
                "marker": {"color": color, "size": 10, "symbol": symbol,
                           "line": {"color": "white", "width": 1}},
            }),
        ]
    ytitle = "f(θ) − f*  (log scale)" if log else "f(θ)"
    layout = step_layout(f"{surface.name}|{log}", "Loss at each step", ytitle, log, steps)
    if starts is not None:
        reference = reference_value(surface)
        with np.errstate(all="ignore"):
            gap = np.nanmax(surface.value(np.asarray(starts, dtype=float)) - reference,
                            initial=GAP_FLOOR)
        top = 10 * gap if log else reference + 2 * gap
        if np.isfinite(top):
            layout["yaxis"]["autorangeoptions"] = {"maxallowed": float(top)}
    return Panel(id="loss", layout=layout, height=284, wide=True, live=live, traces=traces)


def step_layout(revision: str, title: str, ytitle: str, log: bool, steps: int) -> dict:
    """The layout of a chart against the step (the loss, an optimizer's state): steps along x,
    ``ytitle`` up y (a log axis with ``log``), a legend under the step axis."""
    return {
        "uirevision": revision,
        "margin": {"l": 60, "r": 12, "t": 36, "b": 64},
        "title": {"text": title, "font": {"size": 14}, "x": 0.02, "xanchor": "left"},
        "xaxis": {"title": {"text": "step"}, "range": [0, max(steps, 1)], "zeroline": False},
        "yaxis": {"title": {"text": ytitle}, "type": "log" if log else "linear",
                  "autorange": True, "exponentformat": "power" if log else "B"},
        "showlegend": True, "hovermode": "closest", "font": _FONT,
        # At the bottom, under the step axis: the plot's toolbar takes the top right.
        "legend": {"orientation": "h", "x": 1, "xanchor": "right", "yref": "container",
                   "y": 0, "yanchor": "bottom", "itemclick": False, "itemdoubleclick": False,
                   "font": {"size": 11}},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
    }


def fan_spec(lrs, labels: list[str], index: int, marks: list[FanMark] | None = None) -> Fan:
    """The learning-rate slider inside the chart, above its panels: one position per run of
    the fan, labelled as the sidebar's learning-rate slider (the two move together), with
    ``marks`` under it."""
    return Fan(
        label=LEARNING_RATE_LABEL, labels=labels, values=[float(lr) for lr in lrs],
        index=int(index),
        help="The sidebar's learning rate, here above the charts: drag to switch between "
             "the runs at each learning rate live; the sidebar follows when you let go.",
        marks=marks,
    )


def run_readouts(labels: Sequence[str], styles: Sequence[RunStyle], *,
                 key: str = MARKS_KEY, gradients: bool = True) -> list[Readout]:
    """The lines of text under the chart: the ``key`` to the marks, then per run (its glyph and
    label) where its current point is (x, y, f and, with ``gradients``, the gradient's length),
    filled in by the browser."""
    lines = [Readout(series=0, text=key)] if labels else []
    slope = ", |∇f| = {grad_norm}" if gradients else ""
    where = Phrase(channel="gone", options=[
        "x = {x}, y = {y}, f = {f}" + slope,
        "diverged at step {diverged}: step back to watch it escape"])
    return lines + [
        Readout(series=run, text=f"{style.glyph} {label} at step {{step}}: {{where}}",
                phrases={"where": where})
        for run, (label, style) in enumerate(zip(labels, styles, strict=True))
    ]


def descent_series(surface: gd_core.Surface, runs: FanRuns, badges: list[list[Badge]],
                   first: int = 0) -> list[Series]:
    """The descent view's series of ``runs``' starts (``run_series``), named and styled as the
    view's starts ``first``, ``first + 1``, ...: the view's series can be built a start at a
    time, and give the same series as all at once."""
    indices = range(first, first + len(runs.starts))
    names = [f"start {index + 1} {gd_core.format_point(start)}"
             for index, start in zip(indices, runs.starts, strict=True)]
    return run_series(surface, runs, badges, names, [run_style(index) for index in indices])


def descent_payload(
    surface: gd_core.Surface,
    grid: SurfaceGrid,
    runs: FanRuns,
    series: list[Series],
    *,
    lr_labels: list[str],
    lr_index: int,
    log_loss: bool,
    show_3d: bool = True,
) -> Payload:
    """The whole descent view as one chart payload; ``series`` are ``descent_series`` of
    ``runs``."""
    # One spare run's traces, drawn empty: a click that adds a start fills them in the browser
    # (the loss and 3D plots animate the data instead of rebuilding with new traces), and the
    # chart marks the click in the spare run's colour until its run arrives.
    styles = [run_style(run) for run in range(min(len(runs.starts) + 1, MAX_RUNS))]
    named = styles[:len(runs.starts)]
    panels = [contour_panel(surface, grid, styles)]
    if show_3d:
        panels.append(onion_panel(surface, grid, styles))
    panels.append(loss_panel(surface, runs.steps, log_loss, styles,
                             [f"start {run + 1}" for run in range(len(runs.starts))],
                             starts=runs.starts))
    return Payload(
        arrays=grid_arrays(grid),
        panels=panels,
        series=series,
        fan=fan_spec(runs.lrs, lr_labels, lr_index),
        readouts=run_readouts([f"start {run + 1}" for run in range(len(runs.starts))], named,
                              key=key_with_3d(MARKS_KEY, show_3d)),
    )
