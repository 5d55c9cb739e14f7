"""Typed formulas: text such as ``sin(x)*cos(y) + 0.1*(x^2 + y^2)`` turned into a Surface.

The text is never run as code. Python's own tokenizer and parser read it (``ast.parse`` in
expression mode), every node of the syntax tree is checked against a whitelist, and the SymPy
expression is built here from the checked nodes; SymPy's string parser is never used.

Grammar (spaces, tabs and line breaks are all just spaces)::

    formula  := expr
    expr     := expr ("+" | "-" | "*" | "/" | "^" | "**") expr
              | ("+" | "-") expr
              | "(" expr ")"
              | function "(" expr ")"
              | number | "x" | "y" | "pi" | "e"
    function := sin | cos | tan | exp | log | ln | sqrt | abs | sinh | cosh | tanh
              | arctan | atan | arcsin | asin | arccos | acos
    number   := an integer or decimal literal (3, 0.5, 1e-3, ...), at most 1e6 in size

``^`` means power, exactly like ``**``, so the usual precedence holds: ``x^2+1`` is
``(x^2)+1``, ``-x^2`` is ``-(x^2)`` and ``2^3^2`` is ``2^(3^2)``. Multiplication must be
written out (``2*x``, not ``2x``). The formula is one-dimensional when only ``x`` appears (or no
variable at all) and two-dimensional as soon as ``y`` appears.

Limits, all checked on the text and the tree before SymPy sees anything, so that any input is
refused or accepted in a fraction of a second:

* at most 300 characters, plain ASCII only (no control, invisible or non-ASCII characters);
* at most 30 levels of nesting: parentheses, function calls, powers and signs each add a level,
  while a long sum or product counts as one level;
* every number at most 1e6 in size and finite;
* a constant exponent at most 64 in size, and powers of powers at most 64 in their combined
  exponent: ``(x^9)^9`` is ``x^81`` and is refused (a square root counts as the power 1/2);
  exponents that contain x or y, such as ``2^x``, are allowed;
* every part without x or y must have a finite real value (``log(-1)``, ``1/0`` and
  ``exp(1000)`` are refused with the part named).

Where the function is undefined its value is NaN (``log(x)`` for x < 0, ``sqrt(x)`` for x < 0,
``sin(x)/x`` at 0), at a pole it is infinite (``1/x`` at 0), and the gradient is NaN wherever the
value is; nothing warns.
"""

from __future__ import annotations

import ast
import io
import keyword
import math
import operator
import tokenize
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import sympy

from gd_core.critical_points import find_minima
from gd_core.surfaces import Surface, points_layout

MAX_LENGTH = 300
MAX_DEPTH = 30
MAX_CONSTANT = 1e6
MAX_EXPONENT = 64
DEFAULT_RANGE = (-5.0, 5.0)
# Starts per axis when searching for minima: a curve is cheap to search densely, and a typed
# curve (x^2 + 0.1*sin(50*x)) often has more dips than 9 starts would find.
_STARTS = {1: 33, 2: 9}

_X, _Y = sympy.symbols("x y", real=True)
_VARIABLES = {"x": _X, "y": _Y}
# Name -> (SymPy value, float value used to fold constant parts of the tree).
_CONSTANTS = {"pi": (sympy.pi, math.pi), "e": (sympy.E, math.e)}
# Name -> (SymPy function, float function used to fold constant arguments).
_FUNCTIONS: dict[str, tuple[Callable, Callable[[float], float]]] = {
    "sin": (sympy.sin, math.sin),
    "cos": (sympy.cos, math.cos),
    "tan": (sympy.tan, math.tan),
    "exp": (sympy.exp, math.exp),
    "log": (sympy.log, math.log),
    "ln": (sympy.log, math.log),
    "sqrt": (sympy.sqrt, math.sqrt),
    "abs": (sympy.Abs, abs),
    "sinh": (sympy.sinh, math.sinh),
    "cosh": (sympy.cosh, math.cosh),
    "tanh": (sympy.tanh, math.tanh),
    "arctan": (sympy.atan, math.atan),
    "atan": (sympy.atan, math.atan),
    "arcsin": (sympy.asin, math.asin),
    "asin": (sympy.asin, math.asin),
    "arccos": (sympy.acos, math.acos),
    "acos": (sympy.acos, math.acos),
}
_FUNCTION_LIST = ", ".join(_FUNCTIONS)

