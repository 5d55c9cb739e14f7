"""The descent view of a 2D surface: its sidebar controls, the chart, hints and the download.

Shared by "Descent on a surface" (registered surfaces, or a typed formula picked as "Custom
formula…") and "Your own function". Runs and payloads are cached on a hashable key of the surface
(``ui.runs.surface_key``). What each surface opens on and what to try there: ``ui.lessons``.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable

import numpy as np
import streamlit as st

import gd_core
from ui import lessons
from ui.chart import chart, format_number, notes
from ui.controls import (
    LEARNING_RATE,
    Control,
    coordinate,
    flag_control,
    learning_rate_slider,
    noise_controls,
    noise_params,
    optimizer_controls,
    optimizer_params,
    schedule_controls,
    schedule_params,
    slider,
    steps_control,
    toggle,
)
from ui.downloads import download_csv
from ui.messages import show_error, show_notice
from ui.page_state import PageState
from ui.payloads import MAX_RUNS, descent_payload, descent_series, surface_grid
from ui.runs import (
    LEARNING_RATES,
    badges,
    format_learning_rate,
    joined_fans,
    run_fan,
    surface_key,
)
from ui.stores import SharedStore
from ui.typed_formula import show_undefined_everywhere

MAX_STEPS = 500


def format_starts(starts) -> str:
    return ";".join(f"{x:g},{y:g}" for x, y in starts)


def parse_point(text: str) -> tuple[float, float]:
    """A start point written ``x, y`` (in a link or typed)."""
    parts = text.split(",")
    if len(parts) != 2:
        raise ValueError("write a start point as x, y")
    x, y = (coordinate(part.strip()) for part in parts)
    return (x, y)


def plotted_point(text: str, domain) -> tuple[float, float]:
    """A typed start point, if it lies in the plotted range ``domain``; ValueError if not."""
    point = parse_point(text)
    for value, (low, high), axis in zip(point, domain, "xy", strict=True):
        if not low <= value <= high:
            raise ValueError(f"{axis} must lie between {format_number(low, 6)} and "
                             f"{format_number(high, 6)}, the plotted range")
    return point


def parse_starts(text: str) -> tuple[tuple[float, float], ...]:
    starts = tuple(parse_point(item) for item in filter(None, text.split(";")))
    if len(starts) > MAX_RUNS:
        raise ValueError(f"at most {MAX_RUNS} start points")
    return starts


def controls() -> list[Control]:
    """The controls of this view (the page adds how the surface is chosen)."""
    return [
        *optimizer_params(),
        LEARNING_RATE,
        steps_control(MAX_STEPS, low=10, step=10),
        *schedule_params(),
        *noise_params(),
        flag_control("log", False, label="Loss on a log scale",
                     help="Plots f − f* (the gap to the global minimum) on a log axis: steady "
                          "convergence shows as a straight line."),
        flag_control("show3d", True, label="Show the 3D surface",
                     help="The surface in 3D with the same paths lying on it."),
        Control("starts", (), parse_starts, format_starts, label="Start points"),
    ]


def _clear_starts(state: PageState) -> None:
    state["starts"] = ()


def _add_start(state: PageState, point: tuple[float, float]) -> None:
    # Rounded so that the link a viewer shares reproduces exactly these starts; the oldest
    # start gives way past MAX_RUNS.
    state["starts"] = (*state["starts"], (round(point[0], 3), round(point[1], 3)))[-MAX_RUNS:]


def _add_typed_start(state: PageState, domain) -> None:
    """The "x, y" typed into the start box, if it is a point of the plotted range."""
    text = state["new_start"].strip()
    state["start_error"] = None
    if not text:
        return
    try:
        point = plotted_point(text, domain)
    except ValueError as error:
        state["start_error"] = f"{text}: {error}"
        return
    _add_start(state, point)
    state["new_start"] = ""


def _remove_start(state: PageState, index: int) -> None:
    starts = list(state["starts"])
    del starts[index]
    state["starts"] = tuple(starts)


def _choose_learning_rate(state: PageState, index: int) -> None:
    if 0 <= index < len(LEARNING_RATES):
        state["lr"] = LEARNING_RATES[index]


# In the cached functions below `key` (surface_key) stands for `_surface`, which the
# leading underscore leaves out of the cache key.
@st.cache_resource(max_entries=16, show_spinner=False)
def cached_grid(key: tuple, _surface: gd_core.Surface):
    """The surface's grid (``surface_grid``), shared by every view that draws the surface."""
    return surface_grid(_surface)


