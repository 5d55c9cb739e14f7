"""The optimizer race view: its sidebar controls, the chart, the results table and the download.

Every racer starts from one point (a click on the contour map moves it). With one learning rate
for all, each racer's runs at every rate of the slider travel with the payload, so the chart's
slider switches all of them in the browser; each at its tuned rate, ``gd_core.tune_lr`` picks a
rate per racer. Runs are cached per racer, so changing one racer's settings reruns only it.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping

import numpy as np
import streamlit as st

import gd_core
from ui import lessons
from ui.chart import chart, notes
from ui.chart_payload import Payload
from ui.controls import (
    LEARNING_RATE,
    Control,
    choice,
    flag_control,
    hyperparameter_defaults,
    learning_rate_parser,
    number,
    optimizer_params,
    select_slider,
    slider,
    steps_control,
    toggle,
)
from ui.downloads import download_csv
from ui.messages import show_error, show_notice
from ui.page_state import PageState
from ui.race import MODES, TITLES, Race, results, results_csv, run_racers
from ui.race_payload import race_payload
from ui.runs import RACE_LEARNING_RATES, format_learning_rate, surface_key
from ui.stores import SharedStore
from ui.surface_view import cached_grid, parse_point, plotted_point
from ui.typed_formula import show_undefined_everywhere

MAX_STEPS = 500
#: The hyperparameter controls an optimizer takes (``ui.controls`` names).
_TAKES = {
    name: [key for key in ("momentum", "alpha", "beta1", "beta2", "eps")
           if ("betas" if key.startswith("beta") else key) in spec.defaults]
    for name, spec in gd_core.OPTIMIZERS.items()
}


def parse_racers(text: str) -> list[str]:
    """Racers from a link (``gd,adam``; empty: none), in the page's order."""
    names = set(filter(None, text.split(",")))
    if names - set(gd_core.OPTIMIZERS):
        raise ValueError(f"racers are some of {', '.join(gd_core.OPTIMIZERS)}")
    return [name for name in gd_core.OPTIMIZERS if name in names]


def _order_racers(state: PageState) -> None:
    # The widget lists racers in the order they were picked: keep the page's own order, so
    # the same racers are the same value (and a link need not name the default six).
    state["racers"] = [name for name in gd_core.OPTIMIZERS if name in (state["racers"] or ())]


def dump_point(point) -> str:
    return f"{point[0]:g},{point[1]:g}"


def _racer_key(optimizer: str, hyperparameter: str) -> str:
    return f"{optimizer}_{hyperparameter}"


def racer_params() -> list[Control]:
    """Each racer's own hyperparameters, declared as ``ui.controls`` declares them for one
    optimizer, under the racer's name (``adam_beta1``) and defaulting to its own defaults."""
    shared = {control.name: control for control in optimizer_params()}
    declared = []
    for optimizer, keys in _TAKES.items():
        defaults = hyperparameter_defaults(optimizer)
        for key in keys:
            declared.append(dataclasses.replace(
                shared[key], name=_racer_key(optimizer, key), default=defaults[key],
                label=f"{TITLES[optimizer]}: {shared[key].label}",
                used=lambda values, o=optimizer: o in values["racers"],
                **_NESTEROV_MOMENTUM if (optimizer, key) == ("nesterov", "momentum") else {}))
    return declared


# Nesterov needs some momentum (torch refuses 0): its slider and its link start at 0.01.
_NESTEROV_MOMENTUM = {"parse": number(0.01, 0.99), "domain": (0.01, 0.99, 0.01)}


