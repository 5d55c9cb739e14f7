"""The chart's payload, declared once: what ``ui.chart.chart`` sends the browser.

A payload is a tree of the frozen dataclasses below, made by the payload builders
(``ui.payloads``, ``ui.curve``). Making one checks it: an unknown field or a value of the wrong
kind raises ``TypeError`` there, in the builder, rather than a blank panel in the browser.
``to_json`` turns a declaration into the JSON the component receives: each field under its own
name (a trailing underscore, as in ``if_``, is dropped), a kind or op first, and a field left at
its default (None, or False for a switch) left out, which the browser reads the same way.

Sequences may be lists or tuples. Plotly layouts and traces are plotly's own dictionaries (the
chart fills in the coordinates of animated ones); anywhere in them an array may be an ``ARRAY``.

``python3 -m ui.chart_payload > ui/chart_component/PAYLOAD.md`` writes the reference of the
payload from these declarations (a test keeps that file in step).
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import inspect
import itertools
import operator
import re
import sys
import types
import typing
from collections.abc import Callable, Sequence
from typing import Annotated, Any, ClassVar, Literal

# --- values the fields hold ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Shape:
    """A kind of value with a name in the reference and a check beyond its Python type."""

    name: str
    doc: str
    check: Callable[[Any], bool] | None = None


_ARRAY_DOC = (
    "An array: ``ui.chart.encode_array``'s ``{\"dtype\", \"shape\", \"bdata\"}`` (little-endian "
    "bytes in base64, ``\"codec\": \"deflate\"`` when compressed; NaN and inf survive, unlike in "
    "JSON text), or ``{\"ref\": name}``, an array of the payload's shared ``arrays``.")


def _array(dtype: str | None = None, ndim: tuple[int, ...] | None = None) -> Shape:
    def check(value) -> bool:
        if not isinstance(value, dict):
            return False
        if "ref" in value:
            return isinstance(value["ref"], str)
        return "bdata" in value and (dtype is None or value.get("dtype") == dtype) and (
            ndim is None or len(value.get("shape", ())) in ndim)

    return Shape("ARRAY", _ARRAY_DOC, check)


def _is_color(value) -> bool:
    return isinstance(value, str) and re.fullmatch(r"#[0-9A-Fa-f]{6}", value) is not None


_BINARY = frozenset({"+", "-", "*", "/"})
_UNARY = frozenset({"neg", "tanh", "exp"})


def _is_expression(value) -> bool:
    if isinstance(value, str) or _is_number(value):
        return True
    if not isinstance(value, (list, tuple)) or not value:
        return False
    op, *args = value
    if not isinstance(op, str):
        return False
    arity = 2 if op in _BINARY else 1 if op in _UNARY else None
    return len(args) == arity and all(_is_expression(arg) for arg in args)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


Array = Annotated[dict, _array()]
Plotly = Annotated[dict, Shape(
    "plotly", "A plotly.js layout or trace, as plotly takes it (arrays in it may be ARRAYs).")]
Color = Annotated[str, Shape("#RRGGBB", "A colour as ``#RRGGBB``.", _is_color)]
Template = Annotated[str, Shape("TEMPLATE", (
    "Text that follows the animation: ``{step}`` is the current frame, ``{fan}`` the current "
    "fan label, ``{name}`` a phrase when ``phrases`` has that name (the option picked is "
    "itself filled in), else a channel's value at the current fan member and frame (``digits`` "
    "significant digits, default 3, with a real minus sign; \"∞\" and \"—\" for inf and NaN). "
    "An unknown ``{name}`` stays as it is."))]
Expression = Annotated[Any, Shape("EXPR", (
    "A small expression: a channel name of the series (its value at the current fan member and "
    "frame) or ``\"x\"`` (the variable), a number, or ``[op, arg, ...]`` with ``op`` one of "
    "``+ - * /`` (two arguments) or ``neg``, ``tanh``, ``exp`` (one). A fitted line is "
    "``[\"+\", [\"*\", \"w\", \"x\"], \"b\"]``; a one-unit network "
    "``[\"*\", \"v\", [\"tanh\", [\"*\", \"w\", \"x\"]]]``."), _is_expression)]
Fraction = Annotated[float, Shape("fraction", "A number from 0 to 1.",
                                  lambda value: 0 <= value <= 1)]
#: A channel name, or a number: a constant coordinate.
Coordinate = str | float

# --- declarations -------------------------------------------------------------------------------


class _Declared:
    """Checks each field of a declaration against its annotation when it is made."""

    __slots__ = ()

    def __post_init__(self) -> None:
        for name, check in _CHECKS[type(self)]:
            if not check(getattr(self, name)):
                _refuse(self, name)


#: Every declaration, in the order the reference lists them.
DECLARATIONS: list[type] = []


def _declaration(cls):
    made = dataclasses.dataclass(frozen=True, kw_only=True, slots=True)(cls)
    DECLARATIONS.append(made)
    return made


@_declaration
class Payload(_Declared):
    """The whole chart: panels drawn in order (a CSS grid, two per row when wide enough), the
    series they animate, and the controls and text around them."""

    arrays: dict[str, Array] | None = None
    """Arrays shared by traces, which name them as ``{"ref": name}`` (a grid the contour and
    the 3D surface both draw is sent once)."""
    panels: Sequence[Panel]
    """The plots, in order."""
    series: Sequence[Series] | None = None
    """The animated runs, e.g. one per start point; a trace names one by its index."""
    fan: Fan | None = None
    """The slider over the fan members every channel holds (e.g. learning rates)."""
    readouts: Sequence[Readout] | None = None
    """Lines of text under the panels, refilled on every frame and fan change."""
    badges_first: bool = False
    """The series' badges under the controls, above the panels (else under the panels)."""
    columns: Sequence[float] | None = None
    """Relative widths of the two panels of a row (e.g. ``[2, 1]``)."""
    formula: str | None = None
    """LaTeX shown above the controls (display style), typeset by the vendored KaTeX once the
    panels are painted and only when it changes."""
    notes: Notes | None = None
    """A titled list under the panels ("What to try")."""
    legend: Legend | None = None
    """A key to the series' colours and marks, under the controls above the panels."""
    table: Table | None = None
    """A sortable table under the badges (a race's results), switching with the fan slider."""


