"""Journeys through the whole app in Debian's Chromium (``streamlit run app.py``, one server):
each starts on the home page, goes where a learner goes by the links, checks the lesson from the
numbers the page shows, and after every step checks that nothing broke on screen: no exception
box, no traceback, no uncaught error in the page."""

import re

import numpy as np
import pytest
from chart_page import (
    SCRIPT_SETTLED,
    TABLE_ROWS,
    browser_tab,
    chart_state,
    live_trace,
    open_chart,
    pick_sidebar_option,
    screen_point,
    table_rows,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

import gd_core
from gd_core.formula import parse_surface
from ui import basins, lessons
from ui.runs import LEARNING_RATES

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1280, "height": 800}
#: Paths reach the browser as half floats: a point on a map a few units wide is good to 0.01.
TOLERANCE = 0.01
#: How long a page may take to answer a change (a basin map, a tuned race) on a busy machine.
ANSWER_MS = 30_000
#: What a learner must never see: Streamlit's exception box, a traceback in any alert or text.
BROKEN_ON_SCREEN = """() => ({
    script: document.querySelector('[data-testid=stApp]').dataset.testScriptState,
    exceptionBoxes: document.querySelectorAll('[data-testid=stException]').length,
    tracebacks: [...document.querySelectorAll('[role=alert]')]
        .map((alert) => alert.innerText).filter((text) => text.includes('Traceback')).length,
    tracebackText: document.body.innerText.includes('Traceback (most recent call last)'),
})"""


class Learner:
    """A tab in the app, checked after every step (``check``). ``browser_tab`` only fails on an
    uncaught page error when its context closes: this one fails at the step that caused it."""

    def __init__(self, page, home: str):
        self.page = page
        self.home = home
        self.page_errors: list[str] = []
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def check(self) -> None:
        """Once the script has finished its run, nothing broken is on screen."""
        self.page.wait_for_function(SCRIPT_SETTLED, timeout=ANSWER_MS)
        seen = self.page.evaluate(BROKEN_ON_SCREEN)
        assert seen == {"script": "notRunning", "exceptionBoxes": 0, "tracebacks": 0,
                        "tracebackText": False}, seen
        assert not self.page_errors, self.page_errors

    def open_home(self) -> None:
        self.page.goto(self.home)
        self.page.locator("h1").filter(has_text="Descent Lab").wait_for(timeout=ANSWER_MS)
        self.check()

    def follow_home_link(self, title: str) -> None:
        """From the home page, the card link to the page titled ``title``; wait for the page."""
        self.open_home()
        self.page.get_by_test_id("stMain").get_by_role("link", name=title).first.click()
        self.page.locator("h1").filter(has_text=title).wait_for(timeout=ANSWER_MS)
        self.check()

    def follow_sidebar_link(self, title: str) -> None:
        """From the home page, the sidebar's navigation entry ``title``; wait for the page."""
        self.open_home()
        self.page.locator("[data-testid=stSidebarNav] a").filter(has_text=title).click()
        self.page.locator("h1").filter(has_text=title).wait_for(timeout=ANSWER_MS)
        self.check()


@pytest.fixture(scope="module")
def home(streamlit_app):
    return streamlit_app("app.py")


@pytest.fixture
def learner(page, home):
    return Learner(page, home)


def wait_for_panel(page, panel: str) -> None:
    """Wait until the chart has drawn ``panel`` (its live layer has data)."""
    page.wait_for_function(
        f"document.querySelector('.dl-panel-{panel} .dl-live')?.data?.length > 0",
        timeout=ANSWER_MS)


def wait_for_badges(page, count: int) -> None:
    page.wait_for_function(f"document.querySelectorAll('.dl-badge').length === {count}",
                           timeout=ANSWER_MS)


#: Every chart on the page: its badges' names and its message (shown when it cannot draw).
CHARTS_SEEN = """() => [...document.querySelectorAll('.dl-chart')].map((chart) => ({
    names: [...chart.querySelectorAll('.dl-badge-name')].map((name) => name.textContent),
    message: chart.querySelector('.dl-message:not([hidden])')?.textContent ?? null,
}))"""


