"""Ten students at once, each in a browser context of their own, for 30 s: no errors, and nobody
ever sees another's state (benchmarks/bench_many_users.py drives them and checks every view after
every change; its timing figures are printed there, not asserted here)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
USERS = 10


def test_ten_students_at_once_each_see_only_their_own_view(browser, tmp_path):
    figures = tmp_path / "many_users.json"
    # The page as it opens, its 3D view on.
    subprocess.run(
        [sys.executable, "benchmarks/bench_many_users.py", "--users", str(USERS),
         "--seconds", "30", "--single", "4", "--views", "3d", "--json", str(figures)],
        cwd=ROOT, check=True, timeout=240, capture_output=True, text=True)
    opened = json.loads(figures.read_text())["3d"]
    assert opened["problems"] == []
    # Every student made changes the whole time (one every 3 s), and each was redrawn.
    assert all(changes >= 5 for changes in opened["changes"]), opened["changes"]
    assert opened["redrawn"] == opened["changes"]
    assert all(latency == latency for latency in opened["many_ms"])  # no NaN: none was lost
    assert opened["blanks"] == 0
