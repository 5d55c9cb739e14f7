"""The chart's array decoding, in Chromium: what ``ui.chart.encode_array`` writes, chart.js reads
back exactly, including its own synchronous inflate of every kind of deflate block."""

from __future__ import annotations

import base64
import zlib
from pathlib import Path

import numpy as np
import pytest

from ui.chart import encode_array

CHART_JS = (Path(__file__).resolve().parents[2] / "ui" / "chart_component" / "chart.js").read_text(
    encoding="utf-8")

pytestmark = pytest.mark.e2e


@pytest.fixture
def chart_module(page):
    """chart.js imported into a blank page as ``window.chart`` (no server needed)."""
    page.set_content("<html><body></body></html>")
    page.evaluate(
        """async (source) => {
            const url = URL.createObjectURL(new Blob([source], {type: 'text/javascript'}));
            window.chart = await import(url);
        }""",
        CHART_JS,
    )
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
