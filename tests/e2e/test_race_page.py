"""The "Optimizer race" page in Debian's Chromium, inside the app (``streamlit run app.py``): a
click moves every racer's start, the chart's learning-rate slider redraws every racer in the
browser, play moves them all together, the tuned mode names its rates, and a phone shows it."""

from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from chart_page import (
    browser_tab,
    chart_state,
    live_trace,
    open_chart,
    screen_point,
    table_rows,
)

import gd_core
from ui import lessons, race
from ui.runs import RACE_LEARNING_RATES as LEARNING_RATES

pytestmark = pytest.mark.e2e

RACERS = tuple(gd_core.OPTIMIZERS)
TITLES = [spec.title for spec in gd_core.OPTIMIZERS.values()]
OPENING = lessons.RACES["himmelblau"].opening
#: The payload sends paths as half floats: a point on Himmelblau's map is good to about 0.004.
TOLERANCE = 0.01


@pytest.fixture(scope="module")
def url(streamlit_app):
    return streamlit_app("app.py") + "/Optimizer_race"


@pytest.fixture(scope="module")
def fans():
    """Every racer's runs at every learning rate of the slider from the opening, as the core
    computes them (``(rates, 1, steps + 1, 2)`` each)."""
    surface = gd_core.get_surface("himmelblau")
    return {name: race.run_racer(surface, name, {}, OPENING.starts[0], OPENING.steps,
                                 "shared")[0].points for name in RACERS}


def paths(page) -> list[dict]:
    """Each racer's path on the contour map as drawn (live traces: path, head per racer)."""
    return [live_trace(page, "contour", 2 * racer) for racer in range(len(RACERS))]


