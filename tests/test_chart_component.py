"""The chart component's Python side: array encoding, escape handling, static digests, serving."""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import decode, run_page

from tests.chart_reference import derive, fill_template
from ui import chart


@pytest.mark.parametrize("dtype", ["f2", "f4", "f8", "i1", "u1", "i2", "u2", "i4", "u4"])
@pytest.mark.parametrize("compress", [False, True])
def test_encode_array_round_trips_every_dtype(dtype, compress):
    values = np.arange(24, dtype=float).reshape(2, 3, 4)
    spec = chart.encode_array(values, dtype, compress=compress)
    assert spec["shape"] == [2, 3, 4]
    assert spec["dtype"] == dtype
    assert ("codec" in spec) == compress
    np.testing.assert_array_equal(decode(spec), values)


@pytest.mark.parametrize("dtype", ["f2", "f4"])
def test_compressed_floats_go_delta_filtered_and_decode_bit_for_bit(dtype):
    rng = np.random.default_rng(0)
    walk = np.cumsum(rng.normal(size=(3, 201)), axis=-1)
    walk[1, 50:] = np.nan
    walk[2, 7] = np.inf
    spec = chart.encode_array(walk, dtype, compress=True)
    assert spec["codec"] == "delta+deflate"
    sent = np.asarray(walk, dtype=np.dtype(dtype))
    assert decode(spec).tobytes() == sent.tobytes()
    plain = len(chart.zlib.compress(sent.tobytes(), 1))
    assert len(chart.base64.b64decode(spec["bdata"])) < plain, "the filter must pay its way"


def test_significant_bits_round_float32_and_leave_nan_and_inf_alone():
    values = np.array([1.0, 1.0 / 3, -123.456, 6.02e23, 1e-30, np.nan, np.inf, -np.inf])
    out = decode(chart.encode_array(values, "f4", compress=True, significant_bits=12))
    finite = np.isfinite(values)
    assert np.all(np.abs(out[finite] - values[finite]) <= 2.0**-12 * np.abs(values[finite]))
    assert np.isnan(out[5]) and out[6] == np.inf and out[7] == -np.inf
    assert out[0] == 1.0
    with pytest.raises(ValueError, match="1-24 bits"):
        chart.encode_array(values, "f2", significant_bits=12)


def test_encoded_nan_and_inf_survive_and_the_json_stays_strict():
    values = np.array([1.5, np.nan, np.inf, -np.inf, 1e300])
    spec = chart.encode_array(values, "f4")
    json.dumps(spec, allow_nan=False)
    out = decode(spec)
    assert out[0] == 1.5 and np.isnan(out[1])
    assert out[2] == np.inf and out[3] == -np.inf
    assert out[4] == np.inf, "beyond float32's range becomes inf, without a warning"


def test_float16_keeps_three_significant_digits():
    values = np.linspace(-5, 5, 1001)
    out = decode(chart.encode_array(values, "f2"))
    assert np.max(np.abs(out - values) / np.maximum(np.abs(values), 1e-3)) < 1e-3


def test_compression_shrinks_a_path_that_settles():
    path = np.concatenate([np.linspace(-4, 3, 50), np.full(450, 3.0)])
    plain = chart.encode_array(path, "f4")
    packed = chart.encode_array(path, "f4", compress=True)
    assert len(packed["bdata"]) < len(plain["bdata"]) / 5


def test_fit_half_range_leaves_ordinary_paths_alone():
    points = np.array([[[0.0, 0.0], [1.0, 2.0], [np.nan, np.nan]]])
    np.testing.assert_array_equal(chart.fit_half_range(points), points)


