"""Every benchmark, one after the other, and their figures as one table.

Run: ``python3 benchmarks/run_all.py`` (about 24 minutes on 2 cores; needs Debian's
``chromium``; torch for the basin_map baseline, else that row says so), or ``--only core,race``
for some of them. Each benchmark runs in its own process, as when run alone, and prints its
progress to stderr; this script prints, at the end, the machine and one Markdown table: page,
measure, our figure, the plain ``st.plotly_chart`` baseline's in the same run (for ten students
at once: one student alone), the target. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from browser_measure import ROWS_FILE

HERE = Path(__file__).resolve().parent

#: (key, page, script): the order they run in.
BENCHMARKS = [
    ("core", "core", "bench_core.py"),
    ("surface", "Descent on a surface", "bench_surface_page.py"),
    ("race", "Optimizer race", "bench_race_page.py"),
    ("basins", "Basins of attraction", "bench_basins_page.py"),
    ("sgd", "SGD on real data", "bench_sgd_page.py"),
    ("users", "Ten students at once", "bench_many_users.py"),
]


def page_rows(path: Path) -> list[tuple[str, ...]]:
    """(measure, ours, baseline, target) per row of a page benchmark's table, as its ``row``
    calls wrote them to ``path`` (browser_measure.ROWS_FILE)."""
    if not path.exists():
        return []
    rows = [tuple(line.split("\t")) for line in path.read_text(encoding="utf-8").splitlines()]
    return [row for row in rows if row[0] != "measure"]


def core_rows(output: str) -> list[tuple[str, str, str, str]]:
    """bench_core.py's sentences as rows: what was measured, then its figures."""
    rows = []
    for line in output.splitlines():
        what, _, figures = line.rpartition(": best ")
        if not what:
            continue
        figures = "best " + figures
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
        with tempfile.TemporaryDirectory() as folder:
            rows_file = Path(folder) / "rows.tsv"
            done = subprocess.run([sys.executable, str(HERE / script)], stdout=subprocess.PIPE,
                                  text=True, check=False,
                                  env={**os.environ, ROWS_FILE: str(rows_file)})
            rows = core_rows(done.stdout) if key == "core" else page_rows(rows_file)
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