def wait_for_badge_names(page, names: list[str]) -> None:
    """Wait until the page's one chart names exactly ``names`` in its badges; else fail saying
    what the page shows instead."""
    try:
        page.wait_for_function(
            "(names) => JSON.stringify([...document.querySelectorAll('.dl-badge-name')]"
            ".map((n) => n.textContent)) === JSON.stringify(names)", arg=names, timeout=ANSWER_MS)
    except PlaywrightTimeoutError:
        seen = {"url": page.url, "charts": page.evaluate(CHARTS_SEEN),
                "script": page.evaluate(
                    "document.querySelector('[data-testid=stApp]')?.dataset.testScriptState")}
        raise AssertionError(f"the chart never named {names}; the page shows {seen}") from None


def wait_for_url_param(page, name: str, value: str) -> None:
    page.wait_for_function(f"new URLSearchParams(location.search).get({name!r}) === {value!r}",
                           timeout=ANSWER_MS)


def nearest_minimum(surface: gd_core.Surface, point) -> tuple[int, float]:
    """The index of the minimum nearest ``point`` and how far it is."""
    distances = [float(np.linalg.norm(np.subtract(point, minimum)))
                 for minimum in surface.minima]
    index = int(np.argmin(distances))
    return index, distances[index]


def test_raising_the_learning_rate_on_the_curve_until_it_diverges(learner):
    page = learner.page
    learner.follow_home_link("Why minus the gradient")
    wait_for_panel(page, "curve")
    assert chart_state(page)["badges"][0].startswith("converging smoothly")
    # The ▲ mark: gradient descent on this parabola diverges past 2/f″.
    critical = float(page.locator(".dl-fan-mark").inner_text().rsplit("= ", 1)[1])
    slider = page.locator(".dl-fan-slider")
    seen = []
    for _ in LEARNING_RATES:
        slider.focus()
        page.keyboard.press("ArrowRight")  # each key press commits, as a release does
        state = chart_state(page)
        wait_for_url_param(page, "lr", state["fanValue"])
        learner.check()
        seen.append((float(state["fanValue"]), state["badges"][0]))
        if state["badges"][0].startswith("diverging"):
            break
    lr, badge = seen[-1]
    assert re.match(r"diverging · diverged at step \d+", badge), seen
    assert lr > critical and all(rate <= critical for rate, _ in seen[:-1]), (critical, seen)
    assert any(text.startswith("oscillating") for _, text in seen), "it overshot on the way"
    page.get_by_text("this run is diverging").first.wait_for()
    learner.check()


def test_two_starts_in_two_valleys_play_to_two_different_minima(learner):
    page = learner.page
    surface = gd_core.get_surface("two_minima")
    learner.follow_sidebar_link("Descent on a surface")
    wait_for_panel(page, "contour")
    pick_sidebar_option(page, "Surface", surface.title)
    wait_for_url_param(page, "surface", "two_minima")
    opening = lessons.LESSONS["two_minima"].opening
    wait_for_badges(page, len(opening.starts))
    learner.check()
    page.get_by_role("button", name="Clear start points").click()
    wait_for_badges(page, 0)
    learner.check()
    # One start on each side of the ridge between the valleys.
    starts = [(-1.2, 1.3), (1.2, -1.3)]
    for count, start in enumerate(starts, 1):
        page.mouse.click(*screen_point(page, "contour", *start))
        wait_for_badges(page, count)
        learner.check()

    page.click(".dl-play")  # from the last step, play starts again at step 0
    frame = "Number(document.querySelector('.dl-chart').dataset.frame)"
    page.wait_for_function(f"{frame} < {opening.steps}")
    page.wait_for_function(f"""() => {frame} === {opening.steps} && document.querySelector(
        '.dl-play').getAttribute('aria-pressed') === 'false'""", timeout=ANSWER_MS)
    learner.check()
    assert chart_state(page)["counter"] == f"step {opening.steps} / {opening.steps}"
    (low, high), _ = surface.domain
    map_width = high - low
    reached = []
    for run, start in enumerate(starts):
        # Three live traces per run: its path, its arrow, its head (the current point).
        path, head = live_trace(page, "contour", 3 * run), live_trace(page, "contour", 3 * run + 2)
        assert np.allclose([path["x"][0], path["y"][0]], start, atol=0.01 * map_width), (
            "where the click was, within 1 % of the map")
        index, distance = nearest_minimum(surface, (head["x"][0], head["y"][0]))
        assert distance < TOLERANCE, (run, head, surface.minima[index])
        reached.append(index)
    assert sorted(reached) == [0, 1], "each start ends in its own valley's minimum"


