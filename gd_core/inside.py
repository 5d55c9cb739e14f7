r"""Inside an optimizer: the state it carries along a trajectory, and the step size it implies.

What makes the adaptive optimizers different is their state: AdaGrad's sum of squared gradients
:math:`G_t`, RMSProp's running average :math:`v_t`, Adam's moments :math:`m_t, v_t` and their
bias-corrected :math:`\hat m_t, \hat v_t`. ``look_inside`` rebuilds that state from a finished
trajectory: the gradients at its points, fed through the optimizer's own ``update`` (so the
numbers are the ones ``descend`` used), and names each quantity in the learner's words.

The effective step size is per coordinate: the factor that multiplies the gradient (AdaGrad,
RMSProp) or the bias-corrected first moment (Adam) in the step, :math:`\eta/(\sqrt{v} + \epsilon)`.
Plain GD and momentum use :math:`\eta` for every coordinate. The rate is the optimizer's base
``lr``: a learning-rate schedule's factor is not included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from gd_core.descent import Trajectory
from gd_core.optimizers import Optimizer
from gd_core.surfaces import Surface


@dataclass(frozen=True)
class Quantity:
    """One named quantity of an optimizer's state: ``symbol`` (LaTeX-free Unicode) and what it
    is, in words; ``per_coordinate`` False for a number shared by every coordinate."""

    key: str
    symbol: str
    meaning: str
    per_coordinate: bool = True


_STEP = Quantity("step_size", "η", "the step size: the learning rate, the same at every step")
_ADAPTIVE_STEP = {
    "adagrad": Quantity("step_size", "η/(√G + ε)",
                        "the effective step size: shrinks as squared gradients pile up"),
    "rmsprop": Quantity("step_size", "η/(√v + ε)",
                        "the effective step size: large where gradients have been small"),
    "adam": Quantity("step_size", "η/(√v̂ + ε)",
                     "the effective step size that multiplies m̂"),
}

#: The quantities ``look_inside`` reports for each optimizer, in the order a page shows them.
QUANTITIES: dict[str, tuple[Quantity, ...]] = {
    "gd": (_STEP,),
    "momentum": (Quantity("buffer", "b", "the momentum buffer: a decaying sum of gradients"),
                 _STEP),
    "nesterov": (Quantity("buffer", "b", "the momentum buffer: a decaying sum of gradients"),
                 _STEP),
    "adagrad": (Quantity("sum_sq", "G", "the sum of every squared gradient so far"),
                _ADAPTIVE_STEP["adagrad"]),
    "rmsprop": (Quantity("avg_sq", "v", "the running average of squared gradients"),
                _ADAPTIVE_STEP["rmsprop"]),
    "adam": (
        Quantity("m", "m", "the running average of gradients (first moment)"),
        Quantity("v", "v", "the running average of squared gradients (second moment)"),
        Quantity("correction1", "1/(1 − β₁ᵗ)", "the bias correction of m", per_coordinate=False),
        Quantity("correction2", "1/(1 − β₂ᵗ)", "the bias correction of v", per_coordinate=False),
        Quantity("m_hat", "m̂", "m with its bias corrected: m/(1 − β₁ᵗ)"),
        Quantity("v_hat", "v̂", "v with its bias corrected: v/(1 − β₂ᵗ)"),
        _ADAPTIVE_STEP["adam"],
    ),
}


def _plain(state, hyperparams: Mapping) -> dict:
    return {"step_size": hyperparams["lr"]}


def _heavy_ball(state, hyperparams: Mapping) -> dict:
    return {"buffer": state.momentum_buffer, "step_size": hyperparams["lr"]}


def _adagrad(state, hyperparams: Mapping) -> dict:
    return {"sum_sq": state.state_sum,
            "step_size": hyperparams["lr"] / (np.sqrt(state.state_sum) + hyperparams["eps"])}


def _rmsprop(state, hyperparams: Mapping) -> dict:
    return {"avg_sq": state.square_avg,
            "step_size": hyperparams["lr"] / (np.sqrt(state.square_avg) + hyperparams["eps"])}


def _adam(state, hyperparams: Mapping) -> dict:
    beta1, beta2 = hyperparams["betas"]
    correction1 = 1 / (1 - beta1**state.count)
    correction2 = 1 / (1 - beta2**state.count)
    v_hat = state.exp_avg_sq * correction2
    return {
        "m": state.exp_avg, "v": state.exp_avg_sq,
        "correction1": correction1, "correction2": correction2,
        "m_hat": state.exp_avg * correction1, "v_hat": v_hat,
        # torch divides by sqrt(v) / sqrt(1 - beta2^t) + eps: the same, up to rounding.
        "step_size": hyperparams["lr"] / (np.sqrt(v_hat) + hyperparams["eps"]),
    }


_READERS: dict[str, Callable[[object, Mapping], dict]] = {
    "gd": _plain,
    "momentum": _heavy_ball,
    "nesterov": _heavy_ball,
    "adagrad": _adagrad,
    "rmsprop": _rmsprop,
    "adam": _adam,
}


def look_inside(
    surface: Surface, optimizer: Optimizer, trajectory: Trajectory,
) -> dict[str, np.ndarray]:
    """The ``QUANTITIES`` of ``optimizer`` after every step of ``trajectory`` (which it made).

    Each array has one row per point of the trajectory, ``(steps+1, ..., dim)`` for a
    per-coordinate quantity and ``(steps+1,)`` for a shared one; row 0, before any step, is NaN.
    Rows after a run diverged are NaN, as its points are.
    """
    points = np.asarray(trajectory.points, dtype=float)
    steps = points.shape[0] - 1
    reader = _READERS[optimizer.name]
    hyperparams = optimizer.hyperparams
    out = {q.key: np.full(points.shape if q.per_coordinate else (steps + 1,), np.nan)
           for q in QUANTITIES[optimizer.name]}
    with np.errstate(all="ignore"):
        gradients = surface.gradient(points[:-1])
        state = optimizer.init(points[0])
        for step in range(1, steps + 1):
            _, state = optimizer.update(gradients[step - 1], state, points[step - 1])
            values = reader(state, hyperparams)
            for key, row in out.items():
                row[step] = values[key]
    return out
