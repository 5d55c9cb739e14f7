"""The chart's array decoding, in Chromium: what ``ui.chart.encode_array`` writes, the chart's
modules (decode.js with the vendored fflate) read back exactly, every kind of deflate block
included."""

from __future__ import annotations

import base64
import zlib

import numpy as np
import pytest
from chart_page import open_chart

from ui.chart import _HERE as MODULES
from ui.chart import chart_js_url, chart_modules, encode_array

pytestmark = pytest.mark.e2e
ORIGIN = "http://chart.test"


@pytest.fixture
def chart_module(page):
    """The chart's modules served from their folder (no Streamlit needed) on a page of the same
    origin; decode.js and caches.js imported as ``window.chart``."""

    def serve(route):
        path = MODULES / route.request.url.removeprefix(f"{ORIGIN}/").split("?")[0]
        if path.suffix == ".js" and path.is_file():
            route.fulfill(body=path.read_bytes(), content_type="text/javascript")
        else:
            route.fulfill(body="<html><body></body></html>", content_type="text/html")

    page.route(f"{ORIGIN}/**", serve)
    page.goto(f"{ORIGIN}/index.html")
    page.evaluate("""async () => {
        window.chart = {...await import('/decode.js'), ...await import('/caches.js')};
    }""")
    return page


def _inflated(page, compressed: bytes, size: int) -> bytes:
    text = page.evaluate(
        """([data, size]) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const out = window.chart.inflate(bytes, size);
            let binary = '';
            for (const byte of out) binary += String.fromCharCode(byte);
            return btoa(binary);
        }""",
        [base64.b64encode(compressed).decode(), size],
    )
    return base64.b64decode(text)


RNG = np.random.default_rng(7)
SAMPLES = {
    "empty": b"",
    "one byte": b"a",
    "short text (fixed Huffman codes)": b"descent lab " * 3,
    "random bytes (stored blocks)": RNG.bytes(70_000),
    "long repeats": b"abc" * 20_000,
    "a float16 random walk": np.cumsum(RNG.normal(size=20_000)).astype("<f2").tobytes(),
    "a path that settles": np.repeat(np.arange(500, dtype="<f4"), 40).tobytes(),
}


@pytest.mark.parametrize("level", [0, 1, 6, 9])
@pytest.mark.parametrize("name", list(SAMPLES))
def test_inflate_matches_zlib(chart_module, name, level):
    raw = SAMPLES[name]
    assert _inflated(chart_module, zlib.compress(raw, level), len(raw)) == raw


def test_inflate_refuses_truncated_data(chart_module):
    compressed = zlib.compress(SAMPLES["a float16 random walk"])[:-200]
    with pytest.raises(Exception, match=r"ends early|invalid"):
        _inflated(chart_module, compressed, 40_000)


@pytest.mark.parametrize("dtype", ["f2", "f4", "i4", "u1"])
@pytest.mark.parametrize("compress", [False, True])
def test_payload_arrays_decode_to_what_python_encoded(chart_module, dtype, compress):
    values = np.array([[0.0, -1.5, 3.25, 100.0], [7.0, 2.0, 0.5, 1.0]])
    if dtype.startswith("f"):
        values[0, 0] = np.nan
    spec = encode_array(values, dtype, compress=compress)
    decoded = chart_module.evaluate(
        """(spec) => {
            const array = window.chart.decodeArray(spec);
            return {flat: Array.from(array.flat, (v) => (Number.isNaN(v) ? 'NaN' : v)),
                    shape: array.shape};
        }""",
        spec,
    )
    expected = np.asarray(values, dtype=np.dtype(dtype)).ravel()
    assert decoded["shape"] == [2, 4]
    got = np.array([np.nan if v == "NaN" else v for v in decoded["flat"]], dtype=float)
    np.testing.assert_array_equal(got, expected.astype(float))


def test_units_sent_before_are_resolved_and_unknown_ones_reported(chart_module):
    result = chart_module.evaluate(
        """() => {
            const grid = {dtype: 'f4', shape: [1], bdata: 'AACAPw==', digest: 'g1'};
            const first = window.chart.resolveUnits({
                arrays: {grid_z: grid}, series: [{name: 'start 1', digest: 's1'}]});
            const second = window.chart.resolveUnits({
                arrays: {grid_z: {same_as: 'g1'}},
                series: [{same_as: 's1'}, {name: 'start 2', digest: 's2'}]});
            const third = window.chart.resolveUnits({series: [{same_as: 'never sent'}]});
            return {first: first.missing, names: second.data.series.map((s) => s.name),
                    grid: second.data.arrays.grid_z === grid, missing: second.missing,
                    unknown: third.missing};
        }"""
    )
    assert result == {"first": [], "names": ["start 1", "start 2"], "grid": True,
                      "missing": [], "unknown": ["never sent"]}


def test_streamlit_serves_the_modules_as_javascript_under_one_versioned_path(page, streamlit_app):
    url = streamlit_app("pages/2_Descent_on_a_surface.py")
    open_chart(page, url)
    versioned = chart_js_url().removesuffix("chart.js")
    imported = page.evaluate("""() => performance.getEntriesByType('resource')
        .map((entry) => new URL(entry.name).pathname)""")
    for path in chart_modules():
        name = path.relative_to(MODULES).as_posix()
        assert versioned + name in imported, f"{name} imported under the chart's versioned path"
        response = page.request.get(url + versioned + name)
        assert response.ok
        assert "javascript" in response.headers["content-type"], "module scripts need a JS type"