_SPACES = " \t\n\r"
_ALLOWED_CHARACTERS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-*/^().," + _SPACES
)
_CHARACTER_MESSAGES = {
    "'": "quotes are not allowed: a formula contains no text",
    '"': "quotes are not allowed: a formula contains no text",
    "[": "square brackets are not allowed: use round parentheses ( )",
    "]": "square brackets are not allowed: use round parentheses ( )",
    "{": "curly braces are not allowed: use round parentheses ( )",
    "}": "curly braces are not allowed: use round parentheses ( )",
    "=": "'=' is not allowed: type only the right-hand side, for example x^2 + y^2",
    "<": "comparisons are not allowed: a formula computes a number",
    ">": "comparisons are not allowed: a formula computes a number",
    "%": "'%' (remainder) is not supported",
    "#": "'#' is not allowed",
    "\\": "backslashes are not allowed",
}
_UNICODE_HINTS = {
    "\u2212": "type '-' instead",  # minus sign
    "\u2013": "type '-' instead",  # en dash
    "\u2014": "type '-' instead",  # em dash
    "\u00d7": "type '*' instead",  # multiplication sign
    "\u00b7": "type '*' instead",  # middle dot
    "\u22c5": "type '*' instead",  # dot operator
    "\u00f7": "type '/' instead",  # division sign
    "\u00b2": "write ^2, for example x^2",
    "\u00b3": "write ^3, for example x^3",
    "\u03c0": "write pi",
    "\u221a": "write sqrt(...)",
}
_NAME_HINTS = {
    "X": "variables are lowercase: use x",
    "Y": "variables are lowercase: use y",
    "E": "write e for Euler's number",
    "Pi": "write pi",
    "PI": "write pi",
    "inf": "numbers must be finite",
    "infinity": "numbers must be finite",
    "nan": "numbers must be finite",
    "i": "complex numbers are not supported",
    "j": "complex numbers are not supported",
    "I": "complex numbers are not supported",
}
_NODE_MESSAGES = {
    ast.Attribute: "attribute access ('.') is not allowed",
    ast.Subscript: "indexing with [ ] is not allowed",
    ast.Slice: "indexing with [ ] is not allowed",
    ast.Compare: "comparisons are not allowed: a formula computes a number",
    ast.BoolOp: "'and' and 'or' are not allowed",
    ast.IfExp: "'if ... else' is not allowed",
    ast.Lambda: "'lambda' is not allowed",
    ast.ListComp: "'for ... in' is not allowed",
    ast.SetComp: "'for ... in' is not allowed",
    ast.DictComp: "'for ... in' is not allowed",
    ast.GeneratorExp: "'for ... in' is not allowed",
    ast.List: "square brackets are not allowed: use round parentheses ( )",
    ast.Set: "curly braces are not allowed: use round parentheses ( )",
    ast.Dict: "curly braces are not allowed: use round parentheses ( )",
    ast.JoinedStr: "quotes are not allowed: a formula contains no text",
    ast.FormattedValue: "quotes are not allowed: a formula contains no text",
    ast.NamedExpr: "':=' is not allowed",
    ast.Await: "'await' is not allowed",
    ast.Yield: "'yield' is not allowed",
    ast.YieldFrom: "'yield' is not allowed",
    ast.Starred: "'*' in front of a value is not allowed",
}
_OPERATOR_SYMBOLS = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.Not: "not",
    ast.Invert: "~",
}
_FLOAT_OPERATIONS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: math.pow,  # math.pow refuses a negative base with a fractional exponent
}
_SYMPY_OPERATIONS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
# A run of + and - (or of * and /) is one level of nesting, however long: it reads flat.
_CHAINS = ((ast.Add, ast.Sub), (ast.Mult, ast.Div))


