"""Figures of issue 14 §Performance: the basins page against plain st.plotly_chart.

Run: ``python3 benchmarks/bench_basins_page.py`` from anywhere (needs Debian's ``chromium``).
Starts two Streamlit servers on free localhost ports — the app (app.py, opened at "Basins of
attraction") and benchmarks/baseline_basins_page.py (the same 200 x 200 map as a plotly heatmap
with contour lines and the clicked start's path, recomputed through Python on every change) —
and measures both in one headless Chromium, on Himmelblau from the page's opening (plain
gradient descent, η = 0.01, 200 steps). Prints figures; asserts nothing.

What is measured, each input to the chart redrawn with its result (every display frame sampled
for a blank chart) and the websocket bytes received:
- learning rate: the chart's slider (the component) or the sidebar's (the baseline), one arrow
  key at a time, up four rates and down again (the way down: maps the page has drawn before);
- optimizer: each of the six in turn;
- momentum: the momentum slider, four arrow keys, with the momentum optimizer;
- click: a click on the map, its start's path drawn (the map stays).
Two rounds, the second at 190 steps (every map new to the page again).
"""

from __future__ import annotations

import statistics
import sys

from browser_measure import (
    Bytes,
    chromium,
    first_chart,
    first_chart_rows,
    machine,
    open_page,
    press,
    progress,
    row,
    screen_point,
    server_change,
    servers,
    summary,
)

SCENARIO = "?surface=himmelblau"
ROUNDS = 2
LATER_STEPS = 190
OPTIMIZERS = ["Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam", "Gradient descent"]
CLICKS = [(-3.0, -3.5), (2.5, 2.5), (-3.5, 2.0), (3.5, -1.0), (0.5, -0.5), (1.0, 4.0)]

_IMAGE = ".dl-panel-basins .dl-base:not([hidden]) image"
COMPONENT_MAP = {
    "ready": f"""() => {{
        const live = document.querySelector('.dl-panel-basins .dl-live');
        return Boolean(live && live.data && live.data.length
            && document.querySelector('{_IMAGE}'));
    }}""",
    # The map's picture (a PNG the chart paints from the labels): a new map, a new picture.
    "signature": f"""() => {{
        const image = document.querySelector('{_IMAGE}');
        const href = image ? image.getAttribute('href') || '' : '';
        return href.length + ':' + href.slice(-96);
    }}""",
    "blank": f"() => !document.querySelector('{_IMAGE}')",
}
COMPONENT_PATH = {**COMPONENT_MAP, "signature": """() => {
    const live = document.querySelector('.dl-panel-basins .dl-live');
    if (!live || !live.data || !live.data.length) return '';
    const trace = live.data[0];
    return Array.from(trace.x || []).slice(0, 40).join() + ':'
        + Array.from(trace.y || []).slice(0, 40).join();
}"""}
_PLOT = ".stPlotlyChart .js-plotly-plot"
BASELINE_MAP = {
    "ready": f"""() => {{
        const plot = document.querySelector('{_PLOT}');
        return Boolean(plot && plot._fullData && plot.querySelector('.hm image'));
    }}""",
    "signature": f"""() => {{
        const plot = document.querySelector('{_PLOT}');
        if (!plot || !plot._fullData) return '';
        const z = plot._fullData[0].z || [];
        return z.filter((_, i) => i % 7 === 0).map((r) => Array.from(r).join('')).join('|');
    }}""",
    "blank": f"() => !document.querySelector('{_PLOT} .hm image')",
}
BASELINE_PATH = {**BASELINE_MAP, "signature": f"""() => {{
    const plot = document.querySelector('{_PLOT}');
    if (!plot || !plot._fullData) return '';
    const trace = plot._fullData[2];
    return Array.from(trace.x || []).slice(0, 40).join() + ':'
        + Array.from(trace.y || []).slice(0, 40).join();
}}"""}
#: Per page: its map kind, its path kind, the plot whose axes place a click, the learning-rate
#: control (a CSS selector) and the momentum slider's label.
PAGES = {
    "component": (COMPONENT_MAP, COMPONENT_PATH, ".dl-panel-basins .dl-base:not([hidden])",
                  ".dl-fan-slider"),
    "baseline": (BASELINE_MAP, BASELINE_PATH, _PLOT,
                 "[data-testid='stSidebar'] [data-testid='stSlider']:has-text('Learning rate') "
                 "input"),
}


def click_at(page, plot: str, x: float, y: float) -> tuple[float, float]:
    page.locator(plot).first.scroll_into_view_if_needed()
    return screen_point(page, plot, x, y)


