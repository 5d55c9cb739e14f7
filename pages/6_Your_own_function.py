"""Your own function: type a formula, see what was understood, and descend it."""

import streamlit as st

from gd_core.formatting import format_point
from ui import curve_view, lessons, surface_view
from ui.messages import show_notice
from ui.page_state import PageState
from ui.runtime_patches import use_declared_navigation
from ui.typed_formula import (
    formula_box,
    formula_params,
    show_undefined_everywhere,
    typed_surface,
)

FORMULA = formula_params(dim=None)
SURFACE_VIEW = surface_view.controls()
CURVE_VIEW = curve_view.controls()


def in_use(values) -> set[str]:
    """The formula, and the controls of the view its number of variables gets (none when it is
    undefined everywhere: no view is drawn)."""
    surface = typed_surface(values)
    if not lessons.opening_values(surface):
        return {control.name for control in FORMULA}
    view = CURVE_VIEW if surface.dim == 1 else SURFACE_VIEW
    return {control.name for control in (*FORMULA, *view)}


STATE = PageState(
    "custom", [*FORMULA, *SURFACE_VIEW, *CURVE_VIEW],
    opening=lambda values: lessons.opening_values(typed_surface(values)),
    in_use=in_use,
)

use_declared_navigation()
st.set_page_config(page_title="Your own function · Descent Lab", layout="wide")
notices = STATE.restore()

st.title("Your own function")
st.markdown(
    "Type a function of **x** (a curve) or of **x and y** (a surface) and descend it with every "
    "tool of the other pages. Write multiplication out (`3*x`), powers with `^`."
)
for notice in notices:
    show_notice(notice)

surface = formula_box(STATE, None, examples=lessons.FORMULA_EXAMPLES,
                      on_change=STATE.open_function, wide=True)
if surface is None:
    show_undefined_everywhere(STATE)
else:
    st.markdown("**What I understood** (the last formula that worked):"
                if STATE.get("formula_error") else "**What I understood:**")
    st.latex(surface.formula)
    if surface.minima:
        found = ", ".join(format_point(point, 4) for point in surface.minima[:6])
        more = f" and {len(surface.minima) - 6} more" if len(surface.minima) > 6 else ""
        st.caption(f"Local minima found in the plotted range, lowest first: {found}{more}.")
    else:
        st.caption("No local minimum in the plotted range: descent will run off or stall.")

    if surface.dim == 2:
        surface_view.show(STATE, lambda: surface, show_formula=False)
    else:
        curve_view.show(STATE, surface, show_formula=False)
STATE.save()
