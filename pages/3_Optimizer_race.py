"""Optimizer race: the six optimizers from one start, one learning rate for all or each tuned."""

import functools

import streamlit as st

import gd_core
from ui import lessons, race_view
from ui.function_picker import pick_function, picked_function_state
from ui.messages import show_notice
from ui.runtime_patches import use_declared_navigation

SURFACES_2D = [name for name, surface in gd_core.SURFACES.items() if surface.dim == 2]

STATE = picked_function_state("race", "surface", SURFACES_2D, "himmelblau", 2,
                              race_view.controls(), opening_values=lessons.race_opening_values)

use_declared_navigation()
st.set_page_config(page_title="Optimizer race · Descent Lab", layout="wide")
notices = STATE.restore()

st.title("Optimizer race")
for notice in notices:
    show_notice(notice)
race_view.show(
    STATE,
    functools.partial(pick_function, STATE, "surface", 2, on_change=STATE.open_function),
)
