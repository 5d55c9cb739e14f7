"""Shared control groups for the pages, the state behind them, and the messages they show.

Every control is declared once (``Control``: URL name, default, domain, label, help) and both its
URL parser and its widget are made from that declaration. A page's values live in a store of its
own (``PageState``) that Streamlit's widget cleanup does not touch: they are copied into the
page's widget keys before the widgets are drawn, so a page comes back exactly as it was left, and
the pages' keys are prefixed with the page's name, so no page hands another its values. The URL
holds the values in use that differ from the page's baseline (the control defaults and the
function's opening configuration, ``ui.lessons``), so a link reproduces the view.
"""

from __future__ import annotations

import gc
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

import gd_core
from ui import lessons
from ui.runs import (
    LEARNING_RATE_LABEL,
    LEARNING_RATES,
    format_learning_rate,
    nearest_learning_rate,
)

# --- messages ------------------------------------------------------------------------------------

#: Streamlit renders message text as Markdown (with :directives: and $math$): every ASCII
#: punctuation character may mean something there.
_MARKDOWN_SIGNS = re.compile(r"([!-/:-@\[-`{-~])")


def literal(text: str) -> str:
    """``text`` escaped so that Markdown shows it exactly as typed (``3*x`` keeps its star)."""
    return _MARKDOWN_SIGNS.sub(r"\\\1", text)


def show_notice(text: str) -> None:
    """A warning in plain words; ``text`` is shown literally."""
    st.warning(literal(text), icon=":material/warning:")


def show_error(text: str) -> None:
    """An error in plain words; ``text`` is shown literally."""
    st.error(literal(text), icon=":material/error:")


# --- controls and the page state -------------------------------------------------------------


