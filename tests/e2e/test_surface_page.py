"""The "Descent on a surface" page in Debian's Chromium: click, drag, play, reload."""

import base64
import re
import time
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from chart_page import (
    axis_spans,
    chart_state,
    live_trace,
    open_chart,
    readouts,
    screen_point,
)

import gd_core
from tests.chart_reference import derive, fill_template
from tests.helpers import decode
from ui import payloads
from ui.chart import chart_js_url
from ui.chart_payload import to_json
from ui.runs import LEARNING_RATES, badges, format_learning_rate, run_fan

pytestmark = pytest.mark.e2e

PAGE = "pages/2_Descent_on_a_surface.py"
# One start on the bowl, 100 steps: at lr 0.01 the path is visibly different from its neighbours.
START = "?surface=bowl&starts=-0.5,2.5&lr=0.01"
#: Frames per second the chart plays at unless told otherwise (DEFAULT_SPEED in controls.js).
DEFAULT_PLAYBACK_SPEED = 25


@pytest.fixture(scope="module")
def url(streamlit_app):
    return streamlit_app(PAGE)


def wait_until(page, condition, timeout_ms: int = 10_000) -> None:
    """Wait until ``condition()`` (a test of what Python has seen of the page, such as CDP events,
    which only arrive while Playwright is called) holds; fail after ``timeout_ms``."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the page"
        page.wait_for_timeout(50)  # lets Playwright deliver the events that came meanwhile


def wait_through_playback_frames(page, count: int = 6) -> None:
    """Wait until the browser has drawn animation frames for as long as ``count`` frames of
    playback at the chart's default speed last: a clock that still ran would have moved."""
    page.evaluate("""(span) => new Promise((done) => {
        const since = performance.now();
        const tick = (now) => now - since > span ? done() : requestAnimationFrame(tick);
        requestAnimationFrame(tick);
    })""", count * 1000 / DEFAULT_PLAYBACK_SPEED)


def starts_in_url(page) -> list[tuple[float, float]]:
    text = parse_qs(urlparse(page.url).query).get("starts", [""])[0]
    return [tuple(float(v) for v in item.split(",")) for item in text.split(";") if item]


def test_a_click_on_the_contour_adds_a_start_at_that_point(page, url):
    open_chart(page, url + START)
    assert chart_state(page)["runs"] == ["start 1 (−0.5, 2.5)"]
    target = (2.2, 0.4)
    page.mouse.click(*screen_point(page, "contour", *target))
    page.wait_for_function("document.querySelectorAll('.dl-badge').length === 2")
    page.wait_for_function("new URLSearchParams(location.search).get('starts')?.includes(';')")
    x, y = starts_in_url(page)[1]
    span_x, span_y = axis_spans(page, "contour")
    assert abs(x - target[0]) < 0.01 * span_x and abs(y - target[1]) < 0.01 * span_y
    assert chart_state(page)["runs"][1] == "start 2 (2.2, 0.4)"
    # The new run is drawn on the contour (its trail is the 4th live trace: 3 per run).
    trail = live_trace(page, "contour", 3)
    assert trail["x"][0] == pytest.approx(x, abs=0.01 * span_x)


def test_a_click_is_marked_at_once_until_its_run_is_drawn(page, url):
    open_chart(page, url + START)
    page.evaluate("""() => {
        window.__marks = [];
        new MutationObserver((changes) => { for (const change of changes) {
            for (const node of change.addedNodes) if (node.classList?.contains('dl-pending'))
                window.__marks.push([node.style.borderColor, document.querySelectorAll(
                    '.dl-badge').length]);
        }}).observe(document.querySelector('.dl-panel-contour'), {childList: true});
    }""")
    page.mouse.click(*screen_point(page, "contour", 1.0, 1.0))
    page.wait_for_function("document.querySelectorAll('.dl-badge').length === 2")
    # Marked before the new run's badge came, in the colour of run 2, and gone once it came.
    assert page.evaluate("window.__marks") == [["rgb(0, 114, 178)", 1]]
    page.wait_for_function("!document.querySelector('.dl-pending')")