@st.cache_resource(max_entries=64, show_spinner=False)
def _cached_view(key, _surface, optimizer, hyperparams, starts, steps, schedule, noise, seed,
                 log_loss, show_3d):
    """The runs at every learning rate and the chart payload; arguments are hashable.

    The learning rate chosen is not among them: the runs are the same for every choice (the
    fan computes them all), and ``_descent`` sets the payload's fan position. Without gradient
    noise each start's runs and series are stored on their own (``_start_view``), so a click
    that adds a start computes that start only.
    """
    if noise == 0 and starts:
        pieces = [_start_view(key, _surface, optimizer, hyperparams, start, index, steps,
                              schedule)
                  for index, start in enumerate(starts)]
        runs = joined_fans([fan for fan, _ in pieces])
        series = [piece for _, piece in pieces]
    else:
        runs = run_fan(
            _surface, optimizer, dict(hyperparams), np.array(starts).reshape(-1, 2),
            LEARNING_RATES, steps, schedule=(schedule[0], dict(schedule[1])), noise=noise,
            seed=seed,
        )
        series = descent_series(_surface, runs, badges(_surface, runs))
    payload = descent_payload(
        _surface, cached_grid(key, _surface), runs, series,
        lr_labels=[format_learning_rate(lr) for lr in LEARNING_RATES], lr_index=0,
        log_loss=log_loss, show_3d=show_3d,
    )
    return runs, payload


#: Each start's runs and series (``_start_view``), shared by the sessions: a view holds up to
#: MAX_RUNS starts.
_STARTS: SharedStore[tuple] = SharedStore(32 * MAX_RUNS)


def _start_view(key, surface, optimizer, hyperparams, start, index, steps, schedule):
    """One start's runs at every learning rate (no gradient noise) and its series, as the
    view's ``index``-th start."""
    def make():
        runs = run_fan(surface, optimizer, dict(hyperparams), np.array(start).reshape(1, 2),
                       LEARNING_RATES, steps, schedule=(schedule[0], dict(schedule[1])))
        return runs, descent_series(surface, runs, badges(surface, runs), first=index)[0]

    return _STARTS.get((key, optimizer, hyperparams, start, index, steps, schedule), make)


def trajectory_csv(runs, lr_index: int) -> str:
    return gd_core.trajectory_csv(runs.trajectory(lr_index), runs.optimizer, runs.lrs[lr_index])


def update_rule(optimizer: str, schedule: str, noise: float) -> str:
    rule = gd_core.OPTIMIZERS[optimizer].update_rule
    notes = []
    if schedule != "constant":
        notes.append(r"\eta \to \eta\, s(t)")
    if noise > 0:
        notes.append(r"g \to g + \varepsilon,\ \varepsilon \sim \mathcal{N}(0, \sigma^2)")
    return rule + (r"\qquad " + r",\ ".join(notes) if notes else "")


def show(
    state: PageState, pick_surface: Callable[[], gd_core.Surface | None], *,
    show_formula: bool = True,
) -> None:
    """The descent view of a 2D surface: its sidebar controls, the chart, hints and download.

    ``pick_surface`` draws the surface's own control (or none) at the top of the sidebar and
    returns the surface (None: a typed formula with nothing to descend); ``state`` is the
    page's, saved after every change.

    Every control of the view, the formula and the chart form a fragment: changing any of
    them reruns only that fragment, never the whole page; a click on the chart reruns only the
    chart's fragment nested in it. (A new surface sets the learning rate and steps of its
    opening: they are drawn by the fragments too, so the sidebar shows them without a second,
    whole-page run.)
    """
    with st.sidebar:
        controls = st.container()
    _descent(state, pick_surface, controls, show_formula)


def _start_list(state: PageState, surface: gd_core.Surface, starts) -> None:
    """Type a start point exactly, or remove one."""
    # A fixed title: an expander whose title changes is a new one, drawn closed.
    with st.expander("Start points", icon=":material/place:"):
        if state.get("new_start") is None:
            state["new_start"] = ""
        st.text_input(
            "Add a start point", key=state.key("new_start"), placeholder="x, y",
            on_change=_add_typed_start, args=(state, surface.domain),
            help="Type x, y and press Enter: a start exactly there, as a click on the map adds "
                 f"one. At most {MAX_RUNS} ({len(starts)} now): the oldest gives way.",
        )
        if state.get("start_error"):
            show_error(state["start_error"])
        for index, (x, y) in enumerate(starts):
            point = f"({format_number(x, 6)}, {format_number(y, 6)})"
            st.button(f"Remove start {index + 1} {point}", icon=":material/close:",
                      key=state.key(f"remove_start.{index}"), type="tertiary",
                      on_click=_remove_start, args=(state, index))