def test_fit_half_range_pulls_an_escape_back_along_its_direction():
    points = np.array([[[1.0, 2.0], [3.0, 4.0], [3e30, -6e30], [np.nan, np.nan]]])
    fitted = chart.fit_half_range(points)
    pulled = fitted[0, 2]
    assert np.max(np.abs(pulled)) <= chart.HALF_MAX
    assert np.max(np.abs(pulled)) > 0.9 * chart.HALF_MAX, "still far off the chart"
    step, kept = points[0, 2] - points[0, 1], pulled - points[0, 1]
    cosine = step @ kept / np.linalg.norm(step) / np.linalg.norm(kept)
    assert cosine == pytest.approx(1.0, abs=1e-9), "same direction as the real step"
    np.testing.assert_array_equal(fitted[0, :2], points[0, :2])
    assert np.all(np.isnan(fitted[0, 3]))
    assert np.all(np.isfinite(decode(chart.encode_array(fitted, "f2"))[0, :3]))


def _panel(layout_title="map", path_color="red"):
    return {
        "id": "contour",
        "layout": {"title": {"text": layout_title}},
        "traces": [
            {"kind": "contour", "trace": {"type": "contour", "z": [[1, 2], [3, 4]]}},
            {"kind": "path", "series": 0, "map": {"x": "x", "y": "y"},
             "trace": {"line": {"color": path_color}}},
        ],
    }


def test_static_key_ignores_animated_traces_and_follows_static_ones():
    def key(**kwargs):
        return chart._with_static_keys({"panels": [_panel(**kwargs)]})["panels"][0]["static_key"]

    assert key() == key(path_color="blue")
    assert key() != key(layout_title="another map")


def test_static_keys_leave_the_rest_of_the_payload_untouched():
    payload = {"panels": [_panel()], "series": [], "fan": {"labels": ["1"], "index": 0}}
    keyed = chart._with_static_keys(payload)
    assert keyed["series"] == [] and keyed["fan"] == payload["fan"]
    assert "static_key" not in payload["panels"][0], "the input is not mutated"


def _units_payload(*series_names: str) -> dict:
    return {
        "arrays": {"grid_z": chart.encode_array(np.arange(6.0).reshape(2, 3), "f2")},
        "series": [{"name": name, "channels": {"x": chart.encode_array([1.0, 2.0])}}
                   for name in series_names],
        "fan": {"labels": ["1"], "index": 0},
    }


def test_units_are_sent_whole_the_first_time_with_their_digests():
    packed, sent = chart.pack_units(_units_payload("start 1", "start 2"))
    units = [*packed["series"], *packed["arrays"].values()]
    assert all("same_as" not in unit and unit["digest"] in sent for unit in units)
    assert len(sent) == 3
    assert packed["fan"] == {"labels": ["1"], "index": 0}


def test_units_sent_with_the_previous_payload_go_as_references():
    _, sent = chart.pack_units(_units_payload("start 1", "start 2"))
    packed, now = chart.pack_units(_units_payload("start 1", "start 2", "start 3"), sent)
    first, second, third = packed["series"]
    assert first == {"same_as": chart._digest(_units_payload("start 1")["series"][0])}
    assert "same_as" in second and third["name"] == "start 3" and "channels" in third
    assert "same_as" in packed["arrays"]["grid_z"]
    assert sent < now
    # Only what the last payload held counts: a unit dropped in between is sent whole again.
    packed, _ = chart.pack_units(_units_payload("start 2"), chart.pack_units(
        _units_payload("start 1"))[1])
    assert "channels" in packed["series"][0]


def test_a_browser_that_lacks_a_unit_gets_everything_on_the_next_run():
    app = run_page("pages/2_Descent_on_a_surface.py")
    app.button_group(key="surface.optimizer").set_value("adam").run()
    repeated = chart.unpacked(json.loads(app.get("bidi_component")[0].proto.json))
    assert "same_as" in repeated["arrays"]["grid_z"], "the unchanged grid is not resent"
    # What the "missing" callback does (triggers cannot be sent from AppTest).
    del app.session_state["_chart_sent.descent_chart"]
    whole = chart.unpacked(json.loads(app.run().get("bidi_component")[0].proto.json))
    assert all("same_as" not in unit for unit in [*whole["series"], *whole["arrays"].values()])