def test_dragging_the_learning_rate_redraws_the_path_while_dragging(page, url):
    open_chart(page, url + START)
    before = live_trace(page, "contour", 0)
    state = chart_state(page)
    assert state["fanValue"] == "0.01"
    slider = page.locator(".dl-fan-slider").bounding_box()
    y = slider["y"] + slider["height"] / 2
    last = len(LEARNING_RATES) - 1
    page.mouse.move(slider["x"] + slider["width"] * (state["fanIndex"] / last), y)
    page.mouse.down()
    page.mouse.move(slider["x"] + slider["width"] * 0.62, y, steps=8)
    # Still holding the mouse: the path already shows another learning rate.
    page.wait_for_function("""([index, before]) => {
        const chart = document.querySelector('.dl-chart');
        const x = Array.from(document.querySelector('.dl-panel-contour .dl-live').data[0].x || []);
        return Number(chart.dataset.fanIndex) > index
            && (x.length !== before.length || x.some((value, i) => !Object.is(value, before[i])));
    }""", arg=[state["fanIndex"], before["x"]])
    during = chart_state(page)
    assert during["fanIndex"] > state["fanIndex"]
    after = live_trace(page, "contour", 0)
    assert after["x"] != before["x"]
    page.mouse.up()
    # On release the page learns the new learning rate: sidebar, badge and link follow.
    value = during["fanValue"]
    page.wait_for_function(f"new URLSearchParams(location.search).get('lr') === '{value}'")
    # The link can change a moment before the sidebar has re-rendered: wait for the slider.
    page.locator("[data-testid='stSidebar']").get_by_text(value).first.wait_for(timeout=10_000)


def test_play_advances_the_iteration_counter(page, url):
    open_chart(page, url + START)
    assert chart_state(page)["counter"] == "step 100 / 100"
    page.click(".dl-play")
    frame = "Number(document.querySelector('.dl-chart').dataset.frame)"
    page.wait_for_function(f"{frame} > 0 && {frame} < 100")
    first = chart_state(page)["frame"]
    page.wait_for_function(f"{frame} > {first}")
    # One reading of frame and counter together: playback keeps moving between two readings.
    playing = chart_state(page)
    second = playing["frame"]
    assert 0 < first < second <= 100
    assert re.fullmatch(rf"step {second} / 100", playing["counter"])
    page.click(".dl-play")  # pause
    page.wait_for_function(
        "document.querySelector('.dl-play').getAttribute('aria-pressed') === 'false'")
    paused = chart_state(page)["frame"]
    wait_through_playback_frames(page)
    assert chart_state(page)["frame"] == paused


def test_a_click_on_the_iteration_slider_while_playing_goes_to_that_step(page, url):
    open_chart(page, url + START)
    page.click(".dl-play")
    page.wait_for_function("Number(document.querySelector('.dl-chart').dataset.frame) > 2")
    box = page.locator(".dl-scrubber").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] / 2)
    state = chart_state(page)
    assert 70 <= state["frame"] <= 80, state
    assert page.locator(".dl-play").get_attribute("aria-pressed") == "false", "and it pauses"


def test_a_press_on_the_iteration_slider_pauses_even_on_the_frame_showing(page, url):
    # A press where the thumb already is changes no value, so no input event: it failed the
    # test above once, when playback had reached the very frame clicked.
    open_chart(page, url + START)
    page.click(".dl-play")
    page.wait_for_function("Number(document.querySelector('.dl-chart').dataset.frame) > 2")
    page.locator(".dl-scrubber").dispatch_event("pointerdown")
    assert page.locator(".dl-play").get_attribute("aria-pressed") == "false"
    frame = chart_state(page)["frame"]
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => "
                  "requestAnimationFrame(done)))")
    assert chart_state(page)["frame"] == frame, "and stays on its frame"


def loss_range(page) -> list[float]:
    return page.evaluate(
        "() => document.querySelector('.dl-panel-loss .dl-live')._fullLayout.yaxis.range")


