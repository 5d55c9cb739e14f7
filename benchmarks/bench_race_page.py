"""Figures of issue 13 §Performance: the optimizer race against plain st.plotly_chart.

Run: ``python3 benchmarks/bench_race_page.py`` from anywhere (needs Debian's ``chromium``).
Starts two Streamlit servers on free localhost ports — the app (app.py, opened at "Optimizer
race") and benchmarks/baseline_race_page.py (the six racers' paths on a contour map and their
loss lines, two st.plotly_chart figures recomputed through Python on every change) — and
measures both in one headless Chromium, on Himmelblau with six racers from (0, 0) and 200 steps.
Prints figures; asserts nothing.

What is measured:
- tuning all six: ``gd_core.tune_lr`` for each optimizer from (0, 0), 200 steps, in this process
  (before the servers start), the six one after the other; median of several.
- first chart: navigation start to the contour drawn with the racers
  (a fresh server's first visitor, a new browser, the same browser again).
- learning-rate drag: the chart's fan slider driven one input event per display frame (every
  racer switches); "work" is the main-thread time an update costs (input handler plus plotly's
  frame callback), "latency" input to plotly done drawing. The baseline has no live drag: each
  step of its learning-rate slider is a server round trip.
- server changes, each input to redrawn chart (the chart area sampled every frame for blank
  frames) and websocket bytes received:
  - racers: a racer's button in the Racers control clicked off, then on again, for each of the
    six, in three rounds (200, then 190 and 210 steps);
  - mode: one learning rate for all -> each tuned -> back, once per round (a new number of
    steps each round, so the page computes every tuned rate anew);
  - click: a click on the contour map (a new start) in each mode, at points not raced before.
  A change after which the page shows an exception instead of the chart counts as "page
  raised" (no latency); the page is then reopened.
  For the component, each change's bytes are also split by what carries them (read off the
  websocket frames): the chart's payload (its panels' layouts and static traces, the series
  sent in full rather than as a digest, the rest), the chart element's envelope (its loader
  script and ids, sent with every rerun) and every other message (widgets, downloads).
- animation: distinct steps drawn per second while playing 200 steps.
"""

from __future__ import annotations

import json
import statistics
import time

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

import gd_core
from ui.chart import unpacked

