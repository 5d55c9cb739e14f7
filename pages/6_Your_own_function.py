"""Your own function: type a formula, see what was understood, and descend it."""

import streamlit as st

from ui import curve_view, surface_view, widgets

EXAMPLES = [
    "sin(x)*cos(y) + 0.1*(x^2 + y^2)",
    "x^2 + 10*y^2",
    "(1 - x)^2 + 5*(y - x^2)^2",
    "x^2 - y^2",
    "log(x) + y^2 - x",
    "abs(x) + abs(y)",
    "x^4 - 3*x^2 + x",
    "sin(3*x) + 0.1*x^2",
    "sqrt(x^2 + 1)",
]

URL = widgets.UrlState("custom", [
    *widgets.formula_params(dim=None), *surface_view.URL_PARAMS, *curve_view.URL_PARAMS,
])


def new_function() -> None:
    """A new formula opens at its own default start points."""
    surface_view.reset_starts()
    curve_view.reset_start()


widgets.use_declared_navigation()
st.set_page_config(page_title="Your own function · Descent Lab", layout="wide")
notices = URL.restore()

st.title("Your own function")
st.markdown(
    "Type a function of **x** (a curve) or of **x and y** (a surface) and descend it with every "
    "tool of the other pages. Write multiplication out (`3*x`), powers with `^`."
)
for notice in notices:
    st.warning(notice, icon="⚠️")

surface = widgets.formula_box(None, examples=EXAMPLES, on_change=new_function, wide=True)
st.markdown("**What I understood:**")
st.latex(surface.formula)
if surface.minima:
    found = ", ".join(
        "(" + ", ".join(f"{c if abs(c) > 1e-9 else 0.0:.4g}" for c in point) + ")"
        for point in surface.minima[:6]
    )
    more = f" and {len(surface.minima) - 6} more" if len(surface.minima) > 6 else ""
    st.caption(f"Local minima found in the plotted range, lowest first: {found}{more}.")
else:
    st.caption("No local minimum in the plotted range: descent will run off or stall.")

if surface.dim == 2:
    surface_view.show(lambda: surface, URL, show_formula=False)
else:
    curve_view.show(surface, show_formula=False)
    URL.save()
