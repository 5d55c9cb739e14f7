"""The curve view of a 1D function: its sidebar controls, the chart, the first step, hints and
the download.

Used by "Why minus the gradient" (the registered curves, or a typed formula of x) and "Your own
function": ``show`` takes any 1D ``gd_core.Surface``. Runs and payloads are cached on what
defines the function (``widgets.surface_key``), never on the object's identity, so the same
formula typed twice is computed once.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import streamlit as st

import gd_core
from ui import curve, widgets
from ui.chart import chart, notes
from ui.runs import (
    ROUND_LEARNING_RATES,
    FanRuns,
    format_learning_rate,
    nearest_learning_rate,
    run_fan,
)

MAX_STEPS = 200

#: Per curve: the start it opens with, and what to try (checked against gd_core by the tests).
TRY = {
    "quadratic_1d": (-0.9, [
        "η = 0.03 from x₀ = −0.9: the first step goes to −0.216, and the point slides smoothly "
        "into the minimum x* = 1.",
        "η = 0.15: every step overshoots the minimum, so the point zig-zags across it, but "
        "closer each time: oscillating but converging.",
        "η = 0.2, just past the critical 2/f″ = 1/6: each overshoot is bigger than the last "
        "and the run diverges.",
        "η = 0.08, close to 1/f″ = 1/12: the very first step lands almost on the minimum (0.924).",
    ]),
    "bowl_1d": (0.0, [
        "η = 0.1 from w₀ = 0, the classic worked example: w goes 0 → 0.6 → 1.08 → 1.464 → … → 3.",
        "η = 0.5 = 1/f″ reaches the minimum in exactly one step.",
        "η = 1, exactly 2/f″: the point bounces between 0 and 6 forever. η = 0.8 oscillates but "
        "converges; η = 1.2 diverges.",
    ]),
    "double_well_1d": (0.5, [
        "From x₀ = 0.5 the slope is negative, so the steps go right: with η = 0.03 the run "
        "settles in the local (not global) minimum at 1.13.",
        "Click left of the hump (x₀ = −0.5): the same steps roll into the global minimum at "
        "−1.30.",
        "From x₀ = 2 with η = 0.1 the big first steps jump over the local valley into the "
        "global one.",
    ]),
}
#: For a function without suggestions of its own (a typed formula).
GENERIC_TRY = [
    "Drag the learning rate under the chart past the ▲ mark: the steps start to overshoot.",
    "Click the curve to start somewhere else: which minimum do you end in?",
]


def parse_eta(text: str) -> float:
    """A learning rate from 1e-4 to 10, snapped to the nearest one the slider offers."""
    value = widgets.number(ROUND_LEARNING_RATES[0], ROUND_LEARNING_RATES[-1])(text)
    return ROUND_LEARNING_RATES[nearest_learning_rate(value, ROUND_LEARNING_RATES)]


#: URL parameters of this view (the page adds how the function is chosen). `eta` and
#: `iterations`, not the surface view's `lr` and `steps`: their ranges differ, and widgets
#: sharing a key across pages would hand each other values the other cannot show.
URL_PARAMS = [
    widgets.UrlParam("start", None, widgets.number(-1e4, 1e4), widgets.dump_number),
    *(param for param in widgets.optimizer_params() if param.name != "lr"),
    widgets.UrlParam("eta", 0.03, parse_eta, widgets.dump_number),
    widgets.UrlParam("iterations", 50, widgets.number(1, MAX_STEPS, whole=True),
                     widgets.dump_number),
]


def default_start(surface: gd_core.Surface) -> float:
    if surface.name in TRY:
        return TRY[surface.name][0]
    # A typed function: a fifth of the way across, off any symmetry axis.
    (lo, hi), = surface.domain
    return round(lo + 0.2 * (hi - lo), 3)


def tips(surface: gd_core.Surface) -> list[str]:
    return TRY[surface.name][1] if surface.name in TRY else GENERIC_TRY


def reset_start() -> None:
    """For the function picker's on_change: a new function opens at its own start."""
    st.session_state.start = None


def _move_start() -> None:
    st.session_state.start = st.session_state.start_slider


def _click_start(x: float, y: float, panel: str) -> None:
    # Rounded so that the link a viewer shares reproduces exactly this start.
    st.session_state.start = round(x, 3)


def _choose_learning_rate(index: int) -> None:
    if 0 <= index < len(ROUND_LEARNING_RATES):
        st.session_state.eta = ROUND_LEARNING_RATES[index]


def current_start(surface: gd_core.Surface) -> tuple[float, str | None]:
    """The start set by the slider, a click or the URL (the default when none is set), and a
    notice when one from the URL lies outside the function's domain (then the default)."""
    (lo, hi), = surface.domain
    start = st.session_state.get("start")
    if start is None:
        return default_start(surface), None
    if lo <= start <= hi:
        return float(start), None
    notice = None
    if "start" in st.query_params:
        notice = (f"Ignored `start={st.query_params.start[:40]}` in the URL (outside this "
                  f"curve's range {lo:g} … {hi:g}); using the default "
                  f"({default_start(surface):g}).")
    return default_start(surface), notice