@dataclass(frozen=True)
class Control:
    """A value of a page, kept in the URL as ``name``.

    ``parse`` turns URL text into a value or raises ValueError; ``domain`` is ``(low, high,
    step)`` for a number or the tuple of options; ``aliases`` are older URL names that still
    work; ``used`` says from the page's other values whether the control is in use (a link
    carries only those).
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


def parse_learning_rate(text: str) -> float:
    """A learning rate from 1e-4 to 10, snapped to the nearest one the controls offer."""
    value = number(LEARNING_RATES[0], LEARNING_RATES[-1])(text)
    return LEARNING_RATES[nearest_learning_rate(value)]


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


def steps_control(max_steps: int, *, low: int, step: int) -> Control:
    """How many updates each run takes (``iterations`` in older links)."""
    return number_control("steps", min(100, max_steps), low, max_steps, step, whole=True,
                          label="Steps", help="How many updates each run takes.",
                          aliases=("iterations",))


#: The learning rate, on every page (``eta`` in older links).
LEARNING_RATE = Control(
    "lr", gd_core.OPTIMIZERS["gd"].defaults["lr"], parse_learning_rate, dump_number,
    label=LEARNING_RATE_LABEL, domain=LEARNING_RATES, aliases=("eta",),
    help=f"Step size: the update is −η times the gradient. {lessons.CHART_SLIDER.capitalize()} "
         "is the same control: drag it to switch between learning rates live.",
)


#: Session key: which page wrote the URL last, and what.
_URL_WRITER = "_widgets.url_writer"


class PageState:
    """The controls of one page and their values.

    ``opening(values)`` gives the values a page opens on for the function ``values`` name (its
    lesson's learning rate, steps, optimizer and starts); ``in_use(values)``, where given, names
    the controls the page shows for those values (a link carries no others; None: all).
    """

    def __init__(self, page: str, controls: Sequence[Control],
                 opening: Callable[[Mapping], dict] | None = None,
                 in_use: Callable[[Mapping], set[str] | None] | None = None):
        self.page = page
        # Views shared by a page declare some controls alike: the first declaration counts.
        self.controls: dict[str, Control] = {}
        for control in controls:
            self.controls.setdefault(control.name, control)
        self.aliases = {alias: control.name for control in self.controls.values()
                        for alias in control.aliases}
        self.opening = opening
        self.in_use = in_use

    def key(self, name: str) -> str:
        """The session key of this page's ``name`` (its widget's key, if it has one)."""
        return f"{self.page}.{name}"

    def __getitem__(self, name: str) -> Any:
        return st.session_state[self.key(name)]

    def __setitem__(self, name: str, value: Any) -> None:
        st.session_state[self.key(name)] = value

    def get(self, name: str, default: Any = None) -> Any:
        return st.session_state.get(self.key(name), default)

    @property
    def _store(self) -> dict:
        name = f"_store.{self.page}"
        if name not in st.session_state:
            st.session_state[name] = {}
        return st.session_state[name]

    def baseline(self, values: Mapping) -> dict:
        """What each control holds unless set: its default, the opening configuration of the
        function ``values`` name, and the chosen optimizer's own hyperparameter defaults."""
        base = {name: control.default for name, control in self.controls.items()}
        if self.opening is not None:
            base.update(self.opening({**base, **values}))
        if "optimizer" in self.controls:
            base.update(hyperparameter_defaults(values.get("optimizer", base["optimizer"])))
        return base

    def restore(self) -> list[str]:
        """Put this page's values into its keys before its widgets are drawn.

        The first time the page runs (and after ``reread_urls``) a URL with parameters sets the
        whole view: what it leaves out is the baseline. Returns a notice for every URL parameter
        that could not be used.
        """
        store = self._store
        notices: list[str] = []
        marker = f"_url_restored.{self.page}"
        if marker not in st.session_state:
            st.session_state[marker] = True
            given, notices = self._read_url() if self._url_is_for_this_page() else ({}, [])
            if given or not store:
                store.clear()
                store.update(self.baseline(given))
                store.update(given)
                for name, value in store.items():
                    self[name] = value
        for name, value in store.items():
            if self.key(name) not in st.session_state:
                self[name] = value
        return notices

    def _url_is_for_this_page(self) -> bool:
        """False when the URL still holds what another page wrote: Streamlit carries the query
        string along when the viewer switches pages, and those are that page's values."""
        writer = st.session_state.get(_URL_WRITER)
        return not (writer and writer[0] != self.page
                    and writer[1] == st.query_params.to_dict())

    def _read_url(self) -> tuple[dict, list[str]]:
        given, failed, notices = {}, {}, []
        for text_name, text in st.query_params.to_dict().items():
            name = self.aliases.get(text_name, text_name)
            control = self.controls.get(name)
            if control is None:
                notices.append(f"Ignored {text_name}={text[:40]} in the URL (this page has no "
                               "such setting).")
                continue
            try:
                given[name] = control.parse(text)
            except ValueError as error:
                failed[name] = (text_name, text, error)
        base = self.baseline(given)
        for name, (text_name, text, error) in failed.items():
            shown = base[name]
            default = "" if shown is None or isinstance(shown, bool) else (
                f" ({self.controls[name].dump(shown)})")
            notices.append(f"Ignored {text_name}={text[:40]} in the URL ({error}); using the "
                           f"default{default}.")
        return given, notices

    def save(self) -> None:
        """Keep the page's values in its store, and put those in use that differ from the
        baseline into the URL, so a link reproduces this view."""
        store = self._store
        for name in self.controls:
            if self.key(name) in st.session_state:
                store[name] = self[name]
        base = self.baseline(store)
        shown = (self.in_use(store) if self.in_use is not None else None) or self.controls
        wanted = {name: control.dump(store[name]) for name, control in self.controls.items()
                  if name in shown and control.used(store) and store[name] != base[name]}
        if st.query_params.to_dict() != wanted:
            st.query_params.from_dict(wanted)
        st.session_state[_URL_WRITER] = (self.page, wanted)

    def open_function(self) -> None:
        """Apply the opening configuration of the function now chosen (a picker's callback)."""
        values = {name: self.get(name, control.default)
                  for name, control in self.controls.items()}
        self.apply(self.opening(values))

    def apply(self, values: Mapping) -> None:
        """Set several values at once (a function's opening configuration), from a callback."""
        for name, value in values.items():
            if name in self.controls:
                self[name] = value

    # Widgets made from the declarations: label, help, domain and key come from the control.

    def slider(self, name: str, *, low: float | None = None, **extra) -> Any:
        """A slider over the control's domain (from ``low`` instead, when given)."""
        control = self.controls[name]
        lowest, high, step = control.domain
        return st.slider(control.label, lowest if low is None else low, high, step=step,
                         key=self.key(name),
                         help=control.help, **extra)

    def select_slider(self, name: str, format_func=lambda v: f"{v:g}", **extra) -> Any:
        control = self.controls[name]
        return st.select_slider(control.label, control.domain, key=self.key(name),
                                format_func=format_func, help=control.help, **extra)

    def selectbox(self, name: str, **extra) -> Any:
        control = self.controls[name]
        return st.selectbox(control.label, control.domain, key=self.key(name),
                            help=control.help, **extra)

    def toggle(self, name: str, **extra) -> bool:
        control = self.controls[name]
        return st.toggle(control.label, key=self.key(name), help=control.help, **extra)

    def learning_rate_slider(self) -> float:
        return self.select_slider("lr", format_func=format_learning_rate)


