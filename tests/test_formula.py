"""Typed formulas: what is accepted and computed correctly, and what is refused, quickly."""

from __future__ import annotations

import builtins
import re
import time
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gd_core.formula import FormulaError, parse_surface
from gd_core.surfaces import Surface, get_surface

# text, dimension, the same function in NumPy, points where it is defined
VALID = [
    ("x^4 - 3*x^2 + x", 1, lambda x: x**4 - 3 * x**2 + x, [[-1.5], [0.3], [2.0]]),
    ("x^2+1", 1, lambda x: x**2 + 1, [[2.0], [-0.5]]),
    ("-x^2", 1, lambda x: -(x**2), [[2.0], [-3.0]]),
    ("2^3^2 * x", 1, lambda x: 512 * x, [[1.0], [0.25]]),
    ("x ** 3 / 3", 1, lambda x: x**3 / 3, [[1.5], [-2.0]]),
    ("ln(x) + log(x) + exp(-x)", 1, lambda x: 2 * np.log(x) + np.exp(-x), [[0.5], [3.0]]),
    ("sqrt(x) * abs(x - 2)", 1, lambda x: np.sqrt(x) * np.abs(x - 2), [[0.5], [3.0]]),
    ("tanh(x) + sinh(x) - cosh(x)", 1, lambda x: np.tanh(x) - np.exp(-x), [[0.5], [-1.2]]),
    (
        "arctan(x) + atan(x) + asin(x/9) + arccos(x/9)",
        1,
        lambda x: 2 * np.arctan(x) + np.pi / 2,
        [[0.5], [-3.0]],
    ),
    (
        "tan(x/4) + cos(pi*x) + e^x",
        1,
        lambda x: np.tan(x / 4) + np.cos(np.pi * x) + np.exp(x),
        [[0.5], [-2.0]],
    ),
    ("  x\n + \t1 ", 1, lambda x: x + 1, [[0.0], [4.0]]),
    ("0.5*x + 1e-3", 1, lambda x: 0.5 * x + 1e-3, [[2.0], [-4.0]]),
    ("7", 1, lambda x: 7 + 0 * x, [[0.0], [3.0]]),
    (
        "sin(x)*cos(y) + 0.1*(x^2 + y^2)",
        2,
        lambda x, y: np.sin(x) * np.cos(y) + 0.1 * (x**2 + y**2),
        [[1.0, 2.0], [-3.0, 0.5]],
    ),
    ("(x-1)^2 + (y+2)^2", 2, lambda x, y: (x - 1) ** 2 + (y + 2) ** 2, [[1.0, 2.0], [0.0, 0.0]]),
    (
        "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        2,
        lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
        [[3.0, 2.0], [-1.0, 4.0]],
    ),
    ("y^3 - y", 2, lambda x, y: y**3 - y + 0 * x, [[1.0, 2.0], [5.0, -1.0]]),
    ("x*y/(1 + x^2 + y^2)", 2, lambda x, y: x * y / (1 + x**2 + y**2), [[1.0, 2.0], [-2, 3]]),
    ("2^x + x^y", 2, lambda x, y: 2**x + x**y, [[1.5, 2.0], [0.5, -1.0]]),
]
IDS = [case[0].strip() for case in VALID]


def _columns(function, points):
    points = np.asarray(points, dtype=float)
    return function(*np.moveaxis(points, -1, 0))


@pytest.mark.parametrize(("text", "dim", "expected", "points"), VALID, ids=IDS)
def test_valid_formula_values_and_metadata(text, dim, expected, points):
    surface = parse_surface(text)
    assert isinstance(surface, Surface)
    assert surface.dim == dim
    assert surface.name == "custom"
    assert surface.title == " ".join(text.split())
    prefix = "f(x) = " if dim == 1 else "f(x, y) = "
    assert surface.formula.startswith(prefix)
    assert surface.formula[len(prefix) :].strip()
    assert surface.domain == ((-5.0, 5.0),) * dim
    np.testing.assert_allclose(
        surface.value(points), _columns(expected, points), rtol=1e-12, atol=1e-12
    )


