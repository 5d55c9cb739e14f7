"""Reductions over the coordinates of each point: the last axis of a point array ``(..., dim)``.

``row_max(points)`` is ``points.max(axis=-1)``, and so on, computed one coordinate column at a
time: NumPy reduces over a short last axis far more slowly than it combines a few whole columns,
points here have one or two coordinates, and these run on every step of a batch. The results are
the same, bit for bit, as the plain reductions', but for the sign of a zero sum: a sum whose terms
are all -0.0 is -0.0 here (IEEE addition) and 0.0 in NumPy, which starts a sum from 0.0.
"""

from __future__ import annotations

import functools

import numpy as np


def _columns(values: np.ndarray):
    return (values[..., axis] for axis in range(values.shape[-1]))


def row_max(values: np.ndarray) -> np.ndarray:
    return functools.reduce(np.maximum, _columns(values))


def row_sum(values: np.ndarray) -> np.ndarray:
    return functools.reduce(np.add, _columns(values))


def row_all(flags: np.ndarray) -> np.ndarray:
    return functools.reduce(np.logical_and, _columns(flags))


def row_any(flags: np.ndarray) -> np.ndarray:
    return functools.reduce(np.logical_or, _columns(flags))