def test_after_clearing_the_starts_there_is_nothing_to_play_and_the_loss_axis_is_plain(
        page, url):
    open_chart(page, url + "?surface=rosenbrock&starts=-1.5,2&lr=0.001&log=1")
    page.wait_for_function("""() => document.querySelector('.dl-panel-loss .dl-live')
        ?._fullLayout?.yaxis.range[1] > 1""")
    page.get_by_role("button", name="Clear start points").click()
    page.wait_for_function("document.querySelectorAll('.dl-badge').length === 0")
    page.wait_for_function("""() => document.querySelector('.dl-counter').textContent
        === 'no runs yet'""")
    assert page.locator(".dl-play").is_disabled() and page.locator(".dl-scrubber").is_disabled()
    page.wait_for_function("""() => document.querySelector('.dl-panel-loss .dl-live')
        ._fullLayout.yaxis.range[1] <= 1""")
    assert loss_range(page) == [-1, 1], "10⁻¹ to 10¹ on the log scale"


def test_reloading_the_link_gives_the_same_view(page, url):
    open_chart(page, url + "?surface=two_minima&optimizer=momentum&steps=80")
    page.mouse.click(*screen_point(page, "contour", 1.3, 0.6))
    page.wait_for_function("document.querySelectorAll('.dl-badge').length === 3")
    page.locator(".dl-fan-slider").focus()
    page.keyboard.press("ArrowLeft")  # each key press commits, like a release
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("new URLSearchParams(location.search).get('lr') === '0.25'")
    link = page.url
    before = chart_state(page)
    trail = live_trace(page, "contour", 6)

    page.goto("about:blank")
    open_chart(page, link)
    assert chart_state(page) == before
    assert live_trace(page, "contour", 6) == trail


def test_the_download_button_gives_the_paths_as_csv(page, url):
    open_chart(page, url + "?surface=bowl&starts=-0.5,2.5&lr=0.1&steps=20")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download paths (CSV)").click()
    assert download.value.suggested_filename == "descent_bowl_gd_lr0.1.csv"
    rows = download.value.path().read_text().splitlines()
    assert rows[0] == "optimizer,learning_rate,run,step,x,y,value,stop_reason"
    assert rows[1] == "gd,0.1,1,0,-0.5,2.5,31.75,"  # f(−0.5, 2.5) on the bowl
    assert len(rows) == 1 + 21, "one row per step, the start included"


def test_a_link_to_the_page_on_a_fresh_server_opens_it_inside_the_app(page, streamlit_app):
    # The first page anyone opens after the server starts: Streamlit still thinks in its file
    # list mode then (a pages/ folder exists) until app.py's navigation has run once.
    app = streamlit_app("app.py", fresh=True)
    open_chart(page, f"{app}/Descent_on_a_surface?surface=two_minima&lr=0.4")
    nav = page.locator("[data-testid=stSidebarNav] a")
    page.wait_for_function("""() => [...document.querySelectorAll(
        '[data-testid=stSidebarNav] a')].some((a) => a.textContent.includes('Home'))""")
    # Each entry reads "<icon name>\n\n<title>": the icon is a ligature of the icon font.
    assert [text.split("\n")[-1].strip() for text in nav.all_inner_texts()] == [
        "Home", "Why minus the gradient", "Descent on a surface", "Optimizer race",
        "Basins of attraction", "SGD on real data", "Your own function"]
    assert chart_state(page)["fanValue"] == "0.4", "the link's parameters survive the handover"
    assert "surface=two_minima" in page.url


