"""The chart payload's declarations (ui.chart_payload): checks, JSON and the generated reference."""

import dataclasses
import json

import numpy as np
import pytest
from helpers import ROOT

import gd_core
from ui import chart_payload, curve, payloads
from ui.chart import encode_array
from ui.chart_payload import (
    Arrow,
    Badge,
    Clip,
    Curve,
    Fan,
    ImageLayer,
    Legend,
    LegendItem,
    Panel,
    Path,
    Payload,
    PlotlyTrace,
    Readout,
    Series,
    Shade,
    Subset,
    Where,
    to_json,
)
from ui.runs import LEARNING_RATES, badges, format_learning_rate, run_fan

LABELS = (np.arange(12, dtype=np.uint8) % 3).reshape(3, 4)


def image(**changes) -> ImageLayer:
    fields = {"labels": encode_array(LABELS, "u1", compress=True), "x0": -1.0, "dx": 0.5,
              "y0": 0, "dy": 0.5, "palette": ["#D55E00", "#0072B2"]}
    return ImageLayer(**{**fields, **changes})


# --- construction checks -------------------------------------------------------------------------


def test_an_unknown_field_is_refused_where_the_payload_is_built():
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        Badge(text="reached the minimum", tone="good", colour="#009E73")
    with pytest.raises(TypeError, match="required keyword-only argument: 'tone'"):
        Badge(text="reached the minimum")


@pytest.mark.parametrize(("make", "message"), [
    (lambda: Badge(text="ok", tone="great"), 'Badge.tone must be "good" | "neutral" | "bad"'),
    (lambda: Panel(id="map", layout={}, height=420.5, traces=[]), "Panel.height must be integer"),
    (lambda: Panel(id="map", layout={}, height=420, traces=[{"kind": "path"}]),
     "Panel.traces must be"),
    (lambda: Readout(series=np.int64(0), text="{x}"), "Readout.series must be integer"),
    (lambda: Where(of="x", if_="out", equals="0"), "Where.equals must be number"),
    (lambda: Clip(of="x", range=[0.0]), r"Clip.range must be \[number, number\]"),
    (lambda: Series(name="run", color="red", glyph="●", channels={}), "Series.color must be"),
    (lambda: Series(name="run", color="#D55E00", glyph="●", channels={"x": [1.0, 2.0]}),
     "Series.channels must be {name: ARRAY}"),
    (lambda: Fan(label="η", labels=("0.1",), values=(0.1,), index=True), "Fan.index"),
    (lambda: image(labels=encode_array(LABELS, "u2")), "ImageLayer.labels must be ARRAY"),
    (lambda: image(palette=["#000000"] * 257), "ImageLayer.palette"),
    (lambda: image(opacity=1.5), "ImageLayer.opacity must be fraction"),
    (lambda: Shade(steps=encode_array(LABELS, "u2"), max=10, strength=-0.1), "Shade.strength"),
    (lambda: Curve(series=0, x=[0.0, 1.0], y=["^", "w", "x"], trace={}), "Curve.y must be EXPR"),
    (lambda: Curve(series=0, x=[0.0, 1.0], y=["tanh", "w", "x"], trace={}), "Curve.y"),
    (lambda: Curve(series=0, x=[0.0, 1.0], y=[["w"], "x"], trace={}), "Curve.y"),
    (lambda: Subset(series=0, x=encode_array([1.0]), y=encode_array([1.0]),
                    indices=encode_array([[0]], "u4"), trace={}), "Subset.indices"),
    (lambda: LegendItem(label="adam", color="#D55E00", swatch="line", dash="dotted"),
     "LegendItem.dash"),
])
def test_a_value_of_the_wrong_kind_is_refused(make, message):
    with pytest.raises(TypeError, match=message):
        make()