@dataclass(frozen=True)
class CurveView:
    """Everything the curve view shows: the runs at every learning rate of
    ``ROUND_LEARNING_RATES``, the chart payload, the regime per learning rate (``gd_core.regime``)
    and the critical learning rate (None where unknown)."""

    runs: FanRuns
    payload: dict
    regimes: list[str]
    critical: curve.CriticalRate | None

    def regime_at(self, lr: float) -> str:
        return self.regimes[ROUND_LEARNING_RATES.index(lr)]


def curve_view(
    surface: gd_core.Surface,
    optimizer: str,
    hyperparams: dict,
    start: float,
    steps: int,
    lr: float,
    *,
    compact: bool = False,
) -> CurveView:
    """The view of ``surface`` from ``start`` at every learning rate the controls offer; ``lr``
    (one of them) is where the chart's slider opens. Cached on ``widgets.surface_key``."""
    return _cached_curve_view(
        widgets.surface_key(surface), surface, optimizer, tuple(sorted(hyperparams.items())),
        float(start), int(steps), ROUND_LEARNING_RATES.index(lr), compact,
    )


@st.cache_resource(max_entries=64, show_spinner=False)
def _cached_curve_view(
    key: tuple, _surface: gd_core.Surface, optimizer: str, hyperparams: tuple, start: float,
    steps: int, lr_index: int, compact: bool,
) -> CurveView:
    # `_surface` is left out of the cache key (leading underscore): `key` stands for it.
    params = dict(hyperparams)
    runs = run_fan(_surface, optimizer, params, [[start]], ROUND_LEARNING_RATES, steps)
    critical = curve.critical_rate(
        _surface, curve.heading_minimum(_surface, start), optimizer, params
    )
    found = curve.regimes(_surface, runs)
    payload = curve.curve_payload(
        _surface, runs, found, optimizer=optimizer,
        optimizer_title=gd_core.OPTIMIZERS[optimizer].title, lr_index=lr_index,
        critical=critical, compact=compact,
    )
    return CurveView(runs, payload, [regime for regime, _ in found], critical)


def trajectory_csv(view: CurveView, lr: float) -> str:
    """The run at ``lr``, one row per step."""
    member = ROUND_LEARNING_RATES.index(lr)
    return gd_core.trajectory_csv(view.runs.trajectory(member), view.runs.optimizer, lr)


def show(surface: gd_core.Surface, *, show_formula: bool = True) -> None:
    """The rest of the sidebar, then the chart and what goes with it, for a 1D ``surface``."""
    (lo, hi), = surface.domain
    start, notice = current_start(surface)
    with st.sidebar:
        st.session_state.start_slider = start
        st.slider(
            "Start point x₀", float(lo), float(hi), step=0.01, key="start_slider",
            on_change=_move_start, format="%.3f",
            help="Where the descent begins. You can also click the curve to start exactly there.",
        )
        optimizer = widgets.optimizer_controls()
        lr = st.select_slider(
            "Learning rate η", ROUND_LEARNING_RATES, key="eta", format_func=format_learning_rate,
            help="The step size: each step is −η times the slope. Past the critical value "
                 "(marked ▲ under the chart's slider) the steps overshoot more and more. The "
                 "slider under the chart switches between learning rates live while you drag.",
        )
        critical_note = st.empty()
        steps = st.slider("Steps", 1, MAX_STEPS, key="iterations",
                          help="How many updates the run takes.")
    if notice:
        st.warning(notice, icon="⚠️")

    left, right = st.columns(2) if show_formula else (None, st.container())
    if left is not None:
        left.latex(surface.formula)
    right.latex(curve.update_rule(optimizer.name))

    view = curve_view(surface, optimizer.name, optimizer.hyperparams, start, steps, lr)
    chart({**view.payload, "notes": notes("What to try", tips(surface), surface.description)},
          key="curve_chart", on_click=_click_start, on_fan=_choose_learning_rate)
    if view.critical is not None:
        critical_note.caption(f"▲ {view.critical.label}: {view.critical.help}")

    st.markdown(
        "The slope f′(x) says which way is **uphill**, so each step goes the other way: when the "
        "slope is negative we move right, when it is positive we move left, and the learning "
        f"rate η sets how far. At η = {format_learning_rate(lr)} this run is "
        f"**{view.regime_at(lr)}**; its first step:"
    )
    st.latex(curve.first_step(view.runs, ROUND_LEARNING_RATES.index(lr), optimizer.name))

    widgets.download_csv(
        label="Download the run (CSV)", data=functools.partial(trajectory_csv, view, lr),
        file_name=f"descent_{surface.name}_{optimizer.name}_lr{lr:g}.csv",
        help="Every step of the run at the learning rate chosen in the sidebar.",
    )
    st.session_state.start = None if start == default_start(surface) else start