def test_plotly_js_is_served_from_its_vendored_partial_bundle():
    url = chart.plotly_js_url()
    path, version = url.split("?v=")
    assert path.startswith("/component/") and path.endswith("/plotly/plotly.min.js") and version
    bundle = (chart._PLOTLY_DIR / "plotly.min.js").read_text()
    assert bundle.startswith("/* plotly.js v") and "var Plotly=" in bundle


#: A trace's type in a payload builder (Python) or a chart module (JavaScript).
_TRACE_TYPE = re.compile(r"""["']?type["']?\s*:\s*["'](\w+)["']""")
#: Types of axes, written the same way.
_AXIS_TYPES = {"log", "linear", "date", "category"}


def test_every_trace_type_the_chart_draws_is_in_the_plotly_bundle():
    entry = (chart._PLOTLY_DIR / "bundle" / "entry.js").read_text()
    bundled = {"scatter", *re.findall(r'require\("plotly\.js/lib/(\w+)"\)', entry)} - {"core"}
    sources = [*Path(chart.__file__).parent.glob("*.py"), *chart.chart_modules()]
    used = {kind for path in sources for kind in _TRACE_TYPE.findall(path.read_text())}
    assert {"scatter", "contour", "surface"} <= used
    assert used - _AXIS_TYPES <= bundled, "a trace type plotly.js was built without"
    bundle = (chart._PLOTLY_DIR / "plotly.min.js").read_text()
    for kind in bundled:
        assert f'name:"{kind}"' in bundle, f"the bundle registers {kind}"


def test_the_chart_code_is_served_and_only_a_small_loader_is_sent_with_each_rerun():
    url = chart.chart_js_url()
    assert url.endswith("/chart.js") and (chart._HERE / "chart.js").is_file()
    app = run_page("pages/2_Descent_on_a_surface.py")
    (component,) = app.get("bidi_component")
    assert url in component.proto.js_content
    # The loader, and the module names it asks for at once (a modulepreload each).
    assert len(component.proto.js_content) < 2000
    for path in chart.chart_modules():
        assert f'"{path.relative_to(chart._HERE).as_posix()}"' in component.proto.js_content
    assert not component.proto.css_content, "chart.js links its stylesheet once per page"


def test_the_chart_modules_are_versioned_in_the_path_by_every_module(tmp_path):
    # Modules import each other by relative URLs, which keep the path but drop a query.
    url = chart.chart_js_url()
    assert "?" not in url
    names = {path.name for path in chart.chart_modules()}
    assert {"chart.js", "decode.js", "browser.js"} <= names, "ours and the vendored fflate"
    assert not any(name.endswith(".test.js") for name in names)
    version = chart._content_version([*chart.chart_modules(), chart._HERE / "chart.css"],
                                     chart._HERE)
    assert url.rsplit("/", 1)[0].endswith(f"chart_js_{version}"), "the stylesheet counts too"
    modules = [tmp_path / "chart.js", tmp_path / "decode.js"]
    for path in modules:
        path.write_text("export {};")
    before = chart._content_version(modules, tmp_path)
    modules[1].write_text("export const changed = 1;")
    assert chart._content_version(modules, tmp_path) != before


def test_component_sources_are_files_next_to_the_module():
    folder = Path(chart.__file__).parent / "chart_component"
    source = (folder / "chart.js").read_text()
    assert "export default function" in source
    for path in chart.chart_modules():
        assert "cdn" not in path.read_text().lower(), "nothing is ever fetched from a CDN"
    assert ".dl-chart" in (folder / "chart.css").read_text()


def test_katex_is_served_from_its_vendored_folder():
    for url in chart.katex_urls().values():
        path, version = url.split("?v=")
        assert path.rsplit("/", 2)[1] == "katex" and version
        assert (chart._KATEX_DIR / path.rsplit("/", 1)[1]).is_file()


# --- what the browser computes: derived channels and text templates ----------------------------


