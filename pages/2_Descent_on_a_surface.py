"""Descent on a surface: paths of an optimizer on a 2D test function, contour + 3D + loss."""

import functools

import streamlit as st

import gd_core
from ui import surface_view
from ui.function_picker import pick_function, picked_function_state
from ui.messages import show_notice
from ui.runtime_patches import use_declared_navigation

SURFACES_2D = [name for name, surface in gd_core.SURFACES.items() if surface.dim == 2]

STATE = picked_function_state("surface", "surface", SURFACES_2D, "himmelblau", 2,
                              surface_view.controls())

use_declared_navigation()
st.set_page_config(page_title="Descent on a surface · Descent Lab", layout="wide")
notices = STATE.restore()

st.title("Descent on a surface")
for notice in notices:
    show_notice(notice)
surface_view.show(
    STATE,
    functools.partial(pick_function, STATE, "surface", 2, on_change=STATE.open_function),
)
