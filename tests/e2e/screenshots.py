"""The README's screenshots, taken in Debian's Chromium from the running app, never by hand.

    python3 tests/e2e/screenshots.py [OUT_DIR]      (default: assets/ at the repository root)

Starts ``streamlit run app.py`` on a free localhost port, opens every page (``SHOTS``: the home
page and each page of ``app.PAGES``) on a textbook scenario, waits until its chart is drawn and
the script has finished, and saves the viewport as ``OUT_DIR/<name>.png``.
tests/e2e/test_screenshots.py runs it; tests/test_repository.py holds README and images together.
"""

from __future__ import annotations

import functools
import io
import logging
import shutil
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from app_server import CHROMIUM_ARGS, ROOT, start_streamlit, stop_streamlit
from chart_page import SCRIPT_SETTLED, browser_tab
from PIL import Image

sys.path.insert(0, str(ROOT))  # run as a script, only this folder is on the path
from ui.classics import CLASSICS

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
#: A PNG larger than this is reduced to a 256-colour palette.
MAX_BYTES = 300_000
#: How long a page may take to draw on a busy machine (a tuned race, a basin map).
DRAWN_MS = 60_000
HOME = "app.py"

#: Every panel of the chart has been drawn (a 3D panel last, once the others rest), and every
#: plot shown laid out at its panel's present size (a panel resized since it was drawn, as one
#: that gets the whole row, is drawn again after plotly's resize delay), nothing is pending, no
#: spinner or "Running..." shows, and the fonts (KaTeX's too) have loaded.
PAGE_READY = f"""() => {{
    const panels = [...document.querySelectorAll('.dl-panel')];
    const plots = [...document.querySelectorAll('.dl-panel .js-plotly-plot')]
        .filter((plot) => plot.offsetParent !== null);
    return ({SCRIPT_SETTLED})()
        && panels.length > 0
        // A 3D view out of sight (below a phone's fold) is drawn only once scrolled to.
        && panels.every((panel) => panel.dataset.waiting === 'sight'
            || Array.isArray(panel.querySelector('.dl-live')?.data))
        && plots.every((plot) => Math.abs(plot._fullLayout?.width - plot.clientWidth) <= 1
            && Math.abs(plot._fullLayout?.height - plot.clientHeight) <= 1)
        && !document.querySelector(
            '.dl-pending, [data-testid=stSpinner], [data-testid=stStatusWidget], '
            + '[data-testid=stSkeleton]')
        && document.fonts.status === 'loaded';
}}"""
#: The chart's first panel shown in full, scrolling the main area by as little as puts the top
#: of a block above it right under the header (a block stacked full width in the page's
#: column, or a part of the chart: its formula, player, legend): no line is cut at the top.
SHOW_FIRST_PANEL = """() => {
    const panel = document.querySelector('.dl-panel');
    const top = (node) => node.getBoundingClientRect().top;
    const below = document.querySelector('[data-testid=stHeader]').getBoundingClientRect().bottom;
    const overflow = panel.getBoundingClientRect().bottom - window.innerHeight;
    if (overflow <= 0) return;
    const blocks = [...panel.closest('.dl-chart').children];
    for (let node = panel; node; node = node.parentElement) {
        if (node.dataset.testid === 'stVerticalBlock') blocks.push(...node.children);
    }
    const fits = blocks.filter((block) => top(block) <= top(panel))
        .map((block) => top(block) - below).filter((by) => by >= overflow);
    const by = fits.length ? Math.min(...fits) : top(panel) - below;
    document.querySelector('[data-testid=stMain]').scrollBy({top: by, behavior: 'instant'});
}"""
#: Resolves once two more frames have been painted: what was drawn is on the screen.
PAINTED = """() => new Promise((resolve) =>
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(true))))"""
#: Where the chart's first panel is on the screen, as far as the screen shows it.
FIRST_PANEL_BOX = """() => {
    const box = document.querySelector('.dl-panel').getBoundingClientRect();
    const [left, top] = [Math.max(0, box.left), Math.max(0, box.top)];
    return [left, top, Math.min(innerWidth, box.right) - left,
            Math.min(innerHeight, box.bottom) - top].map(Math.round);
}"""
#: What must never be in a screenshot: a script that did not finish, an exception, a notice
#: (a URL parameter the page ignored: the shot is no longer the scenario it names) or an error.
PROBLEMS = """() => {
    const state = document.querySelector('[data-testid=stApp]').dataset.testScriptState;
    return [...(state === 'notRunning' ? [] : [`script: ${state}`]), ...Array.from(
        document.querySelectorAll('[data-testid=stException], [data-testid=stAlert]'),
        (box) => box.innerText)];
}"""


