"""Numbers and points as a learner reads them: the one formatter every message and chart uses.

The chart component's ``formatNumber`` (ui/chart_component) writes numbers the same way in the
browser, so a number reads the same wherever it is shown.
"""

from __future__ import annotations

import math

import numpy as np

#: The minus sign of typeset text (U+2212), not the ASCII hyphen.
MINUS = "\u2212"


def format_number(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant digits with a real minus sign: whole numbers whole,
    powers of ten beyond 1e5 or under 1e-3 (``1.2e-7``, the exponent written as the chart's
    ``formatNumber`` writes it), "∞" and "—" for inf and NaN."""
    value = float(value)
    if math.isnan(value):
        return "—"
    if math.isinf(value):
        return "∞" if value > 0 else f"{MINUS}∞"
    size = abs(value)
    if size == int(size) and size < 1e5:
        text = str(int(size))
    elif size != 0 and (size >= 1e5 or size < 1e-3):
        mantissa, exponent = f"{size:.{digits - 1}e}".split("e")
        text = f"{float(mantissa):g}e{int(exponent)}"
    else:
        rounded = float(f"{size:.{digits}g}")
        text = str(int(rounded)) if rounded.is_integer() else repr(rounded)
    return f"{MINUS}{text}" if value < 0 and text != "0" else text


def format_point(point, digits: int = 3) -> str:
    """A point of a surface: ``x = 1`` in 1D, ``(1, 0.778)`` in 2D and beyond, its round-off
    read as 0 (``without_round_off``)."""
    coordinates = without_round_off(point)
    if len(coordinates) == 1:
        return f"x = {format_number(coordinates[0], digits)}"
    return "(" + ", ".join(format_number(value, digits) for value in coordinates) + ")"


def without_round_off(point) -> list[float]:
    """The coordinates of ``point``, each under a millionth of the point's size (at least 1)
    read as 0: round-off around 0. A run that crept to 3e-10 from a stationary point at the
    origin stopped at 0; Newton's method leaves a minimum on the axis at x = 1.3e-37. (No chart
    resolves a millionth of its width.)"""
    # Plain floats: points have a few coordinates, and a message names many of them.
    coordinates = np.asarray(point, dtype=float).ravel().tolist()
    scale = max([1.0, *(abs(value) for value in coordinates if math.isfinite(value))])
    return [0.0 if abs(value) < 1e-6 * scale else value for value in coordinates]


def counted(count: int, noun: str) -> str:
    """``1 step``, ``3 steps``: a count and its noun, plural unless the count is 1."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def value_without_round_off(value: float) -> float:
    """f at a minimum refined to machine precision, its round-off read as 0: x²y² + x² is
    2.3e-51 on its valley floor, Himmelblau 1e-30 at (3, 2)."""
    value = float(value)
    return 0.0 if abs(value) < 1e-12 else value