@_declaration
class Panel(_Declared):
    """One plot. In a 2D panel the static traces are drawn once on a base plot and the
    animated ones on a transparent plot above it (zoom mirrored), so a new run, frame or fan
    member never recomputes a contour."""

    id: str
    """Stable id: a panel with the same id as one on screen is updated in place."""
    layout: Plotly
    """The plotly layout; a ``scene`` in it makes a 3D panel."""
    height: int
    """Height in px."""
    wide: bool = False
    """Spans the whole row."""
    click: bool = False
    """Clicks on the panel are reported (2D axes ``x`` and ``y`` only), with exact data
    coordinates."""
    live: Literal["svg"] | None = None
    """The chart draws the animated traces itself, as SVG paths: 2D, in the base plot's axes
    (an update costs a fraction of a plotly redraw; autoscaled axes take the range of the
    payload's runs); 3D, over the scene, clipped to its box and projected through its camera
    (a path moving costs no redraw of the scene; what the surface hides is drawn faint).
    It draws lines (solid, dot, dash, dashdot), markers (circle, square,
    diamond, triangle-up, pentagon, star, cross, x and arrow; per-point sizes, an outline,
    ``angleref: "previous"``) and opacity; no hover and no text, so panels that need those
    keep the plotly live plot."""
    traces: Sequence[Trace]
    """Drawn in order."""
    colorbar: ColorBar | None = None
    """2D: a colour bar in the right margin (leave the layout's ``margin.r`` room for it)."""


@_declaration
class ColorBar(_Declared):
    """A colour bar beside a 2D panel's plot, drawn by the chart as a CSS gradient and a few
    labels: plotly's own (a trace's ``colorbar``) costs some 10 ms of every new plot. It spans
    the middle 85% of the plot's height, just right of the plot area."""

    title: str
    """Written along the bar, on its right."""
    colors: Sequence[tuple[Fraction, Color]]
    """The colour scale from the bottom (0) to the top (1), as plotly's ``colorscale``."""
    ticks: Sequence[tuple[Fraction, str]]
    """Labels: the height on the bar (0 the bottom, 1 the top) and the text."""


