"""Real-browser fixtures: a Streamlit server per page script and Debian's headless Chromium.

Shared by every page's e2e tests: ``streamlit_app("pages/X.py")`` starts (once per session) a
server running that page as its main script on a free localhost port and returns its URL;
``page`` is a fresh browser context at 1280x800 that fails the test on any uncaught page error.
``chart_page.py`` beside this file reads and drives the chart component (``ui/chart.py``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from chart_page import browser_tab

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SERVER_START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"streamlit did not become healthy in {SERVER_START_SECONDS}s")


@pytest.fixture(scope="session")
def streamlit_app(tmp_path_factory):
    """Factory: page script (relative to the repository) -> URL of a server running it.

    A server is shared by the tests that ask for the same script, unless ``fresh``: then the
    test gets a server of its own that no page has been opened on yet.
    """
    servers: dict[str, tuple[str, subprocess.Popen]] = {}

    def start(script: str, *, fresh: bool = False) -> str:
        key = f"{script} (fresh {len(servers)})" if fresh else script
        if key not in servers:
            port = free_port()
            log = tmp_path_factory.mktemp("streamlit") / "server.log"
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
                 "--server.address", "127.0.0.1", "--server.headless", "true",
                 "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
            )
            url = f"http://127.0.0.1:{port}"
            servers[key] = (url, process)
            wait_until_healthy(url, process, log)
        return servers[key][0]

    yield start
    for _, process in servers.values():
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        # On a developer's machine the browser tests may be skipped; in CI they must run.
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # launch() starts from a fresh, temporary profile every time.
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    with browser_tab(browser, viewport={"width": 1280, "height": 800}) as tab:
        yield tab
