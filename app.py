"""Descent Lab: the home page."""

from pathlib import Path

import streamlit as st

import gd_core

st.set_page_config(page_title="Descent Lab", page_icon="⛰️", layout="wide")

st.title("Descent Lab")
st.markdown(
    "Gradient descent finds a low point of a function by taking small steps **downhill**. "
    "At the current point θ it measures the slope — the gradient ∇f(θ), which points uphill — "
    "and steps a distance set by the **learning rate** η in the opposite direction:"
)
st.latex(r"\theta \leftarrow \theta - \eta\, \nabla f(\theta)")
st.markdown(
    "Too small a step and you crawl; too large and you overshoot, oscillate across the valley or "
    "fly off entirely; and where you start decides which valley you end in. Each page lets you "
    "*see* one of these effects and change the numbers yourself."
)

PAGES = [
    ("pages/1_Why_minus_the_gradient.py", "Why minus the gradient (1D)",
     "a curve, its tangent and the step −η·f′(x): overshoot and divergence in one dimension"),
    ("pages/2_Descent_on_a_surface.py", "Descent on a surface",
     "contour and 3D views of paths on 2D landscapes; click to add start points"),
    ("pages/3_Optimizer_race.py", "Optimizer race",
     "GD, momentum, Nesterov, AdaGrad, RMSProp and Adam from the same start"),
    ("pages/4_Basins_of_attraction.py", "Basins of attraction",
     "every start on a grid coloured by the minimum it reaches"),
    ("pages/5_SGD_on_real_data.py", "SGD on real data",
     "full-batch, minibatch and single-sample SGD fitting a line"),
    ("pages/6_Your_own_function.py", "Your own function", "type a formula and descend it"),
]

here = Path(__file__).parent
available = [(path, title, blurb) for path, title, blurb in PAGES if (here / path).exists()]
st.subheader("Pages")
if available:
    for path, title, blurb in available:
        st.page_link(path, label=f"**{title}** — {blurb}")
else:
    st.info("The interactive pages are on their way; the library below already works.")

st.subheader("What is inside")
surfaces_2d = [s.title for s in gd_core.SURFACES.values() if s.dim == 2]
surfaces_1d = [s.title for s in gd_core.SURFACES.values() if s.dim == 1]
st.markdown(
    f"- **{len(gd_core.SURFACES)} test functions**: curves ({', '.join(surfaces_1d)}) and "
    f"surfaces ({', '.join(surfaces_2d)}).\n"
    f"- **{len(gd_core.OPTIMIZERS)} optimizers** with the exact update rules of `torch.optim`: "
    + ", ".join(spec.title for spec in gd_core.OPTIMIZERS.values())
    + ".\n- The same engine from Python or the command line: "
    "`python -m gd_core --surface himmelblau --optimizer adam --lr 0.05 --start=-4,4`."
)
