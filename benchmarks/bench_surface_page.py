"""Figures of issue 3 §Performance: the chart component against plain st.plotly_chart.

Run: ``python3 benchmarks/bench_surface_page.py`` from anywhere (needs Debian's ``chromium``).
Starts two Streamlit servers on free localhost ports — the app (app.py, opened at "Descent on a
surface") and benchmarks/baseline_surface_page.py (the same view with three st.plotly_chart
figures) — and measures both in one headless Chromium, on Himmelblau with one start and 200
steps. Prints figures; asserts nothing.

What is measured:
- first chart: navigation start to the contour drawn with its path (cold cache, then warm).
- learning-rate drag: the component's fan slider driven one input event per display frame;
  "work" is the main-thread time the update costs (input handler plus plotly's frame callback),
  "latency" is input to plotly done drawing, waiting for the next frame included. The baseline
  has no live drag: each step of its learning-rate slider is a server round trip.
- server changes (optimizer, surface, click to add a start): input (the click on the optimizer's
  button, on the surface's entry in the open list, on the contour) to redrawn chart, the chart
  area sampled every frame for blank frames, and websocket bytes received per change. Optimizer
  and surface changes come in rounds, each leading to views not shown before (later rounds run
  170-220 steps instead of 200); the first round (the first changes after the page opened) is
  also printed on its own.
- animation: distinct steps drawn per second while playing 200 steps.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = "?surface=himmelblau&starts=-4,4&steps=200"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
#: Rounds of optimizer and of surface changes (see ``changes``).
ROUNDS = 3
#: The contour shown (the chart keeps those of other surfaces seen lately, hidden).
SHOWN_CONTOUR = ".dl-panel-contour .dl-base:not([hidden]) .contourlayer path"

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
        && document.querySelector('.dl-panel-contour .dl-base:not([hidden]) .dl-svg-trace'))""",
}
BASELINE = {
    "ready": """() => {
        const plot = document.querySelector('.stPlotlyChart .js-plotly-plot');
        return Boolean(plot && plot._fullData && plot.querySelector('.contourlayer path'));
    }""",
    "signature": """() => {
        const plot = document.querySelector('.stPlotlyChart .js-plotly-plot');
        if (!plot || !plot._fullData || !plot._fullData[1]) return '';
        const path = plot._fullData[1];
        return Array.from(path.x || []).slice(0, 60).join() + ':'
            + Array.from(path.y || []).slice(0, 60).join();
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


# --- servers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(script: str) -> tuple[str, subprocess.Popen]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return url, process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"{script} did not start")


# --- measurements -----------------------------------------------------------------------------


class Bytes:
    """Websocket bytes received by one page (decoded payloads, as the server sent them)."""

    def __init__(self, page):
        self.total = 0
        session = page.context.new_cdp_session(page)
        session.send("Network.enable")
        session.on("Network.webSocketFrameReceived", self._frame)

    def _frame(self, event):
        frame = event["response"]
        data = frame["payloadData"]
        self.total += len(data) * 3 // 4 if frame["opcode"] == 2 else len(data.encode())


def first_chart(browser, url: str, kind: dict) -> tuple[float, float]:
    """(cold, warm) milliseconds from navigation start to the chart drawn."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    times = []
    for _ in range(3):
        page.goto(url)
        page.wait_for_function(kind["ready"], polling="raf", timeout=60_000)
        times.append(page.evaluate("performance.now()"))
    context.close()
    return times[0], statistics.median(times[1:])


def open_page(browser, url: str, kind: dict):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(kind["ready"], polling="raf", timeout=60_000)
    page.wait_for_timeout(1500)  # let the 3D view and the rest of the page settle
    return context, page


def server_change(page, kind: dict, counter: Bytes, act, trigger: str = "keydown") -> dict:
    """Run ``act()`` (one user input) and measure until the chart shows the result."""
    page.evaluate(WATCH, [kind["signature"], kind["blank"], trigger])
    counter.total = 0
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


def set_decay(page, kind: dict, counter: Bytes, round_: int) -> None:
    """Tell a round of surface changes apart from the others by the learning rate's decay.

    A surface opens on its own lesson (learning rate, steps, starts), which would make every
    round after the first show views already computed; the schedule is kept across surfaces.
    Round 0 keeps the constant learning rate, round k decays it by 0.99 + k/1000 per step (the
    same work per run). The component only: the baseline has neither openings nor schedules.
    """
    if round_ == 0 or kind is not COMPONENT:
        return
    if round_ == 1:
        choice = offer(page, "Learning-rate schedule", "exponential decay")
        server_change(page, kind, counter, choice.click, "pointerup")
    thumb = page.locator("[data-testid='stSidebar'] [data-testid='stSlider']").filter(
        has_text="Factor γ per step").locator("input")
    thumb.focus()
    server_change(page, kind, counter, lambda: thumb.press("ArrowRight"))
    thumb.blur()


def changes(browser, url: str, kind: dict, clicks: bool) -> list[dict]:
    context, page = open_page(browser, url, kind)
    counter = Bytes(page)
    results = []
    later_steps = iter(LATER_STEPS)
    # Every change leads to a view not shown before, so nothing is served from a cache: rounds
    # of the same changes are told apart by their number of steps (LATER_STEPS), or for
    # surface changes in the component by the learning rate's decay (``set_decay``). The first
    # round is the first changes after the page opened (a browser that has not yet run these
    # code paths), the later ones what a viewer who keeps exploring gets.
    for round_ in range(ROUNDS):
        if round_:
            set_steps(page, kind, counter, next(later_steps))
        for optimizer in ["Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam"]:
            results.append({"what": "optimizer", "round": round_, **server_change(
                page, kind, counter, lambda o=optimizer: press(page, o), "pointerup")})
        progress(f"optimizer round {round_}")
    for round_ in range(ROUNDS):
        if kind is COMPONENT:
            set_decay(page, kind, counter, round_)
        else:
            set_steps(page, kind, counter, next(later_steps))
        # Surfaces whose suggested start is a single point, like the baseline's.
        for surface in ["Ravine", "Rosenbrock", "Rastrigin", "Ackley", "Bowl"]:
            choice = offer(page, "Surface", surface)
            results.append({"what": "surface", "round": round_, **server_change(
                page, kind, counter, choice.click, "pointerup")})
        progress(f"surface round {round_}")
    if clicks:
        page.goto(url)
        page.wait_for_function(kind["ready"], polling="raf", timeout=60_000)
        page.wait_for_timeout(1500)
        for x, y in [(-3, 3), (3, 2), (-3, -3), (3, -2), (0, 0), (1, 4), (-1, -4)]:
            point = page.evaluate("""([x, y]) => {
                const plot = document.querySelector(
                    '.dl-panel-contour .dl-base:not([hidden])');
                const box = plot.getBoundingClientRect(), layout = plot._fullLayout;
                return [box.left + layout.xaxis._offset + layout.xaxis.l2p(x),
                        box.top + layout.yaxis._offset + layout.yaxis.l2p(y)];
            }""", [x, y])
            results.append({"what": "click", "round": 0, **server_change(
                page, kind, counter, lambda p=point: page.mouse.click(*p), "pointerup")})
    context.close()
    return results


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


def baseline_lr_steps(browser, url: str) -> list[dict]:
    """Each step of the baseline's learning-rate slider: a server round trip."""
    context, page = open_page(browser, url, BASELINE)
    counter = Bytes(page)
    thumb = page.locator("[data-testid='stSidebar'] [data-testid='stSlider'] input").first
    results = []
    for key in ["ArrowRight"] * 5 + ["ArrowLeft"] * 5:
        thumb.focus()
        results.append(server_change(page, BASELINE, counter, lambda k=key: thumb.press(k)))
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


def baseline_animation(browser, url: str) -> dict:
    context, page = open_page(browser, url, BASELINE)
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


def row(name: str, component: str, baseline: str, target: str) -> None:
    print(f"{name:<34} {component:<40} {baseline:<40} {target}")


def main() -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("Debian's chromium is needed: apt-get install chromium")
    # The app as a viewer runs it (app.py's navigation), opened at the page.
    servers = [start_server("app.py"),
               start_server("benchmarks/baseline_surface_page.py")]
    try:
        (page_url, _), (baseline_url, _) = servers
        page_url += "/Descent_on_a_surface" + SCENARIO
        baseline_url += SCENARIO
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            first = (first_chart(browser, page_url, COMPONENT),
                     first_chart(browser, baseline_url, BASELINE))
            progress("first chart")
            drag = component_drag(browser, page_url)
            lr_steps = baseline_lr_steps(browser, baseline_url)
            progress("learning-rate drag")
            ours = changes(browser, page_url, COMPONENT, clicks=True)
            theirs = changes(browser, baseline_url, BASELINE, clicks=False)
            progress("changes")
            animation = {speed: component_animation(browser, page_url, speed)
                         for speed in (50, 100)}
            baseline_playback = baseline_animation(browser, baseline_url)
            browser.close()
    finally:
        for _, process in servers:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    print("Descent on a surface: Himmelblau, one start, 200 steps; headless Chromium "
          f"(software GL), {os.cpu_count()} cores")
    row("measure", "component", "st.plotly_chart baseline", "target")
    row("first chart, cold (ms)", f"{first[0][0]:.0f}", f"{first[1][0]:.0f}", "<= 3500")
    row("first chart, warm (ms)", f"{first[0][1]:.0f}", f"{first[1][1]:.0f}", "<= 3500")
    row("lr drag, work per update (ms)", summary(drag["work"]),
        "no live drag", "median <= 16, p95 <= 33")
    row("lr drag, input to drawn (ms)", summary(drag["latency"]),
        summary(r["latency"] for r in lr_steps), "")
    row("lr step, bytes per update", "0 (in the browser)",
        summary(r["bytes"] for r in lr_steps), "")
    for what in ("optimizer", "surface", "click"):
        mine = [r for r in ours if r["what"] == what]
        base = [r for r in theirs if r["what"] == what]
        row(f"{what}: input to redrawn (ms)", summary(r["latency"] for r in mine),
            summary(r["latency"] for r in base) if base else "no contour clicks",
            "median <= 120, p95 <= 250")
        if what != "click":
            row("  first round only (ms)", summary(r["latency"] for r in mine if not r["round"]),
                summary(r["latency"] for r in base if not r["round"]), "")
        row(f"{what}: blank frames", f"{sum(r['blanks'] for r in mine)} of "
            f"{sum(r['frames'] for r in mine)}",
            f"{sum(r['blanks'] for r in base)} of {sum(r['frames'] for r in base)}"
            if base else "", "0")
        row(f"{what}: bytes per change", summary(r["bytes"] for r in mine),
            summary(r["bytes"] for r in base) if base else "", "<= 150000")
    for speed, result in animation.items():
        row(f"animation at {speed} steps/s", f"{result['steps_per_s']:.1f} steps/s drawn", "",
            ">= 50")
    row("animation, plotly frames (20 ms)", "",
        f"{baseline_playback['steps_per_s']:.1f} steps/s drawn", ">= 50")


if __name__ == "__main__":
    main()