def test_units_the_browser_has_are_not_sent_again_unless_it_asks(page, url):
    open_chart(page, url + START)
    frames: list[bytes] = []
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.on("Network.webSocketFrameReceived", lambda event: frames.append(
        base64.b64decode(event["response"]["payloadData"])
        if event["response"]["opcode"] == 2 else event["response"]["payloadData"].encode()))

    def grid_messages() -> list[bytes]:
        return [frame for frame in frames if b'"grid_z": {' in frame]

    def grid_sent_as() -> str:
        return "reference" if b'"grid_z": {"same_as"' in grid_messages()[-1] else "data"

    # A change that leaves the surface alone: its grid goes as a reference to the last payload.
    page.locator("[data-testid='stSidebar'] label").filter(has_text="Loss on a log scale").click()
    page.wait_for_function("new URLSearchParams(location.search).get('log') === '1'")
    wait_until(page, grid_messages)
    assert grid_sent_as() == "reference"
    # A browser that lacks a unit (here: it forgot every unit it was sent) says so, and the
    # next run sends everything again. (It may come as a reference to a message the browser
    # keeps, Streamlit's own cache, so the units the chart holds tell, not the frames.)
    units = chart_js_url().replace("/chart.js", "/caches.js")
    page.evaluate("""async (url) => {
        performance.clearMeasures('dl-payload');
        window.__pageUnits = (await import(new URL(url, location.href).href)).pageUnits;
        window.__pageUnits.clear();
    }""", units)
    page.locator("[data-testid='stSidebar'] label").filter(has_text="Loss on a log scale").click()
    page.wait_for_function("performance.getEntriesByName('dl-payload').length > 0")
    # The surface's grid (101 x 101) is among the units the chart holds again.
    page.wait_for_function("""() => [...window.__pageUnits.values()].some(
        (unit) => unit.shape && unit.shape.length === 2)""", timeout=10_000)
    assert chart_state(page)["runs"] == ["start 1 (−0.5, 2.5)"]


def test_the_three_d_surface_is_drawn_from_every_other_grid_point(page, url):
    open_chart(page, url + START)
    page.wait_for_function("""() => {
        const plot = document.querySelector('.dl-panel-onion .dl-live');
        return plot && plot.data && plot.data.length > 0;
    }""", timeout=30_000)
    shape = page.evaluate("""() => {
        const surface = document.querySelector('.dl-panel-onion .dl-live').data[0];
        return [surface.type, surface.x.length, surface.y.length, surface.z.length,
                surface.z[0].length, surface.x[50], surface.y[50]];
    }""")
    assert shape == ["surface", 51, 51, 51, 51, 3, 3], "the bowl's grid, 101 points from -1 to 3"


#: The 3D surface's WebGL object's bounds: plotly's surface gives it a new array each time it
#: remeshes the surface.
SURFACE_MESH = """() => {
    const scene = document.querySelector('.dl-panel-onion .dl-live')
        ?._fullLayout?.scene?._scene;
    const trace = scene && Object.values(scene.traces).find((t) => t.data.type === 'surface');
    return trace ? trace.surface.bounds : null;
}"""


def test_the_three_d_surface_is_remeshed_for_a_new_surface_not_for_new_paths(page, url):
    open_chart(page, url + "?surface=himmelblau&starts=-4,4")
    page.wait_for_function(f"({SURFACE_MESH})() !== null", timeout=30_000)
    page.wait_for_function(
        "() => document.querySelector('.dl-panel-onion .dl-live').svgData?.[0]?.x?.length > 1",
        timeout=30_000)
    page.evaluate(f"window.__mesh = ({SURFACE_MESH})()")
    paths_before = page.evaluate(
        "() => document.querySelector('.dl-panel-onion .dl-live').svgData[0].x.join()")
    page.mouse.click(*screen_point(page, "contour", 2.0, 1.0))
    # The paths are SVG over the scene: both runs drawn there, the first one unchanged.
    page.wait_for_function("""(before) => {
        const data = document.querySelector('.dl-panel-onion .dl-live').svgData;
        return data.filter((t) => t.mode === 'lines' && t.x.length > 1).length === 2
            && data[0].x.join() === before;
    }""", arg=paths_before, timeout=30_000)
    drawn = page.evaluate("""() => [...document.querySelectorAll(
        '.dl-panel-onion .dl-svg-trace path')].filter((path) => path.getAttribute('d')).length""")
    assert drawn >= 4, "two lines and two heads at least, as SVG"
    assert page.evaluate(f"({SURFACE_MESH})() === window.__mesh"), "only the paths moved"
    pick_surface(page, "Bowl")
    page.wait_for_function(f"({SURFACE_MESH})() !== window.__mesh", timeout=30_000)
    # The mesh is the bowl's: its f range (bounds are relative to the mesh's centre).
    bounds = page.evaluate(f"({SURFACE_MESH})()")
    grid = payloads.surface_grid(gd_core.get_surface("bowl"))
    f_span = bounds[1][2] - bounds[0][2]
    scene_scale = page.evaluate("""() => document.querySelector('.dl-panel-onion .dl-live')
        ._fullLayout.scene._scene.dataScale[2]""")
    assert f_span / scene_scale == pytest.approx(np.nanmax(grid.z) - np.nanmin(grid.z), rel=0.02)