class FormulaError(ValueError):
    """A formula that cannot be used, with a message meant for the person who typed it.

    ``position`` is the 0-based index, in the text as given, of the character the problem is
    at, or None when it is not at one place; the message shows it counted from 1.
    """

    def __init__(self, message: str, position: int | None = None):
        if position is not None:
            message = f"{message} (at position {position + 1})"
        super().__init__(message)
        self.position = position


def parse_surface(text: str, domain: Sequence[Sequence[float]] | None = None) -> Surface:
    """The Surface of a typed formula (grammar and limits: see the module docstring).

    ``domain`` gives the plotting range as a sequence of ``(lo, hi)`` pairs: one pair used for
    every axis, or one for x and one for y (only x's is used when the formula is
    one-dimensional). The default is
    (-5, 5) per axis. The returned surface is named "custom", titled with the cleaned text, has
    the LaTeX of the formula as ``formula``, an exact symbolic gradient, and the local minima
    found numerically inside the domain. Anything wrong raises FormulaError.
    """
    if not isinstance(text, str):
        raise FormulaError("a formula must be text")
    source = _Source(text)
    tree = source.parse()
    checker = _Checker(source)
    checker.check(tree.body, 1)
    variables = [_X, _Y] if "y" in checker.names else [_X]
    ranges = _ranges(domain, len(variables))

    expression = _build(tree.body)
    gradient = [sympy.diff(expression, variable) for variable in variables]
    _check_numbers([expression, *gradient])
    value_fn, gradient_fn = _numpy_functions(expression, gradient, variables)
    arguments = ", ".join(str(variable) for variable in variables)
    return Surface(
        name="custom",
        title=" ".join(text.split()),
        formula=f"f({arguments}) = {sympy.latex(expression)}",
        domain=ranges,
        value_fn=value_fn,
        gradient_fn=gradient_fn,
        minima=find_minima(value_fn, gradient_fn, ranges, starts_per_axis=_STARTS[len(ranges)]),
    )


