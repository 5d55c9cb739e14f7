"""A typed formula: the box it is typed in, its plot range, and the controls behind both.

Formulas are parsed by ``gd_core.parse_surface`` (a whitelisted syntax tree, never run as code)
and cached; bad text is refused with a message while the page keeps the last formula that worked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import streamlit as st

import gd_core
from gd_core.formula import DEFAULT_RANGE
from ui import lessons
from ui.controls import MAX_COORDINATE, Control, coordinate
from ui.messages import show_error
from ui.page_state import PageState

#: The surface pickers' entry for a typed formula.
CUSTOM = "custom"
DEFAULT_FORMULAS = {1: "x^4 - 3*x^2 + x", 2: "sin(x)*cos(y) + 0.1*(x^2 + y^2)"}
#: The plotted range a typed formula opens on, per number of variables: a surface's is the
#: core's own default, a curve's narrower, so that the default quartic's two wells are not
#: flattened by its walls (f(±5) is over 500, the wells' depths differ by 2).
DEFAULT_RANGES = {1: (-2.5, 2.5), 2: DEFAULT_RANGE}
_VARIABLES = {1: "x", 2: "x and y"}


@st.cache_resource(max_entries=32, show_spinner=False)
def load_formula(text: str,
                 plot_range: tuple[float, float] = DEFAULT_RANGES[2]) -> gd_core.Surface:
    """The Surface of a typed formula over ``plot_range`` on every axis (cached: parsing
    compiles the gradient and searches for minima). Raises ``gd_core.FormulaError``."""
    return gd_core.parse_surface(text, domain=[plot_range])


def formula_parser(dim: int | None) -> Callable[[str], str]:
    """URL parser for a formula: it must parse, and have ``dim`` variables when given."""

    def parse(text: str) -> str:
        surface = load_formula(text)
        if dim is not None and surface.dim != dim:
            raise ValueError(f"this view needs a formula in {_VARIABLES[dim]}")
        return text

    return parse


def parse_range(text: str) -> tuple[float, float]:
    parts = text.split(",")
    if len(parts) != 2:
        raise ValueError("the range is two numbers, from and to, like -3,3")
    low, high = (coordinate(part) for part in parts)
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
        Control("range", DEFAULT_RANGES[dim or 2], parse_range, dump_range, used=used),
    ]


def typed_surface(values: Mapping) -> gd_core.Surface | None:
    """The typed formula of a page's ``values`` (its ``formula`` and ``range``), or None if it
    does not parse."""
    try:
        return load_formula(values["formula"], tuple(values["range"]))
    except ValueError:
        return None


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
            text = state["formula_example"]
            state["formula_text"] = text
            # An example opens over the range made for its number of variables (the quartic's
            # two wells are flat under its walls over −5 … 5).
            wanted = DEFAULT_RANGES[load_formula(text).dim]
            moved = tuple(state["range"]) != wanted
            if moved:
                state["range"] = wanted
                state["range_low"], state["range_high"] = wanted
                state["range_error"] = None
            renamed = text != state["formula"]
            _accept_formula(state, dim, on_change)
            if moved and not renamed and on_change is not None:
                on_change()

        picker.selectbox(
            "Examples", examples, index=None, key=state.key("formula_example"),
            on_change=use_example, placeholder="Pick an example…",
            help="Fills the box with a formula worth exploring, over its usual range.",
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
            f"Range {label}", -MAX_COORDINATE, MAX_COORDINATE, key=state.key(name),
            on_change=_accept_range, args=(state, on_change),
            help=f"The plotted range of {axes}; descent may leave it.",
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
