r"""Stochastic and minibatch gradient descent on a model fitted to data (``gd_core.data``).

Each epoch deals the samples into batches of ``batch_size`` (shuffled, or in order), and every
step follows the gradient of the loss on one batch only:
:math:`\theta \leftarrow \theta - \eta \cdot \frac{1}{m} \sum_{i \in B} \nabla \ell_i(\theta)`.
With one batch of all the samples, in order, that is exactly ``descend`` on the model's surface.
Plain gradient descent on a line's minibatches, whose gradients are affine in the parameters,
takes all its steps at once (``_plain_descent_on_quadratics``); every other run, full batches
included (they keep ``descend``'s bits), steps one batch at a time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gd_core.descent import Trajectory, escape_limits, runaway_code, starting_params
from gd_core.optimizers import make_optimizer


@dataclass(frozen=True)
class MinibatchTrajectory(Trajectory):
    """A ``Trajectory`` (``points``, ``values`` = the loss on all the data at each iterate,
    ``diverged_at``, ``stop_code``) plus the samples each step's gradient was taken on:
    ``batches[k]`` is the index array of step ``k + 1``. ``samples_seen[k]`` counts the samples
    whose gradients the first ``k`` steps used (``(steps + 1,)``, starting at 0)."""

    batches: tuple[np.ndarray, ...]
    batch_size: int
    steps_per_epoch: int

    @property
    def samples_seen(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum([len(batch) for batch in self.batches])])

    @property
    def epochs_done(self) -> np.ndarray:
        """After each step, the epochs done: step / steps_per_epoch, ``(steps + 1,)``."""
        return np.arange(self.steps + 1) / self.steps_per_epoch


def epoch_batches(n: int, epochs: int, batch_size: int, shuffle: bool = True,
                  seed: int | None = 0) -> list[np.ndarray]:
    """The batches of ``epochs`` passes over ``n`` samples: each epoch deals every sample
    exactly once into ``⌈n / batch_size⌉`` batches (the last one smaller when ``batch_size``
    does not divide ``n``), in a fresh order from ``numpy.random.default_rng(seed)`` with
    ``shuffle``, else in order."""
    if int(epochs) != epochs or epochs < 0:
        raise ValueError(f"epochs must be a whole number >= 0, got {epochs}")
    if int(batch_size) != batch_size or not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be a whole number from 1 to n = {n}, got "
                         f"{batch_size}")
    batch_size = int(batch_size)
    rng = np.random.default_rng(seed)
    batches = []
    for _ in range(int(epochs)):
        order = rng.permutation(n) if shuffle else np.arange(n)
        batches += [order[start:start + batch_size] for start in range(0, n, batch_size)]
    return batches


def minibatch_descend(problem, optimizer, start, epochs: int, batch_size: int,
                      shuffle: bool = True, seed: int | None = 0) -> MinibatchTrajectory:
    """Run ``optimizer`` (any ``gd_core`` optimizer) on ``problem`` (``linear_regression`` or
    ``one_unit_network``) for ``epochs`` passes over its data in batches of ``batch_size``.

    ``start`` is ``(2,)`` or a batch ``(k, 2)`` (every start sees the same batches; array
    hyperparameters broadcast as in ``descend``). Returns ``epochs · ⌈n / batch_size⌉ + 1``
    rows; a run that runs away is reported as ``descend`` reports it (``diverged_at``, points
    after it NaN), without a warning.
    """
    surface = problem.surface
    batches = epoch_batches(problem.data.n, epochs, batch_size, shuffle, seed)
    steps = len(batches)
    params, single = starting_params(surface, start, optimizer.hyperparams)
    shape = params.shape

    scale = _plain_gradient_scale(optimizer)
    factors = None if scale is None else np.array([scale(count) for count in range(steps)],
                                                  dtype=float)
    moments = None if factors is None else problem.batch_moments(batches)
    points = np.empty((steps + 1, *shape))
    points[0] = params
    with np.errstate(all="ignore"):
        if moments is not None:
            _plain_descent_on_quadratics(points, factors, *moments)
        elif factors is not None and problem.plain_steps(points, factors, batches):
            pass  # the network's plain descent on a few samples a step, in Python floats
        else:
            gradient = problem.batch_gradients(batches)
            state = optimizer.init(params)
            for step in range(1, steps + 1):
                updates, state = optimizer.update_in_place(gradient(step - 1, params), state,
                                                           params)
                params += updates
                points[step] = params
        # The loss and the runaway checks for every step at once, after the run: they do not
        # steer it, and one call over all steps costs what a few per-step calls would.
        values = surface.value_fn(points)
    codes = runaway_code(points, values, escape_limits(surface))
    ran_away = codes > 0
    diverged_at = np.where(ran_away.any(axis=0), np.argmax(ran_away, axis=0), -1)
    stop_code = np.take_along_axis(codes, np.maximum(diverged_at, 0)[None], axis=0)[0]
    after = np.arange(steps + 1).reshape(-1, *[1] * diverged_at.ndim) > np.where(
        diverged_at >= 0, diverged_at, steps + 1)
    points[after] = np.nan
    values[after] = np.nan
    steps_per_epoch = math.ceil(problem.data.n / int(batch_size))
    if single:
        return MinibatchTrajectory(points[:, 0], values[:, 0], int(diverged_at[0]),
                                   int(stop_code[0]), tuple(batches), int(batch_size),
                                   steps_per_epoch)
    return MinibatchTrajectory(points, values, diverged_at, stop_code, tuple(batches),
                               int(batch_size), steps_per_epoch)


def _plain_gradient_scale(optimizer):
    """Plain gradient descent's ``count -> s_t = -η_t``, the number its update multiplies the
    gradient by (``Optimizer.gradient_scale``); None for any other optimizer, or a fan of
    rates. Asked before the batches' moments, which only its runs use."""
    scale = optimizer.gradient_scale
    return scale if scale is not None and np.ndim(scale(0)) == 0 else None