class _Source:
    """The typed text, its Python spelling (``^`` as ``**``) and the map between positions."""

    def __init__(self, text: str):
        self.text = text
        self.start = len(text) - len(text.lstrip(_SPACES))
        body = text.strip(_SPACES)
        if not body:
            raise FormulaError("the formula is empty: type one, for example x^2 + y^2")
        if len(body) > MAX_LENGTH:
            raise FormulaError(
                f"the formula is too long: {len(body)} characters, at most {MAX_LENGTH}"
            )
        for index, char in enumerate(body):
            if char not in _ALLOWED_CHARACTERS:
                raise FormulaError(_character_message(char), self.start + index)
        self._check_parentheses(body)
        # Line breaks and tabs become spaces so that the tokenizer and parser see one line.
        body = body.translate(str.maketrans("\t\n\r", "   "))
        self.python, self.origin = self._python_spelling(body)

    def parse(self) -> ast.Expression:
        try:
            return ast.parse(self.python, mode="eval")
        except SyntaxError as error:
            column = min(max((error.offset or 1) - 1, 0), len(self.python))
            raise self._syntax_error(column) from None

    def error(self, message: str, node: ast.AST) -> FormulaError:
        return FormulaError(message, self.origin[node.col_offset])

    def snippet(self, node: ast.AST) -> str:
        """The typed text of ``node``, as the person typed it."""
        return self.text[self.origin[node.col_offset] : self.origin[node.end_col_offset - 1] + 1]

    def _check_parentheses(self, body: str) -> None:
        open_at: list[int] = []
        for index, char in enumerate(body):
            if char == "(":
                open_at.append(index)
                if len(open_at) > MAX_DEPTH:
                    raise FormulaError(
                        f"too many nested parentheses: at most {MAX_DEPTH} levels",
                        self.start + index,
                    )
            elif char == ")":
                if not open_at:
                    raise FormulaError("')' without a matching '('", self.start + index)
                open_at.pop()
        if open_at:
            raise FormulaError(
                "missing closing parenthesis: this '(' is never closed", self.start + open_at[-1]
            )

    def _python_spelling(self, body: str) -> tuple[str, list[int]]:
        """``body`` with each ``^`` operator spelled ``**``, and each character's typed position.

        Python reads ``^`` as exclusive-or, which binds more loosely than ``+``; swapping the
        operator token before parsing gives it the precedence of a power. Along the way, adjacent
        tokens that need a ``*`` between them are reported with a hint.
        """
        try:
            tokens = [
                token
                for token in tokenize.generate_tokens(io.StringIO(body).readline)
                if token.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER)
            ]
        except (tokenize.TokenError, SyntaxError):
            raise FormulaError("I can't read this formula: check its operators") from None
        for left, right in pairwise(tokens):
            self._check_neighbours(left, right)
        powers = {token.start[1] for token in tokens if token.exact_type == tokenize.CIRCUMFLEX}
        python: list[str] = []
        origin: list[int] = []
        for index, char in enumerate(body):
            spelled = "**" if index in powers else char
            python.append(spelled)
            origin.extend([self.start + index] * len(spelled))
        origin.append(self.start + len(body))  # where the end of the text is reported
        return "".join(python), origin

    def _check_neighbours(self, left: tokenize.TokenInfo, right: tokenize.TokenInfo) -> None:
        position = self.start + right.start[1]
        if left.type == tokenize.NAME and left.string in _FUNCTIONS:
            name = left.string
            if right.string in ("^", "**"):
                raise FormulaError(f"write {name}(x)^2 rather than {name}^2(x)", position)
            if _is_value(right):
                raise FormulaError(
                    f"put the argument of {name} in parentheses: {name}({right.string})",
                    position,
                )
            return
        if not (_is_value(left) or left.string == ")"):
            return
        if right.string == "(":
            if left.type == tokenize.NAME and left.string not in _VARIABLES | _CONSTANTS:
                return  # a call of an unknown function: the tree check names it
        elif not _is_value(right):
            return
        if _is_value(left) and _is_value(right):
            hint = f": write {left.string}*{right.string}"
        else:
            hint = ": multiplication is written with '*'"
        raise FormulaError(
            f"missing '*' between '{left.string}' and '{right.string}'{hint}", position
        )

    def _syntax_error(self, column: int) -> FormulaError:
        last = len(self.python.rstrip()) - 1
        if self.python[last] in "+-*/":
            typed = self.origin[last]
            return FormulaError(
                f"the formula is incomplete: something is missing after '{self.text[typed]}'",
                typed,
            )
        return FormulaError(
            "I can't read the formula here: check for a missing or doubled operator",
            self.origin[column],
        )


def _is_value(token: tokenize.TokenInfo) -> bool:
    """A number or a name that is not a Python keyword (so ``x if y else 1`` is left alone)."""
    if token.type == tokenize.NUMBER:
        return True
    return token.type == tokenize.NAME and not keyword.iskeyword(token.string)


def _character_message(char: str) -> str:
    if char in _CHARACTER_MESSAGES:
        return _CHARACTER_MESSAGES[char]
    if char in _UNICODE_HINTS:
        return f"'{char}' is not allowed: {_UNICODE_HINTS[char]}"
    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    described = f"{code} {name}".strip()
    category = unicodedata.category(char)
    if category == "Cc":
        return f"control character {code} is not allowed"
    if category == "Cf":  # bidi overrides, zero-width spaces: they hide what the text says
        return f"invisible character {described} is not allowed"
    if category.startswith("Z"):
        return f"unusual space {described}: use a normal space"
    shown = f"'{char}' ({described})" if char.isprintable() else described
    if char.isalpha():
        return f"the letter {shown} is not allowed: names are plain ASCII, such as x, y or sin"
    return f"{shown} is not allowed: use x, y, numbers, + - * / ^ ( ) and functions such as sin"


@dataclass(frozen=True)
class _Facts:
    """What the checker learnt about a subtree."""

    constant: float | None  # its value when it contains neither x nor y
    power: float  # product of the constant exponents along its nested powers (1 if none)


