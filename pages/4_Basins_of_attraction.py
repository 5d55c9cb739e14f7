"""Basins of attraction: every start on a grid coloured by the minimum it ends in, and the
stability map of heavy-ball momentum at one minimum."""

import functools

import streamlit as st

from ui import basins, basins_view, lessons
from ui.function_picker import pick_function, picked_function_state
from ui.messages import show_notice
from ui.runtime_patches import use_declared_navigation

STATE = picked_function_state("basins", "surface", basins.BASIN_SURFACES, "himmelblau", 2,
                              basins_view.controls(),
                              opening_values=lessons.basin_opening_values)

use_declared_navigation()
st.set_page_config(page_title="Basins of attraction · Descent Lab", layout="wide")
notices = STATE.restore()

st.title("Basins of attraction")
for notice in notices:
    show_notice(notice)
basins_view.show(
    STATE,
    functools.partial(pick_function, STATE, "surface", 2, on_change=STATE.open_function),
)
