"""The curve view of a 1D function: its sidebar controls, the chart, the first step, hints and
the download.

Used by "Why minus the gradient" (the registered curves, or a typed formula of x) and "Your own
function": ``show`` takes any 1D ``gd_core.Surface``. Runs and payloads are cached on what
defines the function (``ui.runs.surface_key``), never on the object's identity, so the same
formula typed twice is computed once. What each curve opens on and what to try: ``ui.lessons``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import streamlit as st

import gd_core
from ui import curve, lessons
from ui.chart import chart, format_number, notes
from ui.chart_payload import Payload
from ui.controls import (
    LEARNING_RATE,
    Control,
    coordinate,
    dump_number,
    learning_rate_slider,
    optimizer_controls,
    optimizer_params,
    slider,
    steps_control,
)
from ui.downloads import download_csv
from ui.messages import show_notice
from ui.page_state import PageState
from ui.runs import (
    LEARNING_RATES,
    FanRuns,
    format_learning_rate,
    run_fan,
    surface_key,
)

MAX_STEPS = 200


#: Where the run starts (the function's opening start unless set).
START = Control(
    "start", 0.0, coordinate, dump_number, label="Start point x₀",
    help="Where the descent begins. You can also click the curve to start exactly there.",
)


def controls() -> list[Control]:
    """The controls of this view (the page adds how the function is chosen)."""
    return [
        START,
        *optimizer_params(),
        LEARNING_RATE,
        steps_control(MAX_STEPS, low=1, step=1),
    ]


def _move_start(state: PageState) -> None:
    state["start"] = state["start_slider"]


def _click_start(state: PageState, x: float, y: float, panel: str) -> None:
    # Rounded so that the link a viewer shares reproduces exactly this start.
    state["start"] = round(x, 3)


def _choose_learning_rate(state: PageState, index: int) -> None:
    if 0 <= index < len(LEARNING_RATES):
        state["lr"] = LEARNING_RATES[index]


def current_start(state: PageState, surface: gd_core.Surface) -> tuple[float, str | None]:
    """The start set by the slider, a click or the URL, and a notice when it lies outside the
    function's range (then the function's opening start)."""
    (lo, hi), = surface.domain
    start = float(state["start"])
    if lo <= start <= hi:
        return start, None
    opening = lessons.opening(surface).starts[0][0]
    return opening, (f"The start x₀ = {format_number(start, 6)} lies outside this curve's range "
                     f"{format_number(lo, 6)} … {format_number(hi, 6)}; using "
                     f"{format_number(opening, 6)}.")


@dataclass(frozen=True)
class CurveView:
    """Everything the curve view shows: the runs at every learning rate of
    ``LEARNING_RATES``, the chart payload, the regime per learning rate (``gd_core.regime``)
    and the critical learning rate (None where unknown)."""

    runs: FanRuns
    payload: Payload
    regimes: list[str]
    critical: curve.CriticalRate | None

    def regime_at(self, lr: float) -> str:
        return self.regimes[LEARNING_RATES.index(lr)]


def computed_view(
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
    (one of them) is where the chart's slider opens. Cached on ``surface_key``."""
    return _cached_view(
        surface_key(surface), surface, optimizer, tuple(sorted(hyperparams.items())),
        float(start), int(steps), LEARNING_RATES.index(lr), compact,
    )


@st.cache_resource(max_entries=64, show_spinner=False)
def _cached_view(
    key: tuple, _surface: gd_core.Surface, optimizer: str, hyperparams: tuple, start: float,
    steps: int, lr_index: int, compact: bool,
) -> CurveView:
    # `_surface` is left out of the cache key (leading underscore): `key` stands for it.
    params = dict(hyperparams)
    runs = run_fan(_surface, optimizer, params, [[start]], LEARNING_RATES, steps)
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
    member = LEARNING_RATES.index(lr)
    return gd_core.trajectory_csv(view.runs.trajectory(member), view.runs.optimizer, lr)


def show(state: PageState, surface: gd_core.Surface, *,
         show_formula: bool = True) -> None:
    """The rest of the sidebar, then the chart and what goes with it, for a 1D ``surface``."""
    (lo, hi), = surface.domain
    start, notice = current_start(state, surface)
    with st.sidebar:
        state["start_slider"] = start
        # Over this function's range: "start" itself may lie outside it (``current_start``).
        st.slider(
            START.label, float(lo), float(hi), step=0.01, key=state.key("start_slider"),
            on_change=_move_start, args=(state,), format="%.3f", help=START.help,
        )
        optimizer = optimizer_controls(state)
        lr = learning_rate_slider(state)
        critical_note = st.empty()
        steps = slider(state, "steps")
    if notice:
        show_notice(notice)

    left, right = st.columns(2) if show_formula else (None, st.container())
    if left is not None:
        left.latex(surface.formula)
    right.latex(curve.update_rule(optimizer.name))

    view = computed_view(surface, optimizer.name, optimizer.hyperparams, start, steps, lr)
    tips = lessons.tips(surface, critical_mark=view.critical is not None)
    chart(replace(view.payload, notes=notes(lessons.tips_title(surface, optimizer.name),
                                            list(tips), surface.description)),
          key="curve_chart", on_click=functools.partial(_click_start, state),
          on_fan=functools.partial(_choose_learning_rate, state))
    if view.critical is not None:
        critical_note.caption(f"▲ {view.critical.label}: {view.critical.help}")

    st.markdown(
        "The slope f′(x) says which way is **uphill**, so each step goes the other way: when the "
        "slope is negative we move right, when it is positive we move left, and the learning "
        f"rate η sets how far. At η = {format_learning_rate(lr)} this run is "
        f"**{view.regime_at(lr)}**; its first step:"
    )
    st.latex(curve.first_step(view.runs, LEARNING_RATES.index(lr), optimizer.name))

    download_csv(
        label="Download the run (CSV)", data=functools.partial(trajectory_csv, view, lr),
        file_name=f"descent_{surface.name}_{optimizer.name}_lr{lr:g}.csv",
        help="Every step of the run at the learning rate chosen in the sidebar.",
    )
    state["start"] = start
