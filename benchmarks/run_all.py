"""Every benchmark, one after the other, and their figures as one table.

Run: ``python3 benchmarks/run_all.py`` (about 20 minutes on 2 cores; needs Debian's
``chromium``; torch for the basin_map baseline, else that row says so), or ``--only core,race``
for some of them. Each benchmark runs in its own process, as when run alone, and prints its
progress to stderr; this script prints, at the end, the machine and one Markdown table: page,
measure, our figure, the plain ``st.plotly_chart`` baseline's in the same run, the target.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: (key, page, script): the order they run in.
BENCHMARKS = [
    ("core", "core", "bench_core.py"),
    ("surface", "Descent on a surface", "bench_surface_page.py"),
    ("race", "Optimizer race", "bench_race_page.py"),
    ("basins", "Basins of attraction", "bench_basins_page.py"),
    ("sgd", "SGD on real data", "bench_sgd_page.py"),
]
# The page benchmarks' rows (browser_measure.row): fixed-width columns.
_COLUMNS = (slice(0, 34), slice(35, 75), slice(76, 116), slice(117, None))


def page_rows(output: str) -> list[tuple[str, str, str, str]]:
    """(measure, ours, baseline, target) per row of a page benchmark's table."""
    lines = output.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("measure ")), None)
    if start is None:
        return []
    rows = []
    for line in lines[start + 1:]:
        if not line.strip():
            continue
        if line.startswith("changes measured"):
            break
        rows.append(tuple(line[part].strip() for part in _COLUMNS))
    return rows


def core_rows(output: str) -> list[tuple[str, str, str, str]]:
    """bench_core.py's sentences as rows: what was measured, then its figures."""
    rows = []
    for line in output.splitlines():
        what, _, figures = line.partition(": ")
        if not figures:
            continue
        target = ""
        if what.startswith("torch.optim.Adam") and "autograd" in what:
            target = ">= 1.5x as fast"
        if what.startswith("basin_map 300x300 starts"):
            target = "<= 100 MiB"
        rows.append((what, figures, "", target))
    return rows


def machine() -> str:
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo
                      if line.startswith("model name")), "")
    import plotly
    import streamlit

    return (f"{os.cpu_count()} cores ({model or platform.processor()}), Python "
            f"{platform.python_version()}, Streamlit {streamlit.__version__}, plotly "
            f"{plotly.__version__}, headless Chromium (software GL)")


def cell(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace("|", "\\|")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated: " + ", ".join(
        key for key, _, _ in BENCHMARKS))
    args = parser.parse_args()
    chosen = set(args.only.split(",")) if args.only else {key for key, _, _ in BENCHMARKS}
    unknown = chosen - {key for key, _, _ in BENCHMARKS}
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    table = []
    started = time.monotonic()
    for key, page, script in BENCHMARKS:
        if key not in chosen:
            continue
        print(f"== {script}", file=sys.stderr, flush=True)
        done = subprocess.run([sys.executable, str(HERE / script)], stdout=subprocess.PIPE,
                              text=True, check=False)
        rows = core_rows(done.stdout) if key == "core" else page_rows(done.stdout)
        if done.returncode or not rows:
            rows = [("(did not finish)", f"exit code {done.returncode}", "", "")]
        table += [(page, *row) for row in rows]

    print(f"Benchmarks of {time.strftime('%Y-%m-%d')}, {machine()}; "
          f"{(time.monotonic() - started) / 60:.0f} minutes")
    print()
    print("| page | measure | ours | st.plotly_chart baseline | target |")
    print("|---|---|---|---|---|")
    for row in table:
        print("| " + " | ".join(cell(part) for part in row) + " |")


if __name__ == "__main__":
    main()
