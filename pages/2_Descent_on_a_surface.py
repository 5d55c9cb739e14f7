"""Descent on a surface: paths of an optimizer on a 2D test function, contour + 3D + loss."""

import functools

import streamlit as st

import gd_core
from ui import surface_view, widgets

SURFACES_2D = [name for name, surface in gd_core.SURFACES.items() if surface.dim == 2]

URL = widgets.UrlState("surface", [
    widgets.UrlParam("surface", "himmelblau", widgets.choice([*SURFACES_2D, widgets.CUSTOM])),
    *widgets.formula_params(dim=2),
    *surface_view.URL_PARAMS,
])

widgets.use_declared_navigation()
st.set_page_config(page_title="Descent on a surface · Descent Lab", layout="wide")
notices = URL.restore()

st.title("Descent on a surface")
for notice in notices:
    st.warning(notice, icon="⚠️")
surface_view.show(
    functools.partial(widgets.surface_picker, SURFACES_2D, on_change=surface_view.reset_starts,
                      custom_dim=2),
    URL,
)
