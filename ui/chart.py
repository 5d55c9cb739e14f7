"""The interactive chart: plotly.js panels in a Streamlit Custom Component (v2), no iframe.

``chart(payload, key=...)`` renders one or more plotly panels that share an animation clock, an
iteration scrubber (play / pause / step / speed) and, optionally, a learning-rate fan slider. All
of that runs in the browser: Python sends the data once per change, the browser animates and
scrubs without a round trip, and updates the same plot nodes in place (no blank frame; the
viewer's zoom and 3D camera survive through ``layout.uirevision``). Clicks on a panel come back
with exact data coordinates; releasing the fan slider reports the chosen member.

Payload (plain JSON; arrays as ``encode_array`` dicts — base64, never NaN in JSON text)::

    {
      "arrays": {"grid_z": ARRAY, ...},  # shared: a trace may use {"ref": "grid_z"} for an array
      "panels": [                       # drawn in order; a CSS grid, two per row when wide enough
        {"id": "contour",               # stable id: panels with the same id update in place
         "layout": {...},               # a plotly layout; "scene" in it marks a 3D panel
         "height": 420,                 # px
         "wide": False,                 # True: spans the whole row
         "click": True,                 # report clicks on this panel (2D axes "x"/"y" only)
         "live": "svg",                 # optional, 2D: animated traces as plain SVG (below)
         "traces": [TRACE, ...]},
      ],
      "series": [                       # the animated runs, e.g. one per start point
        {"name": "start 1", "color": "#D55E00", "glyph": "●",
         "channels": {"x": ARRAY, "y": ARRAY, "f": ARRAY, ...},
         "derived": {"next": {"op": "shift", "of": "x"}, ...},   # optional, see below
         "badges": [{"text": "...", "tone": "good" | "neutral" | "bad"}, ...]},
      ],
      "fan": {"label": "learning rate", "labels": ["0.001", ...], "values": [0.001, ...],
              "index": 12, "help": "...",
              "marks": [{"position": 23.4, "label": "2/f″ = 0.167", "help": "..."}]},
      "readouts": [{"series": 0, "text": TEMPLATE, "phrases": {...}, "digits": 3}],
      "columns": [2, 1],                # optional: relative widths of the two panels of a row
      "badges_first": True,             # optional: badges under the controls, above the panels
      "notes": {"title": "What to try", "items": ["...", ...], "caption": "..."},  # optional
      "formula": r"f(x, y) = ...",      # optional: LaTeX shown above the controls
    }

``notes`` is a titled list under the panels (``notes`` below builds it), and ``formula`` is
typeset (display style) by KaTeX, vendored in ``chart_component/vendor/katex``, once the panels
have been painted. Both live in the chart rather than in Streamlit elements because Streamlit
redraws every element on every rerun, while the browser redraws these only when their text
changes (and keeps the last 16 formulas typeset).

Every channel is ``(fan members, frames)`` (or ``(frames,)`` for a run without a fan); the
channel name ``"step"`` is built in (0, 1, ..., frames - 1). ``badges`` holds one entry per fan
member. ``derived`` channels are computed in the browser from earlier ones, in order, so the
payload carries only what cannot be derived (``derive`` below is the reference): ``shift`` (the
value at the next frame, NaN at the last), ``sub`` (``of[0] - of[1]``), ``add`` (``of`` plus
the number ``value``), ``clip`` (into
``range``, NaN stays NaN) and ``where`` (``of`` where channel ``if`` equals ``equals``, else
NaN). The fan slider switches every animated trace between fan members on each input event.
A fan ``mark`` is a labelled tick under the slider at a fractional member index (a critical
learning rate that falls between two members); ``position`` 0 is the first member.

Text that follows the animation is a TEMPLATE: ``{step}`` is the current frame, ``{fan}`` the
current fan label, ``{name}`` a channel's value at the current fan member and frame (``digits``
significant digits, a real minus sign, "∞" / "—" for inf / NaN), and ``{name}`` a phrase when
``phrases`` has that name: ``{"channel": "code", "options": [TEMPLATE, ...]}`` picks the option
indexed by the integer channel ``code`` (e.g. "so we move right" / "so we move left"); the option
is itself filled in. Each ``readouts`` entry is one line of text under the panels, refilled on
every frame and fan change (empty lines are hidden).

A TRACE has a ``kind``. Static kinds are plain plotly traces whose arrays may be ``ARRAY``s:

- ``{"kind": "contour" | "surface" | "line" | "marker", "trace": {plotly trace}}``, optionally
  with ``"transform": {"z": "log1p_above_min"}`` (shading by log(1 + f − min f), for functions
  whose values span decades) and ``"stride": n`` (every n-th grid point along x and y: a 3D
  surface redraws in a fraction of the time, from the grid the contour shares).

Animated kinds take their coordinates from a series' channels (``map``: plotly axis ->
channel name), at the current fan member and frame; ``offset`` adds a constant per axis (a 3D
path lifted above its surface, a loss shifted by the minimum value):

- ``{"kind": "path", "series": i, "map": {"x": "x", "y": "y"}, "trace": {...}}``: frames
  ``0..k``, the trail so far.
- ``{"kind": "head", ...}``: frame ``k`` only, the current iterate; with ``"frame": j`` always
  frame ``j`` (``0``: the run's start point).
- ``{"kind": "arrow", ..., "direction": {"x": "dx", "y": "dy"}, "normalize": L}``: a segment
  from the current iterate along the direction channels, ``L`` data units long (or
  ``"scale": s`` times the direction instead of normalising). A number in ``direction`` is a
  constant component; ``"span": [a, b]`` draws from ``a`` to ``b`` times the direction
  (default ``[0, 1]``; ``[-1, 1]`` with ``{"x": 1, "y": "slope"}`` is a tangent line). A
  zero-length arrow draws nothing.
- ``{"kind": "text", ..., "text": TEMPLATE, "phrases": {...}, "position": PHRASES}``: a plotly
  text trace at the current iterate whose text is the filled template; ``position`` optionally
  picks its ``textposition`` per frame (``{"channel": ..., "options": ["bottom left", ...]}``).

A number in ``map`` is a constant coordinate (e.g. ``"y": -3.5`` puts an arrow on a horizontal
line). A frame where a coordinate is NaN draws nothing for ``head``, ``arrow`` and ``text``.

A trace whose ``series`` index has no series renders empty. In a 2D panel the static traces are
drawn once on a base plot and the animated ones on a transparent plot above it (zoom mirrored),
so a new run, a new frame or a new fan member never recomputes a contour. With ``"live": "svg"``
the chart draws the animated traces itself, as SVG paths in the base plot's axes, and the base
takes the viewer's input: an update then costs about a millisecond instead of plotly's tens.
It draws lines (solid, ``dot``, ``dash``), markers (circle, square, diamond, triangle-up,
pentagon, star, cross, x and arrow; per-point sizes, an outline, ``angleref: "previous"``) and
opacity; no hover and no text, so panels that need those keep the plotly live plot.

Events (Streamlit trigger values, read in the ``on_click`` / ``on_fan`` callbacks, which run
before the script): ``click -> {"panel": id, "x": float, "y": float}`` and
``fan -> {"index": int, "value": float}``.

Each series and each shared array is sent once: ``chart`` replaces one the browser was given
with the chart's previous payload by ``{"same_as": digest}`` (``pack_units``), and the browser
keeps recent units by digest. A browser that lacks one (a payload it never drew) reports
``missing``, and the next run sends everything again.

plotly.js is served from the installed ``plotly`` package (``package_data/plotly.min.js``)
through Streamlit's file route for custom components: never inlined into the page, never fetched
from a CDN. That route sends no caching validators, so the browser keeps its own copy in Cache
Storage (per plotly version) and later visits load it from there. The chart's own code (the ES
modules of ``chart_component``, entry ``chart.js``) takes the same route under a path versioned
by their digest and is imported once per tab, so a rerun sends only a small loader, not the code.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import math
import re
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import plotly
import streamlit as st
import streamlit.components.v1 as components_v1
from streamlit import config

from gd_core.formatting import format_number  # the chart's numbers, one formatter for all
from gd_core.rows import row_max

_HERE = Path(__file__).parent / "chart_component"
_COMPONENT_NAME = "descent_lab.chart"
_PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"
_PLOTLY_ROUTE = "plotly_js"
#: Trace kinds drawn from a series' channels at the current frame and fan member.
ANIMATED_KINDS = ("path", "head", "arrow", "text", "curve", "subset")

# float16 keeps ~3 significant digits (a tenth of a pixel on any chart here) and stays finite up
# to 65504; values beyond are pulled in along their path so an escape still shows its direction.
HALF_MAX = 6.0e4
# zlib's fastest level: on five runs' paths 2-5 ms less per payload than level 6, for 2-5 %
# more bytes; higher levels gain almost nothing.
_DEFLATE_LEVEL = 1

_VENDOR_DIR = _HERE / "vendor"
_VENDOR_ROUTE = "chart_vendor"
_KATEX_DIR = _VENDOR_DIR / "katex"
# Streamlit sends a v2 component's js= text with every rerun. The chart's code (ES modules) is
# served as files instead and imported once per browser tab; js= is only this loader.
_LOADER = """
// Absolute: the loader itself runs from a blob: URL, which cannot resolve a relative one.
const chart = import(new URL(%(url)s, document.baseURI).href);
export default function (component) {
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


def _served_url(route: str, folder: Path, name: str, version: str | None = None) -> str:
    """The URL of ``folder/name`` on Streamlit's file route for components (``?v=version``)."""
    # Declaring a v1 component on a directory registers it with Streamlit's /component/ file
    # route (it is never mounted); files are served where they lie, site-packages included, so
    # a fresh `pip install -r requirements.txt` is all it needs.
    declared = components_v1.declare_component(route, path=str(folder))
    base = config.get_option("server.baseUrlPath").strip("/")
    prefix = f"/{base}" if base else ""
    query = f"?v={version}" if version else ""
    return f"{prefix}/component/{declared.name}/{name}{query}"


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
                  if _KATEX_DIR not in path.parents and not path.name.endswith(".test.js"))


