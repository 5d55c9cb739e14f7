"""How a page that draws one function lets the viewer pick it: a registered function by name,
or "Custom formula…" and a typed one (``ui.typed_formula``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import streamlit as st

import gd_core
from ui import lessons
from ui.controls import Control, choice
from ui.page_state import PageState
from ui.typed_formula import CUSTOM, formula_box, formula_params, typed_surface

#: What the picker is called, by the number of variables of the functions it offers.
PICKER_LABELS = {1: "Curve", 2: "Surface"}


def pick_function(state: PageState, picker: str, dim: int, *, on_change=None):
    """The control ``picker`` of a ``picked_function_state``: a registered function, or
    "Custom formula…", which opens ``formula_box`` for a typed function of ``dim`` variables.
    Returns the ``gd_core.Surface``, or None for a typed formula that is undefined everywhere
    in its range."""
    control = state.controls[picker]
    name = st.selectbox(
        control.label, control.domain, key=state.key(picker), on_change=on_change,
        format_func=lambda n: "Custom formula…" if n == CUSTOM else gd_core.get_surface(n).title,
        help=control.help,
    )
    if name == CUSTOM:
        return formula_box(state, dim, on_change=on_change)
    return gd_core.get_surface(name)


def picked_function_state(page: str, picker: str, names: Sequence[str], default: str,
                          dim: int, view_controls: Sequence[Control], *,
                          opening_values: Callable[[gd_core.Surface | None], dict] = (
                              lessons.opening_values)) -> PageState:
    """The state of a page that draws one function, picked by the control ``picker`` among the
    registered ``names`` or typed as a formula of ``dim`` variables ("Custom formula…").

    The page draws the picker with ``pick_function`` and opens each function on the
    configuration ``opening_values`` gives (its lesson's by default); while a typed formula is
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

    options = (*names, CUSTOM)
    return PageState(page, [
        Control(picker, default, choice(options), label=PICKER_LABELS[dim], domain=options,
                help="The function to minimise. Its formula is shown above the chart."),
        *formula_params(dim, picked_by=picker),
        *view_controls,
    ], opening=opening, in_use=in_use)
