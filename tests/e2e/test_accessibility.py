"""Accessibility in Debian's Chromium: axe-core's WCAG 2.1 A/AA rules on every page, the player
from the keyboard, and the paths as a table for screen readers."""

from pathlib import Path

import pytest
from chart_page import chart_state, open_chart

import gd_core
from app import PAGES

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Any panel drawn: the chart's panels differ per page.
CHART_DRAWN = """() => Array.from(document.querySelectorAll('.dl-panel .dl-live'))
    .some((live) => live.data && live.data.length)"""
SURFACE = "/Descent_on_a_surface?surface=bowl&starts=-0.5,2.5&lr=0.01&steps=40"


@pytest.fixture(scope="module")
def app_url(streamlit_app):
    return streamlit_app("app.py")


def axe_violations(page) -> list[str]:
    page.add_script_tag(content=AXE.read_text())
    return page.evaluate("""async (tags) => {
        const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
        return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at `
            + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; '));
    }""", AXE_TAGS)


@pytest.mark.parametrize("path", ["", *(page.url_path for page in PAGES)])
def test_every_page_passes_axe_cores_wcag_21_aa_rules(page, app_url, path):
    page.goto(f"{app_url}/{path}")
    if path:
        page.wait_for_function(CHART_DRAWN, polling="raf", timeout=60_000)
    else:
        page.get_by_role("heading", name="Descent Lab").first.wait_for()
    assert axe_violations(page) == []


def test_play_pause_and_step_from_the_keyboard(page, app_url):
    open_chart(page, app_url + SURFACE)
    last = chart_state(page)["frame"]
    assert last == 40  # a chart opens on its last step
    play = page.locator(".dl-play")
    play.focus()
    page.keyboard.press("Space")  # from the end, Play starts over
    page.wait_for_function("() => document.querySelector('.dl-play').ariaPressed === 'true'")
    page.keyboard.press("Space")
    page.wait_for_function("() => document.querySelector('.dl-play').ariaPressed === 'false'")
    paused = chart_state(page)["frame"]
    page.locator(".dl-back").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("(frame) => Number(document.querySelector('.dl-chart').dataset.frame)"
                           " === frame", arg=paused - 1 if paused else 0)
    page.locator(".dl-scrubber").focus()
    page.keyboard.press("End")
    page.wait_for_function("(frame) => Number(document.querySelector('.dl-chart').dataset.frame)"
                           " === frame", arg=last)


def test_the_paths_are_a_table_for_screen_readers_up_to_the_step_shown(page, app_url):
    open_chart(page, app_url + SURFACE)
    table = page.locator(".dl-sr-only table")
    table.locator("tbody tr").nth(40).wait_for(state="attached")
    headers = table.locator("thead th").all_inner_texts()
    assert headers[0] == "step" and [name.split(": ")[-1] for name in headers[1:]] == [
        "x", "y", "f"]
    first = table.locator("tbody tr").first.locator("th, td").all_text_contents()
    assert first[:3] == ["0", "−0.5", "2.5"]
    bowl_at_start = float(gd_core.get_surface("bowl").value([-0.5, 2.5]))
    assert float(first[3].replace("−", "-")) == pytest.approx(bowl_at_start, rel=1e-3)
    # Stepping back by hand: the table ends at the step shown.
    page.locator(".dl-back").click()
    page.wait_for_function("() => document.querySelectorAll('.dl-sr-only tbody tr').length"
                           " === 40")
    assert table.locator("tbody tr").last.locator("th").inner_text() == "39"
    box = table.locator("xpath=..").bounding_box()
    assert box["width"] <= 1 and box["height"] <= 1  # read, not shown
