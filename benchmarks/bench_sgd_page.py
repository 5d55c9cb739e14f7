"""Figures of issue 15 §Performance: the SGD page against plain st.plotly_chart.

Run: ``python3 benchmarks/bench_sgd_page.py`` from anywhere (needs Debian's ``chromium``).
Starts two Streamlit servers on free localhost ports — the app (app.py, opened at "SGD on real
data") and benchmarks/baseline_sgd_page.py (the same data and three runs, recomputed through
Python on every change into three st.plotly_chart figures) — and measures both in one headless
Chromium, on the synthetic line with n = 200, 20 epochs and the three paths (full batch,
minibatch, single sample). Prints figures; asserts nothing.

What is measured:
- first chart: navigation start to the loss map drawn with the paths
  (a fresh server's first visitor, a new browser, the same browser again).
- server changes, each input to redrawn chart (the chart area sampled every frame for blank
  frames) and websocket bytes received:
  - batch size: the sidebar's Batch size slider, one arrow key at a time, 10 -> 22 (each a
    batch size not run before);
  - data: the Noise slider, one arrow key at a time (each a new dataset: every run, the loss
    grid and the range test anew);
  - data source: to the network's S-curve and back, three times, the samples' n moved a step
    between the round trips (not counted), so that each switch fits new data;
  - scaling: raw -> centered -> standardized -> raw, in rounds on new data (the noise moved a
    step between rounds, not counted).
- animation: distinct steps drawn per second while playing the 400 frames of the default view.
"""

from __future__ import annotations

import sys

# The script's own folder is on sys.path when it runs (benchmarks/ is not a package).
from browser_measure import (
    COMPONENT,
    Bytes,
    chromium,
    component_animation,
    first_chart,
    first_chart_rows,
    machine,
    open_page,
    press,
    progress,
    row,
    server_change,
    servers,
    steps_per_second,
    summary,
)

#: The frames of the default view: 20 epochs of 20 minibatches (B = 10 of n = 200), and frame 0.
FRAMES = 401
BATCH_STEPS = 12
NOISE_STEPS = 6
SCALING_ROUNDS = 3
#: Round trips to the S-curve and back: one switch each way would make the median the mean of
#: two figures.
SOURCE_ROUNDS = 3
SCALINGS = ["centered", "standardized", "raw"]
SOURCES = ["S-curve (one-unit network)", "Synthetic line"]

# The loss map: the figure with the play button.
_CONTOUR = """[...document.querySelectorAll('.stPlotlyChart .js-plotly-plot')]
    .find((plot) => plot.layout && plot.layout.updatemenus)"""
BASELINE = {
    "ready": f"""() => {{
        const plot = {_CONTOUR};
        return Boolean(plot && plot._fullData && plot.querySelector('.contourlayer path'));
    }}""",
    # The three paths (traces 1-3; trace 0 is the contour).
    "signature": f"""() => {{
        const plot = {_CONTOUR};
        if (!plot || !plot._fullData) return '';
        return plot._fullData.slice(1).map((trace) => Array.from(trace.x || []).slice(0, 60)
            .join() + ':' + Array.from(trace.y || []).slice(0, 60).join()).join('|');
    }}""",
    "blank": f"""() => {{
        const plot = {_CONTOUR};
        return !(plot && plot.querySelector('.contourlayer path'));
    }}""",
}


def slider_key(page, label: str, key: str) -> None:
    """Press ``key`` on the sidebar slider called ``label``."""
    thumb = page.locator("[data-testid='stSidebar'] [data-testid='stSlider']").filter(
        has_text=label).get_by_role("slider")
    thumb.focus()
    thumb.press(key)


