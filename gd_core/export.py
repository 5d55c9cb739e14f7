"""Trajectories as CSV: the one table the command line and every page's download write."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import numpy as np

from gd_core.descent import STOP_REASONS, Trajectory

#: The columns before the coordinates, and after them; the coordinates are ``x`` (and ``y``).
LEADING_COLUMNS = ("optimizer", "learning_rate", "run", "step")
TRAILING_COLUMNS = ("value", "stop_reason")
_AXES = ("x", "y", "z")


def trajectory_csv(trajectory: Trajectory, optimizer: str | Sequence[str], learning_rate) -> str:
    """One row per run and step: ``optimizer, learning_rate, run, step, x[, y], value,
    stop_reason``.

    ``trajectory`` is one run ``(steps+1, dim)`` or a batch ``(steps+1, n, dim)``; runs are
    numbered from 1, as the pages number their start points. ``optimizer`` and
    ``learning_rate`` are one for all runs or one per run (a race). Numbers are written in full
    precision; after a divergence the coordinates and value are empty, and ``stop_reason`` says
    why the run stopped on the step where it did.
    """
    points = np.asarray(trajectory.points, dtype=float)
    values = np.asarray(trajectory.values, dtype=float)
    if values.ndim == 1:
        points, values = points[:, None], values[:, None]
    frames, runs, dim = points.shape
    diverged_at = np.asarray(trajectory.diverged_at).reshape(runs)
    stop_code = np.asarray(trajectory.stop_code).reshape(runs)
    rates = np.broadcast_to(np.asarray(learning_rate, dtype=float).reshape(-1), (runs,))
    names = [optimizer] * runs if isinstance(optimizer, str) else list(optimizer)
    if len(names) != runs:
        raise ValueError(f"{len(names)} optimizer names for {runs} runs")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*LEADING_COLUMNS, *_AXES[:dim], *TRAILING_COLUMNS])
    for run in range(runs):
        rate = repr(float(rates[run]))
        for step in range(frames):
            numbers = [*points[step, run].tolist(), float(values[step, run])]
            reason = STOP_REASONS[stop_code[run]] if step == diverged_at[run] else ""
            writer.writerow([names[run], rate, run + 1, step,
                             *("" if np.isnan(number) else repr(number) for number in numbers),
                             reason])
    return buffer.getvalue()