@_declaration
class PlotlyTrace(_Declared):
    """A static trace: drawn once per change of the panel, not per frame."""

    kind: Literal["contour", "surface", "line", "marker"]
    """What the trace shows (they are drawn alike)."""
    transform: dict[str, Literal["log1p_above_min"]] | None = None
    """Per axis of the trace (``z``), a transform of its values: ``log1p_above_min`` shades by
    log(1 + f − min f), for functions whose values span decades."""
    stride: int | None = None
    """Every n-th grid point along x and y: a 3D surface redraws in a fraction of the time,
    from the grid the contour shares."""
    trace: Plotly
    """The plotly trace."""


@_declaration
class Shade(_Declared):
    """Darker image cells where more steps were needed: by ``steps / max`` (clipped to 1)
    times ``strength``."""

    steps: Annotated[dict, _array("u2", (2,))]
    """uint16 ``(rows, cols)``, as the image's labels."""
    max: int
    """The number of steps that shades fully."""
    strength: Fraction
    """How dark full shading is."""


@_declaration
class ImageLayer(_Declared):
    """A static categorical image under a 2D panel's other traces (a map of which minimum each
    start reaches). A click on a panel whose image holds the point also reports the cell's
    ``row`` and ``col`` (the image listed last wins)."""

    kind: ClassVar[str] = "image"
    labels: Annotated[dict, _array("u1", (2,))]
    """uint8 ``(rows, cols)``: the label of each cell, row 0 at ``y0`` (the bottom), column 0
    at ``x0``."""
    x0: float
    """x of the centre of cell (0, 0)."""
    dx: float
    """Cell width."""
    y0: float
    """y of the centre of cell (0, 0)."""
    dy: float
    """Cell height."""
    palette: Annotated[Sequence[Color], Shape("[#RRGGBB, ...] (up to 256)", "",
                                              lambda value: len(value) <= 256)]
    """The colour of label k; a label without one (k ≥ its length) is transparent."""
    shade: Shade | None = None
    """Darker where more steps were needed."""
    opacity: Fraction | None = None
    """Opacity of the whole image (the browser's default: 1)."""


@_declaration
class _Animated(_Declared):
    """Coordinates from a series' channels at the current fan member and frame."""

    series: int
    """The index of the series in the payload's ``series`` (none there: the trace is empty)."""
    map: dict[str, Coordinate]
    """Plotly axis -> channel name (or a constant coordinate: ``"y": -3.5`` puts an arrow on a
    horizontal line). The channel ``step`` is built in: 0, 1, ..., frames − 1."""
    offset: dict[str, float] | None = None
    """A constant added per axis (a 3D path lifted above its surface, a loss shifted by the
    minimum value)."""
    clamp: dict[str, tuple[float, float]] | None = None
    """Per axis, ``[low, high]`` the coordinate (offset added) is held within: a runaway's
    point at 1e34 drawn far outside a 3D scene's box, where the scene can still project it,
    instead of breaking the whole scene. NaN stays NaN."""


@_declaration
class Path(_Animated):
    """The trail so far: frames 0 to the current one."""

    kind: ClassVar[str] = "path"
    frames: Literal["all"] | None = None
    """``all``: every frame, whatever the current one (where the run leads)."""
    trace: Plotly
    """The plotly trace (its style: the chart sets the coordinates)."""


@_declaration
class Head(_Animated):
    """The current iterate, one point; a frame where a coordinate is NaN draws nothing."""

    kind: ClassVar[str] = "head"
    frame: int | None = None
    """Always this frame instead (0: the run's start point)."""
    trace: Plotly
    """The plotly trace (its style: the chart sets the coordinates)."""


@_declaration
class Arrow(_Animated):
    """A segment from the current iterate along a direction (an angle channel, or a direction
    per axis); a zero-length arrow, or a NaN, draws nothing."""

    kind: ClassVar[str] = "arrow"
    angle: str | None = None
    """A channel of angles (radians, from the first axis of ``map`` towards the second)."""
    direction: dict[str, Coordinate] | None = None
    """Per axis, a channel or a constant component (when there is no ``angle``)."""
    span: tuple[float, float] | None = None
    """From ``a`` to ``b`` times the direction (the browser's default: ``[0, 1]``; ``[-1, 1]``
    with ``{"x": 1, "y": "slope"}`` is a tangent line)."""
    normalize: float | None = None
    """The arrow's length in data units (the direction normalised)."""
    scale: float | None = None
    """Times the direction instead (when there is no ``normalize``; default 1)."""
    trace: Plotly
    """The plotly trace (its style: the chart sets the coordinates)."""