def no_exception_box(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0


def start_in_url(page) -> tuple[float, float] | None:
    text = parse_qs(urlparse(page.url).query).get("start", [""])[0]
    return tuple(float(value) for value in text.split(",")) if text else None


def test_a_click_on_the_contour_moves_the_start_of_every_racer(page, url):
    open_chart(page, url)
    assert chart_state(page)["runs"] == TITLES
    assert all(path["x"][0] == 0 and path["y"][0] == 0 for path in paths(page))
    target = (1.2, -0.8)
    page.mouse.click(*screen_point(page, "contour", *target))
    page.wait_for_function("new URLSearchParams(location.search).has('start')")
    start = start_in_url(page)
    assert np.allclose(start, target, atol=0.01 * 10), "where the click was (1% of the map)"
    page.wait_for_function("""([x, y, racers, tolerance]) => {
        const data = document.querySelector('.dl-panel-contour .dl-live').data;
        return [...Array(racers).keys()].every((racer) => {
            const path = data[2 * racer];
            return Math.abs(path.x[0] - x) < tolerance && Math.abs(path.y[0] - y) < tolerance;
        });
    }""", arg=[*start, len(RACERS), TOLERANCE], timeout=30_000)
    for path in paths(page):
        assert len(path["x"]) == OPENING.steps + 1
    # Each racer's start ring (after every racer's path and head) marks the new start too.
    rings = [live_trace(page, "contour", 2 * len(RACERS) + 2 * racer)
             for racer in range(len(RACERS))]
    assert all(np.allclose([ring["x"][0], ring["y"][0]], start, atol=TOLERANCE)
               for ring in rings)
    # The typed start follows the click (it said "0,0" before).
    page.locator("[data-testid=stSidebar] [data-testid=stExpander]").filter(
        has_text="Start point").locator("summary").click()
    typed = page.get_by_role("textbox", name="Start at")
    assert [float(c) for c in typed.input_value().split(",")] == pytest.approx(start)
    no_exception_box(page)


def test_the_learning_rate_slider_redraws_every_racer_in_the_browser(page, url, fans):
    open_chart(page, url)
    assert chart_state(page)["fanValue"] == "0.01"
    sent: list[int] = []
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.on("Network.webSocketFrameSent", lambda event: sent.append(event["requestId"]))
    for index in (LEARNING_RATES.index(0.025), LEARNING_RATES.index(0.04),
                  LEARNING_RATES.index(0.001)):
        before = paths(page)
        # What a drag does: an input event per move, a change event only on release.
        page.evaluate("""(index) => {
            const slider = document.querySelector('.dl-fan-slider');
            slider.value = index;
            slider.dispatchEvent(new Event('input', {bubbles: true}));
        }""", index)
        page.wait_for_function(
            f"Number(document.querySelector('.dl-chart').dataset.fanIndex) === {index}")
        drawn = paths(page)
        for name, path, old in zip(RACERS, drawn, before, strict=True):
            assert path["x"] != old["x"], (name, "redrawn")
            expected = fans[name][index, 0, :3]
            assert np.allclose(np.c_[path["x"][:3], path["y"][:3]], expected, atol=TOLERANCE), (
                name, LEARNING_RATES[index])
        assert chart_state(page)["fanValue"] == format(LEARNING_RATES[index], "g")
    page.wait_for_timeout(300)  # a message the drag sent would have left by now
    assert sent == [], "no server round trip while dragging"
    assert "lr" not in parse_qs(urlparse(page.url).query)
    # On release the page learns the rate: the link and the results table follow.
    page.evaluate("""() => document.querySelector('.dl-fan-slider')
        .dispatchEvent(new Event('change', {bubbles: true}))""")
    page.wait_for_function("new URLSearchParams(location.search).get('lr') === '0.001'")
    assert sent, "the release did reach the server (so the count above could see a message)"
    page.get_by_text("Results (η = 0.001 for all)").wait_for(timeout=30_000)
    no_exception_box(page)


def test_play_advances_every_racer_together(page, url, fans):
    open_chart(page, url)
    assert chart_state(page)["counter"] == f"step {OPENING.steps} / {OPENING.steps}"
    at_the_end = [live_trace(page, "contour", 2 * racer + 1) for racer in range(len(RACERS))]
    page.click(".dl-play")
    page.wait_for_function("Number(document.querySelector('.dl-chart').dataset.frame) >= 3")
    page.click(".dl-play")  # pause
    page.wait_for_function(
        "document.querySelector('.dl-play').getAttribute('aria-pressed') === 'false'")
    # One reading of the frame, the counter and every head: they must agree.
    frame, counter, heads = page.evaluate("""(racers) => {
        const chart = document.querySelector('.dl-chart');
        const data = document.querySelector('.dl-panel-contour .dl-live').data;
        return [Number(chart.dataset.frame), chart.querySelector('.dl-counter').textContent,
                [...Array(racers).keys()].map((r) => [data[2 * r + 1].x[0], data[2 * r + 1].y[0]])];
    }""", len(RACERS))
    assert 3 <= frame < OPENING.steps
    assert counter == f"step {frame} / {OPENING.steps}"
    member = LEARNING_RATES.index(OPENING.lr)
    for name, head, end in zip(RACERS, heads, at_the_end, strict=True):
        expected = fans[name][member, 0, frame]
        assert np.allclose(head, expected, atol=TOLERANCE), (name, frame)
        if not np.allclose(expected, fans[name][member, 0, -1], atol=2 * TOLERANCE):
            assert not np.allclose(head, [end["x"][0], end["y"][0]], atol=TOLERANCE), (
                name, "its head moved to the step played")
    no_exception_box(page)


def test_each_at_its_tuned_rate_names_the_rates_in_the_legend_and_the_table(page, url):
    open_chart(page, url)
    page.locator("[data-testid='stSidebar'] button").filter(
        has_text="Each at its tuned rate").click()
    page.get_by_text("Results (each at its tuned rate)").wait_for(timeout=30_000)
    page.wait_for_function("""(racers) => [...document.querySelectorAll('.dl-legend-label')]
        .filter((label) => label.textContent.includes('tuned η')).length === racers""",
                           arg=len(RACERS), timeout=30_000)
    surface = gd_core.get_surface("himmelblau")
    rates = {spec.title: gd_core.tune_lr(surface, name, OPENING.starts[0], OPENING.steps)
             for name, spec in gd_core.OPTIMIZERS.items()}
    labels = page.locator(".dl-legend-label").all_text_contents()
    assert [label.split(" · ")[0] for label in labels] == TITLES
    assert all(" · tuned η = " in label for label in labels)
    assert page.locator(".dl-fan").count() == 0 or not page.locator(".dl-fan").is_visible(), (
        "no slider of one rate for all")
    rows = table_rows(page)
    assert sorted(row[1] for row in rows) == sorted(TITLES)
    for row in rows:
        assert row[2] == gd_core.format_number(rates[row[1]]), row
    assert rows[0][0] == "1" and rows[0][1] == "AdaGrad", "first in 8 steps"
    assert "mode=tuned" in page.url
    no_exception_box(page)


@pytest.fixture
def phone(browser):
    with browser_tab(browser, viewport={"width": 390, "height": 844}, has_touch=True,
                     is_mobile=True) as tab:
        yield tab


def test_the_race_on_a_phone_opens_and_takes_a_tap_without_an_error(phone, url):
    open_chart(phone, url)
    phone.locator(".dl-table-grid").wait_for(timeout=30_000)
    no_exception_box(phone)
    contour = phone.locator(".dl-panel-contour")
    contour.scroll_into_view_if_needed()
    box = phone.locator(".dl-panel-contour .nsewdrag").first.bounding_box()
    phone.touchscreen.tap(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.3)
    phone.wait_for_function("new URLSearchParams(location.search).has('start')")
    start = start_in_url(phone)
    phone.wait_for_function("""([x, y, tolerance]) => {
        const path = document.querySelector('.dl-panel-contour .dl-live').data[0];
        return Math.abs(path.x[0] - x) < tolerance && Math.abs(path.y[0] - y) < tolerance;
    }""", arg=[*start, TOLERANCE], timeout=30_000)
    no_exception_box(phone)
    # Nothing wider than the phone: the page does not scroll sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
