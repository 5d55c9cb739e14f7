"""Why minus the gradient: one variable, its slope f′(x), and the step −η·f′(x) downhill."""

import streamlit as st

import gd_core
from ui import curve_view
from ui.function_picker import pick_function, picked_function_state
from ui.messages import show_notice
from ui.runtime_patches import use_declared_navigation
from ui.typed_formula import show_undefined_everywhere

CURVES = [name for name, surface in gd_core.SURFACES.items() if surface.dim == 1]

STATE = picked_function_state("curve", "curve", CURVES, "quadratic_1d", 1,
                              curve_view.controls())

use_declared_navigation()
st.set_page_config(page_title="Why minus the gradient · Descent Lab", layout="wide")
notices = STATE.restore()

with st.sidebar:
    surface = pick_function(STATE, "curve", 1, on_change=STATE.open_function)

st.title("Why minus the gradient")
for notice in notices:
    show_notice(notice)
if surface is None:
    show_undefined_everywhere(STATE)
else:
    curve_view.show(STATE, surface)
STATE.save()
