"""How many students one app process serves interactively.

Run: ``python3 benchmarks/bench_class.py [--students 1,3,5,8] [--seconds 60]`` (or
``--url http://127.0.0.1:8632`` for a server already running; by default it starts one replica
of the app, as ``deploy/class_server.py`` does, on a free localhost port). Prints figures;
asserts nothing.

Each simulated student is a websocket client speaking Streamlit's own protocol (the
``streamlit.proto`` messages a browser sends): it opens "Descent on a surface" on Himmelblau
with a start point of its own, then every ``--interval`` seconds (3 by default, each student
offset at random) moves the Steps slider one notch, as a browser does: a rerun of the view's
fragment with the slider's new value. Its latency is that message sent → the server's
"script finished" received, every element of the new view received before it. That is the
server's share of a student's change → redraw: the part that K students share. The student's own
browser then draws the chart on its own machine (benchmarks/bench_surface_page.py measures it);
browsers are left out here because K of them on this machine would measure this machine's
Chromium, not the server.

For each K: p50 and p95 of the latencies, changes served per second, the replica's CPU use and
resident memory; then the largest K whose p95 stays within 2x the single student's p95.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import websockets
from browser_measure import progress, server
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

PAGE = "Descent_on_a_surface"
#: Each student's start lies on this diagonal of Himmelblau's square, its own point.
START_SPACING = 0.37
BUDGET_FACTOR = 2.0


@dataclass
class Student:
    index: int
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class Slider:
    widget_id: str
    fragment_id: str
    value: float
    low: float
    high: float
    step: float


def rerun_message(query: str, widget_state: Slider | None = None) -> bytes:
    message = BackMsg()
    state = message.rerun_script
    state.query_string = query
    state.page_name = PAGE
    if widget_state is not None:
        widget = state.widget_states.widgets.add()
        widget.id = widget_state.widget_id
        widget.double_array_value.data.append(widget_state.value)
        state.fragment_id = widget_state.fragment_id
    return message.SerializeToString()


async def until_finished(socket, student: Student) -> tuple[Slider | None, str]:
    """Read one run's messages: (the Steps slider if it was drawn, the page's query string)."""
    slider, query = None, ""
    while True:
        message = ForwardMsg()
        message.ParseFromString(await socket.recv())
        kind = message.WhichOneof("type")
        if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element
            if element.WhichOneof("type") == "exception":
                student.errors.append(element.exception.message)
            elif element.WhichOneof("type") == "slider" and element.slider.label == "Steps":
                found = element.slider
                # value is sent only when the server sets it; else the widget shows default.
                value = (found.value if found.set_value else found.default)[0]
                slider = Slider(found.id, message.delta.fragment_id, value, found.min,
                                found.max, found.step)
        elif kind == "page_info_changed":
            query = message.page_info_changed.query_string
        elif kind == "script_finished" and message.script_finished not in (
                ForwardMsg.FINISHED_EARLY_FOR_RERUN,):
            return slider, query


async def student_session(url: str, student: Student, interval: float, until: float) -> None:
    parts = urlsplit(url)
    start = -4 + START_SPACING * student.index % 8
    query = f"surface=himmelblau&starts={start:.2f},{start / 2:.2f}&steps=200"
    async with websockets.connect(f"ws://{parts.netloc}/_stcore/stream",
                                  subprotocols=["streamlit"], origin=url, max_size=None,
                                  ping_interval=None) as socket:
        await socket.send(rerun_message(query))
        slider, _ = await until_finished(socket, student)
        if slider is None:
            student.errors.append("the page drew no Steps slider")
            return
        await asyncio.sleep(random.uniform(0, interval))
        while time.monotonic() < until:
            began = time.monotonic()
            slider.value = slider.value + slider.step
            if slider.value > slider.high:
                slider.value = slider.low
            await socket.send(rerun_message(query, slider))
            _, shown = await until_finished(socket, student)
            student.latencies.append((time.monotonic() - began) * 1000)
            # The page leaves its default steps (100) out of the link.
            if parse_qs(shown).get("steps", ["100"]) != [f"{slider.value:g}"]:
                student.errors.append(f"asked for {slider.value:g} steps, the link says {shown}")
            await asyncio.sleep(max(0.0, interval * random.uniform(0.8, 1.2)
                                    - (time.monotonic() - began)))


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mib(pid: int) -> tuple[float, float]:
    """(resident now, resident at its peak) in MiB."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text()
                  .splitlines())
    return (int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def class_of(url: str, count: int, seconds: float, interval: float) -> list[Student]:
    students = [Student(index) for index in range(count)]
    until = time.monotonic() + seconds
    await asyncio.gather(*(student_session(url, s, interval, until) for s in students))
    return students


def measure(url: str, pid: int | None, counts: list[int], seconds: float,
            interval: float) -> None:
    print(f"One replica, students changing the Steps slider every {interval:g} s "
          f"({seconds:g} s per class size), {os.cpu_count()} cores; load average before: "
          f"{os.getloadavg()[0]:.1f}")
    print(f"{'students':>8} {'changes':>8} {'per s':>6} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'CPU %':>6} {'RSS MiB':>8} {'errors':>6}")
    within = None
    single_p95 = None
    for count in counts:
        progress(f"{count} students")
        cpu_before = cpu_seconds(pid) if pid else None
        began = time.monotonic()
        students = asyncio.run(class_of(url, count, seconds, interval))
        elapsed = time.monotonic() - began
        latencies = [value for s in students for value in s.latencies]
        errors = [error for s in students for error in s.errors]
        cpu = f"{100 * (cpu_seconds(pid) - cpu_before) / elapsed:6.0f}" if pid else "   n/a"
        rss = f"{memory_mib(pid)[0]:8.0f}" if pid else "     n/a"
        if not latencies:
            print(f"{count:>8} no change came back: {sorted(set(errors))[:3]}")
            continue
        p50, p95 = statistics.median(latencies), percentile(latencies, 0.95)
        print(f"{count:>8} {len(latencies):>8} {len(latencies) / elapsed:6.2f} {p50:8.0f} "
              f"{p95:8.0f} {cpu} {rss} {len(errors):>6}", flush=True)
        for error in sorted(set(errors))[:3]:
            print(f"         error: {error}")
        single_p95 = single_p95 or p95
        if p95 <= BUDGET_FACTOR * single_p95 and not errors:
            within = count
    if single_p95 is not None:
        print(f"Largest class within {BUDGET_FACTOR:g}x the single student's p95 "
              f"({single_p95:.0f} ms): {within} students per replica")
    if pid:
        print(f"Replica memory: peak resident {memory_mib(pid)[1]:.0f} MiB")
    print(f"Load average after: {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", default="1,3,5,8,12,16,24,32",
                        type=lambda text: [int(n) for n in text.split(",")])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--interval", type=float, default=3.0)
    parser.add_argument("--url", help="a running server (default: start one)")
    args = parser.parse_args()
    if args.url:
        measure(args.url, None, args.students, args.seconds, args.interval)
        return
    with server("app.py") as (url, process):
        measure(url, process.pid, args.students, args.seconds, args.interval)


if __name__ == "__main__":
    main()
