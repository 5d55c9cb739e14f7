"""The "Basins of attraction" page in Debian's Chromium, inside the app: a click on a basin cell
plays that start's path and its badge names the minimum; dragging the chart's learning-rate
slider past a ▲ critical rate empties that minimum's basin, and the page says so."""

from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from chart_page import (
    SCRIPT_SETTLED,
    chart_state,
    hex_rgb,
    live_trace,
    open_panel,
    screen_point,
    wait_for_pixel,
)

import gd_core
from ui import basins
from ui.runs import LEARNING_RATES

pytestmark = pytest.mark.e2e

HIMMELBLAU = gd_core.get_surface("himmelblau")
GRID = np.linspace(-5, 5, 200)  # the opening map's cells per axis
# Cell (30, 40): the start (−2.99, −3.49), in the basin of (−3.78, −3.28) (label 2) at the
# opening's η = 0.01, and not at η = 0.02, past that minimum's critical rate 0.01495.
ROW, COL = 30, 40
CELL = (float(GRID[COL]), float(GRID[ROW]))


@pytest.fixture(scope="module")
def url(streamlit_app):
    return streamlit_app("app.py") + "/Basins_of_attraction"


#: The basin map on screen (a map drawn before may wait hidden for its configuration to return).
SHOWN_MAP = ".dl-panel-basins .dl-base:not([hidden]) image"


def pick_surface(page, title: str, name: str) -> None:
    """Choose the surface ``title`` in the sidebar's picker; returns once the address shows it."""
    picker = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(
        has_text="Surface")
    picker.locator("input").click()
    page.get_by_role("option", name=title, exact=True).click()
    page.wait_for_function(f"location.search.includes('surface={name}')")


def open_map(page, url: str) -> None:
    open_panel(page, url, "basins")
    page.wait_for_selector(".dl-panel-basins .dl-base image")
    # The map sits under the controls and the legend: bring it on screen to click it.
    page.locator(".dl-panel-basins").scroll_into_view_if_needed()


def start_in_url(page) -> tuple[float, ...] | None:
    text = parse_qs(urlparse(page.url).query).get("start", [""])[0]
    return tuple(float(value) for value in text.split(",")) if text else None


def test_a_click_on_a_basin_cell_plays_its_path_to_that_basins_minimum(page, url):
    open_map(page, url)
    assert chart_state(page)["badges"][0].startswith("reached a global minimum at (3, 2)")
    page.mouse.click(*screen_point(page, "basins", *CELL))
    page.wait_for_function("new URLSearchParams(location.search).has('start')")
    assert start_in_url(page) == pytest.approx(CELL, abs=1e-6), "exactly the cell's start"
    page.wait_for_function("""() => document.querySelector('.dl-badge-text')?.textContent
        .startsWith('reached a global minimum at (−3.78')""")
    path = live_trace(page, "basins", 0)
    assert (path["x"][0], path["y"][0]) == pytest.approx(CELL, abs=0.01)
    end = np.array([path["x"][-1], path["y"][-1]], dtype=float)
    assert np.linalg.norm(end - HIMMELBLAU.minima[2]) < 0.02, "drawn to its minimum"


def test_dragging_the_learning_rate_past_a_critical_rate_empties_that_basin(page, url):
    open_map(page, url)
    marks = page.locator(".dl-fan-mark")
    assert marks.count() == 3  # the two highest critical rates share one
    # One ▲ each: the chart draws it, the payload adds no text of its own.
    assert marks.evaluate_all("""(nodes) => nodes.map((node) =>
        getComputedStyle(node, '::before').content + node.textContent)""") == ['"▲"'] * 3
    state = chart_state(page)
    assert state["fanValue"] == "0.01"
    legend = page.locator(".dl-legend")
    legend.get_by_text("(−3.78, −3.28), f = 0: 23.6 %").wait_for()
    slider = page.locator(".dl-fan-slider").bounding_box()
    y = slider["y"] + slider["height"] / 2
    last = len(LEARNING_RATES) - 1
    target = LEARNING_RATES.index(0.02)
    page.mouse.move(slider["x"] + slider["width"] * (state["fanIndex"] / last), y)
    page.mouse.down()
    page.mouse.move(slider["x"] + slider["width"] * (target / last), y, steps=6)
    page.mouse.up()
    page.wait_for_function("new URLSearchParams(location.search).get('lr') === '0.02'")
    page.get_by_text("The basins of (−3.78, −3.28) and (3.58, −1.85) have vanished.",
                     exact=False).wait_for()
    legend.get_by_text("(−3.78, −3.28), f = 0: 0.0 %").wait_for()
    # Where that basin was, the map now shows "not settled within the steps". The notice
    # above has pushed the map down: on screen again before its point is taken.
    page.wait_for_function(f"() => ({SCRIPT_SETTLED})()")
    page.locator(".dl-panel-basins").scroll_into_view_if_needed()
    wait_for_pixel(page, *screen_point(page, "basins", -3.0, -4.7),
                   hex_rgb(basins.UNSETTLED_COLOR))


