r"""Learning from data: datasets and the two-parameter models fitted to them.

A model's loss on a dataset is a ``Surface`` over its two parameters, so every tool that takes a
surface (``descend``, ``outcomes``, ``basin_map``, the charts) takes it too; on top of that, a
model knows the gradient of its loss on any subset of the samples (``batch_gradient``), and on
each of a run's batches in turn (``batch_gradients``), which is what
``gd_core.minibatch_descend`` steps along.

- ``linear_regression``: :math:`J(w, b) = \frac{1}{2n} \sum_i (w \tilde x_i + b - y_i)^2`, a
  quadratic with a closed-form minimum (least squares), a constant Hessian, a condition number
  and a largest stable learning rate; :math:`\tilde x` is the raw, centred or standardized x.
- ``one_unit_network``: :math:`J(w, v) = \frac{1}{2n} \sum_i (v \tanh(w x_i) - y_i)^2`, one
  hidden tanh unit; not convex: two mirror-image minima :math:`\pm(w^*, v^*)` and a saddle at the
  origin.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from gd_core.critical_points import hessian, is_local_minimum, refine_minima
from gd_core.surfaces import Surface

#: The most samples a dataset may hold: the work of one step grows with it.
MAX_SAMPLES = 10_000
#: Values a model takes at once when evaluating its loss on many points (a contour grid, a
#: run's thousands of steps): the points are taken in chunks of ``_CHUNK_VALUES // n``, so that
#: a chunk's arrays (1 MB each) stay in the processor's cache through the passes over them: 1M
#: values a chunk took the network's loss at 6000 points of 300 samples 10 ms, its gradient at
#: 3721 points 75 ms; 131072 take 8 and 32 ms.
_CHUNK_VALUES = 131_072
SCALINGS = ("raw", "centered", "standardized")
#: How far the plotted box reaches around the model's minima, in units of their largest
#: coordinate (at least 1): far enough to hold the origin, where descent usually starts.
_DOMAIN_REACH = 1.5


@dataclass(frozen=True, eq=False)
class Dataset:
    """Samples ``(x_i, y_i)``: two 1D float arrays of one length ``n`` (2 to ``MAX_SAMPLES``),
    every value finite, and what the two columns are called (``names``: a CSV's header, say).
    Bad input raises ``ValueError`` saying what is wrong."""

    x: np.ndarray
    y: np.ndarray
    names: tuple[str, str] = ("x", "y")

    def __post_init__(self):
        columns = []
        for name in ("x", "y"):
            try:
                column = np.array(getattr(self, name), dtype=float)
            except (TypeError, ValueError):
                raise ValueError(f"{name} must hold numbers") from None
            if column.ndim != 1:
                raise ValueError(f"{name} must be one column of numbers, got shape "
                                 f"{column.shape}")
            if not np.all(np.isfinite(column)):
                raise ValueError(f"{name} holds a value that is not a finite number "
                                 f"(row {int(np.argmin(np.isfinite(column))) + 1})")
            column.flags.writeable = False
            columns.append(column)
        x, y = columns
        if len(x) != len(y):
            raise ValueError(f"x and y must have one length, got {len(x)} and {len(y)}")
        if not 2 <= len(x) <= MAX_SAMPLES:
            raise ValueError(f"a dataset holds 2 to {MAX_SAMPLES} samples, got {len(x)}")
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)
        if len(self.names) != 2 or not all(isinstance(name, str) and name
                                           for name in self.names):
            raise ValueError("names must be two non-empty strings, for x and y")
        object.__setattr__(self, "names", tuple(self.names))

    @property
    def n(self) -> int:
        return len(self.x)


def _sampled(n: int, x_range, noise: float, seed, curve) -> Dataset:
    """``n`` samples, x uniform in ``x_range``, y = ``curve(x)`` plus Gaussian noise of standard
    deviation ``noise``, all drawn from ``numpy.random.default_rng(seed)``."""
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a standard deviation >= 0, got {noise}")
    lo, hi = (float(end) for end in x_range)
    if not lo < hi:
        raise ValueError(f"x_range must be (low, high) with low < high, got {x_range}")
    rng = np.random.default_rng(seed)
    x = rng.uniform(lo, hi, int(n))
    return Dataset(x, curve(x) + noise * rng.standard_normal(len(x)))


def make_regression(n: int = 50, slope: float = 2.0, intercept: float = 1.0, noise: float = 1.0,
                    x_range=(0.0, 10.0), seed: int | None = 0) -> Dataset:
    """A seeded synthetic line: ``y = slope·x + intercept + noise·ε``, x uniform in
    ``x_range``, ε standard normal."""
    return _sampled(n, x_range, noise, seed, lambda x: slope * x + intercept)


def make_tanh_regression(n: int = 50, weight: float = 1.5, scale: float = 2.0,
                         noise: float = 0.3, x_range=(-3.0, 3.0),
                         seed: int | None = 0) -> Dataset:
    """A seeded synthetic S-curve for ``one_unit_network``: ``y = scale·tanh(weight·x) +
    noise·ε``, drawn as ``make_regression`` draws its line."""
    return _sampled(n, x_range, noise, seed, lambda x: scale * np.tanh(weight * x))


def _chunked(points: np.ndarray, n: int, per_chunk):
    """``per_chunk`` over ``points`` ``(..., 2)`` in chunks small enough that a chunk times the
    ``n`` samples stays under ``_CHUNK_VALUES``; the results joined in the points' shape."""
    flat = points.reshape(-1, 2)
    size = max(1, _CHUNK_VALUES // n)
    if len(flat) <= size:
        return per_chunk(points)
    parts = [per_chunk(flat[start:start + size]) for start in range(0, len(flat), size)]
    return np.concatenate(parts).reshape(*points.shape[:-1], *parts[0].shape[1:])


def _square_domain(centres) -> tuple[tuple[float, float], tuple[float, float]]:
    """A square box around the mean of ``centres`` (points ``(k, 2)``), wide enough to hold
    every centre and the origin with room to spare."""
    centres = np.atleast_2d(np.asarray(centres, dtype=float))
    middle = centres.mean(axis=0)
    half = _DOMAIN_REACH * max(float(np.max(np.abs(centres))), 1.0)
    return tuple((float(c - half), float(c + half)) for c in middle)


@dataclass(frozen=True, eq=False)
class LinearRegression:
    r"""A line :math:`\hat y = w \tilde x + b` fitted by the mean squared error
    :math:`J(w, b) = \frac{1}{2n} \sum_i (w \tilde x_i + b - y_i)^2`.

    ``features`` is :math:`\tilde x`: x as it is (``"raw"``), minus its mean (``"centered"``), or
    also divided by its standard deviation (``"standardized"``). Make one with
    ``linear_regression``.
    """

    data: Dataset
    scaling: str
    features: np.ndarray = field(repr=False)
    x_shift: float
    x_scale: float
    surface: Surface = field(repr=False)
    least_squares: np.ndarray

    def batch_gradient(self, params: np.ndarray, indices=None) -> np.ndarray:
        """The gradient of the loss on the samples ``indices`` (all of them when None), at
        ``params`` ``(k, 2)``: the mean of the per-sample gradients, ``(k, 2)``."""
        if indices is None:
            return self.surface.gradient_fn(params)
        return self.batch_gradients([np.asarray(indices)])(0, params)

    def batch_gradients(self, batches) -> Callable[[int, np.ndarray], np.ndarray]:
        r"""``gradient(k, params)``: the gradient of the loss on ``batches[k]`` at ``params``.

        The loss on a batch B of m samples is a quadratic whose gradient is
        :math:`H_B \theta - c_B`, with :math:`H_B = \frac{1}{m} \sum_B [\tilde x_i^2, \tilde x_i;
        \tilde x_i, 1]` and :math:`c_B = \frac{1}{m} \sum_B [\tilde x_i y_i, y_i]`. These
        moments are taken for every batch of a run at once, so a step costs a few operations
        whatever its batch (a single-sample run takes thousands of steps).

        Batches of all the data take J's own gradient instead, as ``descend`` does, to the bit.
        Its round-off, like a framework's, also lets a full-batch run that has settled in the
        minimum blow up once the rate passes 2 / λmax (the range test); the moments would hold
        it there exactly.
        """
        moments = self.batch_moments(batches)
        if moments is None:
            return lambda k, params: self.surface.gradient_fn(params)
        hessians, offsets = moments
        return lambda k, params: _moment_gradient(params, hessians[k], offsets[k])

    def plain_steps(self, points: np.ndarray, factors: np.ndarray, batches) -> bool:
        """False: plain gradient descent on a line's minibatches takes its steps all at once
        from ``batch_moments``, and on full batches steps as ``descend`` does."""
        return False

    def batch_moments(self, batches) -> tuple[np.ndarray, np.ndarray] | None:
        r"""Each batch's gradient as the affine map it is, :math:`H_B \theta - c_B`:
        ``(hessians (k, 2, 2), offsets (k, 2))``; None when every batch is all the data (their
        steps take J's own gradient, see ``batch_gradients``)."""
        if all(len(batch) == self.data.n for batch in batches):
            return None
        return _moments(self.features, self.data.y, batches)

    @property
    def hessian(self) -> np.ndarray:
        r"""The Hessian of J, the same everywhere: :math:`\frac{1}{n} \tilde X^\top \tilde X`
        with :math:`\tilde X = [\tilde x, 1]`."""
        return _line_hessian(self.features)

    @property
    def curvatures(self) -> np.ndarray:
        """The Hessian's eigenvalues, smallest first."""
        return np.linalg.eigvalsh(self.hessian)

    @property
    def condition_number(self) -> float:
        """λmax / λmin of the Hessian: how elongated J's level ellipses are (1 is round)."""
        low, high = self.curvatures
        return float(high / low)

    @property
    def largest_stable_lr(self) -> float:
        """2 / λmax: full-batch gradient descent with any larger rate diverges."""
        return float(2.0 / self.curvatures[-1])

    def line(self, params) -> tuple[np.ndarray, np.ndarray]:
        """The fitted line in the data's own units: (slope, intercept) of y over the raw x, for
        ``params`` ``(..., 2)``."""
        params = np.asarray(params, dtype=float)
        slope = params[..., 0] / self.x_scale
        return slope, params[..., 1] - slope * self.x_shift


def _line_residuals(params: np.ndarray, features: np.ndarray, y: np.ndarray,
                    out: np.ndarray | None = None) -> np.ndarray:
    """``w·x̃ + b − y`` per point of ``params`` ``(..., 2)`` and sample: ``(..., n)`` (into
    ``out`` when given)."""
    residuals = np.multiply(params[..., 0, None], features, out=out)
    residuals += params[..., 1, None]
    residuals -= y
    return residuals


def _line_hessian(features: np.ndarray) -> np.ndarray:
    mean = float(np.mean(features))
    return np.array([[float(np.mean(features * features)), mean], [mean, 1.0]])


def _line_gradient(params: np.ndarray, features: np.ndarray, y: np.ndarray) -> np.ndarray:
    terms = _gradient_terms(params, len(y))
    residuals = _line_residuals(params, features, y, out=terms[..., 1, :])
    np.multiply(residuals, features, out=terms[..., 0, :])
    return _mean_of_terms(terms)


def _moments(features: np.ndarray, y: np.ndarray, batches) -> tuple[np.ndarray, np.ndarray]:
    """The moments of the loss on each batch (arrays of sample indices): ``(hessians (k, 2, 2),
    offsets (k, 2))``, as ``LinearRegression.batch_gradients`` defines them."""
    lengths = np.array([len(batch) for batch in batches])
    order = np.concatenate(batches)
    x, t = features[order], y[order]
    starts = np.concatenate([[0], np.cumsum(lengths[:-1])])
    means = np.add.reduceat(np.stack([x * x, x, x * t, t]), starts, axis=1) / lengths
    hessians = np.ones((len(batches), 2, 2))
    hessians[:, 0, 0] = means[0]
    hessians[:, 0, 1] = hessians[:, 1, 0] = means[1]
    return hessians, np.ascontiguousarray(means[2:].T)


def _moment_gradient(params: np.ndarray, hessian: np.ndarray, offset: np.ndarray) -> np.ndarray:
    r""":math:`H \theta - c` at every point of ``params`` ``(..., 2)`` (``hessian`` symmetric),
    written out rather than a matrix product: BLAS may round a batch of starts otherwise than
    each start alone."""
    gradient = params[..., :1] * hessian[0]
    gradient += params[..., 1:] * hessian[1]
    gradient -= offset
    return gradient


def _gradient_terms(params: np.ndarray, m: int) -> np.ndarray:
    """Room for the per-sample terms of the gradient's two components: ``(..., 2, m)``."""
    return np.empty((*params.shape[:-1], 2, m))


def _mean_of_terms(terms: np.ndarray) -> np.ndarray:
    """The gradient ``(..., 2)``: the mean over the samples of ``terms`` ``(..., 2, m)``.

    One sum over the last axis and one division, in place, rather than ``np.mean`` and
    ``np.stack``: this runs once per step of a minibatch run, thousands of times, where NumPy's
    per-call overhead is most of the work. Each component's sum is the one ``np.add.reduce``
    gives for it alone (the same pairwise summation over a contiguous row); dividing by one
    changes nothing, so a single sample skips it.
    """
    gradient = np.add.reduce(terms, axis=-1)
    if terms.shape[-1] != 1:
        gradient /= terms.shape[-1]
    return gradient


def linear_regression(data: Dataset, scaling: str = "raw") -> LinearRegression:
    """Fit a line to ``data`` by gradient descent on the mean squared error; ``scaling`` (one of
    ``SCALINGS``) says what x̃ is. The loss's ``surface`` is over (w, b); its one minimum,
    ``least_squares``, is the closed-form fit on x̃."""
    if scaling not in SCALINGS:
        raise ValueError(f"scaling must be one of {', '.join(SCALINGS)}, got {scaling!r}")
    x, y = data.x, data.y
    shift = float(np.mean(x)) if scaling != "raw" else 0.0
    spread = float(np.std(x))
    # Relative to the size of x: a column of one repeated value (up to round-off) fits no line.
    if spread <= 1e-12 * max(float(np.max(np.abs(x))), 1.0):
        raise ValueError("every x is the same: there is no line to fit (x needs two different "
                         "values)")
    scale = spread if scaling == "standardized" else 1.0
    features = (x - shift) / scale
    features.flags.writeable = False
    centred = features - np.mean(features)
    slope = float(np.sum(centred * (y - np.mean(y))) / np.sum(centred * centred))
    least_squares = np.array([slope, float(np.mean(y)) - slope * float(np.mean(features))])
    n = data.n
    # J is a quadratic about its minimum: J(θ) = J* + ½ dᵀ H d with d = θ − θ*. A few operations
    # a point whatever n (a 101 x 101 grid of J on 200 samples: 10 -> 0.2 ms), and none of the
    # cancellation that expanding the square over the samples' sums would bring.
    residuals = _line_residuals(least_squares, features, y)
    lowest = float(np.mean(residuals * residuals) / 2)
    mean_square, mean = _line_hessian(features)[0]

    def value(points):
        step = np.asarray(points, dtype=float) - least_squares
        w, b = step[..., 0], step[..., 1]
        return lowest + (mean_square * w * w + 2 * mean * w * b + b * b) / 2

    def gradient(points):
        return _chunked(points, n, lambda p: _line_gradient(p, features, y))

    surface = Surface(
        name=f"linear_regression_{scaling}", title=f"Linear regression ({scaling} x)",
        formula=r"J(w, b) = \frac{1}{2n} \sum_{i=1}^{n} (w\,\tilde x_i + b - y_i)^2",
        domain=_square_domain(least_squares), value_fn=value, gradient_fn=gradient,
        minima=(least_squares,),
        description="The mean squared error of the line w·x̃ + b on the data: a bowl whose "
                    "one minimum is the least-squares fit.")
    return LinearRegression(data, scaling, features, shift, scale, surface, least_squares)


@dataclass(frozen=True, eq=False)
class OneUnitNetwork:
    r"""One hidden tanh unit, :math:`\hat y = v \tanh(w x)`, fitted by the mean squared error
    :math:`J(w, v) = \frac{1}{2n} \sum_i (v \tanh(w x_i) - y_i)^2`. Not convex: (w, v) and
    (−w, −v) fit equally well. Make one with ``one_unit_network``."""

    data: Dataset
    surface: Surface = field(repr=False)

    def batch_gradient(self, params: np.ndarray, indices=None) -> np.ndarray:
        """The gradient of the loss on the samples ``indices`` (all of them when None), at
        ``params`` ``(k, 2)``: ``(k, 2)``."""
        x, y = self.data.x, self.data.y
        if indices is not None:
            x, y = x[indices], y[indices]
        return _unit_gradient(params, x, y)

    def batch_gradients(self, batches) -> Callable[[int, np.ndarray], np.ndarray]:
        """``gradient(k, params)``: the gradient of the loss on ``batches[k]`` at ``params``.

        The samples of every batch are gathered once, in the batches' order, and a step slices
        its own: picking them out per step cost a single-sample run a third of its time. One
        start on fewer than ``_FEW_SAMPLES`` samples takes ``_unit_gradient_of_one``."""
        order = np.concatenate(batches) if len(batches) else np.zeros(0, dtype=int)
        x, y = self.data.x[order], self.data.y[order]
        listed_x, listed_y = x.tolist(), y.tolist()
        ends = np.cumsum([len(batch) for batch in batches]).tolist()
        starts = [0, *ends[:-1]]

        def gradient(k: int, params: np.ndarray) -> np.ndarray:
            low, high = starts[k], ends[k]
            if len(params) == 1 and high - low < _FEW_SAMPLES:
                return _unit_gradient_of_one(params, x[low:high], listed_x[low:high],
                                             listed_y[low:high])
            return _unit_gradient(params, x[low:high], y[low:high])

        return gradient

    def batch_moments(self, batches) -> None:
        """None: the network's gradient is not affine in (w, v) (``LinearRegression``'s is)."""
        return None

    def plain_steps(self, points: np.ndarray, factors: np.ndarray, batches) -> bool:
        r"""Plain gradient descent from one start ``points[0]`` ``(1, 2)`` on batches of fewer
        than ``_FEW_SAMPLES`` samples, every step in Python floats, into ``points[1:]``:
        :math:`\theta_t = \theta_{t-1} + s_t g_t` with ``factors[t - 1]`` as :math:`s_t =
        -\eta_t` and :math:`g_t` the batch's mean gradient. True if it did; False (nothing
        written) for a batch of starts or a larger batch, which step through NumPy.

        Why: the S-curve's single-sample run takes thousands of dependent steps, and the
        optimizer's and the loop's NumPy calls cost more than the step's arithmetic. The bits
        are the stepped loop's: the same tanh (NumPy's, on the batch's x), the same IEEE
        operations in the same order (``_few_sample_slopes``; the update is θ + (s·g))."""
        if points.shape[1] != 1 or any(len(batch) >= _FEW_SAMPLES for batch in batches):
            return False
        order = np.concatenate(batches) if len(batches) else np.zeros(0, dtype=int)
        listed_x, listed_y = self.data.x[order].tolist(), self.data.y[order].tolist()
        tanh = np.tanh  # on one float at a time: NumPy's bits, a seventh of an array call's cost
        w, v = points[0, 0].tolist()
        low = 0
        path = []
        for factor, batch in zip(factors.tolist(), batches, strict=True):
            high = low + len(batch)
            batch_x = listed_x[low:high]
            slope_w, slope_v = _few_sample_slopes(
                w, v, [float(tanh(w * x_i)) for x_i in batch_x], batch_x, listed_y[low:high])
            w += factor * slope_w
            v += factor * slope_v
            path.append((w, v))
            low = high
        points[1:, 0] = path
        return True

    @property
    def curvatures(self) -> np.ndarray:
        """The Hessian's eigenvalues at the global minimum, smallest first."""
        return np.linalg.eigvalsh(hessian(self.surface.gradient_fn, self.surface.minima[0]))

    @property
    def largest_stable_lr(self) -> float:
        """2 / λmax at the global minimum: a larger rate cannot settle there."""
        return float(2.0 / self.curvatures[-1])


def _unit_gradient(params: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    w, v = params[..., 0, None], params[..., 1, None]
    activation = np.tanh(w * x)
    residuals = v * activation - y
    terms = _gradient_terms(params, len(y))
    slope_w = np.multiply(residuals, v, out=terms[..., 0, :])  # r·v·x·(1 − a²), in that order
    slope_w *= x
    slope_w *= 1 - activation * activation
    np.multiply(residuals, activation, out=terms[..., 1, :])
    return _mean_of_terms(terms)


#: Below this many samples, NumPy sums a row in order, one value after another (from eight on it
#: keeps eight partial sums): ``_unit_gradient_of_one`` adds its terms in that order.
_FEW_SAMPLES = 8


def _unit_gradient_of_one(params: np.ndarray, x: np.ndarray, listed_x: list[float],
                          listed_y: list[float]) -> np.ndarray:
    """``_unit_gradient`` of one start ``params`` ``(1, 2)`` on fewer than ``_FEW_SAMPLES``
    samples (``x`` and the same values listed, and y listed), bit for bit, in Python floats.

    Why: a single-sample run of the network takes thousands of dependent steps, and on one or a
    few samples NumPy's cost per call was most of each step's (14 of 28 µs). tanh is NumPy's
    (its own, which is not ``math.tanh`` to the last bit); every other operation is the same
    IEEE one on the same operands in the same order, the terms summed as ``np.add.reduce``
    sums fewer than eight."""
    w, v = params.item(0), params.item(1)
    return np.array([_few_sample_slopes(w, v, np.tanh(w * x).tolist(), listed_x, listed_y)])


def _few_sample_slopes(w: float, v: float, activations: list[float], listed_x: list[float],
                       listed_y: list[float]) -> tuple[float, float]:
    """The mean gradient (∂J/∂w, ∂J/∂v) on a few samples, in Python floats, from their
    ``activations`` tanh(w·x) (NumPy's): ``_unit_gradient``'s operations in its order."""
    slope_w = slope_v = 0.0
    for i, (activation, x_i, y_i) in enumerate(zip(activations, listed_x, listed_y,
                                                  strict=True)):
        residual = v * activation - y_i
        term_w = residual * v * x_i * (1 - activation * activation)
        term_v = residual * activation
        if i:
            slope_w += term_w
            slope_v += term_v
        else:  # the first term itself, not 0 + it (which turns −0.0 into 0.0)
            slope_w, slope_v = term_w, term_v
    if len(listed_y) != 1:
        slope_w /= len(listed_y)
        slope_v /= len(listed_y)
    return slope_w, slope_v


def _unit_parabolas(weights: np.ndarray, x: np.ndarray, y: np.ndarray):
    r"""For each w of ``weights`` ``(k,)``, J(w, ·) as the parabola in v it is:
    :math:`J(w, v) = J(w, v^*) + \frac{1}{2} \overline{a^2} (v - v^*)^2` with :math:`a =
    \tanh(w x)` and :math:`v^* = \overline{a y} / \overline{a^2}` (0 when a is 0). Returns
    ``(mean(a²), v*, J(w, v*))``, each ``(k,)``.

    Why: a k × k grid then takes k rows of n tanh instead of k² (the SGD page's loss map on
    every new dataset), and both terms are sums of squares, so J stays exact and ≥ 0 near a
    perfect fit (no cancellation of an expanded square)."""
    n = len(x)
    rows = max(1, _CHUNK_VALUES // n)
    parts = []
    for start in range(0, max(len(weights), 1), rows):
        # One (rows, n) buffer, reused: a trajectory's thousands of points pass through here.
        activation = np.multiply(weights[start:start + rows, None], x)
        np.tanh(activation, out=activation)
        curvature = np.einsum("kn,kn->k", activation, activation) / n
        overlap = activation @ y / n
        # A subnormal mean(a²) (w within ~1e-154 of 0) has lost its digits: a is 0 there.
        flat = curvature < np.finfo(float).tiny
        curvature[flat] = 0.0
        best_v = np.divide(overlap, curvature, out=np.zeros_like(overlap), where=~flat)
        residuals = np.multiply(best_v[:, None], activation, out=activation)
        residuals -= y
        parts.append((curvature, best_v, np.einsum("kn,kn->k", residuals, residuals) / (2 * n)))
    return tuple(np.concatenate(column) for column in zip(*parts, strict=True))


#: Where ``one_unit_network`` looks for its minimum first: this many w > 0, up to w·std(x) =
#: ``_WEIGHT_REACH`` (tanh(w·x) is a step long before).
_WEIGHT_GUESSES = 400
_WEIGHT_REACH = 20.0


def one_unit_network(data: Dataset) -> OneUnitNetwork:
    """The one-hidden-unit network ``v·tanh(w·x)`` on ``data``; its surface is over (w, v) and
    lists the two mirror-image minima, found by Newton's method on the exact gradient."""
    x, y = data.x, data.y
    n = data.n

    def value(points):
        points = np.asarray(points, dtype=float)
        weights, which = np.unique(points[..., 0].ravel(), return_inverse=True)
        curvature, best_v, floor = _unit_parabolas(weights, x, y)
        which = which.reshape(points.shape[:-1])
        gap = points[..., 1] - best_v[which]
        return floor[which] + 0.5 * curvature[which] * gap * gap

    def gradient(points):
        return _chunked(points, n, lambda p: _unit_gradient(p, x, y))

    # Newton's start: J is a parabola in v for each w, so the lowest J along a grid of w > 0,
    # each w at its best v, lies near the minimum (a guess from the data's shape alone sent
    # Newton off to w → ∞ or to the saddle on many noisy S-curves). Refined there, and its
    # mirror image.
    weights = np.linspace(0.0, _WEIGHT_REACH, _WEIGHT_GUESSES + 1)[1:] / max(
        float(np.std(x)), 1e-6)
    _, best_v, floor = _unit_parabolas(weights, x, y)
    lowest = int(np.argmin(floor))
    if lowest == len(weights) - 1:
        raise ValueError("the network's fit keeps improving as w grows (its best fit is a "
                         "step, with no minimum to settle in)")
    guess = np.array([weights[lowest], best_v[lowest]])
    with np.errstate(all="ignore"):
        found = refine_minima(gradient, np.array([guess, -guess]))
    minima = tuple(point for point in found if is_local_minimum(gradient, point))
    if not minima:
        raise ValueError("the network found no minimum to fit on these data")
    surface = Surface(
        name="one_unit_network", title="One-unit network v·tanh(w·x)",
        formula=r"J(w, v) = \frac{1}{2n} \sum_{i=1}^{n} (v \tanh(w\,x_i) - y_i)^2",
        domain=_square_domain(minima), value_fn=value, gradient_fn=gradient,
        minima=minima,
        description="The mean squared error of one tanh unit: two mirror-image minima, "
                    "(w, v) and (−w, −v), and a saddle between them at the origin.")
    return OneUnitNetwork(data, surface)
