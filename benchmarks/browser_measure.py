"""What the browser benchmarks share: servers, Chromium, the samplers, statistics, the table.

benchmarks/bench_surface_page.py and benchmarks/bench_race_page.py each start the app and a plain
st.plotly_chart baseline page on free localhost ports (``servers``), open both in one headless
Chromium (``chromium``, Debian's) and measure the same things in both:

- ``first_chart``: navigation start to the chart drawn (a fresh server's first visitor, a new
  browser, the same browser again);
- ``server_change``: one user input to the chart redrawn with its result, every display frame
  sampled for a blank chart (``WATCH``), websocket bytes received (``Bytes``);
- ``component_drag``: the chart's live learning-rate (fan) slider, one input per display frame;
- ``sidebar_lr_steps``: a baseline's learning-rate slider, each step a server round trip;
- ``component_animation`` / ``baseline_animation``: distinct steps drawn per second while playing.

``kind`` is a dict of three JavaScript functions (as source): ``ready`` (the chart is drawn),
``signature`` (a string that changes when the chart shows a new result) and ``blank`` (the chart
shows nothing). ``COMPONENT`` is the chart component's; each baseline has its own.
"""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
# The page benchmarks import gd_core after this module.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# The browser tests' way of starting the app and Chromium, kept in one place (tests/e2e).
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from app_server import CHROMIUM_ARGS, start_streamlit, stop_streamlit  # noqa: E402

VIEWPORT = {"width": 1280, "height": 800}
#: The component's contour map shown (the chart keeps those of other surfaces seen lately, hidden).
CONTOUR_MAP = ".dl-panel-contour .dl-base:not([hidden])"
SHOWN_CONTOUR = f"{CONTOUR_MAP} .contourlayer path"

COMPONENT = {
    "ready": f"""() => {{
        const live = document.querySelector('.dl-panel-contour .dl-live');
        return Boolean(live && live.data && live.data.length
            && document.querySelector('{SHOWN_CONTOUR}'));
    }}""",
    "signature": """() => {
        const live = document.querySelector('.dl-panel-contour .dl-live');
        if (!live || !live.data) return '';
        // Every trace (a new start fills traces that were empty), x and y: on separable
        // surfaces (the bowl and the ravine share their x part) the x coordinates of two paths
        // can agree step for step.
        return live.data.map((trace) => Array.from(trace.x || []).slice(0, 60).join() + ':'
            + Array.from(trace.y || []).slice(0, 60).join()).join('|');
    }""",
    "blank": f"""() => !(document.querySelector('{SHOWN_CONTOUR}')
        && document.querySelector('{CONTOUR_MAP} .dl-svg-trace'))""",
}
#: A baseline page whose first st.plotly_chart is the contour map: drawn (``ready``) and blank
#: checks of the kinds above; each baseline adds its own ``signature``.
PLOTLY_CONTOUR = {
    "ready": """() => {
        const plot = document.querySelector('.stPlotlyChart .js-plotly-plot');
        return Boolean(plot && plot._fullData && plot.querySelector('.contourlayer path'));
    }""",
    "blank": """() => !document.querySelector(
        '.stPlotlyChart .js-plotly-plot .contourlayer path')""",
}
# Installed in the page before one input (a `trigger` event: pointerup, or keydown of Enter or an
# arrow key): sets window.__watch to how long input -> new chart signature took, and how many of
# the frames sampled from the input until 300 ms after the redraw showed a blank chart.
WATCH = """([signature, blank, trigger]) => {
    signature = new Function(`return (${signature})`)();
    blank = new Function(`return (${blank})`)();
    const before = signature();
    let inputAt = null, doneAt = null, blanks = 0, frames = 0;
    const mark = (event) => {
        if (inputAt === null && (trigger !== 'keydown' || event.key === 'Enter'
            || event.key.startsWith('Arrow'))) inputAt = performance.now();
    };
    document.addEventListener(trigger, mark, {capture: true});
    window.__watch = null;
    const tick = () => {
        const now = performance.now();
        if (inputAt !== null) { frames += 1; if (blank()) blanks += 1; }
        if (inputAt !== null && doneAt === null && signature() !== before) doneAt = now;
        if (doneAt !== null && now - doneAt > 300) {
            window.__watch = {latency: doneAt - inputAt, blanks, frames};
            return;
        }
        if (inputAt !== null && now - inputAt > 15000) {
            window.__watch = {latency: NaN, blanks, frames};
            return;
        }
        requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
}"""