@st.fragment
def _descent(state, pick_surface, controls, show_formula: bool) -> None:
    """The outer fragment of ``show``: the sidebar's controls (``controls`` is their place),
    with the chart's fragment nested in it."""
    for notice in state.check():
        show_notice(notice)
    with controls:
        surface = pick_surface()
        optimizer = optimizer_controls(state)
        learning_rate_box = st.container()
        steps = slider(state, "steps")
        schedule = schedule_controls(state, steps)
        noise, seed = noise_controls(state)
        log_loss = False
        if surface is not None:
            has_minimum = bool(surface.minima)
            if not has_minimum:
                state["log"] = False
            log_loss = toggle(state, "log", disabled=not has_minimum,
                              **({} if has_minimum else
                                 {"help": "Needs a known minimum; this surface has none."}))
        show_3d = toggle(state, "show3d")
        st.button("Clear start points", on_click=_clear_starts, args=(state,), width="stretch",
                  icon=":material/delete_sweep:",
                  help="Remove every start point; click the contour map to add new ones.")
        starts_box = st.container()
    if surface is None:
        show_undefined_everywhere(state)
        state.save()
        return
    _descent_chart(state, surface, optimizer, steps, schedule, noise, seed, log_loss, show_3d,
                   show_formula, learning_rate_box, starts_box)


@st.fragment
def _descent_chart(state, surface, optimizer, steps, schedule, noise, seed, log_loss, show_3d,
                   show_formula, learning_rate_box, starts_box) -> None:
    """The inner fragment: the learning rate, the start points, the chart and the download. A
    click on the chart, a typed or removed start and a released learning rate rerun only these
    (a few elements), not the sidebar's other controls."""
    for notice in state.check():
        show_notice(notice)
    # The chart first, the learning rate and the start list in the sidebar after: the browser
    # gets the new chart before the widgets (a button per start), each of which it redraws as
    # it comes. PageState.check has vetted the rate: one of the slider's.
    lr = state["lr"]
    starts = tuple(state["starts"])

    def add_start(x: float, y: float, panel: str) -> None:
        _add_start(state, (x, y))

    lr_index = LEARNING_RATES.index(lr)
    rule = update_rule(optimizer.name, schedule[0], noise)

    # Keywords: Streamlit looks a positional argument's name up on every call (see race_view).
    runs, payload = _cached_view(
        key=surface_key(surface), _surface=surface, optimizer=optimizer.name,
        hyperparams=tuple(sorted(optimizer.hyperparams.items())), starts=starts, steps=steps,
        schedule=(schedule[0], tuple(sorted(schedule[1].items()))), noise=noise, seed=seed,
        log_loss=log_loss, show_3d=show_3d,
    )
    payload = dataclasses.replace(payload, fan=dataclasses.replace(payload.fan, index=lr_index))
    if not starts:
        st.info("Click the contour map to add a start point, or type one under “Start points” "
                "in the sidebar.", icon=":material/touch_app:")
    # Typeset by the chart (see ui.chart), which redraws it only when it changes.
    formula = (rf"\begin{{gathered}}{surface.formula}\\[0.4em]{rule}\end{{gathered}}"
               if show_formula else rule)
    chart(dataclasses.replace(payload, formula=formula, notes=notes(
              lessons.tips_title(surface, optimizer.name), list(lessons.tips(surface)),
              surface.description)),
          key="descent_chart", on_click=add_start,
          on_fan=functools.partial(_choose_learning_rate, state))

    download_csv(
        label="Download paths (CSV)", data=functools.partial(trajectory_csv, runs, lr_index),
        file_name=f"descent_{surface.name}_{optimizer.name}_lr{lr:g}.csv",
        help="Every start's path at the learning rate chosen in the sidebar.",
        disabled=not starts,
    )
    with learning_rate_box:
        learning_rate_slider(state)
    with starts_box:
        _start_list(state, surface, starts)
    state.save()
