"""Reading and driving the chart component (``ui/chart.py``) in a Playwright page."""

import contextlib
import io
import time

from PIL import Image

# How long the screen may take to show a colour (wait_for_pixel).
PIXEL_TIMEOUT_S = 15
#: Streamlit's own word for "the script has finished" (data-test-script-state on stApp); a
#: script that cannot even be compiled ends in the other.
SCRIPT_SETTLED = """() => ['notRunning', 'compilationError'].includes(
    document.querySelector('[data-testid=stApp]')?.dataset.testScriptState)"""


#: The chart's table (a race's results) as shown: one list of its cells' text per body row.
TABLE_ROWS = """() => [...document.querySelectorAll('.dl-table-grid tbody tr')]
    .map((row) => [...row.cells].map((cell) => cell.textContent))"""


def table_rows(page) -> list[list[str]]:
    return page.evaluate(TABLE_ROWS)


@contextlib.contextmanager
def new_tab(context):
    """A new tab in ``context`` that fails the test on any uncaught page error; closed on
    exit."""
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield tab
    finally:
        tab.close()
    assert not errors, errors


@contextlib.contextmanager
def browser_tab(browser, **context_options):
    """A tab in a fresh browser context (``context_options`` as Playwright's ``new_context``)
    that fails the test on any uncaught page error."""
    context = browser.new_context(**context_options)
    try:
        with new_tab(context) as tab:
            yield tab
    finally:
        context.close()


def open_chart(page, url: str) -> None:
    """Load ``url`` and wait until the chart has drawn its contour."""
    open_panel(page, url, "contour")


def chart_state(page) -> dict:
    """What the viewer sees: frame, fan member, runs and their badges."""
    return page.evaluate("""() => {
        const root = document.querySelector('.dl-chart');
        return {
            frame: Number(root.dataset.frame),
            fanIndex: Number(root.dataset.fanIndex),
            fanValue: root.querySelector('.dl-fan-value').textContent,
            counter: root.querySelector('.dl-counter').textContent,
            runs: Array.from(root.querySelectorAll('.dl-badge-name'), (n) => n.textContent),
            badges: Array.from(root.querySelectorAll('.dl-badge-text'), (n) => n.textContent),
        };
    }""")


def live_trace(page, panel: str, index: int) -> dict:
    """x and y of one trace of a panel's live (animated) plot."""
    return page.evaluate("""([panel, index]) => {
        const trace = document.querySelector(`.dl-panel-${panel} .dl-live`).data[index];
        return {x: Array.from(trace.x || []), y: Array.from(trace.y || [])};
    }""", [panel, index])


# The plot whose axes a 2D panel's data is drawn in: its base plot (the one shown) when it has one.
AXES_PLOT = """(panel) => document.querySelector(`.dl-panel-${panel} .dl-base:not([hidden])`)
    || document.querySelector(`.dl-panel-${panel} .dl-live`)"""


def screen_point(page, panel: str, x: float, y: float) -> tuple[float, float]:
    """Where the data point (x, y) of a 2D panel is on the screen."""
    return tuple(page.evaluate(f"""([panel, x, y]) => {{
        const plot = ({AXES_PLOT})(panel);
        const box = plot.getBoundingClientRect();
        const {{xaxis, yaxis}} = plot._fullLayout;
        return [box.left + xaxis._offset + xaxis.l2p(x), box.top + yaxis._offset + yaxis.l2p(y)];
    }}""", [panel, x, y]))


def axis_spans(page, panel: str) -> tuple[float, float]:
    return tuple(page.evaluate(f"""(panel) => {{
        const {{xaxis, yaxis}} = ({AXES_PLOT})(panel)._fullLayout;
        return [xaxis.range[1] - xaxis.range[0], yaxis.range[1] - yaxis.range[0]];
    }}""", panel))


def open_panel(page, url: str, panel: str) -> None:
    """Load ``url`` and wait until the chart has drawn ``panel`` (its live layer has data)."""
    page.goto(url)
    page.wait_for_selector(f".dl-panel-{panel} .main-svg", timeout=30_000)
    page.wait_for_function(
        f"document.querySelector('.dl-panel-{panel} .dl-live').data?.length > 0",
        timeout=30_000)


def readouts(page) -> list[str]:
    """The chart's lines of text about the current iterate."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('.dl-readout'),
        (node) => node.textContent)""")


def head_marker_on_screen(page, panel: str, trace: int) -> list[float]:
    """The centre of the marker a panel's live plotly trace draws (its current point)."""
    return page.evaluate("""([panel, trace]) => {
        const layer = document.querySelector(`.dl-panel-${panel} .dl-live .scatterlayer`);
        const box = layer.children[trace].querySelector('.point').getBoundingClientRect();
        return [box.left + box.width / 2, box.top + box.height / 2];
    }""", [panel, trace])


def pick_sidebar_option(page, label: str, option: str) -> None:
    """Choose ``option`` in the sidebar's select box labelled ``label``."""
    page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(
        has_text=label).locator("input").click()
    page.get_by_role("option", name=option, exact=True).click()


def hex_rgb(color: str, light: float = 1.0) -> tuple[int, ...]:
    """``"#RRGGBB"`` as (r, g, b), times ``light``."""
    return tuple(round(int(color[i:i + 2], 16) * light) for i in (1, 3, 5))


def pixel(page, x: float, y: float) -> tuple[int, ...]:
    """The (r, g, b) the screen shows at page point (x, y)."""
    png = page.screenshot(clip={"x": round(x), "y": round(y), "width": 1, "height": 1})
    return Image.open(io.BytesIO(png)).convert("RGB").getpixel((0, 0))


def wait_for_pixel(page, x: float, y: float, expected: tuple[int, ...]) -> None:
    """Wait until the screen shows ``expected`` (within 3 per channel) at (x, y)."""
    seen = None
    deadline = time.monotonic() + PIXEL_TIMEOUT_S
    while time.monotonic() < deadline:
        seen = pixel(page, x, y)
        if max(abs(a - b) for a, b in zip(seen, expected, strict=True)) <= 3:
            return
    raise AssertionError(f"pixel at ({x:.0f}, {y:.0f}) is {seen}, expected {expected}")
