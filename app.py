"""Descent Lab: the navigation (a titled entry per page that exists) and the home page."""

from pathlib import Path
from typing import NamedTuple

import streamlit as st

import gd_core
from ui import curve_view, lessons
from ui.chart import chart
from ui.classics import CLASSICS
from ui.page_state import note_page, reread_urls
from ui.runs import LEARNING_RATES
from ui.runtime_patches import freeze_startup_objects

HERE = Path(__file__).parent


class PageEntry(NamedTuple):
    """A page: its script, title and icon, URL path (the file name without its number, as
    before navigation was declared here, so older links keep working) and what you see there."""

    path: str
    title: str
    icon: str
    url_path: str
    blurb: str


PAGES = [
    PageEntry("pages/1_Why_minus_the_gradient.py", "Why minus the gradient",
              ":material/show_chart:", "Why_minus_the_gradient",
              "A curve, its tangent and the step −η·f′(x): why stepping against the slope goes "
              "downhill, and how too big a step overshoots, oscillates or diverges."),
    PageEntry("pages/2_Descent_on_a_surface.py", "Descent on a surface", ":material/landscape:",
              "Descent_on_a_surface",
              "Paths on 2D landscapes as a contour map and in 3D: click to add starts and see "
              "which valley each one reaches."),
    PageEntry("pages/3_Optimizer_race.py", "Optimizer race", ":material/sports_score:",
              "Optimizer_race",
              "GD, momentum, Nesterov, AdaGrad, RMSProp and Adam racing from the same start."),
    PageEntry("pages/4_Basins_of_attraction.py", "Basins of attraction", ":material/grid_on:",
              "Basins_of_attraction", "Every start on a grid coloured by the minimum it reaches."),
    PageEntry("pages/5_SGD_on_real_data.py", "SGD on real data", ":material/scatter_plot:",
              "SGD_on_real_data",
              "Full-batch, minibatch and single-sample SGD fitting a line to data."),
    PageEntry("pages/6_Your_own_function.py", "Your own function", ":material/edit:",
              "Your_own_function",
              "Type a formula in x (and y) and descend it with the same tools."),
]
#: Only pages that exist are offered: never a placeholder.
AVAILABLE = [page for page in PAGES if (HERE / page.path).exists()]

DEMO_CURVE = "quadratic_1d"
#: The demo opens where the curve's page does (its lesson), in fewer steps to fit its size.
DEMO_OPENING = lessons.LESSONS[DEMO_CURVE].opening
DEMO_STEPS = 30


def demo_click(x: float, y: float, panel: str) -> None:
    (lo, hi), = gd_core.get_surface(DEMO_CURVE).domain
    st.session_state.demo_start = round(min(max(x, lo), hi), 3)


def demo_fan(index: int) -> None:
    st.session_state.demo_eta = LEARNING_RATES[index]


def cards(count: int) -> list:
    """Bordered boxes two per row, in reading order also when a phone stacks the columns."""
    boxes = []
    for row in range(0, count, 2):
        columns = st.columns(2)
        boxes += [column.container(border=True) for column in columns[: count - row]]
    return boxes


def home() -> None:
    # Links below may lead back to pages opened before in this session: let them be read.
    reread_urls()
    st.title("Descent Lab")
    intro, demo = st.columns([2, 3], gap="large")
    with intro:
        st.markdown(
            "Gradient descent finds a low point of a function by small steps **downhill**. At "
            "the current point θ it measures the slope — the gradient ∇f(θ), which points "
            "uphill — and steps a distance set by the **learning rate** η the other way:"
        )
        st.latex(r"\theta \leftarrow \theta - \eta\, \nabla f(\theta)")
        st.markdown(
            "Too small a step and you crawl; too large and you overshoot, oscillate across the "
            "valley or fly off entirely; and where you start decides which valley you end in. "
            "Try it in the demo: drag its Learning rate η slider past the ▲ mark, or click the "
            "curve to start somewhere else."
        )
    with demo:
        st.session_state.setdefault("demo_start", DEMO_OPENING.starts[0][0])
        st.session_state.setdefault("demo_eta", DEMO_OPENING.lr)
        view = curve_view.computed_view(
            gd_core.get_surface(DEMO_CURVE), DEMO_OPENING.optimizer, {},
            st.session_state.demo_start, DEMO_STEPS, st.session_state.demo_eta, compact=True,
        )
        chart(view.payload, key="home_demo", on_click=demo_click, on_fan=demo_fan)

    st.subheader("Pages")
    for card, page in zip(cards(len(AVAILABLE)), AVAILABLE, strict=True):
        with card:
            st.page_link(page.path, label=f"**{page.title}**", icon=page.icon)
            st.caption(page.blurb)

    st.subheader("Classic examples")
    st.markdown("Each opens a page in exactly the textbook scenario; the link is shareable.")
    available = {page.path for page in AVAILABLE}
    shown = [classic for classic in CLASSICS if classic.page in available]
    for card, classic in zip(cards(len(shown)), shown, strict=True):
        with card:
            st.page_link(classic.page, label=classic.title, icon=":material/link:",
                         query_params=classic.params)
            st.caption(classic.shows)

    st.subheader("What is inside")
    surfaces_2d = [s.title for s in gd_core.SURFACES.values() if s.dim == 2]
    surfaces_1d = [s.title for s in gd_core.SURFACES.values() if s.dim == 1]
    st.markdown(
        f"- **{len(gd_core.SURFACES)} test functions**: curves ({', '.join(surfaces_1d)}) and "
        f"surfaces ({', '.join(surfaces_2d)}).\n"
        f"- **{len(gd_core.OPTIMIZERS)} optimizers** with the exact update rules of "
        "`torch.optim`: " + ", ".join(spec.title for spec in gd_core.OPTIMIZERS.values())
        + ".\n- The same engine from Python or the command line: "
        "`python -m gd_core --surface himmelblau --optimizer adam --lr 0.05 --start=-4,4`."
    )


st.set_page_config(page_title="Descent Lab", page_icon=":material/landscape:", layout="wide")
navigation = st.navigation([
    st.Page(home, title="Home", icon=":material/home:", default=True),
    *(st.Page(page.path, title=page.title, icon=page.icon, url_path=page.url_path)
      for page in AVAILABLE),
])
note_page(navigation.url_path)
navigation.run()
freeze_startup_objects()