def controls() -> list[Control]:
    """The controls of this view (the page adds how the surface is chosen)."""
    return [
        Control("racers", list(gd_core.OPTIMIZERS), parse_racers, ",".join, label="Racers",
                domain=tuple(gd_core.OPTIMIZERS),
                help="The optimizers that race, each in its own colour, dash and marker."),
        Control("mode", "shared", choice(list(MODES)), label="Learning rate",
                domain=tuple(MODES),
                help="One rate for all is simple but rarely fair: each optimizer has its own "
                     "useful range. Tuned: each races at the rate (of 61 from 0.0001 to 10) "
                     "that gets it to a minimum in the fewest steps from this start."),
        dataclasses.replace(LEARNING_RATE, parse=learning_rate_parser(RACE_LEARNING_RATES),
                            domain=RACE_LEARNING_RATES,
                            used=lambda values: values["mode"] == "shared"),
        steps_control(MAX_STEPS, low=10, step=10),
        Control("start", (0.0, 0.0), parse_point, dump_point),
        Control("inside", "adam", choice(list(gd_core.OPTIMIZERS)), label="Look inside",
                domain=tuple(gd_core.OPTIMIZERS),
                help="Whose state to plot under the race: the step size each coordinate gets, "
                     "and every number the optimizer carries from step to step."),
        flag_control("log", True, label="Loss on a log scale",
                     help="Plots f − f* (the gap to the global minimum) on a log axis."),
        flag_control("show3d", True, label="Show the 3D surface",
                     help="The surface in 3D with every racer's path lying on it."),
        *racer_params(),
    ]


def _racer_hyperparams(state: PageState, optimizer: str) -> dict:
    """A racer's hyperparameter widgets; returns torch-named values (``betas`` a pair)."""
    values = {}
    for key in _TAKES[optimizer]:
        name = _racer_key(optimizer, key)
        if key == "beta2":
            values[key] = select_slider(state, name)
        elif key == "eps":
            values[key] = select_slider(state, name, format_func=lambda v: f"{v:.0e}")
        else:
            values[key] = slider(state, name)
    if "beta1" in values:
        values["betas"] = (values.pop("beta1"), values.pop("beta2"))
    return values


def _move_start(state: PageState, point: tuple[float, float]) -> None:
    state["start"] = (round(point[0], 3), round(point[1], 3))
    state["typed_start"] = dump_point(state["start"])


def _type_start(state: PageState, domain) -> None:
    text = state["typed_start"].strip()
    state["start_error"] = None
    try:
        point = plotted_point(text, domain)
    except ValueError as error:
        state["start_error"] = f"{text}: {error}"
        return
    _move_start(state, point)


def _choose_learning_rate(state: PageState, index: int) -> None:
    if 0 <= index < len(RACE_LEARNING_RATES):
        state["lr"] = RACE_LEARNING_RATES[index]


# Computed results shared by every session (``ui.stores``): each racer's runs on their own
# (changing one racer's settings reruns only it; the missing ones run side by side), and the
# payloads. ``key`` (surface_key) stands for the surface in every store key.
_RACERS: SharedStore[tuple] = SharedStore(256)
_PAYLOADS: SharedStore[Payload] = SharedStore(64)
_INSIDES: SharedStore[dict] = SharedStore(64)


def _racer_runs(key, surface: gd_core.Surface, settings: tuple, start: tuple, steps: int,
                mode: str) -> dict:
    """Each racer's ``(FanRuns, tuned rate or None)``, the racers not kept run together."""
    found = {name: _RACERS.find((key, name, frozen, start, steps, mode))
             for name, frozen in settings}
    missing = {name: frozen for name, frozen in settings if found[name] is None}
    if missing:
        made = run_racers(surface, {name: _thawed(frozen) for name, frozen in missing.items()},
                          start, steps, mode)
        for name, frozen in missing.items():
            found[name] = _RACERS.put((key, name, frozen, start, steps, mode), made[name])
    return found


# `identity` stands for the surface, the runs and the inside quantities: the learning rate
# chosen is not among them, since the fan carries every one; ``_show_race`` sets the fan's
# position.
def _cached_payload(identity: tuple, surface, race: Race, inside, log_loss: bool,
                    show_3d: bool) -> Payload:
    return _PAYLOADS.get((identity, log_loss, show_3d), lambda: race_payload(
        surface, cached_grid(identity[0], surface), race, lr_index=0, log_loss=log_loss,
        show_3d=show_3d, inside=inside))