@pytest.mark.parametrize(("text", "dim", "expected", "points"), VALID, ids=IDS)
def test_gradient_matches_central_differences(text, dim, expected, points):
    surface = parse_surface(text)
    rng = np.random.default_rng(7)
    # Near the given points, where every formula of the table is defined.
    base = np.asarray(points, dtype=float)
    at = base + rng.uniform(-0.1, 0.1, size=base.shape)
    step = 1e-6
    for axis in range(dim):
        offset = np.zeros(dim)
        offset[axis] = step
        numeric = (surface.value(at + offset) - surface.value(at - offset)) / (2 * step)
        np.testing.assert_allclose(surface.gradient(at)[:, axis], numeric, rtol=1e-5, atol=1e-5)


def test_double_well_minima_match_the_registry():
    surface = parse_surface("x^4 - 3*x^2 + x")
    assert len(surface.minima) == 2
    np.testing.assert_allclose(surface.minima[0], [-1.30084], atol=1e-5)
    np.testing.assert_allclose(surface.minima[1], [1.130901], atol=1e-6)
    registry = get_surface("double_well_1d").minima
    np.testing.assert_allclose(np.concatenate(surface.minima), np.concatenate(registry), atol=1e-12)


def test_shifted_bowl_has_its_single_minimum():
    surface = parse_surface("(x-1)^2 + (y+2)^2")
    assert len(surface.minima) == 1
    np.testing.assert_allclose(surface.minima[0], [1.0, -2.0], atol=1e-10)


def test_wavy_bowl_minima_are_stationary_and_the_first_is_global():
    surface = parse_surface("sin(x)*cos(y) + 0.1*(x^2 + y^2)")
    assert len(surface.minima) >= 2
    for point in surface.minima:
        assert np.max(np.abs(surface.gradient(point))) < 1e-6
    values = [float(surface.value(point)) for point in surface.minima]
    assert values == sorted(values)
    grid = np.stack(np.meshgrid(*[np.linspace(-5, 5, 801)] * 2, indexing="ij"), axis=-1)
    assert values[0] <= float(surface.value(grid).min()) + 1e-9


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x^64", [[0.0]]),  # flat bottom: reported once, not as a cloud of near-zero points
        ("x^3", []),  # a flat inflection is no minimum
        ("x^3 - 3*x*y^2", []),  # monkey saddle
        ("x^2 - y^2", []),
        ("5", []),  # constant: nothing is a minimum
        ("abs(x) + abs(y)", [[0.0, 0.0]]),
        # Kinks off the grid of starts, where the gradient never vanishes for Newton: "no local
        # minimum in the plotted range", and an opening on a diverging rate.
        ("abs(x - 1) + (y - 1)^2", [[1.0, 1.0]]),
        ("abs(x - 0.3) + abs(y + 1.7)", [[0.3, -1.7]]),
        ("abs(x - 1)", [[1.0]]),
        ("abs(x*y)", [[0.0, 0.0]]),
    ],
)
def test_minima_of_degenerate_shapes(text, expected):
    minima = parse_surface(text).minima
    assert len(minima) == len(expected)
    for point, target in zip(minima, expected, strict=True):
        np.testing.assert_allclose(point, target, atol=1e-3)


def test_constant_value_and_gradient_broadcast_to_the_points():
    points = np.zeros((3, 4, 1))
    constant = parse_surface("5")
    assert constant.value(points).shape == (3, 4)
    np.testing.assert_array_equal(constant.value(points), 5.0)
    np.testing.assert_array_equal(constant.gradient(points), np.zeros((3, 4, 1)))
    np.testing.assert_array_equal(parse_surface("x").gradient(points), np.ones((3, 4, 1)))
    slope_y = parse_surface("y").gradient(np.zeros((5, 2)))
    np.testing.assert_array_equal(slope_y, np.tile([0.0, 1.0], (5, 1)))
    assert parse_surface("x^2").value(3.0).shape == ()


def test_undefined_points_give_nan_without_warnings():
    cases = [("log(x)", [-1.0]), ("sqrt(x)", [-4.0]), ("sin(x)/x", [0.0]), ("asin(x)", [2.0])]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for text, point in cases:
            surface = parse_surface(text)
            point = np.array(point)
            # The raw functions guard themselves, not only through Surface.value.
            assert np.isnan(surface.value_fn(point))
            assert np.isnan(surface.gradient_fn(point)).all()
            assert surface.value(point).dtype == float
        assert np.isinf(parse_surface("1/x").value([0.0]))