SCENARIO = "?surface=himmelblau&steps=200"
START = (0.0, 0.0)
STEPS = 200
RACERS = ["Gradient descent", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam"]
TUNED, SHARED = "Each at its tuned rate", "One learning rate for all"
#: Rounds of racer and mode changes (see ``changes``).
ROUNDS = 3
#: New starts clicked in each mode (on the baseline's 0.25 grid of clickable points), none of
#: them raced before.
CLICKS = {
    SHARED: [(-3, 3.5), (2.5, 2.5), (-3.5, -2.5), (3.5, -1), (0.5, -0.5), (1, 4), (-1, -4)],
    TUNED: [(-2, 2), (4, 3), (-4, -4), (2, -3), (-0.5, 0.5), (-1.5, 4.5), (1.5, -4.5)],
}
#: How many times all six are tuned.
TUNING_REPEATS = 9

BASELINE = {
    **PLOTLY_CONTOUR,
    # Every racer's path and head (traces 1 .. 2n; the last trace is the grid of clickable
    # points, the first the contour).
    "signature": """() => {
        const plot = document.querySelector('.stPlotlyChart .js-plotly-plot');
        if (!plot || !plot._fullData) return '';
        return plot._fullData.slice(1, -1).map((trace) => Array.from(trace.x || []).slice(0, 60)
            .join() + ':' + Array.from(trace.y || []).slice(0, 60).join()).join('|');
    }""",
}
#: The contour map's plot node, whose axes turn data coordinates into a point to click.
CONTOUR_PLOT = {
    id(COMPONENT): CONTOUR_MAP,
    id(BASELINE): ".stPlotlyChart .js-plotly-plot",
}


# --- in process -------------------------------------------------------------------------------


def tuning() -> dict:
    """Milliseconds to tune all six optimizers from START (and each one's median)."""
    surface = gd_core.get_surface("himmelblau")
    for name in gd_core.OPTIMIZERS:  # warm-up: imports, first allocations
        gd_core.tune_lr(surface, name, START, STEPS)
    totals, each = [], {name: [] for name in gd_core.OPTIMIZERS}
    for _ in range(TUNING_REPEATS):
        began = time.perf_counter()
        for name in gd_core.OPTIMIZERS:
            started = time.perf_counter()
            gd_core.tune_lr(surface, name, START, STEPS)
            each[name].append((time.perf_counter() - started) * 1000)
        totals.append((time.perf_counter() - began) * 1000)
    return {"total": totals, "each": {name: statistics.median(v) for name, v in each.items()}}


# --- where a change's bytes go ----------------------------------------------------------------


def _compact(value) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def _chart_payload(frame: bytes) -> tuple[dict, int] | None:
    """The chart's payload (the dict ui.chart.packed sends in a list) in one websocket frame
    and its length in the frame, if it has one."""
    if b'"packed"' not in frame:
        return None
    decoder = json.JSONDecoder()
    at = frame.find(b'{"')
    while at >= 0:
        try:
            text = frame[at:].decode("utf-8", errors="ignore")
            payload, end = decoder.raw_decode(text)
            if isinstance(payload, dict) and "packed" in payload:
                return payload, len(text[:end].encode())
        except ValueError:
            pass
        at = frame.find(b'{"', at + 1)
    return None


def byte_parts(frames: list[bytes]) -> dict:
    """A change's bytes by what carries them: the payload's parts in proportion to their
    compact JSON, which is how the chart's payload travels, and its deflated ``packed`` text
    (ui.chart.packed) split between the panels and the rest in proportion to what they
    unpack to."""
    parts = {"panels": 0, "series": 0, "series_sent": 0, "payload_rest": 0, "envelope": 0,
             "other": 0}
    for frame in frames:
        found = _chart_payload(frame)
        if found is None:
            parts["other"] += len(frame)
            continue
        payload, length = found
        sizes = {key: _compact(value) for key, value in payload.items()}
        scale = length / max(1, sum(sizes.values()))
        inner = {key: _compact(value) for key, value in unpacked([payload]).items()
                 if key not in payload}
        panels = round(sizes["packed"] * scale * inner.get("panels", 0)
                       / max(1, sum(inner.values())))
        parts["panels"] += panels
        parts["series"] += round(sizes.get("series", 0) * scale)
        parts["series_sent"] += sum("same_as" not in unit for unit in payload.get("series", []))
        parts["payload_rest"] += round(
            sum(v for k, v in sizes.items() if k != "series") * scale) - panels
        parts["envelope"] += len(frame) - length
    return parts


# --- server changes ---------------------------------------------------------------------------


#: The page raised: Streamlit shows the exception instead of the chart.
PAGE_ERROR = "() => Boolean(document.querySelector('[data-testid=\"stException\"]'))"


def click_at(page, kind: dict, x: float, y: float) -> tuple[float, float] | None:
    """The page coordinates of the contour map's data point (x, y); None without a map."""
    return screen_point(page, CONTOUR_PLOT[id(kind)], x, y)


def changes(browser, url: str, kind: dict) -> list[dict]:
    """Every change, each a dict: ``what``, ``round``, ``detail``, ``latency`` (NaN when the
    page raised instead of drawing), ``blanks``, ``frames``, ``bytes``, ``error`` and, for the
    component, ``byte_parts``."""
    context, page = open_page(browser, url, kind)
    keep = kind is COMPONENT
    counter = Bytes(page, keep=keep)
    results = []

    def measure(what: str, round_: int, act, detail: str = "") -> None:
        result = server_change(page, kind, counter, act, "pointerup")
        error = page.evaluate(PAGE_ERROR)
        if error:  # the chart went away: not a redraw
            result["latency"] = float("nan")
        parts = byte_parts(counter.frames) if keep else {}
        results.append({"what": what, "round": round_, "detail": detail, "error": error,
                        **result, **parts})

    def reopen() -> None:
        page.goto(url)
        page.wait_for_function(kind["ready"], polling="raf", timeout=60_000)
        page.wait_for_timeout(1500)

    later_steps = iter(LATER_STEPS)
    # Rounds of the same changes, told apart by their number of steps: round 0 is the page as
    # it opened (200 steps, every racer's runs already computed), later rounds at 190 and 210
    # steps. Turning a racer off and on again reruns none of the others (the page caches each
    # racer's runs); the tuned mode is computed anew in every round.
    for round_ in range(ROUNDS):
        if round_:
            set_steps(page, kind, counter, next(later_steps))
        for racer in RACERS:
            for turn in ("off", "on"):
                measure("racers", round_, lambda r=racer: press(page, r), turn)
        for mode in (TUNED, SHARED):
            measure("mode", round_, lambda m=mode: press(page, m), mode)
        if any(r["error"] for r in results):
            reopen()
        progress(f"racers and mode, round {round_}")
    for mode, points in CLICKS.items():
        reopen()
        if mode == TUNED:
            measure("mode", -1, lambda: press(page, TUNED), TUNED)  # not a figure
        what = f"click ({'tuned' if mode == TUNED else 'shared'})"
        for x, y in points:
            point = click_at(page, kind, x, y)
            if point is None:  # the page raised: no map to click
                results.append({"what": what, "round": 0, "detail": "", "error": True,
                                "latency": float("nan"), "blanks": 0, "frames": 0})
                continue
            measure(what, 0, lambda p=point: page.mouse.click(*p))
        progress(f"clicks, {mode}")
    context.close()
    return [r for r in results if r["round"] >= 0]


# --- report -----------------------------------------------------------------------------------


def median_of(results: list[dict], key: str) -> str:
    values = [r[key] for r in results if key in r]
    return f"median {statistics.median(values):8.0f}" if values else ""


def main() -> None:
    progress("tuning")
    tuned = tuning()
    with servers("app.py", "benchmarks/baseline_race_page.py") as (page_url, baseline_url):
        page_url += "/Optimizer_race" + SCENARIO
        baseline_url += SCENARIO
        with chromium() as browser:
            first = (first_chart(browser, page_url, COMPONENT),
                     first_chart(browser, baseline_url, BASELINE))
            progress("first chart")
            drag = component_drag(browser, page_url)
            lr_steps = sidebar_lr_steps(browser, baseline_url, BASELINE)
            progress("learning-rate drag")
            ours = changes(browser, page_url, COMPONENT)
            theirs = changes(browser, baseline_url, BASELINE)
            progress("changes")
            animation = {speed: component_animation(browser, page_url, speed)
                         for speed in (50, 100)}
            baseline_playback = baseline_animation(browser, baseline_url, BASELINE)

    print(f"Optimizer race: Himmelblau, six racers from (0, 0), 200 steps; {machine()}")
    row("measure", "component", "st.plotly_chart baseline", "target")
    row("tuning all six (ms, in process)", summary(tuned["total"]), "(same code)", "<= 300")
    row("  each (median ms)", " ".join(f"{name} {ms:.0f}" for name, ms in
                                       tuned["each"].items()), "", "")
    first_chart_rows(*first)
    row("lr drag, work per update (ms)", summary(drag["work"]), "no live drag", "median <= 16")
    row("lr drag, input to drawn (ms)", summary(drag["latency"]),
        summary(r["latency"] for r in lr_steps), "")
    row("lr step, bytes per update", "0 (in the browser)",
        summary(r["bytes"] for r in lr_steps), "")
    kinds = [("racers", "racers"), ("  turned off", "racers/off"), ("  turned on", "racers/on"),
             ("mode", "mode"), ("  to tuned", f"mode/{TUNED}"), ("  to shared", f"mode/{SHARED}"),
             ("click (shared)", "click (shared)"), ("click (tuned)", "click (tuned)")]

    def pick(results, selector):
        what, _, detail = selector.partition("/")
        return [r for r in results if r["what"] == what and (not detail or r["detail"] == detail)]

    for name, selector in kinds:
        mine, base = pick(ours, selector), pick(theirs, selector)
        row(f"{name}: input to redrawn (ms)", summary(r["latency"] for r in mine),
            summary(r["latency"] for r in base), "median <= 150")
        if name.startswith(" "):
            continue
        if name in ("racers", "mode"):
            row("  round 0 only (ms)", summary(r["latency"] for r in mine if not r["round"]),
                summary(r["latency"] for r in base if not r["round"]), "")
        row(f"{name}: blank frames", f"{sum(r['blanks'] for r in mine)} of "
            f"{sum(r['frames'] for r in mine)}",
            f"{sum(r['blanks'] for r in base)} of {sum(r['frames'] for r in base)}", "0")
        errors = (sum(r["error"] for r in mine), sum(r["error"] for r in base))
        if any(errors):
            row(f"{name}: page raised (changes)", f"{errors[0]} of {len(mine)}",
                f"{errors[1]} of {len(base)}", "0")
        row(f"{name}: bytes per change", summary(r["bytes"] for r in mine if "bytes" in r),
            summary(r["bytes"] for r in base if "bytes" in r), "<= 150000")
        for part, label in [("panels", "chart panels (layouts, static)"),
                            ("series", "chart series"),
                            ("payload_rest", "chart payload, the rest"),
                            ("envelope", "chart element (its loader, ids)"),
                            ("other", "other messages")]:
            row(f"  bytes: {label}", median_of(mine, part), "", "")
        row("  series sent in full", median_of(mine, "series_sent"), "", "")
    for speed, result in animation.items():
        row(f"animation at {speed} steps/s", f"{result['steps_per_s']:.1f} steps/s drawn", "",
            "")
    row("animation, plotly frames (20 ms)", "",
        f"{baseline_playback['steps_per_s']:.1f} steps/s drawn", "")


if __name__ == "__main__":
    main()