_startup_frozen = False


def freeze_startup_objects() -> None:
    """Leave what is alive after the first run (imported modules, registries, caches) out of
    Python's garbage collections from then on; called once the app has run.

    A full collection walks every tracked object: with SymPy, pandas and plotly loaded it took
    40-60 ms, and fell on whichever rerun happened to trigger it. Newer objects are collected
    as before.
    """
    global _startup_frozen
    if not _startup_frozen:
        _startup_frozen = True
        gc.freeze()


def use_declared_navigation() -> None:
    """Hand a page opened before the app declared its navigation over to ``app.py``.

    Streamlit starts every server in its old multipage mode when a ``pages/`` folder exists, and
    leaves it only once ``st.navigation`` (in ``app.py``) has run. Until then a link straight to
    a page runs that page's file on its own, with Streamlit's file list ("app") as the sidebar
    and no home page. Called first by every page: in that mode it switches the mode off and
    reruns, so ``app.py`` runs and opens this same page (its URL path is the same in both modes).
    """
    # Private to Streamlit (checked against 1.67): the flag its script runner reads every run.
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def reread_urls() -> None:
    """Make every page read its URL again the next time it runs.

    ``UrlState.restore`` reads the URL once per page and session; a link followed inside the
    app (``st.page_link`` with query parameters, as the home page's examples are) to a page
    already opened in this session would otherwise be ignored.
    """
    for key in [key for key in st.session_state if str(key).startswith("_url_restored.")]:
        del st.session_state[key]


# --- control groups ----------------------------------------------------------------------------

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


def surface_picker(
    state: PageState, names: Sequence[str], *, key: str = "surface", on_change=None,
    custom_dim: int | None = None, label: str = "Surface",
):
    """Choose a registered surface among ``names``; returns the ``gd_core.Surface``, or None
    for a typed formula that is undefined everywhere in its range.

    With ``custom_dim``, the list ends with "Custom formula…", which opens ``formula_box`` for
    a typed function of that many variables (its controls: ``formula_params``).
    """
    options = [*names, CUSTOM] if custom_dim else list(names)
    name = st.selectbox(
        label, options, key=state.key(key), on_change=on_change,
        format_func=lambda n: "Custom formula…" if n == CUSTOM else gd_core.get_surface(n).title,
        help="The function to minimise. Its formula is shown above the chart.",
    )
    if name == CUSTOM:
        return formula_box(state, custom_dim, on_change=on_change)
    return gd_core.get_surface(name)


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


def optimizer_controls(state: PageState) -> OptimizerChoice:
    """Optimizer picker and the hyperparameters that optimizer has (``lr`` excluded)."""
    # Buttons rather than a selectbox: all six in sight, one click (and 20-30 ms less for
    # Streamlit to handle than a dropdown).
    control = state.controls["optimizer"]
    chosen = state.get("optimizer")
    name = st.segmented_control(
        control.label, control.domain, key=state.key("optimizer"), required=True,
        format_func=lambda n: gd_core.OPTIMIZERS[n].title, width="stretch", help=control.help,
        on_change=_switch_optimizer, args=(state,),
    )
    if name is None:
        # Streamlit 1.67 can hand a keyed segmented control back empty after a page switch:
        # put the choice back and run again.
        state["optimizer"] = chosen if chosen in gd_core.OPTIMIZERS else control.default
        st.rerun()
    takes = gd_core.OPTIMIZERS[name].defaults
    hyperparams: dict[str, Any] = {}
    if "momentum" in takes:
        # Nesterov needs some momentum (torch refuses 0).
        low = 0.01 if name == "nesterov" else 0.0
        if state["momentum"] < low:
            state["momentum"] = low
        hyperparams["momentum"] = state.slider("momentum", low=low)
    if "alpha" in takes:
        hyperparams["alpha"] = state.slider("alpha", format="%.3f")
    if "betas" in takes:
        hyperparams["betas"] = (state.slider("beta1"), state.select_slider("beta2"))
    if "eps" in takes:
        hyperparams["eps"] = state.select_slider("eps", format_func=lambda v: f"{v:.0e}")
    return OptimizerChoice(name, hyperparams)


