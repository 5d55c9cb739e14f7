"""Real-browser fixtures: a Streamlit server per page script and Debian's headless Chromium.

Shared by every page's e2e tests: ``streamlit_app("pages/X.py")`` starts (once per session) a
server running that page as its main script on a free localhost port and returns its URL;
``page`` is a new tab at 1280x800 (in one context shared by those tests, as a returning
visitor's browser) that fails the test on any uncaught page error.
``chart_page.py`` beside this file reads and drives the chart component (``ui/chart.py``).
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from app_server import CHROMIUM_ARGS, start_streamlit, stop_streamlit
from chart_page import new_tab


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
            log = tmp_path_factory.mktemp("streamlit") / "server.log"
            servers[key] = start_streamlit(script, log)
        return servers[key][0]

    yield start
    for _, process in servers.values():
        stop_streamlit(process)


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


@pytest.fixture(scope="session")
def returning_visitor(browser):
    """One browser context for the ``page`` tests: what a visitor's browser keeps between
    visits (Streamlit's bundles in the HTTP cache, plotly.js in Cache Storage) is kept from one
    test to the next, so a test pays for a page's load, not for a first visit. Tests of a first
    visit or of several people open contexts of their own (``browser_tab``)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context
    context.close()


@pytest.fixture
def page(returning_visitor):
    """A new tab (a new Streamlit session) that fails the test on any uncaught page error."""
    with new_tab(returning_visitor) as tab:
        yield tab