def _plain_descent_on_quadratics(points: np.ndarray, factors: np.ndarray, hessians: np.ndarray,
                                 offsets: np.ndarray) -> None:
    r"""Plain gradient descent where step t's gradient is :math:`H_t \theta - c_t` (a line's
    loss on a batch), every step at once: each step is the affine map
    :math:`\theta \mapsto (I + s_t H_t)\theta - s_t c_t`, and ``points[t]`` is ``points[0]``
    sent through the first t of them. Those prefix compositions are taken by doubling
    (Hillis–Steele): log2(T) rounds of array operations instead of T Python steps, which cost
    microseconds each (a single-sample run takes thousands). The same path as the stepped loop
    up to round-off (the tests hold them within 1e-11 of each coordinate's size); written out
    per coordinate, so each start of a batch gets the bits it gets alone.
    """
    # The maps as rows (a00, a01, a10, a11, b0, b1) over the steps: z -> [[a00, a01], [a10,
    # a11]] z + (b0, b1), the 2 x 2 products written out (NumPy's stacked matmul costs per
    # matrix).
    a00, a01, a10, a11 = (factors * hessians[:, i, j] for i in (0, 1) for j in (0, 1))
    maps = np.stack([a00 + 1.0, a01, a10, a11 + 1.0, -factors * offsets[:, 0],
                     -factors * offsets[:, 1]])
    span = 1
    while span < len(factors):
        # Map t becomes map t after map t - span; every right-hand side reads the old maps.
        l00, l01, l10, l11, g0, g1 = maps[:, span:]
        e00, e01, e10, e11, f0, f1 = maps[:, :-span]
        maps[:, span:] = (l00 * e00 + l01 * e10, l00 * e01 + l01 * e11,
                          l10 * e00 + l11 * e10, l10 * e01 + l11 * e11,
                          l00 * f0 + l01 * f1 + g0, l10 * f0 + l11 * f1 + g1)
        span *= 2
    a00, a01, a10, a11, b0, b1 = maps[:, :, None]
    x, y = points[0][..., 0], points[0][..., 1]
    points[1:, ..., 0] = a00 * x + a01 * y + b0
    points[1:, ..., 1] = a10 * x + a11 * y + b1


@dataclass(frozen=True)
class RangeTest:
    """A learning-rate range test: ``lrs[k]`` is the rate step ``k + 1`` took and ``losses[k]``
    the loss on all the data after it (NaN once the run ran away, at ``diverged_at``, -1 if
    never); ``largest_stable_lr`` is the theory's 2 / λmax of the loss's Hessian."""

    lrs: np.ndarray
    losses: np.ndarray
    start_loss: float
    diverged_at: int
    largest_stable_lr: float

    def blow_up_lr(self, factor: float = 4.0) -> float:
        """The first rate after which the loss is over ``factor`` times the start's loss (or the
        run has run away); NaN if it never is."""
        over = ~(self.losses <= factor * self.start_loss)
        return float(self.lrs[np.argmax(over)]) if over.any() else float("nan")


def lr_range_test(problem, optimizer: str, start, lr_min: float, lr_max: float,
                  steps: int = 100, batch_size: int | None = None, seed: int | None = 0,
                  **hyperparams) -> RangeTest:
    """Smith's range test (2015, "Cyclical learning rates"): one run whose learning rate grows
    by the same factor every step, from ``lr_min`` at the first step to ``lr_max`` at the last,
    recording the loss against the rate; the rate where the loss blows up bounds the useful
    rates. ``batch_size`` None is full batch (the theory's 2 / λmax then holds exactly for
    plain gradient descent); batches are shuffled with ``seed``."""
    if not 0 < lr_min < lr_max or not np.isfinite(lr_max):
        raise ValueError(f"the range test needs 0 < lr_min < lr_max, got {lr_min}, {lr_max}")
    if int(steps) != steps or steps < 2:
        raise ValueError(f"steps must be a whole number >= 2, got {steps}")
    steps = int(steps)
    growth = (lr_max / lr_min) ** (1.0 / (steps - 1))
    made = make_optimizer(optimizer, schedule=lambda step: growth**step, lr=lr_min,
                          **hyperparams)
    n = problem.data.n
    size = n if batch_size is None else int(batch_size)
    epochs = math.ceil(steps / math.ceil(n / size))
    run = minibatch_descend(problem, made, np.asarray(start, dtype=float), epochs, size,
                            shuffle=batch_size is not None, seed=seed)
    diverged_at = run.diverged_at if 0 <= run.diverged_at <= steps else -1
    return RangeTest(lrs=lr_min * growth ** np.arange(steps), losses=run.values[1:steps + 1],
                     start_loss=float(run.values[0]), diverged_at=int(diverged_at),
                     largest_stable_lr=problem.largest_stable_lr)