def test_the_basin_maps_controls_come_back_from_the_stability_map_as_they_were(page, url):
    # Under the stability map the optimizer, η, grid and shading controls are hidden; a new
    # surface meanwhile sets its opening. Back on the basin map they show those values (not
    # Streamlit's defaults: the next change would have sent η = 0.0001 and a 100-cell grid),
    # and the page raises nothing.
    open_map(page, url)
    sidebar = page.locator("[data-testid='stSidebar']")
    # There and back first: the optimizer's buttons, hidden meanwhile, come back chosen (they
    # came back empty, and the page raised StreamlitWidgetAlreadyInstantiatedError).
    sidebar.locator("button").filter(has_text="Stability map").first.click()
    page.wait_for_function("location.search.includes('view=stability')")
    sidebar.locator("button").filter(has_text="Basin map").first.click()
    page.wait_for_function("!location.search.includes('view=stability')")
    page.wait_for_function(f"() => ({SCRIPT_SETTLED})()")
    assert page.locator("[data-testid='stException']").count() == 0
    chosen = sidebar.locator("button[role='radio'][aria-checked='true']")
    assert "Gradient descent" in chosen.all_inner_texts()
    sidebar.locator("button").filter(has_text="Momentum").first.click()
    page.wait_for_function("location.search.includes('optimizer=momentum')")
    sidebar.locator("button").filter(has_text="Stability map").first.click()
    page.wait_for_function("location.search.includes('view=stability')")
    pick_surface(page, "Six-hump camel", "six_hump_camel")
    sidebar.locator("button").filter(has_text="Basin map").first.click()
    page.wait_for_function("!location.search.includes('view=stability')")
    page.wait_for_selector(SHOWN_MAP)
    sidebar.locator("button").filter(has_text="Adam").first.click()
    page.wait_for_function("location.search.includes('optimizer=adam')")
    page.wait_for_function(f"() => ({SCRIPT_SETTLED})()")
    query = parse_qs(urlparse(page.url).query)
    assert query == {"surface": ["six_hump_camel"], "optimizer": ["adam"]}
    assert chart_state(page)["fanValue"] == "0.01"
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlert']").count() == 0


def test_the_stability_maps_minimum_and_steps_follow_a_new_surface(page, url):
    # Its minimum is an index into the surface's minima. The picker kept showing the first
    # minimum of the surface before ("(3, 2), f = 0" on Rosenbrock), and the next surface kept
    # Rosenbrock's 300 steps instead of its own opening.
    page.goto(url + "?view=stability")
    page.wait_for_function(f"() => ({SCRIPT_SETTLED})()")
    sidebar = page.locator("[data-testid='stSidebar']")
    minimum = sidebar.locator("[data-testid='stSelectbox']").filter(has_text="At the minimum")
    steps = sidebar.locator("[data-testid='stSlider']").filter(has_text="Steps")
    assert minimum.locator("input").input_value() == "(3, 2), f = 0"
    for name, key, shown, opening_steps in [("Rosenbrock", "rosenbrock", "(1, 1), f = 0", "300"),
                                            ("Two minima", "two_minima",
                                             "(−0.98, 0.98), f = −2.02", "200")]:
        pick_surface(page, name, key)
        page.wait_for_function(f"() => ({SCRIPT_SETTLED})()")
        page.get_by_text(f"At the minimum {shown.split(', f')[0]}", exact=False).first.wait_for()
        assert minimum.locator("input").input_value() == shown
        assert steps.inner_text().split()[:2] == ["Steps", opening_steps]
    assert page.locator("[data-testid='stException']").count() == 0
