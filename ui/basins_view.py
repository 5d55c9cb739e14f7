"""The basins view: its sidebar controls, the basin map or the stability map, and the words
when a basin vanishes.

The map is computed once per configuration (surface, optimizer and its hyperparameters,
learning rate, steps, grid) and kept in a small store shared by the sessions, with a progress
bar while a new one computes. The clicked start's path travels at every learning rate of the
slider (a fan), so dragging the chart's slider switches it in the browser; letting go draws the
map for that rate.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable

import numpy as np
import streamlit as st

import gd_core
from gd_core.stability import heavy_ball_rate
from ui import basins as logic
from ui import lessons
from ui.basins_payload import basin_map_payload, stability_payload, with_path
from ui.chart import chart, format_number, notes
from ui.controls import (
    KEPT,
    LEARNING_RATE,
    Control,
    choice,
    dump_number,
    flag_control,
    learning_rate_slider,
    number,
    number_control,
    optimizer_controls,
    optimizer_params,
    options_control,
    select_slider,
    slider,
    steps_control,
    toggle,
)
from ui.downloads import download_csv
from ui.messages import literal, show_notice
from ui.page_state import PageState
from ui.runs import LEARNING_RATES, run_fan, surface_key
from ui.stores import SharedStore
from ui.surface_view import cached_grid, parse_point
from ui.typed_formula import show_undefined_everywhere

VIEWS = {"basins": "Basin map", "stability": "Stability map"}
#: Basin maps kept (each a few hundred kB at 300 x 300).
_STORED_MAPS = 48


def dump_point(point) -> str:
    return f"{dump_number(point[0])},{dump_number(point[1])}"


def parse_pair(text: str) -> tuple[float, float]:
    """A (learning rate, momentum) pair of the stability map, written ``lr,momentum``."""
    parts = text.split(",")
    if len(parts) != 2:
        raise ValueError("write the pair as learning rate, momentum")
    return (number(1e-9, 1e3)(parts[0]), number(0.0, logic.MAX_MOMENTUM)(parts[1]))


def controls() -> list[Control]:
    """The controls of this view (the page adds how the surface is chosen)."""
    return [
        Control("view", "basins", choice(list(VIEWS)), label="View", domain=tuple(VIEWS),
                help="The basin map: where every start ends. The stability map: how fast "
                     "heavy-ball momentum converges at one minimum, for every learning rate and "
                     "momentum."),
        *optimizer_params(),
        LEARNING_RATE,
        steps_control(logic.MAX_STEPS, low=10, step=10),
        options_control("resolution", 200, logic.RESOLUTIONS, label="Grid (cells per side)",
                        used=lambda values: values["view"] == "basins",
                        help="Every cell is one start. 300 × 300 is 90,000 runs."),
        flag_control("shade", True, label="Shade by steps needed",
                     used=lambda values: values["view"] == "basins",
                     help="Darker cells needed more steps to settle at their minimum."),
        Control("start", (0.0, 0.0), parse_point, dump_point),
        number_control("minimum", 0, 0, 255, 1, whole=True, label="At the minimum",
                       used=lambda values: values["view"] == "stability",
                       help="The minimum whose stability map is drawn."),
        Control("pair", None, parse_pair, dump_point,
                used=lambda values: values["view"] == "stability"),
        Control("pair_start", None, parse_point, dump_point,
                used=lambda values: values["view"] == "stability"),
    ]


# --- computing, cached ----------------------------------------------------------------------------

#: Basin maps by configuration, shared by the sessions.
_MAPS: SharedStore[gd_core.BasinMap] = SharedStore(_STORED_MAPS)


def basin_map(surface: gd_core.Surface, optimizer: str, hyperparams: tuple, lr: float,
              steps: int, resolution: int) -> gd_core.BasinMap:
    """The basin map of this configuration: from the store, or computed with a progress bar."""
    key = (surface_key(surface), optimizer, hyperparams, lr, steps, resolution)
    found = _MAPS.find(key)
    if found is not None:
        return found
    bar = st.progress(0.0, text=f"Running {resolution * resolution:,} starts…")
    made = gd_core.make_optimizer(optimizer, lr=lr, **dict(hyperparams))
    result = gd_core.basin_map(surface, made, resolution, steps,
                               progress=lambda done: bar.progress(
                                   done, text=f"Running {resolution * resolution:,} starts…"))
    bar.empty()
    return _MAPS.put(key, result)


# `key` (surface_key) stands for `_surface`, left out of the cache key by its underscore.
@st.cache_resource(max_entries=64, show_spinner=False)
def _cached_path(key, _surface, optimizer: str, hyperparams: tuple, start: tuple, steps: int):
    """The start's runs at every learning rate of the slider."""
    return run_fan(_surface, optimizer, dict(hyperparams), np.array([start]), LEARNING_RATES,
                   steps)