def test_domain_argument():
    assert parse_surface("x", domain=[(-1, 2)]).domain == ((-1.0, 2.0),)
    assert parse_surface("x + y", domain=[(-1, 2)]).domain == ((-1.0, 2.0), (-1.0, 2.0))
    assert parse_surface("x", domain=[(-1, 2), (0, 3)]).domain == ((-1.0, 2.0),)
    assert parse_surface("y", domain=((-1, 2), (0, 3))).domain == ((-1.0, 2.0), (0.0, 3.0))


@pytest.mark.parametrize(
    "domain",
    [
        (-5, 5),
        [(5, -5)],
        [(1, 1)],
        [(0, np.inf)],
        [(np.nan, 1)],
        [(0, 1, 2)],
        [("a", "b")],
        [(0, 1)] * 3,
        [],
        7,
    ],
)
def test_bad_domains_are_refused(domain):
    with pytest.raises(FormulaError):
        parse_surface("x + y", domain=domain)


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("x + z", "unknown name 'z': use x and y", 4),
        ("  x + z", "unknown name 'z'", 6),
        ("sin(x", "missing closing parenthesis", 3),
        ("x)", "')' without a matching '('", 1),
        ("2*x + 1e7", "numbers larger than 1e6 are not allowed", 6),
        ("foo(x)", "'foo' is not a function I know; use one of: sin, cos, tan", 0),
        ("x.real", "attribute access ('.') is not allowed", 0),
        ("2x", "write 2*x", 1),
        ("x^4 - 3x^2", "write 3*x", 7),
        ("sin x", "sin(x)", 4),
        ("sin^2(x)", "sin(x)^2", 3),
        ("x^65", "exponents larger than 64", 2),
        ("(x^9)^9", "multiply to 81", 0),
        ("log(-1) + x", "'log(-1)' is undefined", 0),
        ("x +", "something is missing after '+'", 2),
        ("x\u202e+1", "U+202E", 1),
        ("x\u2212y", "type '-' instead", 1),
    ],
)
def test_messages_name_the_problem_and_its_position(text, message, position):
    with pytest.raises(FormulaError) as caught:
        parse_surface(text)
    assert message in str(caught.value)
    assert caught.value.position == position
    assert f"(at position {position + 1})" in str(caught.value)


def test_formula_error_is_a_value_error():
    assert issubclass(FormulaError, ValueError)
    with pytest.raises(FormulaError, match="text"):
        parse_surface(None)


HOSTILE = [
    "x.__class__",
    "().__class__.__bases__",
    "().__class__.__bases__[0].__subclasses__()",
    "__import__('os')",
    "__import__('os').system('touch pwned')",
    "__import__",
    "__builtins__",
    "globals()",
    "open('pwned', 'w')",
    "open(x)",
    "eval('1')",
    "exec('x=1')",
    "getattr(x,'y')",
    "getattr(x, y)",
    "[x for x in (1, 2)]",
    "(x for x in y)",
    "{x: 1}",
    "{x}",
    "lambda: 1",
    "lambda x: x",
    "x[0]",
    "x[1:2]",
    "'abc'",
    '"x"',
    "f'{x}'",
    "b'x'",
    "(y := 1)",
    "9**9**9",
    "9^9^9",
    "x**1000",
    "2**-1000",
    "(x**9)**9",
    "sqrt(sqrt(x^64)^64)",
    "1e6^64",
    "exp(1000)",
    "1e308*10",
    "999999^50*x*999999^50",
    "(" * 40 + "x" + ")" * 40,
    "-(" * 40 + "x" + ")" * 40,
    "-" * 40 + "x",
    "^".join(["x"] * 32),
    "sin(" * 31 + "x" + ")" * 31,
    "x" + "+x" * 150,  # 301 characters
    "x" * 100_000,
    "x\x00",
    "x\x1b[31m",
    "x\x7f",
    "x\x0b+1",
    "x\u202e+1",
    "x\u200b+1",
    "\ufeffx",
    "x\u2066+1",
    "\uff58",  # fullwidth x: Python itself would read it as x
    "\U0001d465",  # mathematical italic x, likewise
    "x\u0301",
    "\ud800",
    "1e999",
    "-1e999",
    "inf",
    "nan",
    "",
    "   ",
    "\n\t",
    "sin(x=1)",
    "sin(*x)",
    "sin(**x)",
    "sin(x, y)",
    "sin()",
    "x < y",
    "x == y",
    "x and y",
    "x or y",
    "not x",
    "x if y else 1",
    "x is y",
    "x in y",
    "await x",
    "yield x",
    "x; y",
    "import os",
    "x = 1",
    "x\\\n+1",
    "# x",
    "x # comment",
    "x @ y",
    "x % 2",
    "x // 2",
    "x | y",
    "x & y",
    "~x",
    "x << 2",
    "1j",
    "x*1j",
    "True",
    "None",
    "...",
    "x,",
    "()",
    "1/0",
    "1/(x-x)",
    "sqrt(-1)*x",
    "sqrt(-x^2)",
    "(-2)^x",
    "log(0)",
]


