r"""Optimizers as pure ``(init, update)`` pairs with explicit state, in the style of optax.

``init(params) -> state`` and ``update(grads, state, params) -> (updates, new_state)``; the caller
applies ``params + updates``. Every function works elementwise on arrays of any shape, so a batch
of starts ``(n, dim)`` vectorizes for free, and hyperparameters may themselves be arrays that
broadcast against the batch (``lr`` of shape ``(n, 1)`` runs ``n`` learning rates at once).

The update rules, hyperparameter names and defaults are exactly those of ``torch.optim`` (with
``weight_decay=0``, ``dampening=0``, ``maximize=False``), down to the order of floating-point
operations where it matters. Notation: :math:`g_t` the gradient at step :math:`t = 1, 2, \dots`,
:math:`\eta_t = \eta \cdot s(t - 1)` the learning rate times the schedule factor.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import numpy as np

from gd_core.schedules import Schedule, constant

Params = np.ndarray
Init = Callable[[Params], Any]
Update = Callable[[np.ndarray, Any, Params], tuple[np.ndarray, Any]]


class Optimizer(NamedTuple):
    """A named ``(init, update)`` pair and the hyperparameters it was built with."""

    name: str
    init: Init
    update: Update
    hyperparams: Mapping[str, Any]


class GDState(NamedTuple):
    count: int


class MomentumState(NamedTuple):
    count: int
    momentum_buffer: np.ndarray


class AdagradState(NamedTuple):
    count: int
    state_sum: np.ndarray


class RMSpropState(NamedTuple):
    count: int
    square_avg: np.ndarray


class AdamState(NamedTuple):
    count: int
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray


def _check(condition, message: str) -> None:
    if not np.all(condition):
        raise ValueError(message)


def _check_lr(lr) -> None:
    _check(np.asarray(lr) >= 0.0, f"Invalid learning rate: {lr}")


def _check_eps(eps) -> None:
    _check(np.asarray(eps) >= 0.0, f"Invalid epsilon value: {eps}")


def gd(lr=0.01, schedule: Schedule | None = None) -> Optimizer:
    r"""Plain gradient descent; matches ``torch.optim.SGD(lr)``.

    .. math:: \theta_t = \theta_{t-1} - \eta_t g_t
    """
    _check_lr(lr)
    schedule = schedule or constant()

    def init(params):
        return GDState(count=0)

    def update(grads, state, params):
        step_lr = lr * schedule(state.count)
        return -step_lr * grads, GDState(count=state.count + 1)

    return Optimizer("gd", init, update, {"lr": lr})


def _heavy_ball(name: str, lr, momentum, nesterov: bool, schedule: Schedule | None) -> Optimizer:
    _check_lr(lr)
    _check(np.asarray(momentum) >= 0.0, f"Invalid momentum value: {momentum}")
    if nesterov:
        _check(np.asarray(momentum) > 0.0, "Nesterov momentum requires a momentum > 0")
    schedule = schedule or constant()

    def init(params):
        return MomentumState(count=0, momentum_buffer=np.zeros_like(params, dtype=float))

    def update(grads, state, params):
        if state.count == 0:
            # torch starts the buffer as the first gradient itself, not as momentum * 0 + g.
            buffer = np.array(grads, dtype=float, copy=True)
        else:
            buffer = momentum * state.momentum_buffer + grads
        direction = grads + momentum * buffer if nesterov else buffer
        step_lr = lr * schedule(state.count)
        return -step_lr * direction, MomentumState(state.count + 1, buffer)

    return Optimizer(name, init, update, {"lr": lr, "momentum": momentum})


def momentum(lr=0.01, momentum=0.9, schedule: Schedule | None = None) -> Optimizer:
    r"""Heavy-ball momentum; matches ``torch.optim.SGD(lr, momentum)``.

    .. math::
        b_1 = g_1, \quad b_t = \mu b_{t-1} + g_t, \quad \theta_t = \theta_{t-1} - \eta_t b_t

    The buffer starts as the first gradient (torch), so step 1 equals a plain GD step. Note that
    torch's momentum multiplies the *accumulated gradients* by ``lr``, unlike the
    ``v = \mu v - \eta g`` form of some textbooks; the two agree only for a constant ``lr``.
    """
    return _heavy_ball("momentum", lr, momentum, nesterov=False, schedule=schedule)


def nesterov(lr=0.01, momentum=0.9, schedule: Schedule | None = None) -> Optimizer:
    r"""Nesterov momentum; matches ``torch.optim.SGD(lr, momentum, nesterov=True)``.

    .. math::
        b_1 = g_1, \quad b_t = \mu b_{t-1} + g_t, \quad
        \theta_t = \theta_{t-1} - \eta_t (g_t + \mu b_t)

    This is the Sutskever et al. reformulation torch uses: the look-ahead is folded into the step.
    """
    return _heavy_ball("nesterov", lr, momentum, nesterov=True, schedule=schedule)


def adagrad(lr=0.01, eps=1e-10, schedule: Schedule | None = None) -> Optimizer:
    r"""AdaGrad; matches ``torch.optim.Adagrad(lr, eps=eps)`` (``lr_decay=0``).

    .. math::
        G_t = G_{t-1} + g_t^2, \quad
        \theta_t = \theta_{t-1} - \eta_t \frac{g_t}{\sqrt{G_t} + \epsilon}

    ``eps`` is added *outside* the square root, as torch does (optax adds it inside).
    """
    _check_lr(lr)
    _check_eps(eps)
    schedule = schedule or constant()

    def init(params):
        return AdagradState(count=0, state_sum=np.zeros_like(params, dtype=float))

    def update(grads, state, params):
        state_sum = state.state_sum + grads * grads
        step_lr = lr * schedule(state.count)
        return -step_lr * (grads / (np.sqrt(state_sum) + eps)), AdagradState(
            state.count + 1, state_sum
        )

    return Optimizer("adagrad", init, update, {"lr": lr, "eps": eps})


def rmsprop(lr=0.01, alpha=0.99, eps=1e-8, schedule: Schedule | None = None) -> Optimizer:
    r"""RMSProp; matches ``torch.optim.RMSprop(lr, alpha, eps)`` (not centered, no momentum).

    .. math::
        v_t = \alpha v_{t-1} + (1 - \alpha) g_t^2, \quad
        \theta_t = \theta_{t-1} - \eta_t \frac{g_t}{\sqrt{v_t} + \epsilon}

    No bias correction: ``v_0 = 0`` makes the first steps large (``|step| ≈ lr / sqrt(1 - alpha)``,
    10 × ``lr`` for the default ``alpha``), a quirk torch and Keras share.
    """
    _check_lr(lr)
    _check_eps(eps)
    _check(np.asarray(alpha) >= 0.0, f"Invalid alpha value: {alpha}")
    schedule = schedule or constant()

    def init(params):
        return RMSpropState(count=0, square_avg=np.zeros_like(params, dtype=float))

    def update(grads, state, params):
        square_avg = alpha * state.square_avg + (1 - alpha) * (grads * grads)
        step_lr = lr * schedule(state.count)
        return -step_lr * (grads / (np.sqrt(square_avg) + eps)), RMSpropState(
            state.count + 1, square_avg
        )

    return Optimizer("rmsprop", init, update, {"lr": lr, "alpha": alpha, "eps": eps})


def adam(lr=0.001, betas=(0.9, 0.999), eps=1e-8, schedule: Schedule | None = None) -> Optimizer:
    r"""Adam; matches ``torch.optim.Adam(lr, betas, eps)`` (``amsgrad=False``).

    .. math::
        m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t, \quad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2, \\
        \theta_t = \theta_{t-1} - \frac{\eta_t}{1 - \beta_1^t}
            \cdot \frac{m_t}{\sqrt{v_t} / \sqrt{1 - \beta_2^t} + \epsilon}

    Bias-corrected; ``eps`` sits outside the corrected square root, where torch puts it.
    """
    beta1, beta2 = betas
    _check_lr(lr)
    _check_eps(eps)
    _check((np.asarray(beta1) >= 0.0) & (np.asarray(beta1) < 1.0),
           f"Invalid beta parameter at index 0: {beta1}")
    _check((np.asarray(beta2) >= 0.0) & (np.asarray(beta2) < 1.0),
           f"Invalid beta parameter at index 1: {beta2}")
    schedule = schedule or constant()

    def init(params):
        zeros = np.zeros_like(params, dtype=float)
        return AdamState(count=0, exp_avg=zeros, exp_avg_sq=zeros.copy())

    def update(grads, state, params):
        step = state.count + 1
        # torch updates m with lerp: m + (1 - beta1) (g - m); same value, torch's rounding.
        exp_avg = state.exp_avg + (1 - beta1) * (grads - state.exp_avg)
        exp_avg_sq = beta2 * state.exp_avg_sq + (1 - beta2) * (grads * grads)
        step_size = lr * schedule(state.count) / (1 - beta1**step)
        denom = np.sqrt(exp_avg_sq) / np.sqrt(1 - beta2**step) + eps
        return -step_size * (exp_avg / denom), AdamState(step, exp_avg, exp_avg_sq)

    return Optimizer("adam", init, update, {"lr": lr, "betas": (beta1, beta2), "eps": eps})


class OptimizerSpec(NamedTuple):
    """What a UI or CLI needs to offer an optimizer: its factory, defaults and rule.

    ``defaults`` are the factory's own keyword defaults (``hyperparameter_defaults``), so the
    signature is the one place they are written.
    """

    title: str
    factory: Callable[..., Optimizer]
    defaults: Mapping[str, Any]
    torch_equivalent: str
    update_rule: str  # LaTeX, in the notation of this module's docstring


def hyperparameter_defaults(factory: Callable[..., Optimizer]) -> dict[str, Any]:
    """The hyperparameters of an optimizer factory and their defaults, read from its signature
    (every keyword but ``schedule``)."""
    return {name: parameter.default
            for name, parameter in inspect.signature(factory).parameters.items()
            if name != "schedule"}


def _spec(title: str, factory: Callable[..., Optimizer], torch_equivalent: str,
          update_rule: str) -> OptimizerSpec:
    return OptimizerSpec(title, factory, hyperparameter_defaults(factory), torch_equivalent,
                         update_rule)


OPTIMIZERS: dict[str, OptimizerSpec] = {
    "gd": _spec(
        "Gradient descent", gd, "torch.optim.SGD(lr)",
        r"\theta_t = \theta_{t-1} - \eta\, \nabla f(\theta_{t-1})",
    ),
    "momentum": _spec(
        "Momentum", momentum, "torch.optim.SGD(lr, momentum)",
        r"b_t = \mu\, b_{t-1} + \nabla f(\theta_{t-1}),\quad \theta_t = \theta_{t-1} - \eta\, b_t",
    ),
    "nesterov": _spec(
        "Nesterov", nesterov, "torch.optim.SGD(lr, momentum, nesterov=True)",
        r"b_t = \mu\, b_{t-1} + g_t,\quad \theta_t = \theta_{t-1} - \eta\,(g_t + \mu\, b_t)",
    ),
    "adagrad": _spec(
        "AdaGrad", adagrad, "torch.optim.Adagrad(lr, eps=eps)",
        r"G_t = G_{t-1} + g_t^2,\quad \theta_t = \theta_{t-1}"
        r" - \eta\, \frac{g_t}{\sqrt{G_t} + \epsilon}",
    ),
    "rmsprop": _spec(
        "RMSProp", rmsprop, "torch.optim.RMSprop(lr, alpha, eps)",
        r"v_t = \alpha v_{t-1} + (1-\alpha)\, g_t^2,\quad \theta_t = \theta_{t-1}"
        r" - \eta\, \frac{g_t}{\sqrt{v_t} + \epsilon}",
    ),
    "adam": _spec(
        "Adam", adam, "torch.optim.Adam(lr, betas, eps)",
        r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\ v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,\ "
        r"\theta_t = \theta_{t-1} - \eta\, \frac{m_t/(1-\beta_1^t)}"
        r"{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}",
    ),
}


def make_optimizer(name: str, schedule: Schedule | None = None, **hyperparams) -> Optimizer:
    """The optimizer called ``name`` with ``torch.optim`` hyperparameter names and defaults.

    Unknown names raise KeyError listing the valid ones; an unknown or invalid hyperparameter
    raises ValueError, as torch does at construction.
    """
    try:
        spec = OPTIMIZERS[name]
    except KeyError:
        raise KeyError(
            f"unknown optimizer {name!r}; choose one of: {', '.join(OPTIMIZERS)}"
        ) from None
    unknown = set(hyperparams) - set(spec.defaults)
    if unknown:
        raise ValueError(
            f"{name} takes {', '.join(spec.defaults)}; unknown: {', '.join(sorted(unknown))}"
        )
    return spec.factory(**{**spec.defaults, **hyperparams}, schedule=schedule)
