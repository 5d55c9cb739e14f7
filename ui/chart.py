"""The interactive chart: plotly.js panels in a Streamlit Custom Component (v2), no iframe.

``chart(payload, key=...)`` renders one or more plotly panels that share an animation clock, an
iteration scrubber (play / pause / step / speed) and, optionally, a fan slider (e.g. the learning
rate). All of that runs in the browser: Python sends the data once per change, the browser
animates and scrubs without a round trip, and updates the same plot nodes in place (no blank
frame; the viewer's zoom and 3D camera survive through ``layout.uirevision``).

The payload is a ``ui.chart_payload.Payload``; its reference, generated from those
declarations, is ``chart_component/PAYLOAD.md``. The formula and the notes are part of it rather
than Streamlit elements because Streamlit redraws every element on every rerun, while the
browser redraws these only when their text changes.

Events (Streamlit trigger values, read in the ``on_click`` / ``on_fan`` callbacks, which run
before the script): ``click -> {"panel": id, "x": float, "y": float}`` with exact data
coordinates (and ``"cell": {"row": int, "col": int}`` on an image layer), and
``fan -> {"index": int, "value": float}`` when the fan slider is let go.

Each series and each shared array is sent once: ``chart`` replaces one the browser was given
with the chart's previous payload by ``{"same_as": digest}`` (``pack_units``), and the browser
keeps recent units by digest. A browser that lacks one (a payload it never drew) reports
``missing``, and the next run sends everything again.

plotly.js is a partial bundle vendored in ``chart_component/vendor/plotly`` (its core and the
trace types the payloads use: 1.8 MB instead of the full 4.8 MB, which the browser compiled and
ran on every visit, ~0.6 s of a page's first chart on a 2-core machine), served through
Streamlit's file route for custom components: never inlined into the page, never fetched from a
CDN. That route sends no caching validators, so the browser keeps its own copy in Cache Storage
(per version of the file) and later visits load it from there. The chart's own code (the ES
modules of ``chart_component``, entry ``chart.js``) takes the same route under a path versioned
by their digest and is imported once per tab, so a rerun sends only a small loader, not the code.
KaTeX (``chart_component/vendor/katex``) is served the same way, for payloads with a formula.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import math
import time
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st
import streamlit.components.v1 as components_v1
from streamlit import config

# Re-exported: the pages write their numbers as the chart does.
from gd_core.coordinate_reductions import row_max
from gd_core.formatting import format_number as format_number
from ui.chart_payload import ANIMATED_KINDS, Notes, Payload, to_json

_HERE = Path(__file__).parent / "chart_component"
_COMPONENT_NAME = "descent_lab.chart"

# float16 keeps ~3 significant digits (a tenth of a pixel on any chart here) and stays finite up
# to 65504; values beyond are pulled in along their path so an escape still shows its direction.
HALF_MAX = 6.0e4
#: The largest value sent as float32 (whose range ends at 3.4e38), for views beyond float16's.
FLOAT_MAX = 1e38
# zlib's fastest level: payloads are built on every change, and slower levels save few bytes on
# these arrays.
_DEFLATE_LEVEL = 1

#: How long a page pauses after sending its chart, in seconds. Streamlit's frontend renders the
#: element deltas it has received in one go and runs the chart's update after that render: the
#: elements a page sends after its chart (the SGD page's twenty-odd sidebar controls, the race's
#: downloads) arriving with it held the chart's redraw back 20-30 ms on a 2-core machine. While
#: the script thread sleeps (holding no lock) the server sends the chart, and the browser
#: renders it alone.
HEAD_START_S = 0.03

_STYLES = _HERE / "chart.css"
_VENDOR_DIR = _HERE / "vendor"
_VENDOR_ROUTE = "chart_vendor"
_KATEX_DIR = _VENDOR_DIR / "katex"
_PLOTLY_DIR = _VENDOR_DIR / "plotly"
# Streamlit sends a v2 component's js= text with every rerun. The chart's code (ES modules) is
# served as files instead and imported once per browser tab; js= is only this loader.
_LOADER = """
// Absolute: the loader itself runs from a blob: URL, which cannot resolve a relative one.
const base = new URL(%(url)s, document.baseURI);
// Every module requested at once: chart.js's imports would be found a level at a time.
for (const name of %(modules)s) {
  const href = new URL(name, base).href;
  if (document.querySelector(`link[href="${href}"]`)) continue;
  const link = Object.assign(document.createElement("link"), { rel: "modulepreload", href });
  document.head.appendChild(link);
}
const chart = import(base.href);
export default function (component) {
  // plotly.js is fetched while the chart's own modules load, not after (first payload only).
  if (!window.Plotly) {
    import(new URL("scripts.js", base).href)
      .then((scripts) => scripts.loadPlotly(component.data[0].plotly_url))
      .catch(() => undefined);
  }
  let cleanup = null;
  let superseded = false;
  chart.then((module) => {
    if (!superseded) cleanup = module.default(component);
  }).catch((error) => {
    component.parentElement.textContent = `The chart could not be loaded: ${error.message}`;
  });
  return () => {
    superseded = true;
    if (cleanup) cleanup();
  };
}
"""


@functools.cache
def _declared(route: str, folder: Path) -> str:
    """The name Streamlit's /component/ file route serves ``folder`` under, declared once per
    process (a declaration looks up its caller's module: ~25 ms, and KaTeX's two files and
    plotly.js share one folder)."""
    # Declaring a v1 component on a directory registers it with Streamlit's /component/ file
    # route (it is never mounted); files are served where they lie, site-packages included, so
    # a fresh `pip install -r requirements.txt` is all it needs.
    return components_v1.declare_component(route, path=str(folder)).name


def _served_url(route: str, folder: Path, name: str, version: str | None = None) -> str:
    """The URL of ``folder/name`` on Streamlit's file route for components (``?v=version``)."""
    base = config.get_option("server.baseUrlPath").strip("/")
    prefix = f"/{base}" if base else ""
    query = f"?v={version}" if version else ""
    return f"{prefix}/component/{_declared(route, folder)}/{name}{query}"


