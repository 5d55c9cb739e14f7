"""The pages' controls, each declared once, and the widgets made from those declarations.

A ``Control`` declares a value of a page: its URL name, default, domain, label and help. The
URL parser (``Control.parse``) and the widget (``slider``, ``select_slider``, ``selectbox``,
``toggle``) are both made from it, so a link and the sidebar always agree. The shared control
groups live here too: the learning rate, the steps, the optimizer and its hyperparameters, the
learning-rate schedule and gradient noise. Where a page keeps the values: ``ui.page_state``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import streamlit as st

import gd_core
from ui.runs import (
    CHART_SLIDER,
    LEARNING_RATE_LABEL,
    LEARNING_RATES,
    format_learning_rate,
    nearest_learning_rate,
)

if TYPE_CHECKING:
    from ui.page_state import PageState


@dataclass(frozen=True)
class Control:
    """A value of a page, kept in the URL as ``name``.

    ``parse`` turns URL text into a value or raises ValueError; ``domain`` is ``(low, high,
    step)`` for a number or the tuple of options; ``aliases`` are older URL names that still
    work; ``used`` says from the page's other values whether the control is in use (a link
    carries only those); ``unlinked`` are values the page takes that a link never carries (an
    upload).
    """

    name: str
    default: Any
    parse: Callable[[str], Any]
    dump: Callable[[Any], str] = str
    label: str = ""
    help: str = ""
    domain: tuple = ()
    aliases: tuple[str, ...] = ()
    used: Callable[[Mapping], bool] = lambda values: True
    unlinked: tuple = ()

    def refusal(self, value: Any) -> str | None:
        """Why ``value`` is not one this control takes, or None when it is: every value a page
        works with is one a link could carry (the URL parser's domain, where the caps are), or
        one of ``unlinked``."""
        if value in self.unlinked:
            return None
        try:
            text = self.dump(value)
        except (ValueError, TypeError, IndexError, OverflowError):
            return "not a value of this setting"
        try:
            self.parse(text)
        except ValueError as error:
            return str(error)
        return None


# --- URL parsers and writers ---------------------------------------------------------------------


#: The largest coordinate a start point or a plotted range may have (in a link, typed or clicked).
MAX_COORDINATE = 1e4


def choice(options: Sequence[str]) -> Callable[[str], str]:
    """Parser accepting one of ``options`` exactly."""

    def parse(text: str) -> str:
        if text not in options:
            raise ValueError(f"choose one of {', '.join(options)}")
        return text

    return parse


def number(low: float, high: float, *, whole: bool = False) -> Callable[[str], float]:
    """Parser for a finite number within ``[low, high]`` (a whole number if ``whole``)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise ValueError("not a number") from None
        if not math.isfinite(value) or not low <= value <= high:
            raise ValueError(
                f"must lie between {gd_core.format_number(low, 6)} and "
                f"{gd_core.format_number(high, 6)}")
        if whole:
            if value != int(value):
                raise ValueError("must be a whole number")
            return int(value)
        return value

    return parse


def one_of(values: Sequence[float]) -> Callable[[str], float]:
    """Parser for a number that must be one of ``values`` (compared to 9 significant digits)."""
    table = {f"{value:.9g}": value for value in values}

    def parse(text: str) -> float:
        try:
            key = f"{float(text):.9g}"
        except ValueError:
            raise ValueError("not a number") from None
        if key not in table:
            raise ValueError(f"choose one of {', '.join(f'{v:g}' for v in values)}")
        return table[key]

    return parse


def coordinate(text: str) -> float:
    """Parser for one coordinate of a point or a range: within ±``MAX_COORDINATE``."""
    return number(-MAX_COORDINATE, MAX_COORDINATE)(text)


def learning_rate_parser(rates: tuple[float, ...]) -> Callable[[str], float]:
    """Parser of a learning rate within ``rates``' range, snapped to the nearest of them."""

    def parse(text: str) -> float:
        value = number(rates[0], rates[-1])(text)
        return rates[nearest_learning_rate(value, rates)]

    return parse


def parse_flag(text: str) -> bool:
    if text not in ("0", "1"):
        raise ValueError("use 1 (on) or 0 (off)")
    return text == "1"


def dump_flag(value: bool) -> str:
    return "1" if value else "0"


def dump_number(value: float) -> str:
    return f"{value:.9g}"


def number_control(name: str, default: float, low: float, high: float, step: float, *,
                   whole: bool = False, **declared) -> Control:
    """A number from ``low`` to ``high`` in steps of ``step`` (a slider)."""
    return Control(name, default, number(low, high, whole=whole), dump_number,
                   domain=(low, high, step), **declared)


def options_control(name: str, default: float, options: Sequence[float], **declared) -> Control:
    """A number that is one of ``options`` (a select slider)."""
    return Control(name, default, one_of(options), dump_number, domain=tuple(options),
                   **declared)


def flag_control(name: str, default: bool, **declared) -> Control:
    """On or off (a toggle); 1 or 0 in the URL."""
    return Control(name, default, parse_flag, dump_flag, **declared)


# --- widgets made from the declarations: label, help, domain and key come from the control -------

#: Every keyed widget of a page keeps its value while a view hides it (another optimizer's
#: hyperparameters, the basin map's controls under the stability map) and shows it again:
#: without this Streamlit drops it, and a value set meanwhile (a function's opening) reaches
#: the browser's widget only by chance, so the next change sent the widget's default back.
KEPT = "session"


def slider(state: PageState, name: str, *, low: float | None = None, **extra) -> Any:
    """A slider over the control's domain (from ``low`` instead, when given)."""
    control = state.controls[name]
    lowest, high, step = control.domain
    return st.slider(control.label, lowest if low is None else low, high, step=step,
                     key=state.key(name), help=control.help, persist_state=KEPT, **extra)


def select_slider(state: PageState, name: str, format_func=lambda v: f"{v:g}", **extra) -> Any:
    control = state.controls[name]
    return st.select_slider(control.label, control.domain, key=state.key(name),
                            format_func=format_func, persist_state=KEPT,
                            **{"help": control.help, **extra})


def selectbox(state: PageState, name: str, **extra) -> Any:
    control = state.controls[name]
    return st.selectbox(control.label, control.domain, key=state.key(name),
                        help=control.help, persist_state=KEPT, **extra)


def toggle(state: PageState, name: str, **extra) -> bool:
    """A toggle; ``extra`` may replace the declared help (say, why it is disabled)."""
    control = state.controls[name]
    return st.toggle(control.label, key=state.key(name), persist_state=KEPT,
                     **{"help": control.help, **extra})


def learning_rate_slider(state: PageState) -> float:
    return select_slider(state, "lr", format_func=format_learning_rate)


# --- the controls every view shares --------------------------------------------------------------

#: The learning rate, on every page (``eta`` in older links).
LEARNING_RATE = Control(
    "lr", gd_core.OPTIMIZERS["gd"].defaults["lr"], learning_rate_parser(LEARNING_RATES),
    dump_number,
    label=LEARNING_RATE_LABEL, domain=LEARNING_RATES, aliases=("eta",),
    help=f"Step size: the update is −η times the gradient. {CHART_SLIDER.capitalize()} "
         "is the same control: drag it to switch between learning rates live.",
)


def steps_control(max_steps: int, *, low: int, step: int) -> Control:
    """How many updates each run takes (``iterations`` in older links)."""
    return number_control("steps", min(100, max_steps), low, max_steps, step, whole=True,
                          label="Steps", help="How many updates each run takes.",
                          aliases=("iterations",))


SCHEDULE_TITLES = {
    "constant": "constant",
    "step": "step decay",
    "exponential": "exponential decay",
    "cosine": "cosine annealing",
    "inverse_time": "1/t decay",
}
NOISE_LEVELS = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
EPSILONS = (1e-10, 1e-8, 1e-6, 1e-4, 1e-2)
BETA2_VALUES = (0.9, 0.99, 0.999, 0.9999)
INVERSE_TIME_DECAYS = (0.001, 0.01, 0.1, 1.0)
#: The hyperparameter controls: torch's names, with Adam's ``betas`` as two controls.
HYPERPARAMETERS = ("momentum", "alpha", "beta1", "beta2", "eps")


def hyperparameter_defaults(optimizer: str) -> dict[str, float]:
    """``optimizer``'s defaults (``gd_core.OPTIMIZERS``) by control; a hyperparameter it does
    not take has the default of the first optimizer that does."""
    found: dict[str, float] = {}
    for name in (optimizer, *gd_core.OPTIMIZERS):
        defaults = dict(gd_core.OPTIMIZERS[name].defaults)
        if "betas" in defaults:
            defaults["beta1"], defaults["beta2"] = defaults.pop("betas")
        for key in HYPERPARAMETERS:
            if key in defaults:
                found.setdefault(key, defaults[key])
    return found


def _takes(hyperparameter: str) -> Callable[[Mapping], bool]:
    """Whether the chosen optimizer takes ``hyperparameter`` (a control of ``HYPERPARAMETERS``)."""
    torch_name = "betas" if hyperparameter in ("beta1", "beta2") else hyperparameter
    return lambda values: torch_name in gd_core.OPTIMIZERS[values["optimizer"]].defaults


def optimizer_params() -> list[Control]:
    """The controls of ``optimizer_controls``: the optimizer and its hyperparameters."""
    defaults = hyperparameter_defaults("gd")
    return [
        Control("optimizer", "gd", choice(list(gd_core.OPTIMIZERS)), label="Optimizer",
                domain=tuple(gd_core.OPTIMIZERS),
                help="The update rule. Each matches torch.optim's (shown above the chart)."),
        number_control("momentum", defaults["momentum"], 0.0, 0.99, 0.01, label="Momentum μ",
                       used=_takes("momentum"),
                       help="How much of the previous step carries over. 0 is plain gradient "
                            "descent."),
        number_control("alpha", defaults["alpha"], 0.5, 0.999, 0.001, label="Smoothing α",
                       used=_takes("alpha"),
                       help="Decay of the running average of squared gradients."),
        number_control("beta1", defaults["beta1"], 0.0, 0.99, 0.01, label="β₁ (momentum)",
                       used=_takes("beta1"), help="Decay of the running average of gradients."),
        options_control("beta2", defaults["beta2"], BETA2_VALUES, label="β₂ (scale)",
                        used=_takes("beta2"),
                        help="Decay of the running average of squared gradients."),
        options_control("eps", defaults["eps"], EPSILONS, label="ε", used=_takes("eps"),
                        help="Added to the denominator so a tiny gradient never divides by "
                             "zero."),
    ]


def schedule_params() -> list[Control]:
    """The controls of ``schedule_controls``."""
    def chosen(*names: str) -> Callable[[Mapping], bool]:
        return lambda values: values["schedule"] in names

    return [
        Control("schedule", "constant", choice(list(SCHEDULE_TITLES)),
                label="Learning-rate schedule", domain=tuple(SCHEDULE_TITLES),
                help="Multiplies η by a factor that changes with the step."),
        number_control("step_size", 50, 1, 500, 1, whole=True, label="Every how many steps",
                       used=chosen("step"),
                       help="The learning rate is multiplied by γ after this many steps."),
        number_control("gamma", 0.5, 0.05, 0.95, 0.05, label="Factor γ", used=chosen("step"),
                       help="The multiplier."),
        number_control("exp_gamma", 0.99, 0.9, 0.999, 0.001, label="Factor γ per step",
                       used=chosen("exponential"), help="η is multiplied by γ at every step."),
        number_control("min_factor", 0.0, 0.0, 0.5, 0.05, label="Final fraction of η",
                       used=chosen("cosine"),
                       help="η falls along a half cosine to this fraction of itself at the "
                            "last step."),
        options_control("decay", 0.01, INVERSE_TIME_DECAYS, label="Decay",
                        used=chosen("inverse_time"), help="η_t = η / (1 + decay · t)."),
    ]


def noise_params() -> list[Control]:
    """The controls of ``noise_controls``."""
    return [
        options_control("noise", 0.0, NOISE_LEVELS, label="Gradient noise σ",
                        help="Adds Gaussian noise of this standard deviation to every gradient: "
                             "stochastic gradient descent on an exact surface."),
        number_control("seed", 0, 0, 9999, 1, whole=True, label="Noise seed",
                       used=lambda values: values["noise"] > 0,
                       help="The same seed gives the same noise, so a link reproduces the run."),
    ]


@dataclass(frozen=True)
class OptimizerChoice:
    """An optimizer name and its hyperparameters (torch names, without ``lr``)."""

    name: str
    hyperparams: dict

    @property
    def title(self) -> str:
        return gd_core.OPTIMIZERS[self.name].title


def _switch_optimizer(state: PageState) -> None:
    """A newly chosen optimizer shows its own hyperparameter defaults, except for the values the
    viewer set (those that are no optimizer's default)."""
    chosen = state["optimizer"]
    if chosen is None:
        return
    every_default = [hyperparameter_defaults(name) for name in gd_core.OPTIMIZERS]
    for name, value in hyperparameter_defaults(chosen).items():
        if any(state.get(name) == defaults[name] for defaults in every_default):
            state[name] = value


def _momentum_floor(optimizer: str) -> float:
    # Nesterov needs some momentum (torch refuses 0).
    return 0.01 if optimizer == "nesterov" else 0.0


def optimizer_choice(state: PageState) -> OptimizerChoice:
    """The optimizer and the hyperparameters it takes (``lr`` excluded), as the page's values
    hold them: what ``optimizer_controls`` shows, readable before it is drawn."""
    # PageState.check puts a value back into an emptied key before the page reads it.
    name = state["optimizer"] or state.controls["optimizer"].default
    takes = gd_core.OPTIMIZERS[name].defaults
    hyperparams: dict[str, Any] = {}
    if "momentum" in takes:
        low = _momentum_floor(name)
        if state["momentum"] < low:
            state["momentum"] = low
        hyperparams["momentum"] = state["momentum"]
    if "alpha" in takes:
        hyperparams["alpha"] = state["alpha"]
    if "betas" in takes:
        hyperparams["betas"] = (state["beta1"], state["beta2"])
    if "eps" in takes:
        hyperparams["eps"] = state["eps"]
    return OptimizerChoice(name, hyperparams)


def optimizer_controls(state: PageState) -> OptimizerChoice:
    """Optimizer picker and the hyperparameters that optimizer has (``lr`` excluded)."""
    chosen = optimizer_choice(state)
    # Buttons rather than a selectbox: all six in sight, one click, and less for Streamlit to
    # handle than a dropdown.
    control = state.controls["optimizer"]
    st.segmented_control(
        control.label, control.domain, key=state.key("optimizer"), required=True,
        format_func=lambda n: gd_core.OPTIMIZERS[n].title, width="stretch", help=control.help,
        on_change=_switch_optimizer, args=(state,), persist_state=KEPT,
    )
    takes = chosen.hyperparams
    if "momentum" in takes:
        slider(state, "momentum", low=_momentum_floor(chosen.name))
    if "alpha" in takes:
        slider(state, "alpha", format="%.3f")
    if "betas" in takes:
        slider(state, "beta1")
        select_slider(state, "beta2")
    if "eps" in takes:
        select_slider(state, "eps", format_func=lambda v: f"{v:.0e}")
    return chosen


def schedule_controls(state: PageState, steps: int) -> tuple[str, dict]:
    """Learning-rate schedule and its parameters: ``(name, params)`` for ``make_schedule``."""
    name = selectbox(state, "schedule", format_func=SCHEDULE_TITLES.get)
    params: dict[str, Any] = {}
    if name == "step":
        params["step_size"] = slider(state, "step_size")
        params["gamma"] = slider(state, "gamma")
    elif name == "exponential":
        params["gamma"] = slider(state, "exp_gamma", format="%.3f")
    elif name == "cosine":
        params["total_steps"] = steps
        params["min_factor"] = slider(state, "min_factor")
    elif name == "inverse_time":
        params["decay"] = select_slider(state, "decay")
    return name, params


def noise_controls(state: PageState) -> tuple[float, int]:
    """Gradient noise (standard deviation) and its random seed."""
    noise = select_slider(state, "noise")
    control = state.controls["seed"]
    low, high, step = control.domain
    seed = st.number_input(control.label, low, high, step=step, key=state.key("seed"),
                           disabled=noise == 0, help=control.help, persist_state=KEPT)
    return noise, int(seed)
