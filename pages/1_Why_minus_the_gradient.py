"""Why minus the gradient: one variable, its slope f′(x), and the step −η·f′(x) downhill."""

import streamlit as st

import gd_core
from ui import curve_view, widgets

CURVES = [name for name, surface in gd_core.SURFACES.items() if surface.dim == 1]

URL = widgets.UrlState("curve", [
    widgets.UrlParam("curve", "quadratic_1d", widgets.choice([*CURVES, widgets.CUSTOM])),
    *widgets.formula_params(dim=1),
    *curve_view.URL_PARAMS,
])

widgets.use_declared_navigation()
st.set_page_config(page_title="Why minus the gradient · Descent Lab", layout="wide")
notices = URL.restore()

with st.sidebar:
    surface = widgets.surface_picker(
        CURVES, key="curve", label="Curve", on_change=curve_view.reset_start, custom_dim=1
    )

st.title("Why minus the gradient")
for notice in notices:
    st.warning(notice, icon="⚠️")
curve_view.show(surface)
URL.save()
