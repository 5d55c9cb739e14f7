"""A class behind nginx (``deploy/class_server.py``): 3 replicas, 9 browsers in Debian's
Chromium on the home page, every third of them then on the SGD page uploading a file of its own.
Every browser keeps one replica for all its requests (pages, websockets, file upload), the
browsers spread over the replicas, each sees its own upload, and ``stop`` leaves no process
behind."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
from collections import defaultdict

import pytest
from app_server import ROOT, free_port
from chart_page import browser_tab

sys.path.insert(0, str(ROOT / "deploy"))
import class_server  # deploy/ is a folder of scripts, not a package

pytestmark = pytest.mark.e2e

REPLICAS = 3
BROWSERS = 9
SCRIPT = [sys.executable, str(ROOT / "deploy" / "class_server.py")]


@pytest.fixture(scope="module")
def nginx():
    executable = class_server.nginx_executable()
    if executable is None:
        message = "Debian's nginx is not installed (apt-get install nginx)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return executable


def serve(run_dir, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*SCRIPT, "--run-dir", str(run_dir), *args], capture_output=True,
                          text=True, timeout=class_server.START_SECONDS + 30)


def nginx_workers(master: int) -> list[int]:
    return [int(pid) for pid in subprocess.run(["pgrep", "-P", str(master)], capture_output=True,
                                               text=True).stdout.split()]


def accepts(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def requests_by_browser(log_text: str) -> dict[str, list[tuple[str, str]]]:
    """nginx's access log: each sticky key's (upstream, request line) pairs."""
    found = defaultdict(list)
    for key, upstream, request in re.findall(r'key=(\S+) upstream=(.+?) status=\S+ "(.*)"',
                                             log_text):
        found[key].append((upstream, request))
    return found


def csv_rows(count: int) -> str:
    return "x,y\n" + "".join(f"{i / 10:.2f},{1 + i / 20:.3f}\n" for i in range(count))


def test_three_replicas_serve_nine_browsers_each_on_one_replica(nginx, browser, tmp_path):
    run_dir = tmp_path / "run"
    port = free_port()
    replica_ports = [free_port() for _ in range(REPLICAS)]
    started = serve(run_dir, "start", str(REPLICAS), "--address", "127.0.0.1", "--port",
                    str(port), "--replica-ports", ",".join(map(str, replica_ports)))
    assert started.returncode == 0, started.stderr
    state = json.loads((run_dir / "state.json").read_text())
    master = state["nginx"]["pid"]
    pids = [master, *nginx_workers(master),
            *(replica["process"]["pid"] for replica in state["replicas"])]
    try:
        status = serve(run_dir, "status")
        assert status.returncode == 0 and status.stdout.count("healthy") == REPLICAS + 1
        with contextlib.ExitStack() as stack:
            tabs = [stack.enter_context(browser_tab(browser, viewport={"width": 1280,
                                                                       "height": 800}))
                    for _ in range(BROWSERS)]
            for tab in tabs:
                tab.goto(f"http://127.0.0.1:{port}/", wait_until="commit")
            for tab in tabs:
                tab.get_by_role("heading", name="Pages").wait_for(timeout=60_000)
            # Every third browser moves on to the SGD page (a new session, the same cookie) and
            # uploads its own file: an upload is a request of its own, which only the replica
            # holding the browser's session can take.
            uploaders = tabs[::3]
            for tab in uploaders:
                tab.goto(f"http://127.0.0.1:{port}/SGD_on_real_data", wait_until="commit")
            for index, tab in enumerate(uploaders):
                upload = tmp_path / f"class_{index}.csv"
                upload.write_text(csv_rows(20 + index))
                tab.get_by_text("Your own data (CSV)").click(timeout=60_000)
                tab.locator("[data-testid='stSidebar'] [data-testid='stFileUploader'] "
                            "input[type='file']").set_input_files(str(upload))
            for index, tab in enumerate(uploaders):
                tab.get_by_text(f"Fitting a line to class_{index}.csv: {20 + index} rows."
                                ).wait_for(timeout=60_000)
            keys = []
            for tab in tabs:
                assert tab.locator("[data-testid='stException']").count() == 0
                (cookie,) = [c for c in tab.context.cookies()
                             if c["name"] == class_server.STICKY_COOKIE]
                assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
                keys.append(cookie["value"])
            assert len(set(keys)) == BROWSERS
    finally:
        stopped = serve(run_dir, "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert not any(class_server.alive(pid) for pid in pids), "stop leaves no process behind"
    assert not any(accepts(p) for p in [port, *replica_ports])

    # nginx writes a websocket's line when it closes: the log is whole once nginx has stopped.
    requests = requests_by_browser((run_dir / "nginx-access.log").read_text())
    replica_of = {}
    for index, key in enumerate(keys):
        upstreams = {upstream for upstream, _ in requests[key]}
        assert len(upstreams) == 1, (key, requests[key])
        lines = [request for _, request in requests[key]]
        assert any(line.startswith("GET /_stcore/stream") for line in lines), lines
        if index % 3 == 0:
            assert any(line.startswith("PUT /_stcore/upload_file/") for line in lines), lines
        replica_of[key] = upstreams.pop()
    assert len(set(replica_of.values())) > 1, "the browsers spread over the replicas"
