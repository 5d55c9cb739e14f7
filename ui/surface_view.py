"""The descent view of a 2D surface: its sidebar controls, the chart, hints and the download.

Shared by "Descent on a surface" (registered surfaces, or a typed formula picked as "Custom
formula…") and "Your own function". Runs and payloads are cached on a hashable key of the surface
(``widgets.surface_key``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st

import gd_core
from ui import widgets
from ui.chart import chart, notes
from ui.figures import MAX_RUNS, descent_payload, surface_grid
from ui.runs import LEARNING_RATES, badges, format_learning_rate, run_fan

MAX_STEPS = 500

#: Per surface: the start points it opens with, and what to try (verified against gd_core).
TRY = {
    "bowl": ([(-0.5, 2.5)], [
        "η = 0.042 from (−0.5, 2.5): a smooth slide into the minimum.",
        "η = 0.1: the path zig-zags in y, where the bowl is steeper (curvature 18, stable "
        "only while η < 2/18 ≈ 0.11).",
        "η = 0.13: past that edge the zig-zag grows and the run diverges.",
    ]),
    "ravine": ([(-0.5, 2.5)], [
        "η = 0.024 oscillates across the valley: its walls have curvature 80, so plain "
        "gradient descent is stable only for η < 2/80 = 0.025.",
        "η = 0.032 diverges; η = 0.013 is stable but creeps along the valley floor.",
        "Momentum μ = 0.9 with η = 0.01 rolls along the floor instead of bouncing.",
    ]),
    "two_minima": ([(0.7, -0.2), (-1.5, 1.2)], [
        "With η = 0.42, the start at (0.7, −0.2) ends in the shallow minimum and the start "
        "at (−1.5, 1.2) in the deep one: the start point decides.",
        "Click between the two valleys to find where the basins meet.",
    ]),
    "rosenbrock": ([(-1.5, 2.0)], [
        "Gradient descent with η = 0.001 reaches the curved valley in a few steps, then "
        "crawls along its flat floor for hundreds.",
        "Raise η a little and the steep walls make it diverge; try momentum or Adam "
        "(η = 0.1) for the long valley.",
    ]),
    "himmelblau": ([(0.0, 0.0), (-1.0, -1.0), (1.0, -1.0), (-1.0, 1.0)], [
        "η = 0.01: four starts near the centre end in four different minima of equal depth.",
        "η = 0.024: the steps overshoot the ridges and some runs change basin.",
    ]),
    "beale": ([(1.0, 1.5), (-3.0, -3.0)], [
        "From (−3, −3) plain gradient descent diverges for η ≥ 0.001: the walls are steep.",
        "With tiny η it survives but barely moves on the flat plateau: compare Adam.",
    ]),
    "six_hump_camel": ([(-0.5, 1.5), (2.0, -1.0)], [
        "From (−0.5, 1.5), η = 0.01 ends in one global minimum and η = 0.042 jumps to "
        "the other one.",
        "From (2, −1) both end in a local minimum.",
    ]),
    "styblinski_tang": ([(0.0, 0.0), (1.0, 1.0), (-1.0, 1.0)], [
        "Starts on the three sides of the centre end in three different corners; only one "
        "of them is the global minimum.",
    ]),
    "rastrigin": ([(2.3, -1.7)], [
        "Every dip traps plain gradient descent: with η = 0.0042 the run from (2.3, −1.7) "
        "stops in the dip at (1.99, −1.99). At η = 0.01, past 2/f″ ≈ 0.005 there, it keeps "
        "bouncing around that dip instead.",
        "Add gradient noise (σ = 3) and try a few seeds: noisy steps can hop out of dips.",
    ]),
    "ackley": ([(2.3, -1.7)], [
        "The funnel leads to the origin, but the ripples trap small steps in local dips.",
        "Compare plain gradient descent at η = 0.01 and 0.1 with Adam.",
    ]),
    "saddle": ([(1.5, 0.0), (1.5, 0.05)], [
        "With η = 0.1, the run from (1.5, 0) slides into the saddle point and stops: the "
        "gradient is 0 there.",
        "With η = 0.1, the run from (1.5, 0.05) starts almost the same, but the tiny offset "
        "grows every step and it escapes: diverged at step 46. At η = 0.01 both are still on "
        "their way after 100 steps.",
    ]),
}
CUSTOM_TRY = [
    "Click the map to add start points: each gets its own colour and marker.",
    "Drag the learning-rate slider under the chart and find where the paths start to "
    "zig-zag, then to diverge.",
    "Where f is undefined (log of a negative, a square root below zero) the map has gaps; "
    "a run that steps into one stops and says so.",
]


def format_starts(starts) -> str:
    return ";".join(f"{x:g},{y:g}" for x, y in starts)


def parse_starts(text: str) -> list[tuple[float, float]]:
    starts = []
    for item in filter(None, text.split(";")):
        parts = item.split(",")
        if len(parts) != 2:
            raise ValueError("write start points as x,y;x,y")
        point = tuple(widgets.number(-1e4, 1e4)(part) for part in parts)
        starts.append(point)
    if len(starts) > MAX_RUNS:
        raise ValueError(f"at most {MAX_RUNS} start points")
    return starts


#: URL parameters of this view (the page adds how the surface is chosen).
URL_PARAMS = [
    *widgets.optimizer_params(),
    widgets.UrlParam("steps", 100, widgets.number(10, MAX_STEPS, whole=True),
                     widgets.dump_number),
    *widgets.schedule_params(),
    *widgets.noise_params(),
    widgets.UrlParam("log", False, widgets.parse_flag, widgets.dump_flag),
    widgets.UrlParam("show3d", True, widgets.parse_flag, widgets.dump_flag),
    widgets.UrlParam("starts", None, parse_starts, format_starts),
]


def default_starts(surface: gd_core.Surface) -> list[tuple[float, float]]:
    if surface.name in TRY:
        return list(TRY[surface.name][0])
    # A typed function: one start three quarters of the way across, off any symmetry axis.
    (xlo, xhi), (ylo, yhi) = surface.domain
    return [(round(xlo + 0.75 * (xhi - xlo), 3), round(ylo + 0.7 * (yhi - ylo), 3))]


def reset_starts() -> None:
    st.session_state.starts = None


def _current_starts(surface: gd_core.Surface) -> list[tuple[float, float]]:
    starts = st.session_state.starts
    return default_starts(surface) if starts is None else list(starts)


def _clear_starts() -> None:
    st.session_state.starts = []


#: Session key: the chart's learning-rate slider was released, and the page must rerun.
_LR_FROM_CHART = "_surface_view.lr_from_chart"


def _choose_learning_rate(index: int) -> None:
    if 0 <= index < len(LEARNING_RATES):
        st.session_state.lr = LEARNING_RATES[index]
        st.session_state[_LR_FROM_CHART] = True


# In the cached functions below `key` (widgets.surface_key) stands for `_surface`, which the
# leading underscore leaves out of the cache key.
@st.cache_resource(max_entries=16, show_spinner=False)
def _cached_grid(key: tuple, _surface: gd_core.Surface):
    return surface_grid(_surface)


@st.cache_resource(max_entries=64, show_spinner=False)
def _cached_view(key, _surface, optimizer, hyperparams, starts, steps, schedule, noise, seed,
                 log_loss, show_3d):
    """The runs at every learning rate and the chart payload; arguments are hashable.

    The learning rate chosen is not among them: the runs are the same for every choice (the
    fan computes them all), and ``_descent`` sets the payload's fan position.
    """
    runs = run_fan(
        _surface, optimizer, dict(hyperparams), np.array(starts).reshape(-1, 2),
        LEARNING_RATES, steps, schedule=(schedule[0], dict(schedule[1])), noise=noise,
        seed=seed,
    )
    payload = descent_payload(
        _surface, _cached_grid(key, _surface), runs, badges(_surface, runs),
        lr_labels=[format_learning_rate(lr) for lr in LEARNING_RATES], lr_index=0,
        log_loss=log_loss, show_3d=show_3d,
    )
    return runs, payload


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


@dataclass(frozen=True)
class _Settings:
    """The sidebar controls that live outside the descent fragment (see ``show``)."""

    lr: float
    steps: int
    schedule: tuple[str, dict]
    noise: float
    seed: int
    show_3d: bool


def show(
    pick_surface: Callable[[], gd_core.Surface], url: widgets.UrlState, *,
    show_formula: bool = True,
) -> None:
    """The descent view of a 2D surface: its sidebar controls, the chart, hints and download.

    ``pick_surface`` draws the surface's own control (or none) at the top of the sidebar and
    returns the surface; ``url`` is the page's URL state, saved after every change.

    The surface and optimizer controls, the formula and the chart form one fragment: changing
    them, or clicking the chart, reruns only that fragment, so Streamlit redraws a third of the
    page (an optimizer change reaches the redrawn chart some 25 ms sooner). The other controls
    rerun the page.
    """
    with st.sidebar:
        top = st.container()
        lr = widgets.learning_rate_slider()
        steps = st.slider("Steps", 10, MAX_STEPS, step=10, key="steps",
                          help="How many updates each run takes.")
        schedule = widgets.schedule_controls(steps)
        noise, seed = widgets.noise_controls()
        log_slot = st.container()
        show_3d = st.toggle("Show the 3D surface", key="show3d",
                            help="The surface in 3D with the same paths lying on it.")
        st.button("Clear start points", on_click=_clear_starts, width="stretch",
                  help="Remove every start point; click the contour map to add new ones.")
    _descent(pick_surface, url, (top, log_slot), show_formula,
             _Settings(lr, steps, schedule, noise, seed, show_3d))


@st.fragment
def _descent(pick_surface, url, slots, show_formula: bool, settings: _Settings) -> None:
    """The fragment of ``show``: ``slots`` are the sidebar places of its controls."""
    if st.session_state.pop(_LR_FROM_CHART, False):
        st.rerun()  # the sidebar's learning-rate slider is outside this fragment
    top, log_slot = slots
    with top:
        surface = pick_surface()
        optimizer = widgets.optimizer_controls()
    with log_slot:
        has_minimum = bool(surface.minima)
        if not has_minimum:
            st.session_state.log = False
        log_loss = st.toggle(
            "Loss on a log scale", key="log", disabled=not has_minimum,
            help="Plots f − f* (the gap to the global minimum) on a log axis: steady "
                 "convergence shows as a straight line." if has_minimum else
                 "Needs a known minimum; this surface has none.",
        )

    def add_start(x: float, y: float, panel: str) -> None:
        starts = _current_starts(surface)
        # Rounded so that the link a viewer shares reproduces exactly these starts.
        starts.append((round(x, 3), round(y, 3)))
        st.session_state.starts = starts[-MAX_RUNS:]

    starts = _current_starts(surface)
    lr_index = LEARNING_RATES.index(settings.lr)
    schedule, noise = settings.schedule, settings.noise
    rule = update_rule(optimizer.name, schedule[0], noise)

    runs, payload = _cached_view(
        widgets.surface_key(surface), surface, optimizer.name,
        tuple(sorted(optimizer.hyperparams.items())),
        tuple(starts), settings.steps, (schedule[0], tuple(sorted(schedule[1].items()))),
        noise, settings.seed, log_loss, settings.show_3d,
    )
    payload = {**payload, "fan": {**payload["fan"], "index": lr_index}}
    if not starts:
        st.info("Click the contour map to add a start point.", icon="👆")
    tips = TRY[surface.name][1] if surface.name in TRY else CUSTOM_TRY
    # Typeset by the chart (see ui.chart), which redraws it only when it changes.
    formula = (rf"\begin{{gathered}}{surface.formula}\\[0.4em]{rule}\end{{gathered}}"
               if show_formula else rule)
    chart({**payload, "formula": formula,
           "notes": notes("What to try", tips, surface.description)},
          key="descent_chart", on_click=add_start, on_fan=_choose_learning_rate)

    widgets.download_csv(
        label="Download paths (CSV)", data=functools.partial(trajectory_csv, runs, lr_index),
        file_name=f"descent_{surface.name}_{optimizer.name}_lr{settings.lr:g}.csv",
        help="Every start's path at the learning rate chosen in the sidebar.",
        disabled=not starts,
    )
    st.session_state.starts = starts if starts != default_starts(surface) else None
    url.save()