class _Checker:
    """Walks the syntax tree against the whitelist before any SymPy object exists.

    Constant parts are folded in floats, which takes bounded time whatever the input, so huge
    or undefined constants are caught here rather than by exact (and unbounded) arithmetic.
    """

    def __init__(self, source: _Source):
        self.source = source
        self.names: set[str] = set()

    def check(self, node: ast.AST, depth: int) -> _Facts:
        if depth > MAX_DEPTH:
            raise self.source.error(
                f"the formula is nested too deeply: at most {MAX_DEPTH} levels", node
            )
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.UnaryOp):
            return self._unary(node, depth)
        if isinstance(node, ast.BinOp):
            return self._binary(node, depth)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        if isinstance(node, ast.Tuple):
            if not node.elts:
                raise self.source.error("empty parentheses: put something inside", node)
            raise self.source.error("commas are not allowed: a formula is one expression", node)
        message = _NODE_MESSAGES.get(type(node), f"'{self.source.snippet(node)}' is not allowed")
        raise self.source.error(message, node)

    def _constant(self, node: ast.Constant) -> _Facts:
        value = node.value
        if isinstance(value, complex):
            raise self.source.error("complex numbers are not supported", node)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.source.error(f"'{self.source.snippet(node)}' is not a number", node)
        if isinstance(value, float) and not math.isfinite(value):
            raise self.source.error(f"'{self.source.snippet(node)}' is not a finite number", node)
        if abs(value) > MAX_CONSTANT:
            raise self.source.error("numbers larger than 1e6 are not allowed", node)
        return _Facts(float(value), 1.0)

    def _name(self, node: ast.Name) -> _Facts:
        name = node.id
        if name in _VARIABLES:
            self.names.add(name)
            return _Facts(None, 1.0)
        if name in _CONSTANTS:
            return _Facts(_CONSTANTS[name][1], 1.0)
        if name in _FUNCTIONS:
            raise self.source.error(f"'{name}' is a function: write {name}(...)", node)
        raise self.source.error(f"unknown name '{name}': {_name_hint(name)}", node)

    def _unary(self, node: ast.UnaryOp, depth: int) -> _Facts:
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise self.source.error(_operator_message(node.op), node)
        facts = self.check(node.operand, depth + 1)
        if facts.constant is None or isinstance(node.op, ast.UAdd):
            return facts
        return _Facts(-facts.constant, facts.power)

    def _binary(self, node: ast.BinOp, depth: int) -> _Facts:
        kind = type(node.op)
        if kind not in _FLOAT_OPERATIONS:
            raise self.source.error(_operator_message(node.op), node)
        left = self.check(node.left, _child_depth(node, node.left, depth))
        right = self.check(node.right, _child_depth(node, node.right, depth))
        power = max(left.power, right.power)
        if kind is ast.Pow and right.constant is not None:
            if abs(right.constant) > MAX_EXPONENT:
                raise self.source.error(
                    f"exponents larger than {MAX_EXPONENT} are not allowed "
                    f"('{self.source.snippet(node.right)}')",
                    node.right,
                )
            power = left.power * abs(right.constant)
            if power > MAX_EXPONENT:
                raise self.source.error(
                    f"'{self.source.snippet(node)}' is a power of a power, so the exponents "
                    f"multiply to {power:g}: at most {MAX_EXPONENT} is allowed",
                    node,
                )
        constant = None
        if left.constant is not None and right.constant is not None:
            constant = self._fold(node, _FLOAT_OPERATIONS[kind], left.constant, right.constant)
        return _Facts(constant, power)

    def _call(self, node: ast.Call, depth: int) -> _Facts:
        if not isinstance(node.func, ast.Name):
            if isinstance(node.func, ast.Attribute):
                raise self.source.error(_NODE_MESSAGES[ast.Attribute], node)
            raise self.source.error(
                "only functions such as sin(...) can be called: multiplication needs '*'", node
            )
        name = node.func.id
        if name not in _FUNCTIONS:
            if name in _VARIABLES or name in _CONSTANTS:
                raise self.source.error(
                    f"'{name}' is not a function: to multiply, write {name}*(...)", node
                )
            raise self.source.error(
                f"'{name}' is not a function I know; use one of: {_FUNCTION_LIST}", node
            )
        if node.keywords:
            raise self.source.error(f"write {name}(x): arguments cannot be named", node)
        if len(node.args) != 1:
            raise self.source.error(
                f"{name} takes exactly one argument, not {len(node.args)}", node
            )
        argument = self.check(node.args[0], depth + 1)
        # sqrt is the power 1/2, so it takes part in the powers-of-powers limit; the other
        # functions end a chain of powers.
        power = argument.power / 2 if name == "sqrt" else 1.0
        constant = None
        if argument.constant is not None:
            constant = self._fold(node, _FUNCTIONS[name][1], argument.constant)
        return _Facts(constant, power)

    def _fold(self, node: ast.AST, operation: Callable[..., float], *arguments: float) -> float:
        """The float value of a constant part, refusing one that is undefined or too large."""
        snippet = self.source.snippet(node)
        undefined = f"'{snippet}' is undefined: it has no real value"
        try:
            value = operation(*arguments)
        except ZeroDivisionError:
            raise self.source.error(f"'{snippet}' divides by zero", node) from None
        except ValueError:
            raise self.source.error(undefined, node) from None
        except OverflowError:
            value = math.inf
        if math.isnan(value):
            raise self.source.error(undefined, node)
        if math.isinf(value):
            raise self.source.error(f"'{snippet}' is too large to compute", node)
        return value