def test_the_race_ranks_all_six_optimizers(learner):
    page = learner.page
    titles = [spec.title for spec in gd_core.OPTIMIZERS.values()]
    learner.follow_home_link("Optimizer race")
    wait_for_panel(page, "contour")
    page.wait_for_function(f"() => ({TABLE_ROWS})().length === {len(titles)}",
                           timeout=ANSWER_MS)
    learner.check()
    rows = table_rows(page)
    assert len(rows) == 6
    assert [row[0] for row in rows] == [str(rank) for rank in range(1, 7)]
    assert sorted(row[1] for row in rows) == sorted(titles)
    assert chart_state(page)["runs"] == titles


def basin_shares(page) -> dict[str, tuple[float, str]]:
    """The basins' legend: minimum -> (its share of the map in %, its colour)."""
    items = page.evaluate("""() => [...document.querySelectorAll('.dl-legend-item')].map(
        (item) => [item.querySelector('.dl-legend-label').textContent,
                   item.querySelector('.dl-legend-box')?.getAttribute('fill')])""")
    shares = {}
    for label, color in items:
        found = re.fullmatch(r"(\(.+\)), f = .+: ([\d.]+) %", label)
        if found:  # not the "not settled" or "diverged" lines
            shares[found[1]] = (float(found[2]), color)
    return shares


def test_himmelblau_s_four_basins_and_one_vanishing_past_its_critical_rate(learner):
    page = learner.page
    learner.follow_home_link("Basins of attraction")
    wait_for_panel(page, "basins")
    page.wait_for_selector(".dl-panel-basins .dl-base image", timeout=ANSWER_MS)
    learner.check()
    shares = basin_shares(page)
    assert len(shares) == 4 and all(share > 0 for share, _ in shares.values()), shares
    assert len({color for _, color in shares.values()}) == 4, "four colours"
    # Drag the chart's learning rate from 0.01 to 0.02: past the critical rate 2/λmax of the
    # minimum at (−3.78, −3.28), 0.0149, and of the one at (3.58, −1.85), 0.0190; below the
    # other two's, about 0.024.
    state = chart_state(page)
    assert state["fanValue"] == "0.01"
    box = page.locator(".dl-fan-slider").bounding_box()
    y = box["y"] + box["height"] / 2
    last = len(LEARNING_RATES) - 1
    page.mouse.move(box["x"] + box["width"] * state["fanIndex"] / last, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * LEARNING_RATES.index(0.02) / last, y, steps=6)
    page.mouse.up()
    wait_for_url_param(page, "lr", "0.02")
    page.get_by_text("The basins of (−3.78, −3.28) and (3.58, −1.85) have vanished.",
                     exact=False).wait_for(timeout=ANSWER_MS)
    page.locator(".dl-legend").get_by_text("(−3.78, −3.28), f = 0: 0.0 %").wait_for()
    learner.check()
    after = basin_shares(page)
    assert {name: color for name, (_, color) in after.items()} == {
        name: color for name, (_, color) in shares.items()}, "each minimum keeps its colour"
    surface = gd_core.get_surface("himmelblau")
    past = {basins.minimum_point(surface, index)
            for index, minimum in enumerate(surface.minima)
            if gd_core.critical_learning_rate(surface, minimum) < 0.02}
    assert len(past) == 2
    emptied = {name for name, (share, _) in after.items() if share == 0}
    assert emptied == past, "a basin vanishes exactly when η is past its minimum's critical rate"


def sgd_paths(page) -> tuple[np.ndarray, np.ndarray]:
    """The full-batch and the minibatch runs' paths on the loss map (live traces: a path, then
    a head per run)."""
    full, minibatch = live_trace(page, "contour", 0), live_trace(page, "contour", 2)
    return np.c_[full["x"], full["y"]], np.c_[minibatch["x"], minibatch["y"]]


def set_batch_size(learner, key: str, size: int) -> None:
    page = learner.page
    page.locator("[data-testid='stSidebar'] [data-testid='stSlider']").filter(
        has_text="Batch size B").get_by_role("slider").focus()
    page.keyboard.press(key)
    wait_for_url_param(page, "batch", str(size))
    page.locator(".dl-legend").get_by_text(f"Minibatch (B = {size})").wait_for(
        timeout=ANSWER_MS)
    learner.check()