@_declaration
class Text(_Animated):
    """A plotly text trace at the current iterate (a NaN coordinate draws nothing)."""

    kind: ClassVar[str] = "text"
    text: Template
    """The text, filled in at each frame."""
    phrases: dict[str, Phrase] | None = None
    """The template's phrases."""
    position: Phrase | None = None
    """Picks the plotly ``textposition`` per frame."""
    digits: int | None = None
    """Significant digits of channel values (default 3)."""
    trace: Plotly
    """The plotly trace (its style: the chart sets the coordinates and the text)."""


@_declaration
class Curve(_Declared):
    """A polyline through ``(x_j, y(x_j))`` where ``y`` takes the series' channels at the
    current fan member and frame (a fitted line that moves with the animation). A NaN
    parameter draws nothing."""

    kind: ClassVar[str] = "curve"
    series: int
    """The index of the series in the payload's ``series`` (none there: the trace is empty)."""
    x: Sequence[float] | Annotated[dict, _array(ndim=(1,))]
    """Where the curve is evaluated, in order."""
    y: Expression
    """The curve's height at ``x``."""
    trace: Plotly
    """The plotly trace (its style: the chart sets the coordinates)."""


@_declaration
class Subset(_Declared):
    """Markers at the samples used at the current frame (a minibatch)."""

    kind: ClassVar[str] = "subset"
    series: int
    """The index of the series in the payload's ``series`` (none there: the trace is empty)."""
    x: Annotated[dict, _array(ndim=(1,))]
    """``(n,)``: x of every sample."""
    y: Annotated[dict, _array(ndim=(1,))]
    """``(n,)``: y of every sample."""
    indices: Annotated[dict, _array("u2", (2, 3))]
    """uint16 ``(frames, k)`` or ``(fan members, frames, k)``: per frame the samples shown
    (65535: none, padding a shorter batch); a frame beyond the rows draws nothing."""
    trace: Plotly
    """The plotly trace (its style: the chart sets the coordinates)."""


Trace = PlotlyTrace | ImageLayer | Path | Head | Arrow | Text | Curve | Subset
#: Traces drawn from a series at the current frame and fan member (the others are static).
ANIMATED_TRACES = (Path, Head, Arrow, Text, Curve, Subset)
ANIMATED_KINDS = tuple(cls.kind for cls in ANIMATED_TRACES)


@_declaration
class Series(_Declared):
    """One animated run. Every channel is ``(fan members, frames)``, or ``(frames,)`` for a run
    without a fan."""

    name: str
    """Shown by its badge."""
    color: Color
    """Its badge's swatch."""
    glyph: str
    """Its mark in text (``●``)."""
    channels: dict[str, Array]
    """The values per fan member and frame, by name (``x``, ``f``, ...)."""
    derived: dict[str, Derived] | None = None
    """Channels the browser computes from earlier ones, in order, so the payload carries only
    what cannot be derived."""
    badges: Sequence[Badge] | None = None
    """One per fan member: how the run at that member ended."""


@_declaration
class Badge(_Declared):
    """A run's verdict in words, coloured by its tone."""

    text: str
    """What happened ("reached the global minimum in 12 steps")."""
    tone: Literal["good", "neutral", "bad"]
    """Its colour."""


@_declaration
class Shift(_Declared):
    """The value at the next frame (NaN at the last)."""

    op: ClassVar[str] = "shift"
    of: str
    """The channel."""


@_declaration
class Sub(_Declared):
    """``of[0] − of[1]``."""

    op: ClassVar[str] = "sub"
    of: tuple[str, str]
    """The two channels."""


@_declaration
class Add(_Declared):
    """The channel plus a number."""

    op: ClassVar[str] = "add"
    of: str
    """The channel."""
    value: float
    """The number."""


@_declaration
class Clip(_Declared):
    """The channel clipped into a range (NaN stays NaN)."""

    op: ClassVar[str] = "clip"
    of: str
    """The channel."""
    range: tuple[float, float]
    """Low and high."""


@_declaration
class Where(_Declared):
    """The channel where another equals a value, else NaN."""

    op: ClassVar[str] = "where"
    of: str
    """The channel."""
    if_: str
    """The channel compared."""
    equals: float
    """The value it must equal."""


