"""Why minus the gradient: one variable, its slope f′(x), and the step −η·f′(x) downhill."""

import streamlit as st

import gd_core
from ui import curve_view, widgets

CURVES = [name for name, surface in gd_core.SURFACES.items() if surface.dim == 1]


def chosen_curve(values) -> gd_core.Surface | None:
    if values["curve"] == widgets.CUSTOM:
        return widgets.typed_surface(values)
    return gd_core.get_surface(values["curve"])


def opening(values) -> dict:
    return widgets.opening_values(chosen_curve(values))


def in_use(values) -> set[str] | None:
    """All the controls, or only the picker and formula when the typed formula is undefined
    everywhere (no view is drawn)."""
    return None if opening(values) else {"curve", "formula", "range"}


STATE = widgets.PageState("curve", [
    widgets.Control("curve", "quadratic_1d", widgets.choice([*CURVES, widgets.CUSTOM])),
    *widgets.formula_params(dim=1, picked_by="curve"),
    *curve_view.controls(),
], opening=opening, in_use=in_use)

widgets.use_declared_navigation()
st.set_page_config(page_title="Why minus the gradient · Descent Lab", layout="wide")
notices = STATE.restore()

with st.sidebar:
    surface = widgets.surface_picker(
        STATE, CURVES, key="curve", label="Curve", on_change=STATE.open_function, custom_dim=1
    )

st.title("Why minus the gradient")
for notice in notices:
    widgets.show_notice(notice)
if surface is None:
    widgets.show_undefined_everywhere(STATE)
else:
    curve_view.show(STATE, surface)
STATE.save()