def _content_version(paths: Sequence[Path], root: Path) -> str:
    """A digest of the files' names (under ``root``) and contents."""
    digest = hashlib.blake2b(digest_size=6)
    for path in paths:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def chart_modules() -> list[Path]:
    """The chart's code as the browser imports it: our ES modules and the vendored fflate."""
    return sorted(path for path in _HERE.rglob("*.js")
                  if _KATEX_DIR not in path.parents and _PLOTLY_DIR not in path.parents
                  and not path.name.endswith(".test.js"))


@functools.cache
def chart_js_url() -> str:
    """Where the browser imports the chart's code: the entry module, chart_component/chart.js.

    Its modules import each other (and link chart.css) by relative URLs, which a ``?v=``
    query would not reach, so the version is in the path: the folder is served under a route
    named after a digest of every module and the stylesheet, and any change to one gives all
    of them new URLs.
    """
    version = _content_version([*chart_modules(), _STYLES], _HERE)
    return _served_url(f"chart_js_{version}", _HERE, "chart.js")


_component = st.components.v2.component(
    _COMPONENT_NAME,
    js=_LOADER % {"url": json.dumps(chart_js_url()), "modules": json.dumps(
        [path.relative_to(_HERE).as_posix() for path in chart_modules()],
        separators=(",", ":"))},
    # No css=: Streamlit would send it with every rerun. chart.js links chart.css, served
    # beside it under the same versioned path.
    # plotly.js injects global CSS (hover labels, modebar, drag cursors): it must not be
    # hidden from the plot inside a shadow root.
    isolate_styles=False,
)


