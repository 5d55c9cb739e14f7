"""Helpers shared by the tests of pages and chart payloads."""

from __future__ import annotations

import base64
import json
import re
import zlib
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

import gd_core
from ui.chart import unpacked

ROOT = Path(__file__).resolve().parent.parent


def decode(spec: dict) -> np.ndarray:
    """What the browser does with an encoded array (chart_component/decode.js decodeArray)."""
    data = base64.b64decode(spec["bdata"])
    dtype = np.dtype(spec["dtype"]).newbyteorder("<")
    if spec.get("codec") in ("deflate", "delta+deflate"):
        data = zlib.decompress(data)
    if spec.get("codec") == "delta+deflate":
        planes = np.frombuffer(data, dtype=np.uint8).reshape(dtype.itemsize, -1)
        deltas = np.ascontiguousarray(planes.T).view(f"<u{dtype.itemsize}")
        bits = np.cumsum(deltas.reshape(spec["shape"]), axis=-1, dtype=deltas.dtype)
        return bits.view(dtype)
    return np.frombuffer(data, dtype=dtype).reshape(spec["shape"])


#: The name each page's state goes by (``ui.page_state.PageState``): its session keys start with it.
PAGE_STATES = {
    "pages/1_Why_minus_the_gradient.py": "curve",
    "pages/2_Descent_on_a_surface.py": "surface",
    "pages/3_Optimizer_race.py": "race",
    "pages/6_Your_own_function.py": "custom",
}


def key(script: str, name: str) -> str:
    """The session (and widget) key of control ``name`` on the page ``script``."""
    return f"{PAGE_STATES[script]}.{name}"


def shown(markdown: str) -> str:
    """The text a reader sees for a message body that escapes Markdown (``ui.messages.literal``):
    a backslash before punctuation is not shown, the punctuation is."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def switch_to_home(app: AppTest) -> AppTest:
    """``AppTest.switch_page`` for the home page, which is a function in app.py, not a file
    (AppTest keeps the pages st.navigation registered, and the one to run, privately)."""
    app._page_hash = next(page for page, info in app._registered_pages.items()
                          if info["page_name"] == "Home")
    return app


def run_page(script: str, query: dict | None = None, **state) -> AppTest:
    """Run a page script (relative to the repository) with URL parameters and session state."""
    app = AppTest.from_file(str(ROOT / script), default_timeout=60)
    for name, value in (query or {}).items():
        app.query_params[name] = value
    for name, value in state.items():
        app.session_state[name] = value
    return app.run()


def chart_payload(app: AppTest) -> dict:
    """The whole payload of the page's chart, as a browser that has seen none before gets it.

    ``ui.chart`` sends units the browser already has as ``{"same_as": digest}``; when the last
    run did, the page runs once more with that memory cleared (the view does not change).
    """
    payload = _raw_payload(app)
    if any("same_as" in unit for unit in _units(payload)):
        for key in [key for key in app.session_state if str(key).startswith("_chart_sent.")]:
            del app.session_state[key]
        payload = _raw_payload(app.run())
        assert not any("same_as" in unit for unit in _units(payload))
    return payload


def _raw_payload(app: AppTest) -> dict:
    (component,) = app.get("bidi_component")
    assert component.proto.component_name == "descent_lab.chart"
    return unpacked(json.loads(component.proto.json))


def _units(payload: dict) -> list[dict]:
    return [*payload.get("series", []), *payload.get("arrays", {}).values()]


def change_each_hyperparameter(app: AppTest, script: str, optimizer: str) -> None:
    """Move every hyperparameter control ``optimizer`` shows (ui.controls.optimizer_controls)."""
    defaults = gd_core.OPTIMIZERS[optimizer].defaults
    if "momentum" in defaults:
        app.slider(key=key(script, "momentum")).set_value(0.5).run()
    if "alpha" in defaults:
        app.slider(key=key(script, "alpha")).set_value(0.9).run()
    if "betas" in defaults:
        app.slider(key=key(script, "beta1")).set_value(0.5).run()
        app.select_slider(key=key(script, "beta2")).set_value(0.99).run()
    if "eps" in defaults:
        app.select_slider(key=key(script, "eps")).set_value(1e-4).run()
