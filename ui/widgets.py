"""Shared control groups for the pages, and the URL state behind them.

Every control's value lives in ``st.session_state`` under a key that is also its URL query
parameter, so a link reproduces the view. ``UrlState.restore`` copies valid URL values into the
session when a page first opens (a bad one falls back to its default, with a notice) and
``UrlState.save`` writes the non-default values back at the end of every run.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

import gd_core
from ui.runs import LEARNING_RATES, format_learning_rate, nearest_learning_rate

# --- URL state ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class UrlParam:
    """A value kept in the URL: ``parse`` turns text into a value or raises ValueError."""

    name: str
    default: Any
    parse: Callable[[str], Any]
    dump: Callable[[Any], str] = str


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
            raise ValueError(f"must lie between {low:g} and {high:g}")
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


class UrlState:
    """The URL-backed controls of one page."""

    def __init__(self, page: str, params: Sequence[UrlParam]):
        self.page = page
        self.params = {param.name: param for param in params}

    def restore(self) -> list[str]:
        """Fill in session values: from the URL the first time the page runs, else defaults.

        Returns a notice for every URL parameter that could not be used.
        """
        marker = f"_url_restored.{self.page}"
        notices = []
        if marker not in st.session_state:
            st.session_state[marker] = True
            for name, text in st.query_params.to_dict().items():
                param = self.params.get(name)
                if param is None:
                    notices.append(f"Ignored the unknown URL parameter `{name}`.")
                    continue
                try:
                    st.session_state[name] = param.parse(text)
                except ValueError as error:
                    shown = param.default
                    default = "" if shown is None or isinstance(shown, bool) else (
                        f" ({param.dump(shown)})")
                    notices.append(
                        f"Ignored `{name}={text[:40]}` in the URL ({error}); "
                        f"using the default{default}."
                    )
        for name, param in self.params.items():
            if name not in st.session_state:
                st.session_state[name] = param.default
        return notices

    def save(self) -> None:
        """Put every non-default value into the URL, so a link reproduces this view."""
        wanted = {}
        for name, param in self.params.items():
            value = st.session_state.get(name, param.default)
            if value != param.default:
                wanted[name] = param.dump(value)
        if st.query_params.to_dict() != wanted:
            st.query_params.from_dict(wanted)


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


def optimizer_params() -> list[UrlParam]:
    """URL parameters for ``optimizer_controls`` (hyperparameters of every optimizer)."""
    return [
        UrlParam("optimizer", "gd", choice(list(gd_core.OPTIMIZERS))),
        UrlParam("lr", 0.01, parse_learning_rate, dump_number),
        UrlParam("momentum", 0.9, number(0.0, 0.99), dump_number),
        UrlParam("alpha", 0.99, number(0.5, 0.999), dump_number),
        UrlParam("beta1", 0.9, number(0.0, 0.99), dump_number),
        UrlParam("beta2", 0.999, one_of(BETA2_VALUES), dump_number),
        UrlParam("eps", 1e-8, one_of(EPSILONS), dump_number),
    ]


def schedule_params() -> list[UrlParam]:
    """URL parameters for ``schedule_controls``."""
    return [
        UrlParam("schedule", "constant", choice(list(SCHEDULE_TITLES))),
        UrlParam("step_size", 50, number(1, 500, whole=True), dump_number),
        UrlParam("gamma", 0.5, number(0.05, 0.95), dump_number),
        UrlParam("exp_gamma", 0.99, number(0.9, 0.999), dump_number),
        UrlParam("min_factor", 0.0, number(0.0, 0.5), dump_number),
        UrlParam("decay", 0.01, one_of(INVERSE_TIME_DECAYS), dump_number),
    ]


def noise_params() -> list[UrlParam]:
    """URL parameters for ``noise_controls``."""
    return [
        UrlParam("noise", 0.0, one_of(NOISE_LEVELS), dump_number),
        UrlParam("seed", 0, number(0, 9999, whole=True), dump_number),
    ]


def surface_picker(
    names: Sequence[str], *, key: str = "surface", on_change=None, custom_dim: int | None = None,
    label: str = "Surface",
):
    """Choose a registered surface among ``names``; returns the ``gd_core.Surface``.

    With ``custom_dim``, the list ends with "Custom formula…", which opens ``formula_box`` for
    a typed function of that many variables (its URL parameters: ``formula_params``).
    """
    options = [*names, CUSTOM] if custom_dim else list(names)
    name = st.selectbox(
        label, options, key=key, on_change=on_change,
        format_func=lambda n: "Custom formula…" if n == CUSTOM else gd_core.get_surface(n).title,
        help="The function to minimise. Its formula is shown above the chart.",
    )
    if name == CUSTOM:
        return formula_box(custom_dim, on_change=on_change)
    return gd_core.get_surface(name)


@dataclass(frozen=True)
class OptimizerChoice:
    """An optimizer name and its hyperparameters (torch names, without ``lr``)."""

    name: str
    hyperparams: dict

    @property
    def title(self) -> str:
        return gd_core.OPTIMIZERS[self.name].title


#: Session key: the optimizer choice to restore on the next run (see ``optimizer_controls``).
_OPTIMIZER_LOST = "_widgets.optimizer_lost"


def optimizer_controls() -> OptimizerChoice:
    """Optimizer picker and the hyperparameters that optimizer has (``lr`` excluded)."""
    # Buttons rather than a selectbox: all six in sight, one click (and 20-30 ms less for
    # Streamlit to handle than a dropdown).
    if _OPTIMIZER_LOST in st.session_state:
        st.session_state["optimizer"] = st.session_state.pop(_OPTIMIZER_LOST)
    chosen = st.session_state.get("optimizer")
    name = st.segmented_control(
        "Optimizer", list(gd_core.OPTIMIZERS), key="optimizer", required=True,
        format_func=lambda n: gd_core.OPTIMIZERS[n].title, width="stretch",
        help="The update rule. Each matches torch.optim's (shown above the chart).",
    )
    if name is None:
        # Streamlit 1.67 drops a keyed segmented control's value when the viewer switches
        # pages (it then returns None): put the choice back and run again.
        st.session_state[_OPTIMIZER_LOST] = chosen if chosen in gd_core.OPTIMIZERS else "gd"
        st.rerun()
    defaults = gd_core.OPTIMIZERS[name].defaults
    hyperparams: dict[str, Any] = {}
    if "momentum" in defaults:
        low = 0.01 if name == "nesterov" else 0.0
        if st.session_state["momentum"] < low:
            st.session_state["momentum"] = low
        hyperparams["momentum"] = st.slider(
            "Momentum μ", low, 0.99, step=0.01, key="momentum",
            help="How much of the previous step carries over. 0 is plain gradient descent.",
        )
    if "alpha" in defaults:
        hyperparams["alpha"] = st.slider(
            "Smoothing α", 0.5, 0.999, step=0.001, key="alpha", format="%.3f",
            help="Decay of the running average of squared gradients.",
        )
    if "betas" in defaults:
        beta1 = st.slider(
            "β₁ (momentum)", 0.0, 0.99, step=0.01, key="beta1",
            help="Decay of the running average of gradients.",
        )
        beta2 = st.select_slider(
            "β₂ (scale)", BETA2_VALUES, key="beta2", format_func=lambda v: f"{v:g}",
            help="Decay of the running average of squared gradients.",
        )
        hyperparams["betas"] = (beta1, beta2)
    if "eps" in defaults:
        hyperparams["eps"] = st.select_slider(
            "ε", EPSILONS, key="eps", format_func=lambda v: f"{v:.0e}",
            help="Added to the denominator so a tiny gradient never divides by zero.",
        )
    return OptimizerChoice(name, hyperparams)


def learning_rate_slider(*, key: str = "lr") -> float:
    """The learning rate on a log scale: 8 values per decade from 1e-4 to 10."""
    return st.select_slider(
        "Learning rate η", LEARNING_RATES, key=key, format_func=format_learning_rate,
        help="Step size: the update is −η times the gradient. The slider under the chart "
             "switches between learning rates live while you drag.",
    )


def schedule_controls(steps: int) -> tuple[str, dict]:
    """Learning-rate schedule and its parameters: ``(name, params)`` for ``make_schedule``."""
    name = st.selectbox(
        "Learning-rate schedule", list(SCHEDULE_TITLES), key="schedule",
        format_func=SCHEDULE_TITLES.get,
        help="Multiplies η by a factor that changes with the step.",
    )
    params: dict[str, Any] = {}
    if name == "step":
        params["step_size"] = st.slider(
            "Every how many steps", 1, 500, key="step_size",
            help="The learning rate is multiplied by γ after this many steps.",
        )
        params["gamma"] = st.slider(
            "Factor γ", 0.05, 0.95, step=0.05, key="gamma", help="The multiplier.",
        )
    elif name == "exponential":
        params["gamma"] = st.slider(
            "Factor γ per step", 0.9, 0.999, step=0.001, key="exp_gamma", format="%.3f",
            help="η is multiplied by γ at every step.",
        )
    elif name == "cosine":
        params["total_steps"] = steps
        params["min_factor"] = st.slider(
            "Final fraction of η", 0.0, 0.5, step=0.05, key="min_factor",
            help="η falls along a half cosine to this fraction of itself at the last step.",
        )
    elif name == "inverse_time":
        params["decay"] = st.select_slider(
            "Decay", INVERSE_TIME_DECAYS, key="decay", format_func=lambda v: f"{v:g}",
            help="η_t = η / (1 + decay · t).",
        )
    return name, params


def noise_controls() -> tuple[float, int]:
    """Gradient noise (standard deviation) and its random seed."""
    noise = st.select_slider(
        "Gradient noise σ", NOISE_LEVELS, key="noise", format_func=lambda v: f"{v:g}",
        help="Adds Gaussian noise of this standard deviation to every gradient: "
             "stochastic gradient descent on an exact surface.",
    )
    seed = st.number_input(
        "Noise seed", 0, 9999, step=1, key="seed", disabled=noise == 0,
        help="The same seed gives the same noise, so a link reproduces the run.",
    )
    return noise, int(seed)


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


def formula_params(dim: int | None) -> list[UrlParam]:
    """URL parameters for ``formula_box``: the formula text and its plot range."""
    return [
        UrlParam("formula", DEFAULT_FORMULAS[dim or 2], formula_parser(dim)),
        UrlParam("range", DEFAULT_RANGE, parse_range, dump_range),
    ]


def _accept_formula(dim: int | None, on_change=None) -> None:
    """Take the typed text only if it parses (and has the right variables); else keep the
    last good formula and remember the message to show."""
    text = st.session_state.formula_text
    try:
        formula_parser(dim)(text)
    except ValueError as error:  # FormulaError is a ValueError
        st.session_state.formula_error = str(error)
        return
    st.session_state.formula_error = None
    if text != st.session_state.formula:
        st.session_state.formula = text
        if on_change is not None:
            on_change()


def _accept_range(on_change=None) -> None:
    low, high = st.session_state.range_low, st.session_state.range_high
    if low < high:
        st.session_state.range = (float(low), float(high))
        st.session_state.range_error = None
        if on_change is not None:
            on_change()
    else:
        st.session_state.range_error = "“from” must be smaller than “to”."


def formula_box(
    dim: int | None, *, examples: Sequence[str] = (), on_change=None, wide: bool = False
) -> gd_core.Surface:
    """A text box for a formula (``dim`` variables, or either when None) and its plot range.

    Bad text shows a message under the box and changes nothing else: the page keeps drawing the
    last formula that worked. Returns that formula's Surface. ``on_change`` runs when a new
    formula or range is accepted.
    """
    if dim is not None and load_formula(st.session_state.formula).dim != dim:
        # The formula came from a page that draws the other dimension (session state is
        # shared between pages): start this one from its own default.
        st.session_state.formula = DEFAULT_FORMULAS[dim]
        st.session_state.formula_text = None
        st.session_state.formula_error = None
    if st.session_state.get("formula_text") is None:
        st.session_state.formula_text = st.session_state.formula
    label = {1: "f(x) =", 2: "f(x, y) ="}.get(dim, "f(x) or f(x, y) =")
    axes = {1: "x", 2: "x and y"}.get(dim, "x (and y)")
    # Wide (the main area): box and examples side by side; in the sidebar, one under the other.
    box, picker = st.columns([3, 2]) if wide else (st.container(), st.container())
    box.text_input(
        label, key="formula_text", max_chars=300, on_change=_accept_formula, args=(dim, on_change),
        help=f"Use {axes}, numbers, + − * / ^ and sin cos tan exp log sqrt abs tanh sinh "
             "cosh arctan, pi, e. Write 3*x, not 3x. Press Enter to apply.",
    )
    if examples:
        def use_example() -> None:
            st.session_state.formula_text = st.session_state.formula_example
            _accept_formula(dim, on_change)

        picker.selectbox(
            "Examples", examples, index=None, key="formula_example", on_change=use_example,
            placeholder="Pick an example…", help="Fills the box with a formula worth exploring.",
        )
    if st.session_state.get("formula_error"):
        st.error(st.session_state.formula_error, icon="✋")
    low, high = st.session_state.range
    st.session_state.setdefault("range_low", low)
    st.session_state.setdefault("range_high", high)
    columns = st.columns(4 if wide else 2)
    for column, label, key in ((columns[0], "from", "range_low"), (columns[1], "to", "range_high")):
        column.number_input(
            f"Range {label}", -1e4, 1e4, key=key, on_change=_accept_range,
            args=(on_change,), help=f"The plotted range of {axes}; descent may leave it.",
        )
    if st.session_state.get("range_error"):
        st.error(st.session_state.range_error, icon="✋")
    return load_formula(st.session_state.formula, tuple(st.session_state.range))