def zoom(page, x_range: list[float], y_range: list[float]) -> None:
    """Zoom the contour map to these ranges, as a drag of the zoom box does."""
    page.evaluate("""([x, y]) => Plotly.relayout(
        document.querySelector('.dl-panel-contour .dl-base:not([hidden])'),
        {'xaxis.range': x, 'yaxis.range': y})""", [x_range, y_range])


def head_on_screen(page) -> list[float]:
    """The centre of the first run's current-iterate marker as drawn, in screen pixels."""
    return page.evaluate("""() => {
        const box = document.querySelectorAll('.dl-panel-contour .dl-svg-trace')[2]
            .lastChild.getBoundingClientRect();
        return [box.left + box.width / 2, box.top + box.height / 2];
    }""")


def test_paths_are_drawn_at_their_data_coordinates_also_after_a_zoom(page, url):
    open_chart(page, url + "?surface=himmelblau&starts=-4,4&steps=30")
    # Run 1 ends at the minimum near (-3.78, 3.28): the zoom keeps it in sight.
    for x_range, y_range in [([-5, 5], [-5, 5]), ([-5, -2], [2, 5])]:
        if x_range != [-5, 5]:
            zoom(page, x_range, y_range)
            page.wait_for_function("""() => document.querySelector(
                '.dl-panel-contour .dl-base:not([hidden])')._fullLayout.xaxis.range[1] === -2""")
        head = live_trace(page, "contour", 2)  # path, arrow, then the head of run 1
        expected = screen_point(page, "contour", head["x"][0], head["y"][0])
        drawn = head_on_screen(page)
        assert abs(drawn[0] - expected[0]) < 1.5 and abs(drawn[1] - expected[1]) < 1.5, (
            drawn, expected)


def pick_surface(page, title: str) -> None:
    page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(
        has_text="Surface").locator("input").click()
    page.get_by_role("option", name=title, exact=True).click()


def test_going_back_to_a_surface_shows_its_contour_again_at_the_full_view(page, url):
    open_chart(page, url + "?surface=himmelblau&starts=-4,4")
    bases = ".dl-panel-contour .dl-base"
    zoom(page, [-2, 2], [-2, 2])
    page.wait_for_function(f"document.querySelector('{bases}')._fullLayout.xaxis.range[0] === -2")
    pick_surface(page, "Bowl")
    page.wait_for_function(f"document.querySelectorAll('{bases}').length === 2")
    pick_surface(page, "Himmelblau")
    page.wait_for_function(f"document.querySelector('{bases}:not([hidden])')"
                           "._fullLayout.xaxis.range[0] === -5")
    shown = page.evaluate(f"""() => [...document.querySelectorAll('{bases}')].map((base) => ({{
        hidden: base.hidden, x: base._fullLayout.xaxis.range, y: base._fullLayout.yaxis.range,
        paths: base.querySelectorAll('.contourlayer path').length}}))""")
    assert len(shown) == 2, "the Himmelblau contour was kept, not drawn again"
    visible = [base for base in shown if not base["hidden"]]
    assert len(visible) == 1 and visible[0]["paths"] > 0
    assert visible[0]["x"] == [-5, 5] and visible[0]["y"] == [-5, 5], "back at the full view"


def formula_text(page) -> str:
    """The formula above the chart as typeset (KaTeX keeps the LaTeX in an annotation)."""
    return page.evaluate("""() => {
        const node = document.querySelector('.dl-formula:not([hidden]) .katex annotation');
        return node ? node.textContent : '';
    }""")