def schedule_controls(state: PageState, steps: int) -> tuple[str, dict]:
    """Learning-rate schedule and its parameters: ``(name, params)`` for ``make_schedule``."""
    name = state.selectbox("schedule", format_func=SCHEDULE_TITLES.get)
    params: dict[str, Any] = {}
    if name == "step":
        params["step_size"] = state.slider("step_size")
        params["gamma"] = state.slider("gamma")
    elif name == "exponential":
        params["gamma"] = state.slider("exp_gamma", format="%.3f")
    elif name == "cosine":
        params["total_steps"] = steps
        params["min_factor"] = state.slider("min_factor")
    elif name == "inverse_time":
        params["decay"] = state.select_slider("decay")
    return name, params


def noise_controls(state: PageState) -> tuple[float, int]:
    """Gradient noise (standard deviation) and its random seed."""
    noise = state.select_slider("noise")
    control = state.controls["seed"]
    low, high, step = control.domain
    seed = st.number_input(control.label, low, high, step=step, key=state.key("seed"),
                           disabled=noise == 0, help=control.help)
    return noise, int(seed)


def opening_values(surface: gd_core.Surface | None) -> dict:
    """The control values of ``surface``'s opening configuration (``ui.lessons``): learning
    rate, steps, optimizer and its default hyperparameters, and ``start`` on a curve or
    ``starts`` on a surface. Empty for a formula that is undefined everywhere."""
    opening = lessons.opening(surface) if surface is not None else None
    if opening is None:
        return {}
    values = {"lr": opening.lr, "steps": opening.steps, "optimizer": opening.optimizer,
              **hyperparameter_defaults(opening.optimizer)}
    if surface.dim == 1:
        values["start"] = opening.starts[0][0]
    else:
        values["starts"] = opening.starts
    return values


def download_csv(**download) -> None:
    """A CSV download button (``download`` are ``st.download_button``'s arguments) that does
    not rerun the page when clicked. Pass ``data`` as a callable: the file is then made only
    when someone asks for it, not on every rerun."""
    st.download_button(on_click="ignore", mime="text/csv", **download)


# --- typed formulas ----------------------------------------------------------------------------

#: The surface pickers' entry for a typed formula.
CUSTOM = "custom"
DEFAULT_FORMULAS = {1: "x^4 - 3*x^2 + x", 2: "sin(x)*cos(y) + 0.1*(x^2 + y^2)"}
DEFAULT_RANGE = (-5.0, 5.0)
_VARIABLES = {1: "x", 2: "x and y"}


@st.cache_resource(max_entries=32, show_spinner=False)
def load_formula(text: str, plot_range: tuple[float, float] = DEFAULT_RANGE) -> gd_core.Surface:
    """The Surface of a typed formula over ``plot_range`` on every axis (cached: parsing
    compiles the gradient and searches for minima). Raises ``gd_core.FormulaError``."""
    return gd_core.parse_surface(text, domain=[plot_range])


def surface_key(surface: gd_core.Surface) -> tuple:
    """A hashable stand-in for ``surface`` in cache keys. A parsed formula is named "custom" and
    titled with its text, so the title (with the LaTeX formula and the domain) tells typed
    formulas apart."""
    return (surface.name, surface.title, surface.formula, surface.domain)


def formula_parser(dim: int | None) -> Callable[[str], str]:
    """URL parser for a formula: it must parse, and have ``dim`` variables when given."""

    def parse(text: str) -> str:
        surface = load_formula(text)
        if dim is not None and surface.dim != dim:
            raise ValueError(f"this view needs a formula in {_VARIABLES[dim]}")
        return text

    return parse


def parse_range(text: str) -> tuple[float, float]:
    low, high = (number(-1e4, 1e4)(part) for part in text.split(",", 1))
    if not low < high:
        raise ValueError("the range must go from a smaller to a larger number")
    return (low, high)


def dump_range(value: tuple[float, float]) -> str:
    return f"{value[0]:g},{value[1]:g}"


def formula_params(dim: int | None, picked_by: str | None = None) -> list[Control]:
    """The controls of ``formula_box``: the formula text and its plot range; in use always, or
    only while the picker ``picked_by`` is on "Custom formula…"."""
    def used(values: Mapping) -> bool:
        return picked_by is None or values[picked_by] == CUSTOM

    return [
        Control("formula", DEFAULT_FORMULAS[dim or 2], formula_parser(dim), used=used),
        Control("range", DEFAULT_RANGE, parse_range, dump_range, used=used),
    ]


def typed_surface(values: Mapping) -> gd_core.Surface | None:
    """The typed formula of a page's ``values`` (its ``formula`` and ``range``), or None if it
    does not parse."""
    try:
        return load_formula(values["formula"], tuple(values["range"]))
    except ValueError:
        return None


