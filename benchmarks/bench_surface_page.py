"""Figures of issue 3 §Performance: the chart component against plain st.plotly_chart.

Run: ``python3 benchmarks/bench_surface_page.py`` from anywhere (needs Debian's ``chromium``).
Starts two Streamlit servers on free localhost ports — the app (app.py, opened at "Descent on a
surface") and benchmarks/baseline_surface_page.py (the same view with three st.plotly_chart
figures) — and measures both in one headless Chromium, on Himmelblau with one start and 200
steps. Prints figures; asserts nothing.

What is measured:
- first chart: navigation start to the contour drawn with its path
  (a fresh server's first visitor, a new browser, the same browser again).
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

# The script's own folder is on sys.path when it runs (benchmarks/ is not a package).
from browser_measure import (
    COMPONENT,
    CONTOUR_MAP,
    LATER_STEPS,
    PLOTLY_CONTOUR,
    Bytes,
    baseline_animation,
    chromium,
    component_animation,
    component_drag,
    first_chart,
    first_chart_rows,
    machine,
    offer,
    open_page,
    press,
    progress,
    row,
    screen_point,
    server_change,
    servers,
    set_steps,
    sidebar_lr_steps,
    summary,
)

SCENARIO = "?surface=himmelblau&starts=-4,4&steps=200"
#: Rounds of optimizer and of surface changes (see ``changes``).
ROUNDS = 3
BASELINE = {
    **PLOTLY_CONTOUR,
    "signature": """() => {
        const plot = document.querySelector('.stPlotlyChart .js-plotly-plot');
        if (!plot || !plot._fullData || !plot._fullData[1]) return '';
        const path = plot._fullData[1];
        return Array.from(path.x || []).slice(0, 60).join() + ':'
            + Array.from(path.y || []).slice(0, 60).join();
    }""",
}


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
            point = screen_point(page, CONTOUR_MAP, x, y)
            results.append({"what": "click", "round": 0, **server_change(
                page, kind, counter, lambda p=point: page.mouse.click(*p), "pointerup")})
    context.close()
    return results


def main() -> None:
    # The app as a viewer runs it (app.py's navigation), opened at the page.
    with servers("app.py", "benchmarks/baseline_surface_page.py") as (page_url, baseline_url):
        page_url += "/Descent_on_a_surface" + SCENARIO
        baseline_url += SCENARIO
        with chromium() as browser:
            first = (first_chart(browser, page_url, COMPONENT),
                     first_chart(browser, baseline_url, BASELINE))
            progress("first chart")
            drag = component_drag(browser, page_url)
            lr_steps = sidebar_lr_steps(browser, baseline_url, BASELINE)
            progress("learning-rate drag")
            ours = changes(browser, page_url, COMPONENT, clicks=True)
            theirs = changes(browser, baseline_url, BASELINE, clicks=False)
            progress("changes")
            animation = {speed: component_animation(browser, page_url, speed)
                         for speed in (50, 100)}
            baseline_playback = baseline_animation(browser, baseline_url, BASELINE)

    print(f"Descent on a surface: Himmelblau, one start, 200 steps; {machine()}")
    row("measure", "component", "st.plotly_chart baseline", "target")
    first_chart_rows(*first)
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
