"""The "Why minus the gradient" page in Debian's Chromium: the learning rate scrub, stepping
through the iterations, a click on the curve, and the home page's classic-example links."""

import pytest
from chart_page import (
    axis_spans,
    chart_state,
    head_marker_on_screen,
    live_trace,
    open_panel,
    pick_sidebar_option,
    readouts,
    screen_point,
)

import gd_core
from tests.chart_reference import derive, fill_template
from tests.helpers import decode
from ui import curve
from ui.chart_payload import to_json
from ui.runs import LEARNING_RATES, run_fan

pytestmark = pytest.mark.e2e

PAGE = "pages/1_Why_minus_the_gradient.py"
# The curve panel's live traces (ui/curve.py curve_panel): the whole run faint, then the trail.
WHOLE_RUN = 0
TRAIL = 1
HEAD = 5


@pytest.fixture(scope="module")
def url(streamlit_app):
    return streamlit_app(PAGE)


def badge(page) -> str:
    return chart_state(page)["badges"][0]


def test_the_page_opens_on_the_last_step_with_the_whole_path_drawn(page, url):
    open_panel(page, url, "curve")
    assert chart_state(page)["counter"] == "step 50 / 50"
    assert len(live_trace(page, "curve", TRAIL)["x"]) == 51
    assert readouts(page)[0].startswith("Step 50: ")
    page.click(".dl-play")  # replays from the start
    page.wait_for_function("Number(document.querySelector('.dl-chart').dataset.frame) < 50")


def go_to_step(page, frame: int) -> None:
    page.locator(".dl-scrubber").fill(str(frame))


def test_moving_the_learning_rate_changes_the_badge_and_the_points(page, url):
    open_panel(page, url, "curve")
    go_to_step(page, 0)
    state = chart_state(page)
    assert state["fanValue"] == "0.03" and state["counter"] == "step 0 / 50"
    assert badge(page).startswith("converging smoothly")
    assert page.locator(".dl-fan-mark").inner_text().endswith("2/f″ = 0.167")
    before = live_trace(page, "curve", WHOLE_RUN)
    slider = page.locator(".dl-fan-slider")
    slider.focus()
    # Seven steps right: 0.04, 0.05, 0.06, 0.08, 0.1, 0.12, 0.15. Each key press redraws in the
    # browser at once (and, like a release, tells the page).
    for _ in range(LEARNING_RATES.index(0.15) - LEARNING_RATES.index(0.03)):
        page.keyboard.press("ArrowRight")
    assert chart_state(page)["fanValue"] == "0.15"
    assert badge(page).startswith("oscillating but converging")
    assert "curve=" not in page.url, "back on the parabola, the default curve"
    middle = live_trace(page, "curve", WHOLE_RUN)
    assert middle["x"] != before["x"], "the drawn points follow the learning rate"
    assert readouts(page)[1] == "The step: x ← x − η·f′(x) = −0.9 − 0.15 × (−22.8) = 2.52."
    page.keyboard.press("ArrowRight")
    assert chart_state(page)["fanValue"] == "0.2"
    assert badge(page).startswith("diverging · diverged at step 14")
    assert live_trace(page, "curve", WHOLE_RUN)["x"] != middle["x"]
    # The page learns the chosen learning rate: the link and the sidebar follow.
    page.wait_for_function("new URLSearchParams(location.search).get('lr') === '0.2'")
    page.wait_for_function("""() => Array.from(document.querySelectorAll('p'))
        .some((node) => node.textContent.includes('this run is diverging'))""")


def expected_readouts(lr: float, frame: int) -> list[str]:
    """The readout lines ui.curve describes, filled in by the Python reference from the same
    float32 / float16 channels the browser decodes."""
    surface = gd_core.get_surface("quadratic_1d")
    runs = run_fan(surface, "gd", {}, [[-0.9]], LEARNING_RATES, 50)
    window = curve.curve_window(surface)
    encoded = curve.encode_channels(curve.curve_channels(runs, window), window)
    sent = {name: decode(spec) for name, spec in encoded.items()}
    channels = derive(sent, {name: to_json(spec) for name, spec in curve.derived(window).items()})
    member = LEARNING_RATES.index(lr)
    return [fill_template(line["text"], line, channels, member, frame, f"{lr:g}")
            for line in map(to_json, curve.readouts("gd", "Gradient descent"))]