def picked_function_state(page: str, picker: str, names: Sequence[str], default: str,
                          dim: int, view_controls: Sequence[Control]) -> PageState:
    """The state of a page that draws one function, picked by the control ``picker`` among the
    registered ``names`` or typed as a formula of ``dim`` variables ("Custom formula…").

    The page opens each function on its lesson's configuration; while a typed formula is
    undefined everywhere no view is drawn, so only the picker and the formula are in use.
    """
    def chosen(values: Mapping) -> gd_core.Surface | None:
        if values[picker] == CUSTOM:
            return typed_surface(values)
        return gd_core.get_surface(values[picker])

    def opening(values: Mapping) -> dict:
        return opening_values(chosen(values))

    def in_use(values: Mapping) -> set[str] | None:
        return None if opening(values) else {picker, "formula", "range"}

    return PageState(page, [
        Control(picker, default, choice([*names, CUSTOM])),
        *formula_params(dim, picked_by=picker),
        *view_controls,
    ], opening=opening, in_use=in_use)


def _accept_formula(state: PageState, dim: int | None, on_change=None) -> None:
    """Take the typed text only if it parses (and has the right variables); else keep the
    last good formula and remember the message to show."""
    text = state["formula_text"]
    try:
        formula_parser(dim)(text)
    except ValueError as error:  # FormulaError is a ValueError
        state["formula_error"] = str(error)
        return
    state["formula_error"] = None
    if text != state["formula"]:
        state["formula"] = text
        if on_change is not None:
            on_change()


def _accept_range(state: PageState, on_change=None) -> None:
    low, high = state["range_low"], state["range_high"]
    if low < high:
        state["range"] = (float(low), float(high))
        state["range_error"] = None
        if on_change is not None:
            on_change()
    else:
        state["range_error"] = "“from” must be smaller than “to”."


def formula_box(
    state: PageState, dim: int | None, *, examples: Sequence[str] = (), on_change=None,
    wide: bool = False,
) -> gd_core.Surface | None:
    """A text box for a formula (``dim`` variables, or either when None) and its plot range.

    Bad text shows a message under the box and changes nothing else: the page keeps drawing the
    last formula that worked, and says so. Returns that formula's Surface, or None when it is
    undefined everywhere in the range (the caller says so: ``show_undefined_everywhere``).
    ``on_change`` runs when a new formula or range is accepted.
    """
    if state.get("formula_text") is None:
        state["formula_text"] = state["formula"]
    label = {1: "f(x) =", 2: "f(x, y) ="}.get(dim, "f(x) or f(x, y) =")
    axes = {1: "x", 2: "x and y"}.get(dim, "x (and y)")
    # Wide (the main area): box and examples side by side; in the sidebar, one under the other.
    box, picker = st.columns([3, 2]) if wide else (st.container(), st.container())
    # No max_chars: a longer text is refused with the parser's "too long" message, not cut.
    box.text_input(
        label, key=state.key("formula_text"), on_change=_accept_formula,
        args=(state, dim, on_change),
        help=f"Use {axes}, numbers, + − * / ^ and sin cos tan exp log sqrt abs tanh sinh "
             "cosh arctan, pi, e. Write 3*x, not 3x. Press Enter to apply.",
    )
    if examples:
        def use_example() -> None:
            state["formula_text"] = state["formula_example"]
            _accept_formula(state, dim, on_change)

        picker.selectbox(
            "Examples", examples, index=None, key=state.key("formula_example"),
            on_change=use_example, placeholder="Pick an example…",
            help="Fills the box with a formula worth exploring.",
        )
    if state.get("formula_error"):
        show_error(f"{state['formula_error']}. The page still shows the last formula that "
                   f"worked: {state['formula']}")
    low, high = state["range"]
    if state.get("range_low") is None:
        state["range_low"], state["range_high"] = low, high
    columns = st.columns(4 if wide else 2)
    for column, label, name in ((columns[0], "from", "range_low"),
                                (columns[1], "to", "range_high")):
        column.number_input(
            f"Range {label}", -1e4, 1e4, key=state.key(name), on_change=_accept_range,
            args=(state, on_change), help=f"The plotted range of {axes}; descent may leave it.",
        )
    if state.get("range_error"):
        show_error(state["range_error"])
    surface = load_formula(state["formula"], tuple(state["range"]))
    return None if lessons.opening(surface) is None else surface


def show_undefined_everywhere(state: PageState) -> None:
    """Say, in the page's main area, that the typed formula has nothing to descend."""
    low, high = (gd_core.format_number(end, 6) for end in state["range"])
    show_error(f"f is undefined everywhere in the plotted range {low} … {high} (a square root "
               "or log of a negative number, say): nothing to descend. Change the formula or "
               "the range.")
