"""Many users at once, in real browsers: does anybody wait longer, or see another's state?

Run: ``python3 benchmarks/bench_many_users.py [--users 10] [--seconds 30] [--views both] [--json
FILE]`` (needs Debian's ``chromium``). Starts one app server on a free localhost port and opens
"Descent on a surface" in separate browser contexts of one headless Chromium, each a student
with a surface, a first start point and an order of optimizers of their own. A student makes a
change, waits until their chart has redrawn, and makes the next one ``--interval`` seconds after
the last began: in turn a click on the contour map at a point of their own (a new start; the
oldest of eight gives way) and a press on their next optimizer's button.

Measured for each change: input to the chart redrawn with its result, and the display frames
that showed a blank chart meanwhile (``browser_measure.WATCH``). First one student alone
(``--single`` changes, one a second), then ``--users`` students together for ``--seconds``,
their first changes spread over one interval. After every change the student's own view is
checked against what that student did: one badge per start on the chart, and the address bar's
surface, optimizer and start points (once it has caught up: the page writes it when its script
ends, up to ``ADDRESS_S`` after the redraw); any traceback on the page or uncaught page error is
recorded. Prints the figures; ``--json`` also writes them with every check that failed (the
browser test ``tests/e2e/test_many_users.py`` runs this script and reads that file). Asserts
nothing: a change whose redraw never came counts as a NaN latency.

Every browser runs on the server's machine, so ten students' browsers and the server share its
cores: what one student's browser costs there is measured ten times over. Both views are
measured (``VIEWS``): the page as it opens, whose 3D surface headless Chromium draws with
software WebGL, and the same page with the 3D view turned off.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import numpy as np
from browser_measure import (
    COMPONENT,
    CONTOUR_MAP,
    VIEWPORT,
    WATCH,
    chromium,
    machine,
    press,
    progress,
    row,
    screen_point,
    servers,
    summary,
)

import gd_core

PAGE = "/Descent_on_a_surface"
#: None of them the page's default, which the address bar leaves out.
SURFACES = ["two_minima", "rosenbrock", "six_hump_camel", "bowl", "saddle", "styblinski_tang"]
MAX_STARTS = 8
#: What a redraw may take before the change counts as lost.
ANSWER_S = 30
#: A click lands within this share of the domain's width of the point aimed at (pixel rounding).
CLICK_TOLERANCE = 0.02
#: How long the address bar may take to show a change after its chart was redrawn: the page
#: writes it when its script ends, a message after the chart's (seconds under a class's load).
ADDRESS_S = 5
#: How often the pages are asked whether their changes have been redrawn. Each question is a round
#: trip through Playwright's driver into a page, CPU that the server and the other students'
#: browsers share here, as no class's browsers do. The latency is timed in the page itself, so
#: asking less often delays only when this script reads it. (Alternating runs of 100 and 20 polls
#: a second, 2026-12-03, differed by less than the spread between runs.)
POLL_S = 0.05
TRACEBACK = "[data-testid='stException'], .stException"
OPTIMIZER_DEFAULT = "gd"
#: The page opened and drawn: every panel (the 3D view comes last), one run's badge.
SETTLED = """() => document.querySelectorAll('.dl-badge-name').length === 1
    && [...document.querySelectorAll('.dl-panel .dl-live')].every((live) => live.data?.length)"""


@dataclass
class Student:
    """One browser context and what its user has done so far."""

    index: int
    page: object
    surface: gd_core.Surface
    starts: list[tuple[float, float]]
    optimizers: list[str]
    rng: np.random.Generator
    show3d: bool
    optimizer: str = OPTIMIZER_DEFAULT
    changes: int = 0
    results: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    pending_since: float | None = None
    address_due: float | None = None
    next_at: float = 0.0

    def url(self, base: str) -> str:
        x, y = self.starts[0]
        return (f"{base}{PAGE}?surface={self.surface.name}&starts={x:.4f},{y:.4f}&steps=120"
                + ("" if self.show3d else "&show3d=0"))

    def act(self) -> None:
        """The next change: a click on the map and an optimizer's button, in turn."""
        self.page.evaluate(WATCH, [COMPONENT["signature"], COMPONENT["blank"], "pointerup"])
        if self.changes % 2 == 0:
            (low_x, high_x), (low_y, high_y) = self.surface.domain
            point = (float(self.rng.uniform(low_x + 0.1 * (high_x - low_x),
                                            high_x - 0.1 * (high_x - low_x))),
                     float(self.rng.uniform(low_y + 0.1 * (high_y - low_y),
                                            high_y - 0.1 * (high_y - low_y))))
            self.page.mouse.click(*screen_point(self.page, CONTOUR_MAP, *point))
            self.starts = [*self.starts, point][-MAX_STARTS:]
        else:
            self.optimizer = self.optimizers[(self.changes // 2) % len(self.optimizers)]
            press(self.page, gd_core.OPTIMIZERS[self.optimizer].title)
        self.changes += 1
        self.pending_since = time.monotonic()

    def answered(self) -> bool:
        """Whether the change pending has been redrawn (or lost); records it if so."""
        watch = self.page.evaluate("window.__watch")
        lost = time.monotonic() - self.pending_since > ANSWER_S
        if watch is None and not lost:
            return False
        if watch is None:
            watch = {"latency": math.nan, "blanks": 0, "frames": 0}
            self.problems.append(f"change {self.changes}: no redraw in {ANSWER_S} s")
        self.results.append(watch)
        self.pending_since = None
        self.address_due = time.monotonic() + ADDRESS_S
        self.check_view()
        return True

    def address_shown(self) -> bool:
        """Whether the address bar shows this student's state, or has had ``ADDRESS_S`` to (then
        records what it shows instead)."""
        problem = self.address_problem()
        if problem is not None and time.monotonic() < self.address_due:
            return False
        if problem is not None:
            self.problems.append(problem)
        self.address_due = None
        return True

    def address_problem(self) -> str | None:
        """How the address bar differs from this student's own state (None: it does not)."""
        query = parse_qs(urlsplit(self.page.url).query)
        seen_surface = query.get("surface", [""])[0]
        seen_optimizer = query.get("optimizer", [OPTIMIZER_DEFAULT])[0]
        seen_starts = [tuple(map(float, point.split(",")))
                       for point in query.get("starts", [""])[0].split(";") if point]
        span = self.surface.domain[0][1] - self.surface.domain[0][0]
        where = f"change {self.changes}"
        if seen_surface != self.surface.name:
            return f"{where}: surface {seen_surface!r}, not {self.surface.name!r}"
        if seen_optimizer != self.optimizer:
            return f"{where}: optimizer {seen_optimizer!r}, not {self.optimizer!r}"
        if len(seen_starts) != len(self.starts) or any(
                math.dist(seen, mine) > CLICK_TOLERANCE * span
                for seen, mine in zip(seen_starts, self.starts, strict=False)):
            return f"{where}: starts {seen_starts}, not {self.starts}"
        return None

    def check_view(self) -> None:
        """The chart shows one badge per start of this student's, and the page no error."""
        where = f"change {self.changes}"
        badges = self.page.locator(".dl-badge-name").count()
        if badges != len(self.starts):
            self.problems.append(f"{where}: {badges} badges for {len(self.starts)} starts")
        if self.page.locator(TRACEBACK).count():
            self.problems.append(f"{where}: {self.page.locator(TRACEBACK).first.inner_text()}")


def open_students(browser, base: str, count: int, show3d: bool, first: int = 0
                  ) -> list[Student]:
    """``count`` students, each in a browser context of their own, their charts drawn."""
    students = []
    for index in range(first, first + count):
        rng = np.random.default_rng(index)
        surface = gd_core.get_surface(SURFACES[index % len(SURFACES)])
        (low_x, high_x), (low_y, high_y) = surface.domain
        start = (round(low_x + (0.2 + 0.06 * index) * (high_x - low_x), 4),
                 round(low_y + (0.7 - 0.04 * index) * (high_y - low_y), 4))
        # Each student's optimizers in an order of their own, never starting with the default.
        order = [name for name in rng.permutation(list(gd_core.OPTIMIZERS))
                 if name != OPTIMIZER_DEFAULT]
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        student = Student(index, page, surface, [start], [*order, OPTIMIZER_DEFAULT], rng,
                          show3d)
        page.on("pageerror", lambda error, s=student: s.problems.append(f"page error: {error}"))
        # All open at once, as a class does when the teacher shares the link.
        page.goto(student.url(base), wait_until="commit")
        students.append(student)
    for student in students:
        student.page.wait_for_function(SETTLED, polling="raf", timeout=90_000)
    return students


def run(students: list[Student], seconds: float, interval: float) -> None:
    """Every student changes their view every ``interval`` seconds for ``seconds``, their first
    changes spread evenly over the first interval; returns once every change is redrawn."""
    began = time.monotonic()
    for order, student in enumerate(students):
        student.next_at = began + interval * order / len(students)
    end = began + seconds
    while True:
        now = time.monotonic()
        busy = False
        for student in students:
            if student.pending_since is not None:
                busy = not student.answered() or busy
            elif student.address_due is not None:
                busy = not student.address_shown() or busy
            elif now >= student.next_at and now < end:
                student.act()
                student.next_at += interval
                busy = True
        if not busy and now >= end:
            return
        time.sleep(POLL_S)


#: The views compared: the page as it opens, and with its 3D surface turned off (in headless
#: Chromium without a GPU software WebGL draws the surface: once per surface and camera turn,
#: the paths on it being SVG; some 0.4 s of CPU a change before they were, every change
#: redrawing the scene, which ten browsers on this machine's two cores could not all have).
VIEWS = {"3d": "3D surface on (as it opens)", "flat": "3D surface off"}


def measure(browser, base: str, args, show3d: bool) -> dict:
    """One student alone, then ``args.users`` together, all with the 3D view on or off."""
    alone = open_students(browser, base, 1, show3d)
    run(alone, args.single, 1.0)
    progress(f"one student: {alone[0].changes} changes")
    alone[0].page.context.close()
    together = open_students(browser, base, args.users, show3d, first=1)
    progress(f"{args.users} students open")
    run(together, args.seconds, args.interval)
    progress(f"{args.users} students: {sum(s.changes for s in together)} changes")
    for student in together:
        student.page.context.close()
    results = [r for s in [*alone, *together] for r in s.results]
    single = [r["latency"] for r in alone[0].results]
    many = [r["latency"] for s in together for r in s.results]
    return {
        "single_ms": single, "many_ms": many,
        "p95_ratio": percentile_95(many) / percentile_95(single),
        "single_changes": alone[0].changes, "changes": [s.changes for s in together],
        "redrawn": [len(s.results) for s in together],
        "blanks": sum(r["blanks"] for r in results), "frames": sum(r["frames"] for r in results),
        "problems": [f"student {s.index}: {p}" for s in [*alone, *together] for p in s.problems],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--interval", type=float, default=3.0,
                        help="seconds from one change of a student to their next")
    parser.add_argument("--single", type=int, default=20,
                        help="changes of the student alone, one a second")
    parser.add_argument("--views", choices=[*VIEWS, "both"], default="both")
    parser.add_argument("--json", help="also write the figures and failed checks here")
    args = parser.parse_args()

    views = list(VIEWS) if args.views == "both" else [args.views]
    with servers("app.py") as (base,), chromium() as browser:
        figures = {view: measure(browser, base, args, view == "3d") for view in views}

    print(f"Many users: {args.users} browser contexts for {args.seconds:.0f} s, a change every "
          f"{args.interval:g} s each, on Descent on a surface; {machine()}, the browsers on "
          "the server's machine")
    row("measure", f"{args.users} students", "one student", "target")
    for view, got in figures.items():
        row(f"{VIEWS[view]}: input to redrawn (ms)", summary(got["many_ms"]),
            "one student: " + summary(got["single_ms"]), "p95 <= 2x one student's")
        row("  p95 ratio", f"{got['p95_ratio']:.2f}x", "", "<= 2")
        row("  changes made / redrawn", f"{sum(got['changes'])} / {sum(got['redrawn'])}",
            f"one student: {got['single_changes']} / {len(got['single_ms'])}", "all")
        row("  blank frames", f"{got['blanks']} of {got['frames']}", "", "0")
        row("  checks failed (own state, errors)", str(len(got["problems"])), "", "0")
        for problem in got["problems"]:
            print("    " + problem)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(figures, out, indent=1)


def percentile_95(values: list[float]) -> float:
    ordered = sorted(v for v in values if v == v)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else \
        math.nan


if __name__ == "__main__":
    main()