def test_stepping_spells_out_each_step_as_the_python_reference_does(page, url):
    open_panel(page, url, "curve")
    go_to_step(page, 0)
    for frame in range(4):
        assert readouts(page) == expected_readouts(0.03, frame)
        page.click(".dl-forward")
    assert chart_state(page)["counter"] == "step 4 / 50"
    assert readouts(page)[0].startswith("Step 4: x = 0.681")  # 1 − 1.9 · 0.64⁴
    # The tangent (third live trace) passes through the current point with its slope.
    tangent = live_trace(page, "curve", 3)
    slope = (tangent["y"][1] - tangent["y"][0]) / (tangent["x"][1] - tangent["x"][0])
    assert slope == pytest.approx(12 * sum(tangent["x"]) / 2 - 12, rel=1e-3)


def test_a_click_on_the_curve_starts_there(page, url):
    open_panel(page, url, "curve")
    target = (2.0, 3.0)  # f(2) = 24 − 24 + 3
    page.mouse.click(*screen_point(page, "curve", *target))
    page.wait_for_function("new URLSearchParams(location.search).has('start')")
    start = float(page.evaluate("new URLSearchParams(location.search).get('start')"))
    span_x, _ = axis_spans(page, "curve")
    assert abs(start - target[0]) < 0.01 * span_x
    page.wait_for_function(f"""() => document.querySelector('.dl-badge-name')
        ?.textContent === 'start x₀ = {start:g}'""")
    go_to_step(page, 0)
    assert readouts(page)[0].startswith(f"Step 0: x = {start:g}, slope f′(x) = ")
    assert "so we move left" in readouts(page)[0]


def test_a_classic_example_opens_the_page_in_its_scenario(page, streamlit_app):
    home = streamlit_app("app.py")
    open_panel(page, home, "curve")
    # Open the page first and change it, so the example must override this session's state.
    page.get_by_role("link", name="Why minus the gradient").first.click()
    page.wait_for_function("location.pathname.endsWith('/Why_minus_the_gradient')")
    page.wait_for_selector(".dl-panel-value .dl-live .main-svg", timeout=30_000)
    page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first.click()
    page.get_by_role("option", name="Double well").click()
    page.wait_for_function("location.search.includes('curve=double_well_1d')")
    page.locator("[data-testid=stSidebarNav] a", has_text="Home").click()
    page.wait_for_selector("h1:has-text('Descent Lab')")
    page.get_by_role("link", name="6x² − 12x + 3 from 0.75, η = 0.15").click()
    page.wait_for_function("location.pathname.endsWith('/Why_minus_the_gradient')")
    page.wait_for_function("""() => document.querySelector('.dl-panel-value')
        && document.querySelector('.dl-counter')?.textContent === 'step 15 / 15'""",
                           timeout=30_000)
    go_to_step(page, 0)
    state = chart_state(page)
    assert state["fanValue"] == "0.15" and readouts(page)[0].startswith("Step 0: x = 0.75")
    assert readouts(page)[1] == "The step: x ← x − η·f′(x) = 0.75 − 0.15 × (−3) = 1.2."
    assert badge(page).startswith("oscillating but converging")
    assert "curve=" not in page.url, "back on the parabola, the default curve"


def test_after_switching_curves_the_point_is_drawn_on_the_new_curve(page, url):
    open_panel(page, url, "curve")
    pick_sidebar_option(page, "Curve", "Bowl (x − 3)²")
    page.wait_for_function("location.search.includes('curve=bowl_1d')")
    page.wait_for_function("""() => document.querySelector('.dl-badge-name')
        ?.textContent.startsWith('start x₀ = 0')""")
    for frame in (0, 1, 2):
        go_to_step(page, frame)
        head = live_trace(page, "curve", HEAD)
        x = head["x"][0]
        on_curve = screen_point(page, "curve", x, (x - 3) ** 2)
        drawn = head_marker_on_screen(page, "curve", HEAD)
        assert abs(drawn[0] - on_curve[0]) < 2 and abs(drawn[1] - on_curve[1]) < 2, (
            frame, drawn, on_curve)