def _child_depth(parent: ast.BinOp, child: ast.AST, depth: int) -> int:
    if isinstance(child, ast.BinOp):
        for chain in _CHAINS:
            if isinstance(parent.op, chain) and isinstance(child.op, chain):
                return depth
    return depth + 1


def _operator_message(op: ast.AST) -> str:
    symbol = _OPERATOR_SYMBOLS.get(type(op), type(op).__name__)
    if symbol == "//":
        return "'//' (whole-number division) is not supported: use '/'"
    return f"'{symbol}' is not allowed"


def _name_hint(name: str) -> str:
    """What the person probably meant by an unknown name."""
    if name in _NAME_HINTS:
        return _NAME_HINTS[name]
    if len(name) > 1 and set(name) <= {"x", "y"}:
        return f"use x and y, and write the product with '*': {'*'.join(name)}"
    head, tail = name[:1], name[1:]
    if head in _VARIABLES and tail.isdigit():
        return f"use x and y: write {head}^{tail} or {head}*{tail}"
    for function in _FUNCTIONS:
        rest = name[len(function) :]
        if name.startswith(function) and rest in _VARIABLES:
            return f"write {function}({rest})"
    return "use x and y"


def _build(node: ast.AST) -> sympy.Expr:
    """The SymPy expression of a tree that _Checker has accepted."""
    if isinstance(node, ast.Constant):
        return sympy.Integer(node.value) if isinstance(node.value, int) else sympy.Float(node.value)
    if isinstance(node, ast.Name):
        return _VARIABLES[node.id] if node.id in _VARIABLES else _CONSTANTS[node.id][0]
    if isinstance(node, ast.UnaryOp):
        operand = _build(node.operand)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        return _SYMPY_OPERATIONS[type(node.op)](_build(node.left), _build(node.right))
    return _FUNCTIONS[node.func.id][0](_build(node.args[0]))


