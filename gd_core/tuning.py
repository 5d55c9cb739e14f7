"""Tuning the learning rate: the rate on a log grid that gets an optimizer to a minimum fastest."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from gd_core.analysis import minimum_reached
from gd_core.basins import SETTLE_TOLERANCE
from gd_core.descent import Trajectory, as_points, descend
from gd_core.optimizers import make_optimizer, side_by_side
from gd_core.surfaces import Surface

#: The learning rates ``tune_lr`` tries by default: 12 per decade from 1e-4 to 10. Every
#: optimizer here moves usefully somewhere inside it (plain GD on the steepest registered
#: surfaces near 1e-3, Adam's per-coordinate steps near 0.01-1) and diverges or stalls at its
#: ends, so the same grid is fair to all of them.
TUNING_LEARNING_RATES = np.geomspace(1e-4, 10.0, 61)


def tune_lr(
    surface: Surface,
    optimizer: str,
    start,
    steps: int,
    *,
    lrs=None,
    tolerance: float = SETTLE_TOLERANCE,
    **hyperparams,
) -> float:
    """The learning rate from ``lrs`` (default ``TUNING_LEARNING_RATES``) with which
    ``optimizer`` (torch names and defaults for ``hyperparams``) gets from ``start`` to within
    ``tolerance`` of a known minimum of ``surface`` in the fewest steps, and stays there.

    All the rates run in one batched ``descend``. Ties go to the lower final value, then to the
    smaller rate. When no rate reaches a minimum (or the surface has none listed), the rate
    with the lowest final value wins; when every run diverges, the smallest rate.

    On a quadratic, plain gradient descent lands near the classic optimum
    ``2 / (λmin + λmax)`` of the Hessian's eigenvalues, within the grid's spacing.
    """
    return tuned_run(surface, optimizer, start, steps, lrs=lrs, tolerance=tolerance,
                     **hyperparams)[0]


def tuned_run(
    surface: Surface,
    optimizer: str,
    start,
    steps: int,
    *,
    lrs=None,
    tolerance: float = SETTLE_TOLERANCE,
    **hyperparams,
) -> tuple[float, Trajectory]:
    """``tune_lr``'s rate and the run at that rate from ``start``, as ``descend`` gives it (the
    tuning batch already holds it: a batch gives the single runs' numbers)."""
    return tuned_runs(surface, {optimizer: hyperparams}, start, steps, lrs=lrs,
                      tolerance=tolerance)[optimizer]


def tuned_runs(
    surface: Surface,
    optimizers: Mapping[str, Mapping],
    start,
    steps: int,
    *,
    lrs=None,
    tolerance: float = SETTLE_TOLERANCE,
) -> dict[str, tuple[float, Trajectory]]:
    """``tuned_run`` for several optimizers (name -> its hyperparameters), every rate of every
    one in a single ``descend`` (``side_by_side``): the same rates and runs as one by one."""
    lrs = TUNING_LEARNING_RATES if lrs is None else np.asarray(lrs, dtype=float)
    if lrs.ndim != 1 or not lrs.size or not np.all(np.isfinite(lrs) & (lrs > 0)):
        raise ValueError("lrs must be a non-empty list of positive learning rates")
    start = as_points(surface, start)
    if start.ndim != 1:
        raise ValueError(f"start must be one point of shape ({surface.dim},)")
    made = [make_optimizer(name, lr=lrs[:, None], **dict(hyperparams))
            for name, hyperparams in optimizers.items()]
    batch = np.broadcast_to(start, (len(made) * lrs.size, surface.dim))
    trajectory = descend(surface, side_by_side(made, [lrs.size] * len(made)), batch, steps)
    _, reached = minimum_reached(surface, trajectory.points, tolerance)
    never = np.iinfo(np.int64).max
    found = {}
    for i, name in enumerate(optimizers):
        block = slice(i * lrs.size, (i + 1) * lrs.size)
        final = trajectory.values[-1, block]
        # Lexicographic: reached first, then fewer steps, then lower final value, then smaller
        # lr.
        best = block.start + np.lexsort((lrs, np.where(np.isnan(final), np.inf, final),
                                         np.where(reached[block] >= 0, reached[block],
                                                  never)))[0]
        found[name] = (float(lrs[best - block.start]), Trajectory(
            trajectory.points[:, best], trajectory.values[:, best],
            int(trajectory.diverged_at[best]), int(trajectory.stop_code[best])))
    return found