def sidebar_slider(page, label: str):
    return page.locator("[data-testid='stSidebar'] [data-testid='stSlider']").filter(
        has_text=label).locator("input")


def changes(browser, url: str, which: str) -> list[dict]:
    map_kind, path_kind, plot, lr_control = PAGES[which]
    context, page = open_page(browser, url, map_kind)
    counter = Bytes(page)
    results = []

    def measure(what: str, round_: int, kind: dict, act, trigger: str, detail: str = ""):
        result = server_change(page, kind, counter, act, trigger)
        results.append({"what": what, "round": round_, "detail": detail, **result})

    def key_on(locator: str, key: str):
        control = page.locator(locator).first
        return lambda: (control.focus(), control.press(key))

    for round_ in range(ROUNDS):
        if round_:
            steps = sidebar_slider(page, "Steps")
            steps.focus()
            steps.press("ArrowLeft")  # 200 -> 190: every map is new again
            page.wait_for_function(map_kind["ready"], polling="raf")
            page.wait_for_timeout(3000)
        for key, detail in [("ArrowRight", "new map")] * 4 + [("ArrowLeft", "seen before")] * 4:
            measure("learning rate", round_, map_kind, key_on(lr_control, key), "keydown",
                    detail)
        for name in OPTIMIZERS:
            measure("optimizer", round_, map_kind, lambda n=name: press(page, n), "pointerup",
                    name)
        press(page, "Momentum")
        page.wait_for_timeout(3000)
        for _ in range(4):
            measure("momentum", round_, map_kind,
                    lambda: (sidebar_slider(page, "Momentum").focus(),
                             sidebar_slider(page, "Momentum").press("ArrowLeft")), "keydown")
        press(page, "Gradient descent")
        page.wait_for_timeout(3000)
        for x, y in CLICKS:
            point = click_at(page, plot, x + 0.1 * round_, y)
            measure("click", round_, path_kind, lambda p=point: page.mouse.click(*p),
                    "pointerup")
        progress(f"{which}, round {round_}")
    context.close()
    return results


def main() -> None:
    with servers("app.py", "benchmarks/baseline_basins_page.py") as (page_url, baseline_url):
        page_url += "/Basins_of_attraction" + SCENARIO
        baseline_url += SCENARIO
        with chromium() as browser:
            first = (first_chart(browser, page_url, COMPONENT_MAP),
                     first_chart(browser, baseline_url, BASELINE_MAP))
            progress("first chart")
            ours = changes(browser, page_url, "component")
            theirs = changes(browser, baseline_url, "baseline")

    print(f"Basins of attraction: Himmelblau, 200 x 200 map, gd η = 0.01, 200 steps; "
          f"{machine()}")
    row("measure", "component", "st.plotly_chart baseline", "target")
    first_chart_rows(*first)
    targets = {"learning rate": "median <= 400", "optimizer": "median <= 400",
               "momentum": "median <= 400", "click": "median <= 120"}

    def pick(results, what, detail=None):
        return [r for r in results if r["what"] == what
                and (detail is None or r["detail"] == detail)]

    for what, target in targets.items():
        mine, base = pick(ours, what), pick(theirs, what)
        row(f"{what}: input to redrawn (ms)", summary(r["latency"] for r in mine),
            summary(r["latency"] for r in base), target)
        if what == "learning rate":
            for detail in ("new map", "seen before"):
                row(f"  {detail} (ms)", summary(r["latency"] for r in pick(ours, what, detail)),
                    summary(r["latency"] for r in pick(theirs, what, detail)), "")
        if what == "optimizer":
            for name in OPTIMIZERS:
                row(f"  {name} (ms)", summary(r["latency"] for r in pick(ours, what, name)),
                    summary(r["latency"] for r in pick(theirs, what, name)), "")
        row(f"{what}: blank frames", f"{sum(r['blanks'] for r in mine)} of "
            f"{sum(r['frames'] for r in mine)}",
            f"{sum(r['blanks'] for r in base)} of {sum(r['frames'] for r in base)}", "0")
        row(f"{what}: bytes per change", summary(r["bytes"] for r in mine),
            summary(r["bytes"] for r in base), "<= 150000")
    every = [r["latency"] for r in ours if r["what"] != "click"]
    row("every map change (ms)", summary(every), "", "median <= 400")
    row("every change, bytes (max)", f"{max(r['bytes'] for r in ours)}",
        f"{max(r['bytes'] for r in theirs)}", "")
    print(f"changes measured: {len(ours)} component, {len(theirs)} baseline; medians "
          f"{statistics.median(every):.0f} ms", file=sys.stderr)


if __name__ == "__main__":
    main()
