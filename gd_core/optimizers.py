r"""Optimizers as pure ``(init, update)`` pairs with explicit state, in the style of optax.

``init(params) -> state`` and ``update(grads, state, params) -> (updates, new_state)``; the caller
applies ``params + updates``. Every function works elementwise on arrays of any shape, so a batch
of starts ``(n, dim)`` vectorizes for free, and hyperparameters may themselves be arrays that
broadcast against the batch (``lr`` of shape ``(n, 1)`` runs ``n`` learning rates at once).

``update_in_place`` is the same update, bit for bit, but writes the new state into the arrays of
the state it is given: for the loops that own their state and keep none of its past
(``descend``, ``basin_map``), where not filling new arrays per moment per step cuts an adaptive
optimizer's cost by about a third. Each rule is written once, in place; ``update`` runs it on a
copy of the state.

The update rules, hyperparameter names and defaults are exactly those of ``torch.optim`` (with
``weight_decay=0``, ``dampening=0``, ``maximize=False``), down to the order of floating-point
operations where it matters. Notation: :math:`g_t` the gradient at step :math:`t = 1, 2, \dots`,
:math:`\eta_t = \eta \cdot s(t - 1)` the learning rate times the schedule factor.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from gd_core.schedules import Schedule

Params = np.ndarray
Init = Callable[[Params], Any]
Update = Callable[[np.ndarray, Any, Params], tuple[np.ndarray, Any]]


class Optimizer(NamedTuple):
    """A named ``(init, update)`` pair, the hyperparameters it was built with, and the in-place
    form of ``update`` (see the module's docstring: it overwrites the state it is given, whose
    arrays must already have the batch's full shape, as ``init`` makes them for full-shape
    ``params``)."""

    name: str
    init: Init
    update: Update
    hyperparams: Mapping[str, Any]
    update_in_place: Update
    #: Plain gradient descent's ``count -> -η`` of the step after ``count`` steps, the factor
    #: its update multiplies the gradient by (None for the others, whose updates keep state):
    #: with it, a caller whose gradients are affine in the parameters may take all the steps
    #: at once (``gd_core.minibatch``).
    gradient_scale: Callable[[int], Any] | None = None


def _optimizer(name: str, init: Init, update_in_place: Update,
               hyperparams: Mapping[str, Any],
               gradient_scale: Callable[[int], Any] | None = None) -> Optimizer:
    def update(grads, state, params):
        fresh = type(state)(*(np.array(part, dtype=float, copy=True)
                              if isinstance(part, np.ndarray) else part for part in state))
        return update_in_place(grads, fresh, params)

    return Optimizer(name, init, update, hyperparams, update_in_place, gradient_scale)


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


def _check(condition, message: str, value=None) -> None:
    """Raise torch's ValueError ``message`` (``{}`` filled with ``value``) unless ``condition``
    holds everywhere. The message is written only then: printing an array is slow."""
    if not np.all(condition):
        raise ValueError(message.format(value))


def _check_lr(lr) -> None:
    _check(np.asarray(lr) >= 0.0, "Invalid learning rate: {}", lr)


def _check_eps(eps) -> None:
    _check(np.asarray(eps) >= 0.0, "Invalid epsilon value: {}", eps)


def _rate(lr, schedule: Schedule | None) -> Callable[[int], Any]:
    """``count -> lr * schedule(count)``, the rate of the step after ``count`` steps. Without a
    schedule it is ``lr`` itself, made once: a constant factor 1.0 changes no bit, and an array
    ``lr`` (a fan of rates) would otherwise cost array operations on every step."""
    if schedule is None:
        fixed = np.asarray(lr, dtype=float) if np.ndim(lr) else float(lr)
        return lambda count: fixed
    return lambda count: lr * schedule(count)


def _negative_rate(lr, schedule: Schedule | None) -> Callable[[int], Any]:
    """``count -> -(lr * schedule(count))``, what an update multiplies its direction by:
    ``_rate`` of ``-lr`` (``(-a) b = -(a b)`` exactly, the same bits as torch's ``-lr * d``)."""
    return _rate(np.negative(lr), schedule)


def gd(lr=0.01, schedule: Schedule | None = None) -> Optimizer:
    r"""Plain gradient descent; matches ``torch.optim.SGD(lr)``.

    .. math:: \theta_t = \theta_{t-1} - \eta_t g_t
    """
    _check_lr(lr)
    scale = _negative_rate(lr, schedule)

    def init(params):
        return GDState(count=0)

    def update_in_place(grads, state, params):
        return scale(state.count) * grads, GDState(count=state.count + 1)

    return _optimizer("gd", init, update_in_place, {"lr": lr}, gradient_scale=scale)


def _heavy_ball(name: str, lr, momentum, nesterov: bool, schedule: Schedule | None) -> Optimizer:
    _check_lr(lr)
    _check(np.asarray(momentum) >= 0.0, "Invalid momentum value: {}", momentum)
    if nesterov:
        _check(np.asarray(momentum) > 0.0, "Nesterov momentum requires a momentum > 0")
    scale = _negative_rate(lr, schedule)

    def init(params):
        return MomentumState(count=0, momentum_buffer=np.zeros_like(params, dtype=float))

    def update_in_place(grads, state, params):
        buffer = state.momentum_buffer
        if state.count == 0:
            # torch starts the buffer as the first gradient itself, not as momentum * 0 + g.
            np.copyto(buffer, grads)
        else:
            buffer *= momentum
            buffer += grads
        direction = grads + momentum * buffer if nesterov else buffer
        return scale(state.count) * direction, MomentumState(state.count + 1, buffer)

    return _optimizer(name, init, update_in_place, {"lr": lr, "momentum": momentum})


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
    scale = _negative_rate(lr, schedule)

    def init(params):
        return AdagradState(count=0, state_sum=np.zeros_like(params, dtype=float))

    def update_in_place(grads, state, params):
        state_sum = state.state_sum
        state_sum += grads * grads
        denom = np.sqrt(state_sum)
        denom += eps
        return scale(state.count) * np.divide(grads, denom, out=denom), AdagradState(
            state.count + 1, state_sum
        )

    return _optimizer("adagrad", init, update_in_place, {"lr": lr, "eps": eps})


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
    _check(np.asarray(alpha) >= 0.0, "Invalid alpha value: {}", alpha)
    scale = _negative_rate(lr, schedule)

    def init(params):
        return RMSpropState(count=0, square_avg=np.zeros_like(params, dtype=float))

    def update_in_place(grads, state, params):
        square_avg = state.square_avg
        square_avg *= alpha
        squared = grads * grads
        squared *= 1 - alpha
        square_avg += squared
        denom = np.sqrt(square_avg, out=squared)
        denom += eps
        return scale(state.count) * np.divide(grads, denom, out=denom), RMSpropState(
            state.count + 1, square_avg
        )

    return _optimizer("rmsprop", init, update_in_place, {"lr": lr, "alpha": alpha, "eps": eps})


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
           "Invalid beta parameter at index 0: {}", beta1)
    _check((np.asarray(beta2) >= 0.0) & (np.asarray(beta2) < 1.0),
           "Invalid beta parameter at index 1: {}", beta2)
    rate = _rate(lr, schedule)

    def init(params):
        return AdamState(count=0, exp_avg=np.zeros_like(params, dtype=float),
                         exp_avg_sq=np.zeros_like(params, dtype=float))

    def update_in_place(grads, state, params):
        step = state.count + 1
        exp_avg, exp_avg_sq = state.exp_avg, state.exp_avg_sq
        # torch updates m with lerp: m + (1 - beta1) (g - m); same value, torch's rounding.
        scratch = np.subtract(grads, exp_avg)
        scratch *= 1 - beta1
        exp_avg += scratch
        exp_avg_sq *= beta2
        np.multiply(grads, grads, out=scratch)
        scratch *= 1 - beta2
        exp_avg_sq += scratch
        step_size = rate(state.count) / (1 - beta1**step)
        denom = np.sqrt(exp_avg_sq, out=scratch)
        denom /= np.sqrt(1 - beta2**step)
        denom += eps
        return -step_size * np.divide(exp_avg, denom, out=denom), AdamState(
            step, exp_avg, exp_avg_sq)

    return _optimizer("adam", init, update_in_place,
                      {"lr": lr, "betas": (beta1, beta2), "eps": eps})


