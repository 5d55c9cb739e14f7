"""Descent on a surface: paths of an optimizer on a 2D test function, contour + 3D + loss."""

import functools

import streamlit as st

import gd_core
from ui import surface_view, widgets

SURFACES_2D = [name for name, surface in gd_core.SURFACES.items() if surface.dim == 2]


def chosen_surface(values) -> gd_core.Surface | None:
    if values["surface"] == widgets.CUSTOM:
        return widgets.typed_surface(values)
    return gd_core.get_surface(values["surface"])


def opening(values) -> dict:
    return widgets.opening_values(chosen_surface(values))


def in_use(values) -> set[str] | None:
    """All the controls, or only the picker and formula when the typed formula is undefined
    everywhere (no view is drawn)."""
    return None if opening(values) else {"surface", "formula", "range"}


STATE = widgets.PageState("surface", [
    widgets.Control("surface", "himmelblau", widgets.choice([*SURFACES_2D, widgets.CUSTOM])),
    *widgets.formula_params(dim=2, picked_by="surface"),
    *surface_view.controls(),
], opening=opening, in_use=in_use)

widgets.use_declared_navigation()
st.set_page_config(page_title="Descent on a surface · Descent Lab", layout="wide")
notices = STATE.restore()

st.title("Descent on a surface")
for notice in notices:
    widgets.show_notice(notice)
surface_view.show(
    STATE,
    functools.partial(widgets.surface_picker, STATE, SURFACES_2D,
                      on_change=STATE.open_function, custom_dim=2),
)