def _parse_watching_builtins(text, monkeypatch):
    """parse_surface(text) -> (FormulaError or None, every import/open/eval/exec it made).

    The builtins still work (the calls are passed on), so the record shows what would have run.
    Only calls made inside parse_surface are recorded, not monkeypatch's own imports.
    """
    calls: list[tuple[str, object]] = []
    watching = False
    with monkeypatch.context() as patch:
        for name in ("__import__", "open", "eval", "exec"):
            original = getattr(builtins, name)

            def recording(*args, _name=name, _original=original, **kwargs):
                if watching:
                    calls.append((_name, args[0] if args else None))
                return _original(*args, **kwargs)

            patch.setattr(builtins, name, recording)
        watching = True
        try:
            parse_surface(text)
        except FormulaError as error:
            return error, calls
        finally:
            watching = False
    return None, calls


@pytest.mark.parametrize("text", HOSTILE, ids=[repr(text[:40]) for text in HOSTILE])
def test_hostile_input_is_refused_quickly_and_nothing_runs(text, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    start = time.perf_counter()
    refusal, calls = _parse_watching_builtins(text, monkeypatch)
    elapsed = time.perf_counter() - start
    assert isinstance(refusal, FormulaError)
    assert str(refusal)
    assert elapsed < 1.0
    assert [call for call in calls if call[0] != "__import__"] == []
    # SymPy imports its own modules lazily; nothing the text names may be imported.
    named = set(re.findall(r"[A-Za-z_]\w*", text))
    assert not [module for _, module in calls if str(module).split(".")[0] in named]
    assert list(tmp_path.iterdir()) == []


FORMULA_CHARACTERS = "xy0123456789.e+-*/^() ,_sincotaexplgqrbh"
FUNCTIONS = ["sin", "cos", "tan", "exp", "log", "ln", "sqrt", "abs", "tanh", "arctan", "asin"]
LEAVES = st.sampled_from(["x", "y", "pi", "e", "0", "1", "2", "0.5", "10", "1e6", "64", "-1"])
EXPRESSIONS = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "^", "**"]), inner).map(
            lambda parts: f"({parts[0]}{parts[1]}{parts[2]})"
        ),
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "^"]), inner).map("".join),
        st.tuples(st.sampled_from(FUNCTIONS), inner).map(lambda parts: f"{parts[0]}({parts[1]})"),
        inner.map(lambda operand: "-" + operand),
    ),
    max_leaves=20,
)


def _accepts_or_refuses(text: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            surface = parse_surface(text)
        except FormulaError:
            return
        points = np.random.default_rng(0).uniform(-5, 5, size=(6, surface.dim))
        assert surface.value(points).shape == (6,)
        assert surface.gradient(points).shape == (6, surface.dim)
        assert all(point.shape == (surface.dim,) for point in surface.minima)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60) | st.text(alphabet=FORMULA_CHARACTERS, max_size=60))
def test_any_text_gives_a_surface_or_a_formula_error(text):
    _accepts_or_refuses(text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS)
def test_generated_formulas_give_a_surface_or_a_formula_error(text):
    _accepts_or_refuses(text)