def encode_array(
    values, dtype: str = "f4", *, compress: bool = False, significant_bits: int | None = None,
) -> dict[str, Any]:
    """A NumPy array as ``{"dtype", "shape", "bdata"}``: little-endian bytes in base64.

    ``dtype`` is ``"f2"``, ``"f4"`` or ``"f8"`` for floats (NaN and inf survive, unlike in JSON
    text; values beyond the type's range become inf) or an integer code (``"i1"``, ``"u1"``, ...
    ``"u4"``). ``compress`` deflates the bytes first (``"codec": "deflate"``): paths that settle
    or stop repeat themselves and shrink several times. Compressed ``"f2"`` and ``"f4"`` arrays
    go as ``"codec": "delta+deflate"`` (``_delta_planes``), which shrinks smooth paths about
    twice as far. ``significant_bits`` rounds ``"f4"`` values to that many significant bits
    (12: within 0.025 %, enough for three printed digits; the range stays float32's), so the
    bytes that no longer vary compress away.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        array = np.ascontiguousarray(values, dtype=np.dtype(dtype).newbyteorder("<"))
    if significant_bits is not None:
        array = _rounded_f4(array, significant_bits)
    spec = {"dtype": dtype, "shape": list(array.shape)}
    if compress and dtype in ("f2", "f4") and array.ndim:
        data = zlib.compress(_delta_planes(array), _DEFLATE_LEVEL)
        spec["codec"] = "delta+deflate"
    elif compress:
        data = zlib.compress(array.tobytes(), _DEFLATE_LEVEL)
        spec["codec"] = "deflate"
    else:
        data = array.tobytes()
    spec["bdata"] = base64.b64encode(data).decode("ascii")
    return spec


def _delta_planes(array: np.ndarray) -> bytes:
    """The values' bit patterns as differences from the previous one along the last axis
    (wrapping around, so lossless), the lowest byte of every difference first, then the next.

    Along a path the bit patterns change little from step to step, so the differences are small
    numbers whose high bytes are zeros that deflate packs tightly. chart_component/decode.js
    ``undelta`` undoes it.
    """
    bits = array.view(f"<u{array.itemsize}")
    deltas = np.diff(bits, axis=-1, prepend=np.zeros_like(bits[..., :1]))
    return np.ascontiguousarray(deltas.view(np.uint8).reshape(-1, array.itemsize).T).tobytes()


def _rounded_f4(array: np.ndarray, significant_bits: int) -> np.ndarray:
    """float32 ``array`` rounded to ``significant_bits`` (1-24) significant bits; NaN and inf
    stay as they are."""
    if array.dtype.itemsize != 4 or not 1 <= significant_bits <= 24:
        raise ValueError("significant_bits rounds float32 values to 1-24 bits")
    dropped = 24 - significant_bits
    if not dropped:
        return array
    bits = array.view("<u4").copy()
    finite = np.isfinite(array)
    half = np.uint32(1 << (dropped - 1))
    keep = np.uint32((0xFFFFFFFF << dropped) & 0xFFFFFFFF)
    bits[finite] = (bits[finite] + half) & keep
    return bits.view("<f4")


def coordinate_encoding(domain) -> tuple[str, float]:
    """How the coordinates of a view over the box ``domain`` ((lo, hi) per axis) are sent:
    ``("f2", HALF_MAX)`` while the box lies within a tenth of float16's range (an escape then
    has room to show its direction), else ``("f4", FLOAT_MAX)``: a line fitted to prices has
    its intercept in the hundreds of thousands, and float16 drew its paths clamped at 6e4."""
    reach = max(abs(float(bound)) for axis in domain for bound in axis)
    return ("f2", HALF_MAX) if reach <= HALF_MAX / 10 else ("f4", FLOAT_MAX)


def fit_half_range(points, limit: float = HALF_MAX) -> np.ndarray:
    """Points ``(..., frames, dim)`` with any point beyond ``limit`` (float16's range, or
    float32's: ``coordinate_encoding``) pulled back in.

    A run can shoot off to 1e30 at the step where it is declared diverged. That point is moved
    back along the segment from the previous point to just inside the range, so once encoded
    the path still leaves the chart in the direction it really went.
    """
    points = np.array(points, dtype=float)
    with np.errstate(all="ignore"):
        reach = row_max(np.abs(points))
        # Only the few points that escaped are worked on (at most one per run: NaN follows).
        far_at = np.nonzero(np.isfinite(reach) & (reach > limit))
        if not far_at[0].size:
            return points
        before = (*far_at[:-1], np.maximum(far_at[-1] - 1, 0))  # frame 0 has no previous
        far = points[far_at]
        previous = np.clip(np.nan_to_num(points[before]), -limit, limit)
        room = (limit - np.abs(previous)) / np.abs(far - previous)
        fraction = np.clip(np.nanmin(np.where(np.abs(far) > limit, room, np.inf),
                                     axis=-1, keepdims=True), 0.0, 1.0)
        points[far_at] = previous + (far - previous) * fraction
        return points


@functools.cache
def katex_urls() -> dict[str, str]:
    """Where the browser loads KaTeX (its script and style sheet; the fonts lie beside them)."""
    # From vendor/ as katex/...: each URL names its library.
    return {kind: _served_url(_VENDOR_ROUTE, _VENDOR_DIR, f"katex/{name}",
                              _content_version([_KATEX_DIR / name], _KATEX_DIR))
            for kind, name in (("script", "katex.min.js"), ("style", "katex.min.css"))}


@functools.cache
def plotly_js_url() -> str:
    """Where the browser loads plotly.js: the vendored partial bundle, via Streamlit."""
    # Cached: declaring the file route once per process is enough, not once per rerun.
    return _served_url(_VENDOR_ROUTE, _VENDOR_DIR, "plotly/plotly.min.js",
                       _content_version([_PLOTLY_DIR / "plotly.min.js"], _PLOTLY_DIR))


def _digest(value: Any) -> str:
    return hashlib.blake2b(json.dumps(value, sort_keys=True).encode(), digest_size=12).hexdigest()


def _with_static_keys(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with a digest of each panel's static part (layout and static traces).

    The browser compares digests instead of megabytes of JSON: while a panel's digest stays the
    same, its contour or surface is not recomputed and only the animated traces are redrawn.
    """
    panels = []
    for panel in payload.get("panels", []):
        static = {
            "layout": panel.get("layout"),
            "traces": [trace for trace in panel.get("traces", [])
                       if trace.get("kind") not in ANIMATED_KINDS],
        }
        panels.append({**panel, "static_key": _digest(static)})
    return {**payload, "panels": panels}


def notes(title: str, items: Sequence[str], caption: str = "") -> Notes:
    """The payload's ``notes``: ``title`` over a bulleted list of ``items``, then ``caption``."""
    return Notes(title=title, items=list(items), caption=caption)


#: Session state key prefix (+ the chart's key): digests of the units the chart was last sent.
_SENT_PREFIX = "_chart_sent."


def pack_units(
    payload: dict[str, Any], previous: frozenset[str] = frozenset()
) -> tuple[dict[str, Any], frozenset[str]]:
    """The payload with each series and shared array as a unit the browser keeps by digest.

    A unit whose digest is in ``previous`` (sent with the chart's last payload) goes as
    ``{"same_as": digest}``; the others carry their ``"digest"``. Returns the packed payload and
    the digests of all its units. Adding a start point then sends that start's runs only.
    """
    digests: set[str] = set()

    def pack(unit: dict[str, Any]) -> dict[str, Any]:
        digest = _digest(unit)
        digests.add(digest)
        return {"same_as": digest} if digest in previous else {**unit, "digest": digest}

    packed = dict(payload)
    if "series" in payload:
        packed["series"] = [pack(series) for series in payload["series"]]
    if "arrays" in payload:
        packed["arrays"] = {name: pack(array) for name, array in payload["arrays"].items()}
    return packed, frozenset(digests)


#: What a payload sends outside its ``packed`` text: the series and arrays (deflated binary
#: already, and kept by digest) and the URLs the browser starts loading first.
_UNPACKED = ("series", "arrays", "plotly_url", "katex")


def packed(data: dict[str, Any]) -> list[dict[str, Any]]:
    """What the browser is sent: ``data`` with every member but ``_UNPACKED`` as one deflated
    JSON text, ``"packed"`` (base64), alone in a list.

    Layouts, a table's versions at every learning rate and the texts repeat themselves, and
    shrink several times (the websocket sends them uncompressed). The list: Streamlit looks
    for dataframes among the values of a dict it is given, importing pandas and pyarrow to do
    so (0.4 s of a fresh server's first chart, 66 MB in every app process); a list it sends
    as it is.
    """
    rest = {name: value for name, value in data.items() if name not in _UNPACKED}
    text = json.dumps(rest, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return [{**{name: data[name] for name in _UNPACKED if name in data},
             "packed": base64.b64encode(zlib.compress(text, _DEFLATE_LEVEL)).decode("ascii")}]


def unpacked(sent: list[dict[str, Any]]) -> dict[str, Any]:
    """The payload ``packed`` packed (the browser's ``unpackPayload``)."""
    (data,) = sent
    rest = json.loads(zlib.decompress(base64.b64decode(data["packed"])).decode("utf-8"))
    return {**{name: value for name, value in data.items() if name != "packed"}, **rest}


def chart(
    payload: Payload,
    *,
    key: str,
    on_click: Callable[[float, float, str], None] | None = None,
    on_fan: Callable[[int], None] | None = None,
    on_cell: Callable[[int, int, str], None] | None = None,
) -> None:
    """Render ``payload`` as the chart component under ``key``.

    ``on_click(x, y, panel_id)``, ``on_cell(row, col, panel_id)`` (a click on an image layer's
    cell) and ``on_fan(index)`` run as Streamlit callbacks, before the next script run, so the
    page can update its state before drawing. ``key`` must be stable: a changing key would
    remount the chart and lose zoom, camera and playback position.
    """
    callbacks: dict[str, Callable[[], None]] = {}
    if on_click is not None or on_cell is not None:

        def clicked() -> None:
            event = st.session_state[key].get("click")
            if not isinstance(event, dict):
                return
            panel = str(event.get("panel", ""))
            if on_click is not None and _finite(event.get("x")) and _finite(event.get("y")):
                on_click(float(event["x"]), float(event["y"]), panel)
            cell = event.get("cell")
            if on_cell is not None and isinstance(cell, dict) and all(
                    _whole(cell.get(name)) for name in ("row", "col")):
                on_cell(cell["row"], cell["col"], panel)

        callbacks["on_click_change"] = clicked
    if on_fan is not None:

        def fanned() -> None:
            event = st.session_state[key].get("fan")
            if isinstance(event, dict) and _whole(event.get("index")):
                on_fan(event["index"])

        callbacks["on_fan_change"] = fanned
    sent_key = f"{_SENT_PREFIX}{key}"

    def resend() -> None:
        st.session_state.pop(sent_key, None)

    callbacks["on_missing_change"] = resend
    if not isinstance(payload, Payload):
        raise TypeError(f"chart() takes a ui.chart_payload.Payload, not {type(payload).__name__}")
    served = {"plotly_url": plotly_js_url()}
    if payload.formula is not None:
        served["katex"] = katex_urls()
    data, sent = pack_units(
        _with_static_keys({**to_json(payload), **served}),
        st.session_state.get(sent_key, frozenset()),
    )
    st.session_state[sent_key] = sent
    _component(key=key, data=packed(data), **callbacks)
    # The elements after the chart wait: see HEAD_START_S.
    time.sleep(HEAD_START_S)


def _finite(value) -> bool:
    """Whether an event's value (JSON from the browser) is a finite number: not a bool, and not
    an integer too large for a float (``math.isfinite`` raises on those)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