# `identity` stands for the map's configuration; the underscored arguments are left out of the
# cache key. The path is added per start (``with_path``), so a click rebuilds only that.
@st.cache_resource(max_entries=32, show_spinner=False)
def _cached_map_payload(identity: tuple, _surface, _basins, shade: bool, marks: tuple,
                        steps: int):
    return basin_map_payload(_surface, cached_grid(identity[0], _surface), _basins,
                             shade=shade, marks=list(marks), steps=steps)


@st.cache_resource(max_entries=64, show_spinner=False)
def _cached_path_payload(identity: tuple, _map_payload, _surface, _runs, lr_index: int):
    return with_path(_map_payload, _surface, _runs, lr_index)


@st.cache_resource(max_entries=16, show_spinner=False)
def _cached_stability(key, _surface, minimum: int):
    lrs, momenta = logic.stability_axes(_surface, minimum)
    return gd_core.stability_map(_surface, _surface.minima[minimum], lrs, momenta,
                                 logic.STABILITY_STEPS)


@st.cache_resource(max_entries=32, show_spinner=False)
def _cached_pair_run(key, _surface, pair: tuple, start: tuple, steps: int):
    return run_fan(_surface, "momentum", {"momentum": pair[1]}, np.array([start]), [pair[0]],
                   steps)


# --- the view ------------------------------------------------------------------------------------


def show(state: PageState, pick_surface: Callable[[], gd_core.Surface | None]) -> None:
    """The basins view as one fragment (a change or a click reruns only it)."""
    with st.sidebar:
        sidebar = st.container()
    _basins(state, pick_surface, sidebar)


def _choose_learning_rate(state: PageState, index: int) -> None:
    if 0 <= index < len(LEARNING_RATES):
        state["lr"] = LEARNING_RATES[index]


def _move_start(state: PageState, point: tuple[float, float] | None) -> None:
    if point is not None:
        state["start"] = point


def _minimum_choice(state: PageState, surface: gd_core.Surface) -> int:
    count = len(surface.minima)
    names = [logic.minimum_name(surface, index) for index in range(count)]
    shown_for = state.key("minimum_names")
    if not 0 <= state["minimum"] < count or st.session_state.get(shown_for) != names:
        # The browser keeps showing the name it last showed for this index (the first minimum
        # of the surface before) unless the value is set anew with the new names.
        state["minimum"] = state["minimum"] if 0 <= state["minimum"] < count else 0
        st.session_state[shown_for] = names
    control = state.controls["minimum"]
    return st.selectbox(control.label, range(count), key=state.key("minimum"),
                        format_func=names.__getitem__, help=control.help,
                        on_change=_new_minimum, args=(state,))


def _new_minimum(state: PageState) -> None:
    """Another minimum: its own optimum pair, run from beside it."""
    state["pair"] = None
    state["pair_start"] = None


@st.fragment
def _basins(state: PageState, pick_surface, sidebar) -> None:
    for notice in state.check():
        show_notice(notice)
    with sidebar:
        surface = pick_surface()
        control = state.controls["view"]
        view = st.segmented_control(control.label, control.domain, key=state.key("view"),
                                    format_func=VIEWS.get, required=True, help=control.help,
                                    width="stretch", persist_state=KEPT)
        view = view or control.default  # PageState.check fills an emptied key before this
        if view == "basins":
            optimizer = optimizer_controls(state)
            lr = learning_rate_slider(state)
            steps = slider(state, "steps")
            resolution = select_slider(state, "resolution")
            shade = toggle(state, "shade")
        else:
            steps = slider(state, "steps")
            minimum = _minimum_choice(state, surface) if surface and surface.minima else 0
    if surface is None:
        show_undefined_everywhere(state)
        state.save()
        return
    if not surface.minima:
        st.info("This function has no known minimum in the plotted range: there are no basins "
                "to colour. Try another formula or range.", icon=":material/info:")
        state.save()
        return
    if view == "basins":
        found = lessons.basin_lesson(surface)
        items = list(found.tips) if found else []
    else:
        items = lessons.stability_tips(surface)
    tips = notes("What to try", items, surface.description)
    if view == "basins":
        _basin_map_view(state, surface, optimizer, lr, steps, resolution, shade, tips)
    else:
        _stability_view(state, surface, minimum, steps, tips)
    state.save()


