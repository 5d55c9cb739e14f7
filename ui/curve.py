"""Pure builders of the curve view (no Streamlit here): one start on a 1D function, a fan of
learning rates, and everything "why minus the gradient" needs to show at each step.

The curve panel shows the function, the current point, its tangent (the slope f′(x)), the step
the optimizer takes drawn as an arrow along the x axis (−η·f′(x) for gradient descent), the
trail of earlier points, and the slope's sign logic in words ("the slope is negative, so we move
right"); beside it, f at each step. Everything is computed once per learning rate of the fan, so
the browser scrubs the learning rate and the frames without asking Python.

Every function takes a ``gd_core.Surface`` of dimension 1 — a registered curve or one parsed
from typed text — never a registry name.

Escaped points stay visible: the panel keeps the curve's own window (its domain, widened a
little), points outside it are drawn on its edge, and a line of text says where they really are.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

import gd_core
from ui.chart import coordinate_encoding, encode_array, format_number
from ui.chart_payload import (
    Arrow,
    Badge,
    Clip,
    Derived,
    FanMark,
    Head,
    Panel,
    Path,
    Payload,
    Phrase,
    PlotlyTrace,
    Readout,
    Series,
    Shift,
    Sub,
    Text,
    Where,
)
from ui.payloads import fan_spec
from ui.runs import TONES, FanRuns, format_learning_rate

#: Okabe–Ito colours (vermillion, blue, bluish green): readable for colour-blind viewers.
POINT_COLOR = "#D55E00"
CURVE_COLOR = "#0072B2"
TANGENT_COLOR = "#009E73"
MUTED = "#3c4858"
_FONT = {"family": "sans-serif", "size": 12}

#: How far the window reaches beyond the curve's domain on each side (fraction of its width).
WIDEN = 0.08
#: Below this |f′(x)| a point counts as flat: no direction to speak of.
FLAT_SLOPE = 1e-6
_CURVE_SAMPLES = 400
# Labels keep clear of the point and the dotted line they start from (plotly trims spaces).
_GAP = "\u00a0\u00a0"
#: The current point's marker (its white outline, 2 px, lies around it).
_POINT_SIZE = 15
# A white halo keeps a label readable where it crosses the curve or a grid line.
_HALO = "1px 1px 2px white, -1px -1px 2px white, 1px -1px 2px white, -1px 1px 2px white"
_TANGENT_FRACTION = 0.12
_EDGE_MARGIN = 0.003

# Per frame, why the point moves the way it does (the "why" channel): indexes WHY_PHRASES.
(DOWNHILL_RIGHT, DOWNHILL_LEFT, UPHILL_RIGHT, UPHILL_LEFT, FLAT_STILL, FLAT_RIGHT, FLAT_LEFT,
 LAST_STEP, ESCAPED, GONE) = range(10)
WHY_PHRASES = (
    "the slope is negative (downhill is to the right), so we move right",
    "the slope is positive (downhill is to the left), so we move left",
    "the slope is positive, yet we move right: momentum from earlier steps carries us uphill",
    "the slope is negative, yet we move left: momentum from earlier steps carries us uphill",
    "the slope is zero: a flat spot, so the step is zero",
    "the slope is zero, but momentum still carries us right",
    "the slope is zero, but momentum still carries us left",
    "this is the last step of the run",
    "x has run far away: the run diverged here",
    "the run diverged at step {diverged}: drag the step slider back to watch it escape",
)
# Where the current point is relative to the window (the "out" channel): indexes OFF_PHRASES.
INSIDE, OFF_LEFT, OFF_RIGHT, OFF_ABOVE, OFF_BELOW = range(5)
OFF_PHRASES = (
    "",
    "◀ x = {x} is off the chart to the left: drawn at its edge.",
    "x = {x} is off the chart to the right: drawn at its edge. ▶",
    "▲ f(x) is above the chart here: the point is drawn at its top edge.",
    "▼ f(x) is below the chart here: the point is drawn at its bottom edge.",
)
_ARROW_LABEL_SIDES = {DOWNHILL_RIGHT: "top right", UPHILL_RIGHT: "top right",
                      FLAT_RIGHT: "top right", DOWNHILL_LEFT: "top left",
                      UPHILL_LEFT: "top left", FLAT_LEFT: "top left"}


# --- what to show --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CurveWindow:
    """The region the curve panel shows: ``x`` and ``y`` = f ranges, and the f level of the
    line along which the step arrow is drawn (just above the bottom edge)."""

    x: tuple[float, float]
    y: tuple[float, float]
    axis: float


def curve_window(surface: gd_core.Surface) -> CurveWindow:
    """The curve's domain widened by ``WIDEN`` each side; f from its minimum there (with room
    below for the step arrow) up to nearly its largest value (a pole does not flatten the view)."""
    (lo, hi), = surface.domain
    pad = WIDEN * (hi - lo)
    values = surface.value(np.linspace(lo, hi, _CURVE_SAMPLES + 1)[:, None])
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        bottom, top = -1.0, 1.0
    else:
        bottom, top = float(finite.min()), float(np.quantile(finite, 0.98))
    span = top - bottom if top > bottom else max(1.0, abs(top))
    y = (bottom - 0.3 * span, top + 0.1 * span)
    return CurveWindow((lo - pad, hi + pad), y, y[0] + 0.09 * (y[1] - y[0]))


def heading_minimum(surface: gd_core.Surface, start: float) -> np.ndarray | None:
    """The known minimum that sliding downhill from ``start`` reaches (small steps): the
    nearest one in the downhill direction, else the nearest one; None if none is known."""
    if not surface.minima:
        return None
    minima = np.array([float(point[0]) for point in surface.minima])
    slope = float(surface.gradient(np.array([start]))[0])
    ahead = minima[(minima - start) * -slope > 0] if abs(slope) > FLAT_SLOPE else minima
    pool = ahead if ahead.size else minima
    return np.array([pool[np.argmin(np.abs(pool - start))]])


@dataclass(frozen=True)
class CriticalRate:
    """The learning rate above which the optimizer overshoots ever more near a minimum."""

    value: float
    label: str  # "2/f″ = 0.167"
    help: str  # "the critical learning rate at the minimum x* = 1: below it ..."


def critical_rate(
    surface: gd_core.Surface, minimum: np.ndarray | None, optimizer: str, hyperparams: dict
) -> CriticalRate | None:
    """The stability edge at ``minimum`` (``gd_core.critical_learning_rate``): 2/f″(x*) for
    gradient descent (exact for a parabola, the local value otherwise), 2(1 + μ)/f″ with
    momentum, 2(1 + μ)/((1 + 2μ) f″) with Nesterov. Adaptive optimizers rescale their steps, so
    for them the plain gradient-descent value is given as a reference."""
    if minimum is None:
        return None
    theory = optimizer in gd_core.CRITICAL_RATE_OPTIMIZERS
    value = gd_core.critical_learning_rate(
        surface, minimum, optimizer if theory else "gd",
        momentum=float(hyperparams.get("momentum", 0.0)),
    )
    if not math.isfinite(value):
        return None
    (x,) = gd_core.without_round_off(minimum)
    where = f"x* = {format_number(x)}"
    formula = {"momentum": "2(1+μ)/f″", "nesterov": "2(1+μ)/((1+2μ)f″)"}.get(optimizer, "2/f″")
    label = f"{formula} = {format_number(value)}"
    if theory:
        helptext = (f"the critical learning rate at the minimum {where}: below it the steps "
                    "shrink towards the minimum, above it every step overshoots further "
                    "(diverging).")
    else:
        label += " (plain GD)"
        helptext = (f"plain gradient descent's critical learning rate at {where}. This "
                    "optimizer rescales its steps, so it has no fixed limit of its own.")
    return CriticalRate(value, label, helptext)


def fan_position(rates, value: float) -> float | None:
    """Where ``value`` falls among the increasing ``rates``, as a fractional index (log scale);
    None outside them."""
    logs = np.log10(np.asarray(rates, dtype=float))
    if not rates[0] <= value <= rates[-1]:
        return None
    return float(np.interp(math.log10(value), logs, np.arange(len(logs))))


def regimes(surface: gd_core.Surface, runs: FanRuns) -> list[tuple[str, gd_core.Outcome]]:
    """Per learning rate of the fan (first start only): ``gd_core.regime`` in words, and the
    outcome behind it."""
    batch = gd_core.Trajectory(
        np.moveaxis(runs.points[:, 0], 1, 0), np.moveaxis(runs.values[:, 0], 1, 0),
        runs.diverged_at[:, 0], runs.stop_code[:, 0],
    )
    return [(gd_core.regime_of(surface, result), result)
            for result in gd_core.outcomes(surface, batch)]


def badge_text(regime: str, result: gd_core.Outcome) -> str:
    """The badge of one run: its regime, then how it ended ("diverged at step 14: ..."); the
    regime's words never repeat the message's (``gd_core.regime``)."""
    return f"{regime} · {result.message}"


# --- channels ------------------------------------------------------------------------------------


def curve_channels(runs: FanRuns, window: CurveWindow) -> dict[str, np.ndarray]:
    """Per learning rate and frame (``(members, frames)`` arrays) what the browser is sent.

    ``x``, ``f`` and ``slope`` = f′(x); the codes ``why`` (an index into WHY_PHRASES), ``out``
    (OFF_PHRASES: where the point is relative to the window) and ``side`` (where the slope
    label goes: an index into SLOPE_LABEL_SIDES); ``diverged`` (the step, NaN if never). The
    browser derives the rest (``derived``).
    """
    x = runs.points[:, 0, :, 0]
    f = runs.values[:, 0]
    slope = runs.gradients[:, 0, :, 0]
    members, frames = x.shape
    (xlo, xhi), (ylo, yhi) = window.x, window.y
    with np.errstate(invalid="ignore"):
        move = np.concatenate([x[:, 1:], np.full((members, 1), np.nan)], axis=1) - x
        out = np.select([x < xlo, x > xhi, f > yhi, f < ylo],
                        [OFF_LEFT, OFF_RIGHT, OFF_ABOVE, OFF_BELOW], INSIDE)
        flat = np.abs(slope) < FLAT_SLOPE
        moving = np.abs(move) > 1e-12 * max(1.0, xhi - xlo)
        right, left = moving & (move > 0), moving & (move < 0)
        why = np.select(
            [~np.isfinite(x), ~np.isfinite(move), flat & right, flat & left, flat,
             (slope < 0) & right, (slope > 0) & left, (slope > 0) & right, (slope < 0) & left],
            [GONE, LAST_STEP, FLAT_RIGHT, FLAT_LEFT, FLAT_STILL,
             DOWNHILL_RIGHT, DOWNHILL_LEFT, UPHILL_RIGHT, UPHILL_LEFT],
            FLAT_STILL,
        )
    diverged_at = runs.diverged_at[:, 0]
    why = np.where(np.arange(frames)[None, :] == diverged_at[:, None], ESCAPED, why)
    diverged = np.where(diverged_at >= 0, diverged_at, np.nan)
    return {
        "x": x, "f": f, "slope": slope,
        "why": why.astype(np.uint8), "out": out.astype(np.uint8),
        "side": _slope_label_side(x, slope, window),
        "diverged": np.broadcast_to(diverged[:, None], (members, frames)),
    }


#: Where the slope label goes, beside the point (``curve_channels``' ``side``).
SLOPE_LABEL_SIDES = ("bottom left", "bottom right", "top right", "top left")
#: A label on the side the window ends within this fraction of its width is turned to the
#: other side: there it would be cut off by the plot's edge.
_LABEL_ROOM = 0.3


def _slope_label_side(x: np.ndarray, slope: np.ndarray, window: CurveWindow) -> np.ndarray:
    """Below the point, on the side where the tangent rises: clear of the tangent and of a
    convex curve (above its tangent); level with the point, a flat tangent near a minimum would
    strike the label through ("slope−0.1"). Near the window's edge on that side: above the
    point on the other side, where tangent and curve both fall away from it."""
    (xlo, xhi) = window.x
    room = _LABEL_ROOM * (xhi - xlo)
    rising = slope >= 0
    with np.errstate(invalid="ignore"):
        turned = np.where(rising, x > xhi - room, x < xlo + room)
    side = SLOPE_LABEL_SIDES.index
    return np.select([turned & rising, turned, rising],
                     [side("top left"), side("top right"), side("bottom right")],
                     side("bottom left")).astype(np.uint8)


def derived(window: CurveWindow) -> dict[str, Derived]:
    """Channels the browser computes from the ones sent:
    ``next`` = x at the next frame, ``move`` = next − x, ``xv``/``fv``/``xn`` = x, f and next
    clamped into the window (where they are drawn), ``reach`` = the drawn step, ``tangent`` =
    the slope while the point is inside the window (else no tangent)."""
    # Clamped a hair inside the axis ranges: plotly hides a point even a float32 rounding
    # beyond its axis range, and an escaped point must stay visible on the edge.
    x_edges, y_edges = _inside(window.x), _inside(window.y)
    return {
        "next": Shift(of="x"),
        "move": Sub(of=["next", "x"]),
        "xv": Clip(of="x", range=x_edges),
        "fv": Clip(of="f", range=y_edges),
        "xn": Clip(of="next", range=x_edges),
        "reach": Sub(of=["xn", "xv"]),
        "tangent": Where(of="slope", if_="out", equals=INSIDE),
    }


def _inside(bounds: tuple[float, float]) -> list[float]:
    low, high = bounds
    margin = _EDGE_MARGIN * (high - low)
    return [low + margin, high - margin]


_CHANNEL_TYPES = {"side": "u1", "why": "u1", "out": "u1"}


def encode_channels(channels: dict[str, np.ndarray], window: CurveWindow) -> dict[str, dict]:
    """Channels as payload arrays: x and the slope in float32 (the readouts print 3 digits of
    them, and of huge values), f (drawn only) in float16 while the window's f axis lies well
    within its range, else float32 (``coordinate_encoding``: x⁸ over −5 … 5 reaches 3.9e5, and
    its points above 6e4 were drawn off the curve), codes as bytes."""
    f_type, f_limit = coordinate_encoding([window.y])
    encoded = {}
    for name, values in channels.items():
        dtype = f_type if name == "f" else _CHANNEL_TYPES.get(name, "f4")
        if name == "f":
            values = np.clip(values, -f_limit, f_limit)
        encoded[name] = encode_array(values, dtype, compress=True)
    return encoded


# --- text ----------------------------------------------------------------------------------------


def update_rule(optimizer: str) -> str:
    """The optimizer's update rule in LaTeX, written for one variable x and its slope f′(x),
    one equation per line (a phone is narrow)."""
    if optimizer == "gd":
        return r"x_{k+1} = x_k - \eta\, f'(x_k)"
    rule = gd_core.OPTIMIZERS[optimizer].update_rule
    rule = rule.replace(r"\nabla f(\theta_{t-1})", r"f'(x_{t-1})").replace(r"\theta", "x")
    if "g_t" in rule:
        rule = r"g_t = f'(x_{t-1}),\quad " + rule
    lines = [line.strip() for line in re.split(r",\\quad|,\\ ", rule)]
    return r"\begin{aligned}" + r" \\ ".join(
        line.replace("=", "&=", 1) for line in lines) + r"\end{aligned}"


def readouts(optimizer: str, optimizer_title: str) -> list[Readout]:
    """The lines of text under the chart, filled in by the browser at each frame."""
    phrases = {
        "where": Phrase(channel="why", options=[
            f"{phrase}." if code == GONE else f"x = {{x}}, slope f′(x) = {{slope}}: {phrase}."
            for code, phrase in enumerate(WHY_PHRASES)]),
        "off": Phrase(channel="out", options=list(OFF_PHRASES)),
    }
    moving = (DOWNHILL_RIGHT, DOWNHILL_LEFT, UPHILL_RIGHT, UPHILL_LEFT, FLAT_STILL, FLAT_RIGHT,
              FLAT_LEFT)
    if optimizer == "gd":
        rule = "The step: x ← x − η·f′(x) = {x} − {fan} × ({slope}) = {next}."
    else:
        rule = f"The {optimizer_title} step: {{move}}, so x ← {{next}}."
    phrases["rule"] = Phrase(channel="why", options=[
        rule if code in moving else "" for code in range(len(WHY_PHRASES))])
    return [
        Readout(series=0, text="Step {step}: {where}", phrases=phrases),
        Readout(series=0, text="{rule}", phrases=phrases),
        Readout(series=0, text="{off}", phrases=phrases),
    ]


def first_step(runs: FanRuns, member: int, optimizer: str) -> str:
    """The first update with its numbers, as LaTeX (x₁ = x₀ − η f′(x₀) = ... for gradient
    descent)."""
    x0, x1 = runs.points[member, 0, 0, 0], runs.points[member, 0, 1, 0] if runs.steps else np.nan
    slope = runs.gradients[member, 0, 0, 0]
    lr = format_learning_rate(float(runs.lrs[member]))

    def tex(value: float) -> str:
        return format_number(float(value)).replace("−", "-").replace("∞", r"\infty")

    if optimizer == "gd":
        return (rf"\begin{{aligned}} x_1 &= x_0 - \eta\, f'(x_0) \\ "
                rf"&= {tex(x0)} - {lr} \times ({tex(slope)}) = {tex(x1)} \end{{aligned}}")
    return (rf"\begin{{aligned}} x_0 &= {tex(x0)},\quad f'(x_0) = {tex(slope)} \\ "
            rf"x_1 &= {tex(x1)} \end{{aligned}}")


# --- the payload ---------------------------------------------------------------------------------


def curve_panel(surface: gd_core.Surface, window: CurveWindow, optimizer: str, *,
                height: int = 400, click: bool = True) -> Panel:
    """The curve with its minima; the trail, point, tangent, step arrow and their labels."""
    (xlo, xhi), (ylo, yhi) = window.x, window.y
    xs = np.linspace(xlo, xhi, _CURVE_SAMPLES + 1)
    with np.errstate(all="ignore"):
        # Far above the window is as good as infinite for drawing, and fits float32.
        fs = np.clip(surface.value(xs[:, None]), ylo - 10 * (yhi - ylo), yhi + 10 * (yhi - ylo))
    traces = [PlotlyTrace(kind="line", trace={
        "type": "scatter", "mode": "lines", "x": encode_array(xs), "y": encode_array(fs),
        "line": {"color": CURVE_COLOR, "width": 2.5}, "name": "f(x)",
        "hovertemplate": "x = %{x:.3f}<br>f(x) = %{y:.4g}<extra>click to start here</extra>"
        if click else "x = %{x:.3f}<br>f(x) = %{y:.4g}<extra></extra>",
    })]
    if surface.minima:
        minima = np.array([float(point[0]) for point in surface.minima])
        names = ["global minimum" if is_global else "local minimum"
                 for is_global in gd_core.global_minima(surface)]
        traces.append(PlotlyTrace(kind="marker", trace={
            "type": "scatter", "mode": "markers", "x": minima.tolist(),
            "y": surface.value(minima[:, None]).tolist(), "text": names,
            "hovertemplate": "%{text}<br>x* = %{x:.4f}<extra></extra>",
            "marker": {"symbol": "x-thin", "size": 10, "line": {"width": 2, "color": MUTED}},
        }))
    at_point = {"series": 0, "map": {"x": "xv", "y": "fv"}}
    on_axis = {"series": 0, "map": {"x": "xv", "y": window.axis}}
    step_name = "−η·f′(x)" if optimizer == "gd" else "step"
    traces += [
        # The whole run, faint (where this learning rate leads), and the trail so far.
        Path(**at_point, frames="all", trace={
            "type": "scatter", "mode": "markers", "hoverinfo": "skip", "cliponaxis": False,
            "marker": {"color": POINT_COLOR, "size": 6, "opacity": 0.2},
        }),
        Path(**at_point, trace={
            "type": "scatter", "mode": "lines+markers", "hoverinfo": "skip", "cliponaxis": False,
            "line": {"color": POINT_COLOR, "width": 1, "dash": "dot"},
            "marker": {"color": POINT_COLOR, "size": 7, "opacity": 0.6},
        }),
        # From the point straight down past the bottom edge: where x is on the step's line.
        Arrow(**at_point, direction={"x": 0, "y": -1}, scale=2 * (yhi - ylo), trace={
            "type": "scatter", "mode": "lines", "hoverinfo": "skip",
            "line": {"color": MUTED, "width": 1, "dash": "dot"},
        }),
        Arrow(**at_point, direction={"x": 1, "y": "tangent"}, span=[-1, 1],
              scale=_TANGENT_FRACTION * (xhi - xlo), trace={
                  "type": "scatter", "mode": "lines", "hoverinfo": "skip",
                  "line": {"color": TANGENT_COLOR, "width": 2.5},
              }),
        Arrow(**on_axis, direction={"x": "reach", "y": 0}, trace={
            "type": "scatter", "mode": "lines+markers", "hoverinfo": "skip",
            "line": {"color": POINT_COLOR, "width": 3},
            "marker": {"color": POINT_COLOR, "size": [0, 14], "symbol": "arrow",
                       "angleref": "previous"},
        }),
        Head(**at_point, trace={
            "type": "scatter", "mode": "markers", "hoverinfo": "skip", "cliponaxis": False,
            "marker": {"color": POINT_COLOR, "size": _POINT_SIZE,
                       "line": {"color": "white", "width": 2}},
        }),
        # Beside the point, where neither the tangent nor the curve runs (_slope_label_side).
        Text(**at_point, text="{label}",
             phrases={"label": Phrase(channel="out",
                                      options=[f"{_GAP}slope {{slope}}{_GAP}"])},
             position=Phrase(channel="side", options=list(SLOPE_LABEL_SIDES)),
             # An invisible marker the size of the point's: plotly sets text off by its
             # marker, so the label starts outside the point instead of under it.
             trace={"type": "scatter", "mode": "markers+text", "hoverinfo": "skip",
                    "marker": {"size": _POINT_SIZE + 4, "opacity": 0},
                    "textfont": {"color": TANGENT_COLOR, "size": 13, "shadow": _HALO}}),
        # Above the arrow, from its tail (the point's x, inside the chart) in its direction.
        Text(**on_axis, text="{label}",
             phrases={"label": Phrase(channel="why", options=[
                 "" if code in (LAST_STEP, ESCAPED, GONE)
                 else f"{_GAP}{step_name} = {{move}}{_GAP}"
                 for code in range(len(WHY_PHRASES))])},
             position=Phrase(channel="why", options=[
                 _ARROW_LABEL_SIDES.get(code, "top center") for code in range(len(WHY_PHRASES))]),
             trace={"type": "scatter", "mode": "text", "hoverinfo": "skip",
                    "textfont": {"color": POINT_COLOR, "size": 13, "shadow": _HALO}}),
    ]
    layout = {
        "uirevision": f"{surface.name}|{surface.title}",
        "margin": {"l": 48, "r": 12, "t": 36, "b": 40},
        "title": {"text": "The curve — click to start there" if click else "The curve",
                  "font": {"size": 14}, "x": 0.02, "xanchor": "left"},
        "xaxis": {"range": list(window.x), "title": {"text": "x"}, "zeroline": False},
        "yaxis": {"range": list(window.y), "title": {"text": "f(x)"}, "zeroline": False},
        "showlegend": False, "hovermode": "closest", "font": _FONT,
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
    }
    return Panel(id="curve", layout=layout, height=height, click=click, traces=traces)


def value_panel(surface: gd_core.Surface, window: CurveWindow, steps: int, *,
                height: int = 400) -> Panel:
    """f at each step on the curve panel's f scale: the whole run faint, the part so far bold."""
    where = {"series": 0, "map": {"x": "step", "y": "fv"}}
    traces = []
    if surface.minima:
        lowest = float(surface.value(surface.minima[0][None])[0])
        traces.append(PlotlyTrace(kind="line", trace={
            "type": "scatter", "mode": "lines", "x": [0, max(steps, 1)], "y": [lowest, lowest],
            "line": {"color": MUTED, "width": 1, "dash": "dash"}, "hoverinfo": "skip",
        }))
    traces += [
        Path(**where, frames="all", trace={
            "type": "scatter", "mode": "lines", "hoverinfo": "skip", "opacity": 0.3,
            "line": {"color": POINT_COLOR, "width": 1.5},
        }),
        Path(**where, trace={
            "type": "scatter", "mode": "lines+markers", "line": {"color": POINT_COLOR, "width": 2},
            "marker": {"size": 4, "color": POINT_COLOR},
            "hovertemplate": "step %{x}<br>f = %{y:.4g}<extra></extra>",
        }),
        Head(**where, trace={
            "type": "scatter", "mode": "markers", "hoverinfo": "skip", "cliponaxis": False,
            "marker": {"color": POINT_COLOR, "size": 11, "line": {"color": "white", "width": 1.5}},
        }),
    ]
    layout = {
        "uirevision": f"{surface.name}|{surface.title}|value",
        "margin": {"l": 48, "r": 12, "t": 36, "b": 40},
        "title": {"text": "f(x) at each step", "font": {"size": 14}, "x": 0.02,
                  "xanchor": "left"},
        "xaxis": {"range": [0, max(steps, 1)], "title": {"text": "step"}, "zeroline": False},
        "yaxis": {"range": list(window.y), "title": {"text": "f(x)"}, "zeroline": False},
        "showlegend": False, "hovermode": "closest", "font": _FONT,
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
    }
    return Panel(id="value", layout=layout, height=height, traces=traces)