def _check_numbers(expressions: list[sympy.Expr]) -> None:
    """Refuse what the float folding cannot see: SymPy's exact rewriting.

    ``1/(x - x)`` becomes a complex infinity; ``sqrt(-x^2)`` becomes ``i*|x|`` and the slope of
    ``(-2)^x`` involves ``log(-2)``, which are not real; and coefficients collected across a
    product can outgrow a float.
    """
    undefined = (sympy.nan, sympy.zoo, sympy.oo, -sympy.oo)
    for expression in expressions:
        if expression.has(*undefined):
            raise FormulaError(
                "the formula is undefined everywhere: it divides by zero or takes log(0), "
                "as in 1/(x - x)"
            )
        if expression.has(sympy.I):
            raise FormulaError(
                "the formula has no real value: it takes a root, power or logarithm of a "
                "negative number, as in sqrt(-x^2) or (-2)^x"
            )
        for number in expression.atoms(sympy.Number):
            try:
                finite = math.isfinite(float(number))
            except OverflowError:
                finite = False
            if not finite:
                raise FormulaError("the numbers in this formula grow too large to compute")


def _numpy_functions(
    expression: sympy.Expr, gradient: list[sympy.Expr], variables: list[sympy.Symbol]
) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]:
    """Value and gradient as NumPy functions of points ``(..., dim)``.

    The gradient is NaN wherever the value is: the slope 1/x of log(x) exists at x = -1, but a
    descent that has left the function's domain should not be steered by it.
    """
    # Common subexpressions are computed once: the derivative of a product of n factors repeats
    # each factor n times, and the gradient is the hot path of every descent.
    value_code = sympy.lambdify(
        variables, _float_large_numbers(expression), modules="numpy", cse=True
    )
    value_and_gradient_code = sympy.lambdify(
        variables,
        [_float_large_numbers(part) for part in [expression, *gradient]],
        modules="numpy",
        cse=True,
    )

    def value_fn(points: np.ndarray) -> np.ndarray:
        points = np.asarray(points, dtype=float)
        with np.errstate(all="ignore"):
            return _real(value_code(*np.moveaxis(points, -1, 0)), points.shape[:-1])

    def gradient_fn(points: np.ndarray) -> np.ndarray:
        points = np.asarray(points, dtype=float)
        shape = points.shape[:-1]
        slopes = np.empty((*shape, len(gradient)), order=points_layout(points))
        with np.errstate(all="ignore"):
            value, *parts = value_and_gradient_code(*np.moveaxis(points, -1, 0))
            for index, part in enumerate(parts):
                slopes[..., index] = np.asarray(part, dtype=float)  # a constant slope broadcasts
            np.copyto(slopes, np.nan, where=np.isnan(np.asarray(value, dtype=float))[..., None])
        return slopes

    return value_fn, gradient_fn


def _float_large_numbers(expression: sympy.Expr) -> sympy.Expr:
    """``expression`` with integers and fractions beyond 2**53 replaced by floats.

    Such numbers are not exact in float64 anyway, and past int64 NumPy keeps a Python integer as
    an object, on which its functions (sqrt, sin, ...) fail.
    """
    large = {
        number: sympy.Float(number)
        for number in expression.atoms(sympy.Rational)
        if max(abs(number.p), number.q) > 2**53
    }
    return expression.xreplace(large)


def _real(result, shape: tuple[int, ...]) -> np.ndarray:
    """A float array of ``shape``; a constant (the value of ``5``, the slope of ``x``) broadcast."""
    return np.broadcast_to(np.asarray(result, dtype=float), shape).copy()


def _ranges(domain, dim: int) -> tuple[tuple[float, float], ...]:
    """The validated plotting range per axis."""
    if domain is None:
        return (DEFAULT_RANGE,) * dim
    usage = "the domain must be one (lo, hi) pair, or one pair for x and one for y"
    try:
        pairs = [tuple(pair) for pair in domain]
    except TypeError:
        raise FormulaError(usage) from None
    if len(pairs) not in (1, 2):
        raise FormulaError(usage)
    pairs = pairs * dim if len(pairs) == 1 else pairs[:dim]
    ranges = []
    for axis, pair in zip("xy", pairs, strict=False):
        try:
            lo, hi = (float(bound) for bound in pair)
        except (TypeError, ValueError):
            raise FormulaError(f"the range for {axis} must be two numbers (lo, hi)") from None
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise FormulaError(
                f"the range for {axis} must be finite with lo < hi, got ({lo:g}, {hi:g})"
            )
        ranges.append((lo, hi))
    return tuple(ranges)