# --- measurements -----------------------------------------------------------------------------


class Bytes:
    """Websocket bytes received by one page (decoded payloads, as the server sent them).

    With ``keep``, ``frames`` holds every frame's bytes since ``total`` was last reset by
    ``server_change`` (to tell where a change's bytes go).
    """

    def __init__(self, page, keep: bool = False):
        self.total = 0
        self.keep = keep
        self.frames: list[bytes] = []
        session = page.context.new_cdp_session(page)
        session.send("Network.enable")
        session.on("Network.webSocketFrameReceived", self._frame)

    def reset(self) -> None:
        self.total = 0
        self.frames = []

    def _frame(self, event):
        frame = event["response"]
        data = frame["payloadData"]
        binary = frame["opcode"] == 2
        self.total += len(data) * 3 // 4 if binary else len(data.encode())
        if self.keep:
            self.frames.append(base64.b64decode(data) if binary else data.encode())


class FirstChart(NamedTuple):
    """Milliseconds from navigation start to the chart drawn."""

    #: The first visitor of a server process that has served nobody yet (its Python imports,
    #: and a page opened by its URL runs once on its own first: Streamlit's multipage start).
    first_visit: float
    #: A new browser (nothing cached) on a server that is already serving: a student opening
    #: the teacher's link.
    cold: float
    #: The same browser again (median of two reloads).
    warm: float


def first_chart(browser, url: str, kind: dict) -> FirstChart:
    """How long ``url`` takes to show its chart; call it first on a freshly started server."""

    def visit(page) -> float:
        page.goto(url)
        page.wait_for_function(kind["ready"], polling="raf", timeout=60_000)
        return page.evaluate("performance.now()")

    first = browser.new_context(viewport=VIEWPORT)
    first_visit = visit(first.new_page())
    first.close()
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    cold = visit(page)
    warm = statistics.median([visit(page), visit(page)])
    context.close()
    return FirstChart(first_visit, cold, warm)


def first_chart_rows(ours: FirstChart, baseline: FirstChart) -> None:
    """The table's rows for ``first_chart`` of the chart and of the baseline."""
    target = "<= 3500"  # PRODUCT §3: opening the page to the first rendered chart
    row("first chart, first visit (ms)", f"{ours.first_visit:.0f}",
        f"{baseline.first_visit:.0f}", "")
    row("first chart, cold browser (ms)", f"{ours.cold:.0f}", f"{baseline.cold:.0f}", target)
    row("first chart, warm browser (ms)", f"{ours.warm:.0f}", f"{baseline.warm:.0f}", target)


def open_page(browser, url: str, kind: dict):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(kind["ready"], polling="raf", timeout=60_000)
    page.wait_for_timeout(1500)  # let the 3D view and the rest of the page settle
    return context, page


def screen_point(page, plot: str, x: float, y: float) -> tuple[float, float] | None:
    """Where the data point (x, y) of the 2D plotly plot ``plot`` (a selector) is on the page;
    None while no such plot is drawn."""
    point = page.evaluate("""([selector, x, y]) => {
        const plot = document.querySelector(selector);
        if (!plot || !plot._fullLayout) return null;
        const box = plot.getBoundingClientRect(), layout = plot._fullLayout;
        return [box.left + layout.xaxis._offset + layout.xaxis.l2p(x),
                box.top + layout.yaxis._offset + layout.yaxis.l2p(y)];
    }""", [plot, x, y])
    return tuple(point) if point else None


def server_change(page, kind: dict, counter: Bytes, act, trigger: str = "keydown") -> dict:
    """Run ``act()`` (one user input) and measure until the chart shows the result."""
    page.evaluate(WATCH, [kind["signature"], kind["blank"], trigger])
    counter.reset()
    act()
    page.wait_for_function("window.__watch !== null", timeout=30_000)
    result = page.evaluate("window.__watch")
    page.wait_for_timeout(200)
    return {**result, "bytes": counter.total}