@dataclass(frozen=True)
class Shot:
    """A screenshot: its file's stem, the page's script (``app.py``: the home page), the URL's
    query parameters (the page's own, as a link to it carries them), and whether it is taken on
    a phone (touch, ``PHONE`` wide) instead of at ``DESKTOP`` size."""

    name: str
    page: str
    params: dict[str, str] = field(default_factory=dict)
    phone: bool = False

    @property
    def viewport(self) -> dict[str, int]:
        return PHONE if self.phone else DESKTOP


class Taken(NamedTuple):
    """A screenshot saved: its file, and where the chart's first panel is in it (x, y, width,
    height in pixels)."""

    path: Path
    chart_box: tuple[int, int, int, int]


def classic(title: str) -> dict[str, str]:
    """The query parameters of the home page's textbook link ``title`` (``ui.classics``)."""
    found = [item for item in CLASSICS if item.title == title]
    if not found:
        raise KeyError(f"no classic example titled {title!r}")
    return found[0].params


SHOTS: tuple[Shot, ...] = (
    Shot("home", HOME),
    Shot("why-minus-the-gradient", "pages/1_Why_minus_the_gradient.py",
         classic("6x² − 12x + 3 from 0.75, η = 0.15")),
    Shot("surface", "pages/2_Descent_on_a_surface.py",
         classic("Two minima from five starts, η = 0.4")),
    Shot("race", "pages/3_Optimizer_race.py",
         {"surface": "rosenbrock", "start": "-1.5,2", "lr": "0.001", "steps": "300"}),
    Shot("basins", "pages/4_Basins_of_attraction.py",
         {"surface": "himmelblau", "optimizer": "gd", "lr": "0.01", "steps": "200"}),
    Shot("sgd", "pages/5_SGD_on_real_data.py", {"data": "line", "n": "200", "batch": "10"}),
    Shot("own-function", "pages/6_Your_own_function.py",
         {"formula": "sin(x)*cos(y) + 0.1*(x^2 + y^2)"}),
    Shot("surface-phone", "pages/2_Descent_on_a_surface.py",
         classic("Ravine from (−0.5, 2.3), η = 0.02"), phone=True),
)


@functools.cache
def url_paths() -> dict[str, str]:
    """The URL path of each page script, as ``app.PAGES`` gives it ("" for the home page)."""
    # Imported here, the app declares its pages outside a running script: Streamlit warns of
    # that, with nothing to mend. (A filter: Streamlit resets its loggers' levels.)
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage())
    from app import PAGES

    return {HOME: "", **{page.path: page.url_path for page in PAGES}}


def page_url(app_url: str, shot: Shot) -> str:
    """Where ``shot``'s page is served, with its query parameters."""
    query = urllib.parse.urlencode(shot.params)
    return f"{app_url}/{url_paths()[shot.page]}" + (f"?{query}" if query else "")


def save_png(png: bytes, path: Path) -> None:
    """``png`` written to ``path``, as a 256-colour palette image if it is over ``MAX_BYTES``."""
    if len(png) > MAX_BYTES:
        image = Image.open(io.BytesIO(png)).convert("RGB")
        smaller = io.BytesIO()
        image.quantize(256, method=Image.Quantize.MEDIANCUT).save(smaller, "PNG", optimize=True)
        png = smaller.getvalue()
    path.write_bytes(png)


def take(browser, app_url: str, shot: Shot, out_dir: Path) -> Taken:
    with browser_tab(browser, viewport=shot.viewport, is_mobile=shot.phone,
                     has_touch=shot.phone) as tab:
        tab.goto(page_url(app_url, shot))
        tab.wait_for_function(PAGE_READY, polling="raf", timeout=DRAWN_MS)
        problems = tab.evaluate(PROBLEMS)
        if problems:
            raise RuntimeError(f"{shot.name}: {problems}")
        tab.evaluate(SHOW_FIRST_PANEL)
        tab.evaluate(PAINTED)
        path = out_dir / f"{shot.name}.png"
        save_png(tab.screenshot(animations="disabled", caret="hide"), path)
        return Taken(path, tuple(tab.evaluate(FIRST_PANEL_BOX)))


def take_screenshots(browser, app_url: str, out_dir: Path,
                     shots: tuple[Shot, ...] = SHOTS) -> list[Taken]:
    """Every shot of ``shots`` saved into ``out_dir``, taken with ``browser`` (Playwright's) from
    the app served at ``app_url``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return [take(browser, app_url, shot, out_dir) for shot in shots]


def main(argv: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    out_dir = Path(argv[1]) if len(argv) > 1 else ROOT / "assets"
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("Debian's chromium is not installed (apt-get install chromium)")
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as playwright:
        app_url, server = start_streamlit(HOME, Path(scratch) / "server.log")
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            taken = take_screenshots(browser, app_url, out_dir)
        finally:
            browser.close()
            stop_streamlit(server)
    for path, _ in taken:
        print(f"{path}: {path.stat().st_size // 1000} kB")
    print(f"{time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main(sys.argv)