Derived = Shift | Sub | Add | Clip | Where


@_declaration
class Fan(_Declared):
    """A slider over the fan members, above the panels: it switches every animated trace
    between members on each input event; letting go reports the member."""

    label: str
    """Its name."""
    labels: Sequence[str]
    """One per member."""
    values: Sequence[float]
    """One per member (reported with the index)."""
    index: int
    """The member shown."""
    help: str | None = None
    """Its tooltip."""
    marks: Sequence[FanMark] | None = None
    """Labelled ticks under the slider."""


@_declaration
class FanMark(_Declared):
    """A labelled tick under the fan slider (a critical learning rate between two members)."""

    position: float
    """A fractional member index: 0 is the first member."""
    label: str
    """Its text, after the ▲ the chart draws for every mark ("": the ▲ alone)."""
    help: str | None = None
    """Its tooltip."""


@_declaration
class Readout(_Declared):
    """A line of text under the panels (hidden while empty)."""

    series: int
    """The series whose channels fill it."""
    text: Template
    """The line."""
    phrases: dict[str, Phrase] | None = None
    """The template's phrases."""
    digits: int | None = None
    """Significant digits of channel values (default 3)."""


@_declaration
class Phrase(_Declared):
    """Text chosen per frame: the option indexed by an integer channel ("so we move right" /
    "so we move left"); no option for the code, or a NaN, gives ``""``."""

    channel: str
    """The channel of codes."""
    options: Sequence[str]
    """Indexed by the code (templates, where the phrase is used in one)."""


@_declaration
class Notes(_Declared):
    """A titled, folded list under the panels, then a caption."""

    title: str
    """The heading."""
    items: Sequence[str]
    """The bullet points."""
    caption: str | None = None
    """A line under them."""


@_declaration
class Table(_Declared):
    """A table under the badges, one version per fan member (it switches with the fan slider
    as the badges do; a single version stands for every member). A click on a column's header
    sorts the rows by it, a second click the other way, a third back to the given order."""

    columns: Sequence[TableColumn]
    """The columns, in order."""
    members: Sequence[TableMember]
    """One per fan member, or one for all."""
    caption: str | None = None
    """A line under the table (how it is ranked)."""


@_declaration
class TableColumn(_Declared):
    """One column of a table."""

    label: str
    """Its header."""
    numeric: bool = False
    """Right-aligned, and sorted by the numbers its cells print (``—``, none, last)."""


@_declaration
class TableMember(_Declared):
    """A table's rows at one fan member."""

    rows: Sequence[TableRow]
    """In the given order (a ranking)."""
    title: str | None = None
    """A heading over the table ("Results (η = 0.01 for all)")."""
    summary: str | None = None
    """A sentence in bold between the heading and the table ("Winner: …")."""


@_declaration
class TableRow(_Declared):
    """One row of a table."""

    cells: Sequence[str]
    """One text per column, as shown."""
    strong: bool = False
    """Shown in bold (a winner)."""


@_declaration
class Legend(_Declared):
    """The key to several named runs (colour, dash and marker) or to a palette (boxes)."""

    title: str | None = None
    """A heading."""
    items: Sequence[LegendItem]
    """The entries, in order."""


@_declaration
class LegendItem(_Declared):
    """One entry of the legend."""

    label: str
    """Its text."""
    color: Color
    """Its colour."""
    swatch: Literal["line", "box"]
    """A line sample (a run), or a filled square (a palette colour)."""
    dash: Literal["solid", "dot", "dash", "dashdot"] | None = None
    """The line's dash (a line swatch; default solid)."""
    symbol: Literal["circle", "square", "diamond", "triangle-up", "x", "star", "cross",
                    "pentagon"] | None = None
    """A marker drawn on the line sample."""


# --- checks --------------------------------------------------------------------------------------