def offer(page, label: str, option: str):
    """Open the sidebar selectbox called ``label`` and point at ``option``; returns the option.

    The measured input is then the click on the option, as a viewer makes it (typing a name
    and pressing Enter costs Streamlit's selectbox 30-60 ms more before it sends the change).
    """
    field = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(
        has_text=label).locator("input")
    choice = page.get_by_role("option", name=option, exact=True)
    field.click()
    try:
        choice.wait_for(timeout=1000)
    except PlaywrightTimeoutError:
        # After keys pressed on a slider, the first click only focuses the box.
        field.click()
    choice.hover()
    page.wait_for_timeout(150)
    return choice


def press(page, option: str) -> None:
    """Click the sidebar button ``option`` (a segment of a segmented control)."""
    page.locator("[data-testid='stSidebar'] button").filter(has_text=option).first.click()


#: Steps of the runs in each later round (the first has 200): a different number of steps makes
#: every view one the server has not computed (a new learning rate would not: the runs of every
#: learning rate are computed at once, the slider only moves along them).
LATER_STEPS = [190, 210, 180, 220, 170]


def set_steps(page, kind: dict, counter: Bytes, steps: int) -> None:
    """Move the sidebar's Steps slider to ``steps`` with its arrow keys (changes not counted)."""
    slider = page.locator("[data-testid='stSidebar'] [data-testid='stSlider']").filter(
        has_text="Steps")
    thumb = slider.locator("input")
    thumb.focus()
    while (now := int(thumb.input_value())) != steps:
        key = "ArrowRight" if steps > now else "ArrowLeft"
        server_change(page, kind, counter, lambda k=key: thumb.press(k))
    thumb.blur()


def component_drag(browser, url: str) -> dict:
    """The fan slider swept back and forth, one input event per display frame."""
    context, page = open_page(browser, url, COMPONENT)
    result = page.evaluate("""async () => {
        const slider = document.querySelector('.dl-fan-slider');
        const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));
        const plainRaf = window.requestAnimationFrame.bind(window);
        let frameWork = 0;
        window.requestAnimationFrame = (callback) => plainRaf((time) => {
            const started = performance.now();
            try { callback(time); } finally { frameWork += performance.now() - started; }
        });
        const count = Number(slider.max) + 1;
        const order = [...Array(count).keys(), ...[...Array(count).keys()].reverse()];
        const work = [];
        performance.clearMeasures('dl-render');
        for (const index of [...order, ...order]) {
            await new Promise((resolve) => setTimeout(resolve, 4));
            frameWork = 0;
            const started = performance.now();
            slider.value = String(index);
            slider.dispatchEvent(new Event('input', {bubbles: true}));
            const sync = performance.now() - started;
            await nextFrame();
            await nextFrame();
            work.push(sync + frameWork);
        }
        window.requestAnimationFrame = plainRaf;
        return {work, latency: performance.getEntriesByName('dl-render').map((e) => e.duration)};
    }""")
    context.close()
    return result


def sidebar_lr_steps(browser, url: str, kind: dict) -> list[dict]:
    """Each step of a baseline's learning-rate slider (the sidebar's first): a round trip."""
    context, page = open_page(browser, url, kind)
    counter = Bytes(page)
    thumb = page.locator("[data-testid='stSidebar'] [data-testid='stSlider'] input").first
    results = []
    for key in ["ArrowRight"] * 5 + ["ArrowLeft"] * 5:
        thumb.focus()
        results.append(server_change(page, kind, counter, lambda k=key: thumb.press(k)))
    context.close()
    return results