def curve_payload(
    surface: gd_core.Surface,
    runs: FanRuns,
    found: list[tuple[str, gd_core.Outcome]],
    *,
    optimizer: str,
    optimizer_title: str,
    lr_index: int,
    critical: CriticalRate | None = None,
    compact: bool = False,
) -> Payload:
    """The whole curve view as one chart payload.

    ``runs`` holds one start at every learning rate of the fan and ``found`` its ``regimes``;
    ``critical`` is marked on the fan slider; ``compact`` (the home page's demo) keeps only a
    smaller curve panel.
    """
    if surface.dim != 1:
        raise ValueError(f"the curve view takes a 1D function, not {surface.dim}D")
    window = curve_window(surface)
    channels = curve_channels(runs, window)
    start = float(runs.starts[0, 0])
    panels = [curve_panel(surface, window, optimizer, height=300 if compact else 340)]
    if not compact:
        panels.append(value_panel(surface, window, runs.steps, height=340))
    lrs = [float(lr) for lr in runs.lrs]
    position = fan_position(lrs, critical.value) if critical else None
    marks = [] if position is None else [FanMark(
        position=position, label=critical.label, help=f"{critical.label}: {critical.help}")]
    return Payload(
        panels=panels,
        series=[Series(
            name=f"start x₀ = {format_number(start)}", color=POINT_COLOR, glyph="●",
            channels=encode_channels(channels, window),
            derived=derived(window),
            badges=[Badge(text=badge_text(regime, result), tone=TONES[result.status])
                    for regime, result in found],
        )],
        fan=fan_spec(lrs, [format_learning_rate(lr) for lr in lrs], lr_index, marks),
        readouts=readouts(optimizer, optimizer_title),
        badges_first=True,
        columns=None if compact else [2, 1],
    )