def _checker(hint) -> Callable[[Any], bool]:
    """A function telling whether a value is of the annotated kind (cheap: a payload has
    hundreds of parts, made on every change)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return lambda value: True
    if origin is Annotated:
        inner, shape = _checker(args[0]), args[1]
        if shape.check is None:
            return inner
        return lambda value: inner(value) and shape.check(value)
    if origin in (typing.Union, types.UnionType):
        kinds = [arg for arg in args if arg is not type(None)]
        if len(kinds) < len(args):
            inner = _checker(functools.reduce(operator.or_, kinds))
            return lambda value: value is None or inner(value)
        if set(kinds) <= {str, float}:
            return lambda value: isinstance(value, (str, int, float)) and (
                not isinstance(value, bool))
        first, rest = _checker(kinds[0]), _checker(functools.reduce(operator.or_, kinds[1:]))
        return lambda value: first(value) or rest(value)
    if origin is Literal:
        allowed = frozenset(args)
        return lambda value: isinstance(value, str) and value in allowed
    if hint is bool:
        return lambda value: value is True or value is False
    if hint is int:
        return lambda value: type(value) is int
    if hint is float:
        return _is_number
    if hint is str:
        return lambda value: isinstance(value, str)
    if hint is dict:
        return lambda value: isinstance(value, dict)
    if origin is dict:
        item = _checker(args[1])
        return lambda value: isinstance(value, dict) and all(map(item, value.values()))
    if origin is Sequence:
        item = _checker(args[0])
        return lambda value: isinstance(value, (list, tuple)) and all(map(item, value))
    if origin is tuple:
        items = tuple(_checker(arg) for arg in args)
        return lambda value: isinstance(value, (list, tuple)) and len(value) == len(items) and (
            all(check(entry) for check, entry in zip(items, value, strict=True)))
    if dataclasses.is_dataclass(hint):
        return lambda value: isinstance(value, hint)
    raise TypeError(f"no check for {hint!r}")


def _field_checks(cls: type) -> tuple[tuple[str, Callable[[Any], bool]], ...]:
    hints = typing.get_type_hints(cls, include_extras=True)
    return tuple((field.name, _checker(hints[field.name])) for field in dataclasses.fields(cls))


#: Per declaration, each field's name and check.
_CHECKS = {cls: _field_checks(cls) for cls in DECLARATIONS}


def _refuse(declaration, name: str) -> None:
    hint = typing.get_type_hints(type(declaration), include_extras=True)[name]
    value = getattr(declaration, name)
    text = repr(value)
    raise TypeError(f"{type(declaration).__name__}.{name} must be {_type_text(hint)}, not "
                    f"{type(value).__name__} {text if len(text) < 60 else text[:57] + '...'}")


# --- JSON ----------------------------------------------------------------------------------------

def to_json(declaration) -> dict[str, Any]:
    """The JSON the component receives for ``declaration`` (a payload or a part of one)."""
    try:
        tags, fields = _PLANS[type(declaration)]
    except KeyError:
        kind = type(declaration).__name__
        raise TypeError(f"{kind} is not a part of the chart payload") from None
    out = dict(tags)
    for name, key, default, convert in fields:
        value = getattr(declaration, name)
        if value is default:
            continue
        out[key] = convert(value) if convert else value
    return out


def _plan(cls: type) -> tuple:
    """How ``to_json`` writes a ``cls``: its tag (kind or op) and per field its name, JSON
    key, default and converter (None: sent as it is)."""
    hints = typing.get_type_hints(cls, include_extras=True)
    tags = tuple((name, getattr(cls, name)) for name, hint in hints.items()
                 if typing.get_origin(hint) is ClassVar)
    fields = tuple(
        (field.name, field.name.removesuffix("_"),
         None if field.default is dataclasses.MISSING else field.default,
         _converter(hints[field.name]))
        for field in dataclasses.fields(cls))
    return tags, fields


def _converter(hint) -> Callable[[Any], Any] | None:
    """How a field's value becomes JSON: declarations by ``to_json``, sequences as lists."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return _json_value
    if origin is Annotated:
        return _converter(args[0])
    if origin in (typing.Union, types.UnionType):
        kinds = [arg for arg in args if arg is not type(None)]
        if all(dataclasses.is_dataclass(arg) for arg in kinds):
            return to_json
        converters = {_converter(arg) for arg in kinds}
        return converters.pop() if len(converters) == 1 else _json_value
    if dataclasses.is_dataclass(hint):
        return to_json
    if origin in (Sequence, tuple):
        item = _converter(args[0])
        return (lambda value: [item(entry) for entry in value]) if item else list
    if origin is dict:
        item = _converter(args[1])
        return (lambda value: {key: item(entry) for key, entry in value.items()}) if item else (
            None)
    return None