@functools.cache
def chart_js_url() -> str:
    """Where the browser imports the chart's code: the entry module, chart_component/chart.js.

    Its modules import each other by relative URLs, which a ``?v=`` query would not reach, so
    the version is in the path: the folder is served under a route named after a digest of
    every module, and any change to one gives all of them new URLs.
    """
    version = _content_version(chart_modules(), _HERE)
    return _served_url(f"chart_js_{version}", _HERE, "chart.js")


_component = st.components.v2.component(
    _COMPONENT_NAME,
    js=_LOADER % {"url": json.dumps(chart_js_url())},
    css=(_HERE / "chart.css").read_text(encoding="utf-8"),
    # plotly.js injects global CSS (hover labels, modebar, drag cursors): it must not be
    # hidden from the plot inside a shadow root.
    isolate_styles=False,
)


def encode_array(values, dtype: str = "f4", *, compress: bool = False) -> dict[str, Any]:
    """A NumPy array as ``{"dtype", "shape", "bdata"}``: little-endian bytes in base64.

    ``dtype`` is ``"f2"``, ``"f4"`` or ``"f8"`` for floats (NaN and inf survive, unlike in JSON
    text; values beyond the type's range become inf) or an integer code (``"i1"``, ``"u1"``, ...
    ``"u4"``). ``compress`` deflates the bytes first (``"codec": "deflate"``): paths that settle
    or stop repeat themselves and shrink 2-7 times.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        array = np.ascontiguousarray(values, dtype=np.dtype(dtype).newbyteorder("<"))
    data = array.tobytes()
    spec = {"dtype": dtype, "shape": list(array.shape)}
    if compress:
        data = zlib.compress(data, _DEFLATE_LEVEL)
        spec["codec"] = "deflate"
    spec["bdata"] = base64.b64encode(data).decode("ascii")
    return spec


def fit_half_range(points) -> np.ndarray:
    """Points ``(..., frames, dim)`` with any point beyond float16's range pulled back in.

    A run can shoot off to 1e30 at the step where it is declared diverged. That point is moved
    back along the segment from the previous point to just inside the range, so once encoded as
    ``"f2"`` the path still leaves the chart in the direction it really went.
    """
    points = np.array(points, dtype=float)
    with np.errstate(all="ignore"):
        reach = row_max(np.abs(points))
        # Only the few points that escaped are worked on (at most one per run: NaN follows).
        far_at = np.nonzero(np.isfinite(reach) & (reach > HALF_MAX))
        if not far_at[0].size:
            return points
        before = (*far_at[:-1], np.maximum(far_at[-1] - 1, 0))  # frame 0 has no previous
        far = points[far_at]
        previous = np.clip(np.nan_to_num(points[before]), -HALF_MAX, HALF_MAX)
        room = (HALF_MAX - np.abs(previous)) / np.abs(far - previous)
        fraction = np.clip(np.nanmin(np.where(np.abs(far) > HALF_MAX, room, np.inf),
                                     axis=-1, keepdims=True), 0.0, 1.0)
        points[far_at] = previous + (far - previous) * fraction
        return points


def derive(channels: dict[str, np.ndarray], derived: dict[str, dict]) -> dict[str, np.ndarray]:
    """``channels`` plus the ``derived`` ones, as chart.js computes them (float32 results)."""
    out = dict(channels)
    with np.errstate(invalid="ignore"):
        for name, spec in derived.items():
            source = spec["of"]
            if spec["op"] == "shift":
                values = np.asarray(out[source], dtype=np.float32)
                pad = np.full((*values.shape[:-1], 1), np.nan, dtype=np.float32)
                result = np.concatenate([values[..., 1:], pad], axis=-1)
            elif spec["op"] == "sub":
                result = (np.asarray(out[source[0]], dtype=np.float32)
                          - np.asarray(out[source[1]], dtype=np.float32))
            elif spec["op"] == "add":
                result = np.asarray(out[source], dtype=np.float32) + np.float32(spec["value"])
            elif spec["op"] == "clip":
                result = np.clip(np.asarray(out[source], dtype=np.float32), *spec["range"])
            elif spec["op"] == "where":
                result = np.where(np.asarray(out[spec["if"]]) == spec["equals"],
                                  np.asarray(out[source], dtype=np.float32), np.nan)
            else:
                raise ValueError(f"unknown derived channel op {spec['op']!r}")
            out[name] = result.astype(np.float32)
    return out


def fill_template(
    template: str, spec: dict, channels: dict[str, np.ndarray], member: int, frame: int,
    fan_label: str = "", depth: int = 0,
) -> str:
    """A text TEMPLATE at one fan member and frame, as chart.js fills it (``channels`` as
    ``derive`` returns them, each ``(members, frames)``)."""

    def value(name: str):
        array = np.asarray(channels[name])
        return array[min(member, array.shape[0] - 1), frame] if array.ndim == 2 else array[frame]

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name == "step":
            return str(frame)
        if name == "fan":
            return fan_label
        choice = spec.get("phrases", {}).get(name)
        if choice:
            code = float(value(choice["channel"]))
            whole = math.isfinite(code) and code == int(code) and 0 <= code < len(
                choice["options"])
            text = choice["options"][int(code)] if whole else ""
            if depth >= 3:
                return text
            return fill_template(text, spec, channels, member, frame, fan_label, depth + 1)
        if name not in channels:
            return match.group(0)
        return format_number(float(value(name)), spec.get("digits", 3))

    return re.sub(r"\{(\w+)\}", replace, template)


@functools.cache
def katex_urls() -> dict[str, str]:
    """Where the browser loads KaTeX (its script and style sheet; the fonts lie beside them)."""
    # From vendor/ as katex/...: each URL names its library.
    return {kind: _served_url(_VENDOR_ROUTE, _VENDOR_DIR, f"katex/{name}",
                              _content_version([_KATEX_DIR / name], _KATEX_DIR))
            for kind, name in (("script", "katex.min.js"), ("style", "katex.min.css"))}


@functools.cache
def plotly_js_url() -> str:
    """Where the browser loads plotly.js: the installed package's file, via Streamlit."""
    # Cached: declaring the file route once per process is enough, not once per rerun.
    return _served_url(_PLOTLY_ROUTE, _PLOTLY_DIR, "plotly.min.js", plotly.__version__)


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