def test_the_formula_and_update_rule_are_typeset_and_follow_the_optimizer(page, url):
    open_chart(page, url + "?surface=himmelblau")
    page.wait_for_function("() => document.querySelector('.dl-formula .katex-html')")
    assert "(x^2 + y - 11)^2" in formula_text(page)
    # Typeset in KaTeX's own fonts (vendored, served by the app), not a fallback font.
    page.wait_for_function("""() => [...document.fonts].some(
        (face) => face.family === 'KaTeX_Main' && face.status === 'loaded')""")
    assert page.evaluate("""() => performance.getEntriesByType('resource').some(
        (entry) => entry.name.includes('/katex/fonts/KaTeX_Main-Regular.woff2'))""")
    page.locator("[data-testid='stSidebar'] button").filter(has_text="Adam").first.click()
    page.wait_for_function("""() => (document.querySelector('.dl-formula annotation') || {})
        .textContent?.includes('beta_1')""")
    assert "(x^2 + y - 11)^2" in formula_text(page), "the surface's formula stays"


def wait_until_no_frame_is_requested(page) -> None:
    """Wait until no requestAnimationFrame callback is pending at three checks in a row, 100 ms
    apart: a loop that draws every frame (plotly's 3D scene's) always has one pending between
    frames. Needs the counting of ``test_the_three_d_scene_rests...``'s init script."""
    page.evaluate("window.__restingChecks = 0")
    page.wait_for_function("""() => (window.__restingChecks =
        window.__pendingFrames.size ? 0 : window.__restingChecks + 1) >= 3""", polling=100)


def test_the_three_d_scene_rests_when_nothing_moves_and_turns_with_a_drag(page, url):
    # Every requestAnimationFrame request is tracked until its callback runs or is cancelled:
    # plotly's 3D scene would keep one pending forever.
    page.add_init_script("""(() => {
        const request = window.requestAnimationFrame.bind(window);
        const cancel = window.cancelAnimationFrame.bind(window);
        window.__pendingFrames = new Set();
        window.requestAnimationFrame = (callback) => {
            const id = request((time) => {
                window.__pendingFrames.delete(id);
                callback(time);
            });
            window.__pendingFrames.add(id);
            return id;
        };
        window.cancelAnimationFrame = (id) => {
            window.__pendingFrames.delete(id);
            cancel(id);
        };
    })()""")
    open_chart(page, url + "?surface=himmelblau")
    page.wait_for_function("""() => document.querySelector('.dl-panel-onion .dl-live')
        ?._fullLayout?.scene?._scene?.glplot""")
    wait_until_no_frame_is_requested(page)  # no frames while nothing moves
    onion = page.locator(".dl-panel-onion")
    before = onion.screenshot()

    box = onion.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x + 12 * step, y, steps=2)
    page.mouse.up()
    wait_until_no_frame_is_requested(page)  # the camera eases out, then the scene rests
    assert onion.screenshot() != before, "the drag turned the scene"


def onion_ranges(page) -> dict:
    return page.evaluate("""() => {
        const scene = document.querySelector('.dl-panel-onion .dl-live')._fullLayout.scene;
        return {x: scene.xaxis.range, y: scene.yaxis.range, z: scene.zaxis.range};
    }""")


def test_a_diverging_run_leaves_the_three_d_box_which_keeps_the_surface_range(page, url):
    open_chart(page, url + "?surface=ravine&starts=-0.5,2.5&lr=0.12")
    page.wait_for_function("""() => document.querySelector('.dl-panel-onion .dl-live')
        ?.svgData?.length > 1""", timeout=30_000)
    assert "diverged at step" in chart_state(page)["badges"][0]
    ranges = onion_ranges(page)
    surface = gd_core.get_surface("ravine")
    grid = payloads.surface_grid(surface)
    assert ranges["x"] == [-1, 3] and ranges["y"] == [-1, 3]
    assert np.nanmin(grid.z) - 10 < ranges["z"][0] < np.nanmin(grid.z)
    assert np.nanmax(grid.z) < ranges["z"][1] < np.nanmax(grid.z) + 20, "not stretched to 1e26"
    # Where the path left the map is marked, on its edge, in the contour and the 3D view.
    marks = [trace for trace in page.evaluate(
        "() => document.querySelector('.dl-panel-contour .dl-live').data")
        if trace.get("marker", {}).get("symbol") == "square" and trace["x"]]
    (x,), (y,) = marks[0]["x"], marks[0]["y"]
    assert min(abs(x + 1), abs(x - 3), abs(y + 1), abs(y - 3)) < 0.02
    # The 3D view's mark (SVG over the scene) is drawn: on the box's face, so inside it.
    page.wait_for_function("""() => {
        const data = document.querySelector('.dl-panel-onion .dl-live').svgData;
        const exit = data.findIndex((t) => t.marker?.symbol === 'square' && t.x.length);
        const drawn = document.querySelectorAll('.dl-panel-onion .dl-svg-trace')[exit];
        return exit >= 0 && [...drawn.querySelectorAll('path')].some((p) => p.getAttribute('d'));
    }""", timeout=10_000)