def _json_value(value):
    """Any value as JSON, whatever its kind (an expression's nested lists, say)."""
    if isinstance(value, (list, tuple)):
        return [_json_value(entry) for entry in value]
    return to_json(value) if type(value) in _PLANS else value


#: Per declaration, how ``to_json`` writes it.
_PLANS = {cls: _plan(cls) for cls in DECLARATIONS}


# --- the reference -------------------------------------------------------------------------------


def _type_text(hint, links: bool = False) -> str:
    """An annotation as the reference writes it (``links``: declarations link to their
    section)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Annotated:
        return args[1].name
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_text(arg, links) for arg in args if arg is not type(None))
    if origin is Literal:
        return " | ".join(f'"{arg}"' for arg in args)
    if origin is Sequence:
        return f"[{_type_text(args[0], links)}, ...]"
    if origin is tuple:
        return "[" + ", ".join(_type_text(arg, links) for arg in args) + "]"
    if origin is dict:
        return f"{{name: {_type_text(args[1], links)}}}"
    if dataclasses.is_dataclass(hint):
        return f"[{hint.__name__}](#{hint.__name__.lower()})" if links else hint.__name__
    return {str: "string", int: "integer", float: "number", bool: "true | false",
            dict: "object"}[hint]


def field_docs(cls: type) -> dict[str, str]:
    """The docstring under each field of ``cls`` (and of the declarations it extends)."""
    docs: dict[str, str] = {}
    for base in reversed(cls.__mro__):
        if base not in DECLARATIONS:
            continue
        body = ast.parse(inspect.getsource(base)).body[0].body
        for statement, following in itertools.pairwise(body):
            if (isinstance(statement, ast.AnnAssign) and isinstance(following, ast.Expr)
                    and isinstance(following.value, ast.Constant)):
                docs[statement.target.id] = inspect.cleandoc(following.value.value)
    return docs


def _one_line(text: str) -> str:
    return " ".join(text.split())


def reference() -> str:
    """The payload's reference in Markdown, from the declarations."""
    lines = [
        "# The chart payload",
        "",
        "<!-- Generated by `python3 -m ui.chart_payload > ui/chart_component/PAYLOAD.md` "
        "from ui/chart_payload.py: edit the declarations there. -->",
        "",
        *(f"{_one_line(paragraph)}\n" for paragraph in inspect.cleandoc(__doc__).split(
            "\n\n")[1:3]),
        "Each part below is a JSON object. *optional*: a field that may be left out (the "
        "browser then reads it as null, or false for a switch).",
        "",
    ]
    shapes: dict[str, str] = {}
    for cls in DECLARATIONS:
        if cls.__name__.startswith("_"):
            continue
        hints = typing.get_type_hints(cls, include_extras=True)
        docs = field_docs(cls)
        lines += [f"## {cls.__name__}", "", _one_line(inspect.cleandoc(cls.__doc__)), ""]
        lines += [f'- `{name}`: `"{value}"`' for name, value in (
            (name, getattr(cls, name)) for name, hint in hints.items()
            if typing.get_origin(hint) is ClassVar)]
        for field in dataclasses.fields(cls):
            hint = hints[field.name]
            shapes.update(_shapes(hint))
            optional = "" if field.default is dataclasses.MISSING else ", *optional*"
            if field.name not in docs:
                raise ValueError(f"{cls.__name__}.{field.name} has no docstring")
            lines.append(f"- `{field.name.removesuffix('_')}` "
                         f"({_type_text(hint, links=True)}{optional}): "
                         f"{_one_line(docs[field.name])}")
        lines.append("")
    lines += ["## Values", ""]
    lines += [f"- {name}: {_one_line(doc)}" for name, doc in shapes.items() if doc]
    lines.append("")
    return "\n".join(lines)


def _shapes(hint) -> dict[str, str]:
    """The named kinds of value in an annotation (ARRAY, TEMPLATE, ...) and their docs."""
    if typing.get_origin(hint) is Annotated:
        shape = typing.get_args(hint)[1]
        return {shape.name: shape.doc}
    found: dict[str, str] = {}
    for arg in typing.get_args(hint):
        found.update(_shapes(arg))
    return found


if __name__ == "__main__":
    sys.stdout.write(reference())