def component_animation(browser, url: str, speed: int) -> dict:
    context, page = open_page(browser, url, COMPONENT)
    page.select_option(".dl-speed", str(speed))
    page.evaluate("""() => {
        window.__frames = []; const root = document.querySelector('.dl-chart');
        // Frames count from the first one drawn while playing (the click may take several
        // display frames to arrive) until playback stops.
        let started = false;
        const sample = () => {
            const playing = root.querySelector('.dl-play').getAttribute('aria-pressed') === 'true';
            started = started || playing;
            if (started) window.__frames.push([performance.now(), root.dataset.frame]);
            if (!started || playing) requestAnimationFrame(sample); else window.__done = true;
        };
        window.__done = false; requestAnimationFrame(sample);
    }""")
    page.click(".dl-play")
    page.wait_for_function("window.__done", timeout=60_000)
    frames = page.evaluate("window.__frames")
    context.close()
    return steps_per_second(frames)


def baseline_animation(browser, url: str, kind: dict) -> dict:
    """A baseline's contour played with plotly's frames (its first updatemenu button) until its
    trace 1 (a path) is whole again: 201 points, 200 steps."""
    context, page = open_page(browser, url, kind)
    page.evaluate("""() => {
        window.__frames = []; window.__done = false; const started = performance.now();
        const sample = () => {
            const plot = document.querySelector('.stPlotlyChart .js-plotly-plot');
            const trace = plot && plot._fullData ? plot._fullData[1] : null;
            const length = trace ? trace.x.length : -1;
            window.__frames.push([performance.now(), String(length)]);
            if (performance.now() - started < 30000 && !(window.__frames.length > 5
                && length === 201 && window.__frames.some(([, v]) => v !== '201')))
                requestAnimationFrame(sample);
            else window.__done = true;
        };
        requestAnimationFrame(sample);
    }""")
    page.locator(".stPlotlyChart .updatemenu-button").first.click()
    page.wait_for_function("window.__done", timeout=60_000)
    frames = page.evaluate("window.__frames")
    context.close()
    return steps_per_second(frames)


def steps_per_second(frames: list) -> dict:
    """Distinct steps drawn per second between the first and the last change."""
    changes_at = [t for (t, value), (_, previous) in zip(frames[1:], frames, strict=False)
                  if value != previous]
    if len(changes_at) < 2:
        return {"steps_per_s": float("nan"), "seconds": float("nan")}
    seconds = (changes_at[-1] - changes_at[0]) / 1000
    return {"steps_per_s": (len(changes_at) - 1) / seconds, "seconds": seconds}


# --- report -----------------------------------------------------------------------------------


def progress(what: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {what}", file=sys.stderr, flush=True)


def summary(values) -> str:
    values = sorted(v for v in values if v == v)
    if not values:
        return "n/a"
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return f"median {statistics.median(values):6.1f}  p95 {p95:6.1f}  (n={len(values)})"


#: When set, ``row`` also appends each row, tab-separated, to this file (benchmarks/run_all.py).
ROWS_FILE = "DL_BENCH_ROWS"


def row(name: str, component: str, baseline: str, target: str) -> None:
    print(f"{name:<34} {component:<40} {baseline:<40} {target}")
    if os.environ.get(ROWS_FILE):
        with open(os.environ[ROWS_FILE], "a", encoding="utf-8") as rows:
            rows.write("\t".join(" ".join(part.split()) for part in (
                name, component, baseline, target)) + "\n")


# --- servers and the browser ------------------------------------------------------------------


@contextlib.contextmanager
def server(script: str):
    """A Streamlit server for ``script``, started as the browser tests start the app (its output
    in a temporary folder); yields its base URL and process, stops it on exit."""
    with tempfile.TemporaryDirectory(prefix="descent-lab-bench-") as logs:
        url, process = start_streamlit(script, Path(logs) / "streamlit.log")
        try:
            yield url, process
        finally:
            stop_streamlit(process)


@contextlib.contextmanager
def servers(*scripts: str):
    """Streamlit servers for ``scripts`` (``server``); yields their base URLs."""
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(server(script))[0] for script in scripts]


@contextlib.contextmanager
def chromium():
    """Debian's headless Chromium through Playwright; exits if it is not installed."""
    executable = shutil.which("chromium")
    if executable is None:
        sys.exit("Debian's chromium is needed: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def machine() -> str:
    return f"headless Chromium (software GL), {os.cpu_count()} cores"