def _frozen(hyperparams: Mapping) -> tuple:
    return tuple(sorted(hyperparams.items()))


def _thawed(hyperparams: tuple) -> dict:
    return {key: tuple(value) if isinstance(value, list) else value
            for key, value in hyperparams}


def _cached_inside(key, surface, optimizer: str, hyperparams: tuple, start: tuple, steps: int,
                   lr: float, run: gd_core.Trajectory) -> dict:
    """``run`` is the racer's run that the other arguments name (the race already made it)."""
    def look() -> dict:
        made = gd_core.make_optimizer(optimizer, lr=lr, **_thawed(hyperparams))
        return gd_core.look_inside(surface, made, run)

    return _INSIDES.get((key, optimizer, hyperparams, start, steps, lr), look)


def _results_csv(surface: gd_core.Surface, race: Race, lr_index: int) -> str:
    return results_csv(results(surface, race, lr_index, TITLES))


def race_csv(race: Race, lr_index: int) -> str:
    """Every racer's path at the current learning rate, one row per step."""
    names = list(race.runs)
    trajectories = [race.runs[name].trajectory(race.member(name, lr_index)) for name in names]
    batch = gd_core.Trajectory(
        np.concatenate([t.points for t in trajectories], axis=1),
        np.concatenate([t.values for t in trajectories], axis=1),
        np.concatenate([np.atleast_1d(t.diverged_at) for t in trajectories]),
        np.concatenate([np.atleast_1d(t.stop_code) for t in trajectories]),
    )
    return gd_core.trajectory_csv(batch, names, [race.lr(name, lr_index) for name in names])


def show(state: PageState, pick_surface: Callable[[], gd_core.Surface | None]) -> None:
    """The race, in two fragments: the sidebar's controls (a change reruns them and the race,
    never the whole page), and in it the chart and the downloads with the learning rate and
    the start point, so that a click on the chart or a released learning rate reruns only
    those few elements, not the whole sidebar."""
    with st.sidebar:
        sidebar = st.container()
    _controls(state, pick_surface, sidebar)


@st.fragment
def _controls(state: PageState, pick_surface, sidebar) -> None:
    for notice in state.check():
        show_notice(notice)
    with sidebar:
        surface = pick_surface()
        racers = st.segmented_control(
            state.controls["racers"].label, state.controls["racers"].domain,
            selection_mode="multi", key=state.key("racers"), format_func=TITLES.get,
            help=state.controls["racers"].help, width="stretch", on_change=_order_racers,
            args=(state,))
        mode = st.segmented_control(
            state.controls["mode"].label, state.controls["mode"].domain, key=state.key("mode"),
            format_func=MODES.get, required=True, help=state.controls["mode"].help,
            width="stretch") or state.controls["mode"].default  # see PageState.check
        learning_rate_box = st.container()
        steps = slider(state, "steps")
        log_loss = toggle(state, "log")
        show_3d = toggle(state, "show3d")
        start_box = st.container()
        racers = [name for name in gd_core.OPTIMIZERS if name in (racers or ())]
        if racers:
            if state["inside"] not in racers:
                state["inside"] = racers[-1]
            st.selectbox(state.controls["inside"].label, racers, key=state.key("inside"),
                         format_func=TITLES.get, help=state.controls["inside"].help)
        hyperparams = {}
        with st.expander("Hyperparameters", icon=":material/tune:"):
            for name in racers:
                hyperparams[name] = _racer_hyperparams(state, name)
            if not any(_TAKES[name] for name in racers):
                st.caption("Plain gradient descent has none but the learning rate.")
    _race(state, surface, racers, hyperparams, mode, steps, log_loss, show_3d,
          learning_rate_box, start_box)