def notes(title: str, items: Sequence[str], caption: str = "") -> dict[str, Any]:
    """The payload's ``notes``: ``title`` over a bulleted list of ``items``, then ``caption``."""
    return {"title": title, "items": list(items), "caption": caption}


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


def chart(
    payload: dict[str, Any],
    *,
    key: str,
    on_click: Callable[[float, float, str], None] | None = None,
    on_fan: Callable[[int], None] | None = None,
    on_cell: Callable[[int, int, str], None] | None = None,
) -> None:
    """Render ``payload`` (see the module docstring) as the chart component under ``key``.

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
                    isinstance(cell.get(name), int) for name in ("row", "col")):
                on_cell(cell["row"], cell["col"], panel)

        callbacks["on_click_change"] = clicked
    if on_fan is not None:

        def fanned() -> None:
            event = st.session_state[key].get("fan")
            if isinstance(event, dict) and isinstance(event.get("index"), int):
                on_fan(event["index"])

        callbacks["on_fan_change"] = fanned
    sent_key = f"{_SENT_PREFIX}{key}"

    def resend() -> None:
        st.session_state.pop(sent_key, None)

    callbacks["on_missing_change"] = resend
    served = {"plotly_url": plotly_js_url()}
    if "formula" in payload:
        served["katex"] = katex_urls()
    data, sent = pack_units(
        _with_static_keys({**payload, **served}),
        st.session_state.get(sent_key, frozenset()),
    )
    st.session_state[sent_key] = sent
    _component(key=key, data=data, **callbacks)


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and np.isfinite(value)