def test_a_declaration_is_frozen_and_changed_by_replacing_it():
    fan = Fan(label="η", labels=["0.1", "0.2"], values=[0.1, 0.2], index=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fan.index = 1
    assert dataclasses.replace(fan, index=1).index == 1
    with pytest.raises(TypeError, match=r"Fan\.index"):
        dataclasses.replace(fan, index="1")


def test_every_default_is_none_or_false_so_the_browser_reads_a_missing_field_alike():
    for cls in chart_payload.DECLARATIONS:
        for field in dataclasses.fields(cls):
            assert field.default in (dataclasses.MISSING, None, False), (cls, field.name)
            assert field.default_factory is dataclasses.MISSING


# --- JSON ----------------------------------------------------------------------------------------


def test_json_puts_the_kind_first_and_leaves_out_fields_at_their_default():
    path = Path(series=1, map={"x": "step", "y": "gap"}, offset={}, trace={"mode": "lines"})
    assert list(to_json(path).items()) == [
        ("kind", "path"), ("series", 1), ("map", {"x": "step", "y": "gap"}), ("offset", {}),
        ("trace", {"mode": "lines"})]
    panel = Panel(id="loss", layout={}, height=280, traces=[path])
    assert to_json(panel) == {"id": "loss", "layout": {}, "height": 280,
                              "traces": [to_json(path)]}
    assert to_json(dataclasses.replace(panel, wide=True, click=True))["wide"] is True


def test_json_turns_tuples_into_lists_and_keyword_names_into_their_own():
    where = Where(of="slope", if_="out", equals=0)
    assert to_json(where) == {"op": "where", "of": "slope", "if": "out", "equals": 0}
    arrow = Arrow(series=0, map={"x": "x", "y": "f"}, direction={"x": 1, "y": "slope"},
                  span=(-1, 1), trace={})
    assert to_json(arrow)["span"] == [-1, 1]
    line = Curve(series=0, x=(0.0, 1.0), y=("+", ("*", "w", "x"), "b"), trace={})
    assert to_json(line) == {"kind": "curve", "series": 0, "x": [0.0, 1.0],
                             "y": ["+", ["*", "w", "x"], "b"], "trace": {}}


def test_the_new_parts_give_the_agreed_json():
    steps = encode_array(np.full((3, 4), 7), "u2", compress=True)
    layer = image(shade=Shade(steps=steps, max=100, strength=0.6), opacity=0.9)
    assert to_json(layer) == {
        "kind": "image", "labels": layer.labels, "x0": -1.0, "dx": 0.5, "y0": 0, "dy": 0.5,
        "palette": ["#D55E00", "#0072B2"],
        "shade": {"steps": steps, "max": 100, "strength": 0.6}, "opacity": 0.9}
    legend = Legend(title="Optimizers", items=[
        LegendItem(label="Adam", color="#D55E00", swatch="line", dash="dash", symbol="circle"),
        LegendItem(label="basin 1", color="#0072B2", swatch="box")])
    assert to_json(legend) == {"title": "Optimizers", "items": [
        {"label": "Adam", "color": "#D55E00", "swatch": "line", "dash": "dash",
         "symbol": "circle"},
        {"label": "basin 1", "color": "#0072B2", "swatch": "box"}]}
    indices = encode_array([[0, 3, 65535], [1, 2, 4]], "u2")
    subset = Subset(series=0, x=encode_array([0.0, 1, 2, 3, 4]), y=encode_array([1.0] * 5),
                    indices=indices, trace={"mode": "markers"})
    assert list(to_json(subset)) == ["kind", "series", "x", "y", "indices", "trace"]
    payload = Payload(panels=[Panel(id="data", layout={}, height=300, live="svg",
                                    traces=[layer, subset])], legend=legend)
    assert to_json(payload)["legend"] == to_json(legend)
    assert [trace["kind"] for trace in to_json(payload)["panels"][0]["traces"]] == [
        "image", "subset"]


def test_only_declarations_turn_into_json():
    with pytest.raises(TypeError, match="not a part of the chart payload"):
        to_json(payloads.SurfaceGrid(np.zeros(1), np.zeros(1), np.zeros((1, 1))))


def test_the_animated_kinds_are_the_declared_animated_traces():
    assert chart_payload.ANIMATED_KINDS == ("path", "head", "arrow", "text", "curve", "subset")
    static = PlotlyTrace(kind="contour", trace={})
    assert static.kind not in chart_payload.ANIMATED_KINDS


# --- the payloads the pages send -----------------------------------------------------------------


def _json_text(payload) -> str:
    return json.dumps(payload if isinstance(payload, dict) else to_json(payload))


def _descent(name, starts, log, show_3d, optimizer):
    surface = gd_core.get_surface(name)
    runs = run_fan(surface, optimizer, {}, np.array(starts).reshape(-1, 2), LEARNING_RATES, 40)
    return payloads.descent_payload(
        surface, payloads.surface_grid(surface), runs,
        payloads.descent_series(surface, runs, badges(surface, runs)),
        lr_labels=[format_learning_rate(lr) for lr in LEARNING_RATES], lr_index=7,
        log_loss=log, show_3d=show_3d)


def _curve(name, optimizer, compact):
    surface = gd_core.get_surface(name)
    (lo, hi), = surface.domain
    start = lo + 0.3 * (hi - lo)
    runs = run_fan(surface, optimizer, {}, [[start]], LEARNING_RATES, 60)
    critical = curve.critical_rate(surface, curve.heading_minimum(surface, start), optimizer, {})
    return curve.curve_payload(
        surface, runs, curve.regimes(surface, runs), optimizer=optimizer,
        optimizer_title=gd_core.OPTIMIZERS[optimizer].title, lr_index=12, critical=critical,
        compact=compact)


def json_shape(value, key=None):
    """What a payload's JSON is made of: keys in order, kinds and ops, the kind of every other
    value (arrays as dtype and rank, plotly's own dictionaries as "plotly"); a list as its
    distinct shapes."""
    if key in ("layout", "trace"):
        return "plotly"
    if key in ("kind", "op"):
        return value
    if isinstance(value, dict):
        if "bdata" in value:
            return f"ARRAY {value['dtype']} {len(value['shape'])}D {value.get('codec', 'raw')}"
        return {name: json_shape(item, name) for name, item in value.items()}
    if isinstance(value, list):
        shapes = []
        for item in map(json_shape, value):
            if item not in shapes:
                shapes.append(item)
        return shapes
    return type(value).__name__


SHAPES = ROOT / "tests" / "payload_shapes"
#: The payloads whose JSON shape is kept, as ``SHAPES / f"{name}.json"``.
SHAPED = {
    "descent": lambda: _descent("himmelblau", ((-4.0, 4.0), (1.0, 1.0)), True, True, "gd"),
    "curve": lambda: _curve("quadratic_1d", "gd", False),
}


@pytest.mark.parametrize("name", list(SHAPED))
def test_the_json_of_the_pages_payloads_keeps_its_shape(name):
    # The files were checked against the dictionaries the builders made before declarations.
    kept = json.loads((SHAPES / f"{name}.json").read_text(encoding="utf-8"))
    assert json_shape(to_json(SHAPED[name]())) == kept, (
        "a change of shape: check it, then rewrite the file with PYTHONPATH=. python3 "
        "tests/test_chart_payload.py")


# --- the reference -------------------------------------------------------------------------------


def test_the_committed_reference_is_the_one_the_declarations_give():
    committed = (ROOT / "ui" / "chart_component" / "PAYLOAD.md").read_text(encoding="utf-8")
    assert committed == chart_payload.reference(), (
        "regenerate it: python3 -m ui.chart_payload > ui/chart_component/PAYLOAD.md")


def test_every_field_of_every_part_is_documented_where_it_is_declared():
    for cls in chart_payload.DECLARATIONS:
        docs = chart_payload.field_docs(cls)
        assert cls.__doc__, cls
        for field in dataclasses.fields(cls):
            assert docs.get(field.name, "").strip(), f"{cls.__name__}.{field.name}"


def test_the_reference_names_every_part_and_field_as_json_does():
    text = chart_payload.reference()
    assert "## ImageLayer" in text and '- `kind`: `"image"`' in text
    assert "- `if` (string)" in text and "if_" not in text.split("## Where")[1]
    assert "- `wide` (true | false, *optional*)" in text


if __name__ == "__main__":
    SHAPES.mkdir(exist_ok=True)
    for shaped, build in SHAPED.items():
        (SHAPES / f"{shaped}.json").write_text(
            json.dumps(json_shape(to_json(build())), indent=1, ensure_ascii=False) + "\n",
            encoding="utf-8")