def test_derived_channels_shift_subtract_add_clip_and_mask_per_fan_member():
    x = np.array([[0.0, 1.0, 3.0], [5.0, np.nan, np.nan]])
    out = np.array([[0, 2, 0], [0, 0, 1]], dtype=np.uint8)
    result = derive({"x": x, "out": out}, {
        "next": {"op": "shift", "of": "x"},
        "move": {"op": "sub", "of": ["next", "x"]},
        "shown": {"op": "clip", "of": "x", "range": [0.5, 2.0]},
        "inside": {"op": "where", "of": "x", "if": "out", "equals": 0},
        "raised": {"op": "add", "of": "x", "value": -2.5},
    })
    np.testing.assert_array_equal(result["next"], [[1, 3, np.nan], [np.nan, np.nan, np.nan]])
    np.testing.assert_array_equal(result["move"][0], [1, 2, np.nan])
    np.testing.assert_array_equal(result["shown"], [[0.5, 1, 2], [2, np.nan, np.nan]])
    np.testing.assert_array_equal(result["inside"], [[0, np.nan, 3], [5, np.nan, np.nan]])
    np.testing.assert_array_equal(result["raised"], [[-2.5, -1.5, 0.5], [2.5, np.nan, np.nan]])
    assert all(result[name].dtype == np.float32 for name in ("next", "move", "shown", "raised"))
    with pytest.raises(ValueError, match="unknown"):
        derive({"x": x}, {"y": {"op": "cube", "of": "x"}})


@pytest.mark.parametrize(("value", "text"), [
    (-0.216, "−0.216"), (-22.8, "−22.8"), (0.9, "0.9"), (14.0, "14"), (12345.6, "12300"),
    (123456.0, "1.23e5"), (1.2e-7, "1.2e-7"), (-1e30, "−1e30"), (0.0, "0"), (-0.0, "0"),
    (1 / 6, "0.167"), (float("nan"), "—"), (float("inf"), "∞"), (float("-inf"), "−∞"),
])
def test_numbers_read_as_the_chart_writes_them(value, text):
    assert chart.format_number(value) == text


def test_templates_fill_channels_phrases_the_step_and_the_fan_label():
    channels = {"x": np.array([[-0.9, -0.216]]), "code": np.array([[1, 0]], dtype=np.uint8)}
    spec = {"phrases": {"side": {"channel": "code", "options": ["", "x = {x}, left"]}}}
    template = "Step {step} at η = {fan}: {side}{unknown}"
    assert fill_template(template, spec, channels, 0, 0, "0.03") == (
        "Step 0 at η = 0.03: x = −0.9, left{unknown}")
    assert fill_template(template, spec, channels, 0, 1, "0.03") == (
        "Step 1 at η = 0.03: {unknown}")


def test_the_payload_text_is_sent_deflated_and_unpacks_to_what_was_packed():
    app = run_page("pages/3_Optimizer_race.py")
    sent = json.loads(app.get("bidi_component")[0].proto.json)
    (members,) = sent
    assert set(members) <= {"packed", "series", "arrays", "plotly_url", "katex"}
    data = chart.unpacked(sent)
    assert {"panels", "table", "fan", "legend"} <= set(data)
    assert chart.unpacked(chart.packed(data)) == data
    text = len(json.dumps({name: data[name] for name in data
                           if name not in ("series", "arrays", "plotly_url", "katex")}))
    assert len(members["packed"]) < text / 3, "layouts and the table shrink several times"


def test_no_page_makes_streamlit_import_pandas():
    # In a process of its own: another test may have imported pandas into this one.
    script = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        "for page in sys.argv[1:]:\n"
        "    assert not AppTest.from_file(page, default_timeout=60).run().exception, page\n"
        "print(sorted({'pandas', 'pyarrow'} & set(sys.modules)))\n"
    )
    root = Path(chart.__file__).parent.parent
    pages = ["app.py", *sorted(str(path.relative_to(root)) for path in root.glob("pages/*.py"))]
    done = subprocess.run([sys.executable, "-c", script, *pages], cwd=root, capture_output=True,
                          text=True, timeout=300, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]", "0.4 s and 66 MB more per process"