def test_sgd_with_one_sample_a_step_takes_another_path_than_the_full_batch(learner):
    page = learner.page
    learner.follow_sidebar_link("SGD on real data")
    wait_for_panel(page, "contour")
    samples = page.evaluate("""() => document.querySelector(
        '.dl-panel-data .dl-base:not([hidden])').data[0].x.length""")
    # The whole data as one batch: the minibatch run is the full-batch run.
    set_batch_size(learner, "End", samples)
    full, minibatch = sgd_paths(page)
    assert full.shape == minibatch.shape and np.allclose(full, minibatch, atol=TOLERANCE)
    set_batch_size(learner, "Home", 1)
    full, minibatch = sgd_paths(page)
    assert full.shape == minibatch.shape, "both drawn on the minibatch run's timeline"
    assert np.array_equal(full[0], minibatch[0]), "from the same start"
    gap = np.linalg.norm(full - minibatch, axis=1)
    assert gap.max() > 10 * TOLERANCE, "one sample a step wanders off the full-batch path"


def test_a_hostile_formula_is_refused_and_a_good_one_plots(learner, tmp_path):
    page = learner.page
    learner.follow_home_link("Your own function")
    wait_for_panel(page, "contour")
    runs_before = chart_state(page)["runs"]
    box = page.get_by_label("f(x) or f(x, y) =", exact=True)
    marker = tmp_path / "pwned"
    box.fill(f"__import__('os').system('touch {marker}')")
    box.press("Enter")
    page.get_by_role("alert").filter(has_text="not allowed").wait_for(timeout=ANSWER_MS)
    learner.check()
    assert not marker.exists(), "nothing ran"
    assert chart_state(page)["runs"] == runs_before, "the plot stays"

    formula = "(x - 1)^2 + (y + 2)^2"
    box.fill(formula)
    box.press("Enter")
    wait_for_url_param(page, "formula", formula)
    surface = parse_surface(formula)
    opening = lessons.opening_values(surface)
    names = [f"start {run} {gd_core.format_point(start)}"
             for run, start in enumerate(opening["starts"], 1)]
    wait_for_badge_names(page, names)
    learner.check()
    # The chart can show the new runs before the script's run ends and Streamlit removes the
    # elements it did not draw again (the refusal).
    page.wait_for_function("() => !document.querySelector('[role=alert]')", timeout=ANSWER_MS)
    page.get_by_text("Local minima found in the plotted range, lowest first: (1, −2).").wait_for()
    # Every run descends this bowl to its minimum (1, −2), drawn on the contour.
    for run in range(len(names)):
        head = live_trace(page, "contour", 3 * run + 2)
        assert np.allclose([head["x"][0], head["y"][0]], surface.minima[0], atol=TOLERANCE)


#: Every panel's live traces, by panel and trace: what the chart draws of its runs.
LIVE_TRACES = """() => Object.fromEntries([...document.querySelectorAll('.dl-live')].flatMap(
    (plot) => (plot.data || []).map((trace, index) => [
        `${plot.closest('.dl-panel').className} ${index}`,
        [Array.from(trace.x || []), Array.from(trace.y || [])]])))"""


def test_a_copied_link_opens_the_same_view_in_a_fresh_browser(learner, browser):
    page = learner.page
    learner.follow_home_link("Descent on a surface")
    wait_for_panel(page, "contour")
    page.locator("[data-testid='stSidebar'] button").filter(has_text="Momentum").first.click()
    wait_for_url_param(page, "optimizer", "momentum")
    learner.check()
    runs = len(chart_state(page)["runs"])
    page.mouse.click(*screen_point(page, "contour", 1.5, -2.5))
    wait_for_badges(page, runs + 1)
    learner.check()
    page.locator(".dl-fan-slider").focus()
    page.keyboard.press("ArrowLeft")
    wait_for_url_param(page, "lr", chart_state(page)["fanValue"])
    learner.check()
    link, state = page.url, chart_state(page)

    with browser_tab(browser, viewport=VIEWPORT) as tab:
        fresh = Learner(tab, learner.home)
        open_chart(tab, link)
        wait_for_badges(tab, runs + 1)
        wait_for_panel(tab, "onion")
        fresh.check()
        assert tab.url == link
        assert chart_state(tab) == state
        chosen = tab.locator("[data-testid='stSidebar'] button[role='radio'][aria-checked='true']")
        assert chosen.first.inner_text() == "Momentum"
        traces = tab.evaluate(LIVE_TRACES)
    # The 3D view follows a learning-rate change once the chart has come to rest: wait for it.
    page.wait_for_function(f"""(expected) => JSON.stringify(({LIVE_TRACES})())
        === JSON.stringify(expected)""", arg=traces, timeout=ANSWER_MS)