def test_the_marks_are_explained_a_colour_bar_a_legend_and_a_key(page, url):
    open_chart(page, url + "?surface=himmelblau&starts=-4,4;1,1")
    page.wait_for_selector(".dl-panel-contour .dl-colorbar")
    assert "light = low" in page.locator(".dl-panel-contour .dl-colorbar").text_content()
    page.wait_for_function("document.querySelectorAll('.dl-panel-loss .legendtext').length === 2")
    assert page.locator(".dl-panel-loss .legendtext").all_text_contents() == [
        "start 1", "start 2"]
    symbols = page.evaluate("""() => [...document.querySelectorAll(
        '.dl-panel-loss .legend .traces .scatterpts')].map((n) => n.getAttribute('d'))""")
    assert len(set(symbols)) == 2, "each start its own marker"
    assert "−∇f, the downhill direction" in readouts(page)[0]
    # Each start has a ring on the contour at its start point.
    rings = [trace for trace in page.evaluate(
        "() => document.querySelector('.dl-panel-contour .dl-live').data")
        if trace.get("marker", {}).get("symbol") == "circle"
        and trace["marker"].get("opacity") == 0
        and trace["x"]]
    assert [(ring["x"][0], ring["y"][0]) for ring in rings] == [(-4, 4), (1, 1)]


def test_the_chart_learning_rate_slider_reads_as_the_sidebar_one_with_its_ends(page, url):
    open_chart(page, url + START)
    fan = page.locator(".dl-fan")
    assert fan.locator(".dl-fan-label").inner_text() == "Learning rate η"
    assert fan.locator(".dl-fan-low").inner_text() == format_learning_rate(LEARNING_RATES[0])
    assert fan.locator(".dl-fan-high").inner_text() == format_learning_rate(LEARNING_RATES[-1])
    assert "above the charts" in page.locator(".dl-fan-slider").get_attribute("title")
    sidebar = page.locator("[data-testid='stSidebar']").get_by_text("Learning rate η")
    assert sidebar.count() == 1
    # The slider is above the panels, as its help says.
    slider_box = page.locator(".dl-fan-slider").bounding_box()
    assert slider_box["y"] < page.locator(".dl-panel-contour").bounding_box()["y"]


def test_the_current_point_of_each_run_is_read_out_under_the_chart(page, url):
    open_chart(page, url + "?surface=himmelblau&starts=-4,4;1,1&steps=30&lr=0.01")
    surface = gd_core.get_surface("himmelblau")
    runs = run_fan(surface, "gd", {}, np.array([[-4.0, 4.0], [1.0, 1.0]]), LEARNING_RATES, 30)
    payload = to_json(payloads.descent_payload(
        surface, payloads.surface_grid(surface), runs,
        payloads.descent_series(surface, runs, badges(surface, runs)),
        lr_labels=[format_learning_rate(lr) for lr in LEARNING_RATES], lr_index=0,
        log_loss=False))
    member = list(LEARNING_RATES).index(0.01)
    page.locator(".dl-scrubber").fill("7")
    for line, series in zip(readouts(page)[1:], payload["series"], strict=True):
        channels = derive({name: decode(spec) for name, spec in series["channels"].items()},
                          series["derived"])
        spec = payload["readouts"][1 + payload["series"].index(series)]
        assert line == fill_template(spec["text"], spec, channels, member, 7)
    assert re.fullmatch(r"● start 1 at step 7: x = −2\.8\d*, y = 3\.1\d*, f = \S+, \|∇f\| = \S+",
                        readouts(page)[1]), "near the minimum at (−2.81, 3.13)"