class SideBySideState(NamedTuple):
    parts: tuple


def side_by_side(optimizers: Sequence[Optimizer], sizes: Sequence[int]) -> Optimizer:
    """Several optimizers over one batch, each on its own consecutive block of ``sizes[i]``
    runs along the batch's first axis: six optimizers race in one ``descend``, with one gradient
    call per step for all of them. Each block gets exactly the updates its optimizer alone gives
    it (every rule works elementwise), and its hyperparameters broadcast against its block.
    """
    _check(len(optimizers) == len(sizes) and len(optimizers) > 0,
           "side_by_side needs one block size per optimizer, got {}", (len(optimizers), len(sizes)))
    edges = np.cumsum([0, *sizes])
    blocks = [slice(int(low), int(high)) for low, high in itertools.pairwise(edges)]

    def init(params):
        _check(params.shape[0] == edges[-1], "side_by_side blocks cover {} runs", int(edges[-1]))
        return SideBySideState(tuple(optimizer.init(params[block])
                                     for optimizer, block in zip(optimizers, blocks, strict=True)))

    def each(rules: Sequence[Update]) -> Update:
        """The update of every block by its optimizer's rule (pure or in place)."""
        def update(grads, state, params):
            updates = np.empty_like(grads)
            parts = []
            for rule, block, part in zip(rules, blocks, state.parts, strict=True):
                updates[block], new_part = rule(grads[block], part, params[block])
                parts.append(new_part)
            return updates, SideBySideState(tuple(parts))
        return update

    return Optimizer("side_by_side", init, each([optimizer.update for optimizer in optimizers]),
                     {}, each([optimizer.update_in_place for optimizer in optimizers]))


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