def changes(browser, url: str, kind: dict) -> list[dict]:
    """Every change, each a dict: ``what``, ``latency``, ``blanks``, ``frames``, ``bytes``."""
    context, page = open_page(browser, url, kind)
    counter = Bytes(page)
    results = []

    def measure(what: str, act, trigger: str) -> None:
        results.append({"what": what, **server_change(page, kind, counter, act, trigger)})

    for _ in range(BATCH_STEPS):
        measure("batch size", lambda: slider_key(page, "Batch size B", "ArrowRight"),
                "keydown")
    progress("batch size")
    for _ in range(NOISE_STEPS):
        measure("data", lambda: slider_key(page, "Noise", "ArrowRight"), "keydown")
    for round_ in range(SOURCE_ROUNDS):
        if round_:  # new data on both sides (n is shared), so every switch computes anew
            server_change(page, kind, counter,
                          lambda: slider_key(page, "Samples n", "ArrowRight"), "keydown")
        for source in SOURCES:
            measure("data source", lambda s=source: press(page, s), "pointerup")
    for _ in range(SOURCE_ROUNDS - 1):  # n back to 200 (not counted)
        server_change(page, kind, counter,
                      lambda: slider_key(page, "Samples n", "ArrowLeft"), "keydown")
    progress("data")
    for round_ in range(SCALING_ROUNDS):
        if round_:  # new data, so every scaling is computed anew (not a figure)
            server_change(page, kind, counter,
                          lambda: slider_key(page, "Noise", "ArrowLeft"), "keydown")
        for scaling in SCALINGS:
            measure("scaling", lambda s=scaling: press(page, s), "pointerup")
    progress("scaling")
    context.close()
    return results


def baseline_animation(browser, url: str) -> dict:
    """The baseline's loss map played with plotly's frames (its play button) until its first
    path is whole again (``FRAMES`` points)."""
    context, page = open_page(browser, url, BASELINE)
    page.evaluate(f"""(whole) => {{
        window.__frames = []; window.__done = false; const started = performance.now();
        const sample = () => {{
            const plot = {_CONTOUR};
            const trace = plot && plot._fullData ? plot._fullData[1] : null;
            const length = trace ? trace.x.length : -1;
            window.__frames.push([performance.now(), String(length)]);
            if (performance.now() - started < 60000 && !(window.__frames.length > 5
                && length === whole && window.__frames.some(([, v]) => v !== String(whole))))
                requestAnimationFrame(sample);
            else window.__done = true;
        }};
        requestAnimationFrame(sample);
    }}""", FRAMES)
    page.locator(".stPlotlyChart .updatemenu-button").first.click()
    page.wait_for_function("window.__done", timeout=90_000)
    frames = page.evaluate("window.__frames")
    context.close()
    return steps_per_second(frames)


def main() -> None:
    with servers("app.py", "benchmarks/baseline_sgd_page.py") as (page_url, baseline_url):
        page_url += "/SGD_on_real_data"
        with chromium() as browser:
            first = (first_chart(browser, page_url, COMPONENT),
                     first_chart(browser, baseline_url, BASELINE))
            progress("first chart")
            ours = changes(browser, page_url, COMPONENT)
            theirs = changes(browser, baseline_url, BASELINE)
            progress("changes")
            animation = {speed: component_animation(browser, page_url, speed)
                         for speed in (50, 100)}
            baseline_playback = baseline_animation(browser, baseline_url)

    print("SGD on real data: synthetic line, n = 200, 20 epochs, full batch / minibatch "
          f"(B = 10) / single sample; {machine()}")
    row("measure", "component", "st.plotly_chart baseline", "target")
    first_chart_rows(*first)
    for what in ("batch size", "data", "data source", "scaling"):
        mine = [r for r in ours if r["what"] == what]
        base = [r for r in theirs if r["what"] == what]
        row(f"{what}: input to redrawn (ms)", summary(r["latency"] for r in mine),
            summary(r["latency"] for r in base), "median <= 150")
        row(f"{what}: blank frames", f"{sum(r['blanks'] for r in mine)} of "
            f"{sum(r['frames'] for r in mine)}",
            f"{sum(r['blanks'] for r in base)} of {sum(r['frames'] for r in base)}", "0")
        row(f"{what}: bytes per change", summary(r["bytes"] for r in mine),
            summary(r["bytes"] for r in base), "<= 150000")
    for speed, result in animation.items():
        row(f"animation at {speed} steps/s", f"{result['steps_per_s']:.1f} steps/s drawn", "",
            ">= 50")
    row("animation, plotly frames (20 ms)", "",
        f"{baseline_playback['steps_per_s']:.1f} steps/s drawn", "")


if __name__ == "__main__":
    sys.exit(main())