@st.fragment
def _race(state: PageState, surface: gd_core.Surface | None, racers: list[str],
          hyperparams: dict, mode: str, steps: int, log_loss: bool, show_3d: bool,
          learning_rate_box, start_box) -> None:
    for notice in state.check():
        show_notice(notice)
    # The chart first, its controls in the sidebar after: the browser gets the new chart
    # before the widgets, each of which it redraws as it comes.
    if surface is None:
        show_undefined_everywhere(state)
    elif not racers:
        st.info("Pick at least one racer in the sidebar.", icon=":material/sports_score:")
    else:
        _show_race(state, surface, racers, hyperparams, mode, steps, log_loss, show_3d)
    with learning_rate_box:
        # Drawn in both modes (disabled when tuned): a widget left out of a run loses its value.
        select_slider(state, "lr", format_func=format_learning_rate, disabled=mode == "tuned",
                      **({"help": "Each racer runs at its own tuned rate (see the legend and "
                                  "the table)."} if mode == "tuned" else {}))
    if surface is not None:
        with start_box, st.expander("Start point", icon=":material/place:"):
            if state.get("typed_start") is None:
                state["typed_start"] = dump_point(state["start"])
            st.text_input("Start at", key=state.key("typed_start"), placeholder="x, y",
                          on_change=_type_start, args=(state, surface.domain),
                          help="Type x, y and press Enter, or click the contour map.")
            if state.get("start_error"):
                show_error(state["start_error"])
    state.save()


def _show_race(state: PageState, surface: gd_core.Surface, racers: list[str],
               hyperparams: dict, mode: str, steps: int, log_loss: bool,
               show_3d: bool) -> None:
    """The chart of the race and its downloads."""
    start = tuple(float(c) for c in state["start"])
    key = surface_key(surface)
    settings = tuple((name, _frozen(hyperparams[name])) for name in racers)
    made = _racer_runs(key, surface, settings, start, steps, mode)
    runs = {name: fan for name, (fan, _) in made.items()}
    tuned = {name: rate for name, (_, rate) in made.items() if rate is not None}
    race = Race(mode, np.asarray(start), runs, tuned)
    # PageState.check has vetted the rate: one of the slider's.
    lr_index = RACE_LEARNING_RATES.index(state["lr"])

    inside_name = state["inside"]
    inside_lr = race.lr(inside_name, lr_index)
    inside = _cached_inside(key, surface, inside_name, _frozen(hyperparams[inside_name]), start,
                            steps, inside_lr, race.run(inside_name, lr_index))
    payload = _cached_payload(
        (key, settings, start, steps, mode, inside_name, inside_lr), surface, race,
        (inside_name, inside, inside_lr), log_loss=log_loss and bool(surface.minima),
        show_3d=show_3d)
    if payload.fan is not None:
        payload = dataclasses.replace(payload,
                                      fan=dataclasses.replace(payload.fan, index=lr_index))
    found = lessons.race_lesson(surface)
    chart(dataclasses.replace(
              payload, formula=surface.formula,
              notes=notes("What to try", list(found.tips) if found else [],
                          surface.description)),
          key="race_chart", on_click=lambda x, y, panel: _move_start(state, (x, y)),
          on_fan=functools.partial(_choose_learning_rate, state))

    results_column, paths_column = st.columns(2)
    with results_column:
        download_csv(
            label="Download the results (CSV)",
            data=functools.partial(_results_csv, surface, race, lr_index),
            file_name=f"race_{surface.name}_results.csv",
            help="The table above, one row per racer, numbers in full precision.")
    with paths_column:
        download_csv(
            label="Download the paths (CSV)", data=functools.partial(race_csv, race, lr_index),
            file_name=f"race_{surface.name}_paths.csv",
            help="Every racer's path at the learning rate it raced with, one row per step.")