def _basin_map_view(state, surface, optimizer, lr, steps, resolution, shade, tips) -> None:
    hyperparams = tuple(sorted(optimizer.hyperparams.items()))
    basins = basin_map(surface, optimizer.name, hyperparams, lr, steps, resolution)
    start = tuple(float(c) for c in state["start"])
    key = surface_key(surface)
    runs = _cached_path(key, surface, optimizer.name, hyperparams, start, steps)
    marks = tuple(logic.critical_marks(surface, optimizer.name, optimizer.hyperparams))
    identity = (key, optimizer.name, hyperparams, lr, steps, resolution)
    map_payload = _cached_map_payload(identity, surface, basins, shade, marks, steps)
    lr_index = LEARNING_RATES.index(lr)
    payload = _cached_path_payload((*identity, shade, start), map_payload, surface, runs,
                                   lr_index)
    payload = dataclasses.replace(payload, formula=gd_core.OPTIMIZERS[optimizer.name].update_rule,
                                  notes=tips)
    vanished = logic.vanished_text(surface, list(marks), lr,
                                   logic.shares(basins, len(surface.minima)))
    if vanished:
        st.warning(literal(vanished), icon=":material/blur_off:")
    if marks:
        st.caption(logic.critical_rates_text(surface, list(marks)))
    else:
        st.caption(logic.no_marks_text(optimizer.name))

    def on_cell(row: int, col: int, panel: str) -> None:
        if panel == "basins":
            _move_start(state, logic.cell_point(basins, row, col))

    chart(payload, key="basins_chart", on_cell=on_cell,
          on_fan=functools.partial(_choose_learning_rate, state))
    download_csv(
        label="Download the clicked start's path (CSV)",
        data=functools.partial(_path_csv, runs, lr_index),
        file_name=f"basins_{surface.name}_{optimizer.name}_lr{lr:g}.csv",
        help="The path of the start whose run plays on the map, at this learning rate.")


def _path_csv(runs, lr_index: int) -> str:
    return gd_core.trajectory_csv(runs.trajectory(lr_index), runs.optimizer, runs.lrs[lr_index])


def _stability_view(state, surface, minimum: int, steps: int, tips) -> None:
    key = surface_key(surface)
    stability = _cached_stability(key, surface, minimum)
    pair = state["pair"] or stability.best
    start = tuple(float(c) for c in (state["pair_start"] or logic.pair_start(surface, minimum)))
    run = _cached_pair_run(key, surface, tuple(pair), start, steps)
    payload = stability_payload(surface, cached_grid(key, surface), stability, run, tuple(pair))
    lr_best, mu_best = stability.best
    lam = stability.eigenvalues
    optimum_rate = float(heavy_ball_rate(lam, [lr_best], [mu_best])[0, 0])
    st.caption(
        f"At the minimum {logic.minimum_name(surface, minimum)} the Hessian's eigenvalues are "
        f"λ = {format_number(float(lam[0]))} and {format_number(float(lam[-1]))}. Heavy-ball "
        "momentum converges left of the dashed edge η < (2 + 2μ)/λmax; fastest at the star, "
        f"η* = {format_number(lr_best)}, μ* = {format_number(mu_best)}, where the distance "
        f"{logic.shrink_words(optimum_rate)}. Each cell was run "
        f"from beside the minimum for {logic.STABILITY_STEPS} steps and measured.")
    far = logic.far_start_note(
        surface, minimum, start, float(heavy_ball_rate(lam, [pair[0]], [pair[1]])[0, 0]),
        int(run.diverged_at[0, 0]), run.points[0, 0, -1])
    if far:
        st.info(far, icon=":material/info:")

    def on_cell(row: int, col: int, panel: str) -> None:
        if panel == "stability" and 0 <= row < len(stability.momenta) and (
                0 <= col < len(stability.lrs)):
            state["pair"] = (float(stability.lrs[col]), float(stability.momenta[row]))

    def on_click(x: float, y: float, panel: str) -> None:
        if panel == "contour":
            state["pair_start"] = (round(x, 3), round(y, 3))

    chart(dataclasses.replace(payload, formula=gd_core.OPTIMIZERS["momentum"].update_rule,
                              notes=tips),
          key="stability_chart", on_cell=on_cell, on_click=on_click)

