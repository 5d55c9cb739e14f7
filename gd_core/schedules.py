"""Learning-rate schedules: functions ``step -> factor`` that multiply ``lr``.

``step`` is the 0-based index of the update being taken, so step 0 always uses the full ``lr``.
This matches calling a ``torch.optim.lr_scheduler`` ``.step()`` once after every
``optimizer.step()``: constant (no scheduler), ``StepLR(step_size, gamma)``,
``ExponentialLR(gamma)``, ``CosineAnnealingLR(T_max, eta_min=min_factor * lr)``, and inverse-time
decay ``LambdaLR(lambda t: 1 / (1 + decay * t))``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

Schedule = Callable[[int], float]


def constant() -> Schedule:
    r"""``factor(t) = 1``."""
    return lambda step: 1.0


def step_decay(step_size: int = 50, gamma: float = 0.5) -> Schedule:
    r"""``factor(t) = \gamma^{\lfloor t / \text{step\_size} \rfloor}`` (torch ``StepLR``)."""
    if step_size < 1:
        raise ValueError(f"Invalid step_size: {step_size}")
    if not 0.0 < gamma <= 1.0:
        raise ValueError(f"Invalid gamma: {gamma}")
    return lambda step: gamma ** (step // step_size)


def exponential(gamma: float = 0.99) -> Schedule:
    r"""``factor(t) = \gamma^t`` (torch ``ExponentialLR``)."""
    if not 0.0 < gamma <= 1.0:
        raise ValueError(f"Invalid gamma: {gamma}")
    return lambda step: gamma**step


def cosine(total_steps: int = 100, min_factor: float = 0.0) -> Schedule:
    r"""``factor(t) = m + (1 - m)(1 + \cos(\pi t / T)) / 2`` (torch ``CosineAnnealingLR``).

    ``T`` is ``total_steps``; ``m`` is ``min_factor`` (torch's ``eta_min / lr``). Past ``T`` the
    factor stays at ``m`` rather than rising again as torch's closed form would.
    """
    if total_steps < 1:
        raise ValueError(f"Invalid total_steps: {total_steps}")
    if not 0.0 <= min_factor <= 1.0:
        raise ValueError(f"Invalid min_factor: {min_factor}")

    def factor(step: int) -> float:
        progress = min(step, total_steps) / total_steps
        return min_factor + (1 - min_factor) * (1 + math.cos(math.pi * progress)) / 2

    return factor


def inverse_time(decay: float = 0.01) -> Schedule:
    r"""``factor(t) = 1 / (1 + \text{decay} \cdot t)``: the classic 1/t decay."""
    if decay < 0:
        raise ValueError(f"Invalid decay: {decay}")
    return lambda step: 1.0 / (1.0 + decay * step)


SCHEDULES: dict[str, Callable[..., Schedule]] = {
    "constant": constant,
    "step": step_decay,
    "exponential": exponential,
    "cosine": cosine,
    "inverse_time": inverse_time,
}


def make_schedule(name: str, **params) -> Schedule:
    """The schedule called ``name`` (one of ``SCHEDULES``) with its parameters."""
    try:
        factory = SCHEDULES[name]
    except KeyError:
        raise KeyError(
            f"unknown schedule {name!r}; choose one of: {', '.join(SCHEDULES)}"
        ) from None
    return factory(**params)
