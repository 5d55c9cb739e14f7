"""Test surfaces, declared as data: formula, value, exact gradient, domain and known minima.

Every function takes points of shape ``(..., dim)`` and returns values ``(...)`` or gradients
``(..., dim)``. The minima listed here are approximate guesses refined by Newton's method on the
exact gradient when the registry is built, so the published coordinates carry full precision.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from gd_core.coordinate_reductions import row_sum
from gd_core.critical_points import is_local_minimum, refine_minima

ArrayFunction = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True, eq=False)
class Surface:
    """A function to descend: ``value`` and exact ``gradient`` over points ``(..., dim)``.

    ``domain`` holds one ``(lo, hi)`` pair per axis (used for plots and grids; descent may leave
    it). ``minima`` lists the known local minima, global first, each a ``(dim,)`` array.
    """

    name: str
    title: str
    formula: str
    domain: tuple[tuple[float, float], ...]
    value_fn: ArrayFunction = field(repr=False)
    gradient_fn: ArrayFunction = field(repr=False)
    minima: tuple[np.ndarray, ...] = field(default=(), repr=False)
    description: str = ""

    @property
    def dim(self) -> int:
        return len(self.domain)

    def value(self, points) -> np.ndarray:
        """f at ``points`` of shape ``(..., dim)``; returns shape ``(...)``. Never warns."""
        points = self._as_points(points)
        with np.errstate(all="ignore"):
            return self.value_fn(points.reshape(-1, self.dim)).reshape(points.shape[:-1])

    def gradient(self, points) -> np.ndarray:
        """Exact gradient at ``points`` of shape ``(..., dim)``; same shape out. Never warns."""
        points = self._as_points(points)
        with np.errstate(all="ignore"):
            return self.gradient_fn(points.reshape(-1, self.dim)).reshape(points.shape)

    # Points are evaluated as a flat batch: NumPy computes ``x ** 2`` of a scalar with C's pow(),
    # of an array as x * x, and the two differ in the last bit, so a lone point must not take
    # a different path from the same point inside a batch.
    def _as_points(self, points) -> np.ndarray:
        points = np.asarray(points, dtype=float)
        if points.ndim == 0 and self.dim == 1:
            points = points[None]
        if points.shape[-1] != self.dim:
            raise ValueError(
                f"{self.name} takes points of shape (..., {self.dim}), got shape {points.shape}"
            )
        return points


def declare(
    name: str,
    title: str,
    formula: str,
    domain: Iterable[tuple[float, float]],
    value: ArrayFunction,
    gradient: ArrayFunction,
    minima_guesses: Iterable = (),
    description: str = "",
    sort_minima: bool = False,
    exact_minima: Iterable = (),
) -> Surface:
    """Build a Surface, refining each guessed minimum and checking it really is one.

    ``exact_minima`` come first and are taken as given: for minima where the gradient does not
    exist (a cone tip), so Newton's method cannot refine them.
    """
    domain = tuple((float(lo), float(hi)) for lo, hi in domain)
    guesses = np.asarray(list(minima_guesses), dtype=float).reshape(-1, len(domain))
    # All guesses refined at once: the registry holds a few hundred (two lattices of 121).
    refined = refine_minima(gradient, guesses)
    failed = ~np.atleast_1d(is_local_minimum(gradient, refined))
    if failed.any():
        guess = guesses[np.argmax(failed)]
        raise ValueError(f"{name}: guess {guess.tolist()} does not lead to a local minimum")
    minima = list(refined)
    if sort_minima:
        with np.errstate(all="ignore"):
            minima.sort(key=lambda point: float(value(point)))
    exact = [np.atleast_1d(np.asarray(point, dtype=float)) for point in exact_minima]
    return Surface(
        name, title, formula, domain, value, gradient, tuple(exact + minima), description
    )


def _xy(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return points[..., 0], points[..., 1]


def points_layout(points: np.ndarray) -> str:
    """The memory order for arrays computed from ``points`` (a gradient): "F" for a
    column-major batch (``basin_map``'s), else "C". Matching it keeps the optimizer's arithmetic
    on contiguous memory."""
    return "F" if points.flags.f_contiguous and not points.flags.c_contiguous else "C"


def _like(points: np.ndarray) -> np.ndarray:
    """An empty array shaped and laid out like ``points``."""
    return np.empty(points.shape, order=points_layout(points))


def _stack(points: np.ndarray, *components: np.ndarray) -> np.ndarray:
    """``np.stack(np.broadcast_arrays(*components), axis=-1)`` laid out like ``points`` (see
    ``points_layout``), in a third of the time for the small batches a page runs step by step."""
    shape = np.broadcast(*components).shape
    stacked = np.empty((*shape, len(components)), order=points_layout(points))
    for index, component in enumerate(components):
        stacked[..., index] = component
    return stacked


# --- 1D curves ---------------------------------------------------------------------------------

def _quadratic_1d(p):
    x = p[..., 0]
    return 6 * x**2 - 12 * x + 3


def _quadratic_1d_grad(p):
    return 12 * p - 12


def _bowl_1d(p):
    return (p[..., 0] - 3) ** 2


def _bowl_1d_grad(p):
    return 2 * (p - 3)


def _double_well_1d(p):
    x = p[..., 0]
    return x**4 - 3 * x**2 + x


def _double_well_1d_grad(p):
    return 4 * p**3 - 6 * p + 1


# --- 2D surfaces -------------------------------------------------------------------------------

def _bowl(p):
    x, y = _xy(p)
    return 6 * x**2 + 9 * y**2 - 12 * x - 14 * y + 3


def _bowl_grad(p):
    x, y = _xy(p)
    return _stack(p, 12 * x - 12, 18 * y - 14)


def _ravine(p):
    x, y = _xy(p)
    return 6 * x**2 + 40 * y**2 - 12 * x - 30 * y + 3


def _ravine_grad(p):
    x, y = _xy(p)
    return _stack(p, 12 * x - 12, 80 * y - 30)


def _two_bumps(p):
    x, y = _xy(p)
    deep = 2 * np.exp(-((x + 1) ** 2 + (y - 1) ** 2) / 2)
    shallow = np.exp(-((x - 1) ** 2 + (y + 1) ** 2) / 2)
    return x, y, deep, shallow


def _two_minima(p):
    _, _, deep, shallow = _two_bumps(p)
    return -deep - shallow


def _two_minima_grad(p):
    x, y, deep, shallow = _two_bumps(p)
    return _stack(p, deep * (x + 1) + shallow * (x - 1), deep * (y - 1) + shallow * (y + 1))


def _rosenbrock(p):
    x, y = _xy(p)
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _rosenbrock_grad(p):
    x, y = _xy(p)
    return _stack(p, -2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2))


def _himmelblau(p):
    x, y = _xy(p)
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _himmelblau_grad(p):
    # 4xu + 2v = 2(2xu + v) bit for bit (doubling is exact), computed in place: the basin map
    # runs this 300 times on 90,000 points.
    x, y = _xy(p)
    u = np.square(x)
    u += y
    u -= 11
    v = np.square(y)
    v += x
    v -= 7
    gradient = _like(p)
    for slope, coordinate, own, other in ((gradient[..., 0], x, u, v), (gradient[..., 1], y, v, u)):
        np.multiply(coordinate, own, out=slope)
        slope *= 2
        slope += other
        slope *= 2
    return gradient


def _beale_terms(p):
    x, y = _xy(p)
    return x, y, 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3


def _beale(p):
    _, _, t1, t2, t3 = _beale_terms(p)
    return t1**2 + t2**2 + t3**2


def _beale_grad(p):
    x, y, t1, t2, t3 = _beale_terms(p)
    gx = 2 * t1 * (y - 1) + 2 * t2 * (y**2 - 1) + 2 * t3 * (y**3 - 1)
    gy = 2 * t1 * x + 4 * t2 * x * y + 6 * t3 * x * y**2
    return _stack(p, gx, gy)


def _six_hump_camel(p):
    x, y = _xy(p)
    return (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2


def _six_hump_camel_grad(p):
    # Products, not x**3: NumPy squares arrays by multiplying but takes other integer powers
    # through pow(), about ten times slower, and gradients run on every step of a basin map.
    x, y = _xy(p)
    x2 = x * x
    return _stack(p, x * (8 - x2 * (8.4 - 2 * x2)) + y, x - 8 * y + 16 * (y * y * y))


def _styblinski_tang(p):
    return 0.5 * row_sum(p**4 - 16 * p**2 + 5 * p)


def _styblinski_tang_grad(p):
    return 2 * (p * p * p) - 16 * p + 2.5  # a product, not p**3: see _six_hump_camel_grad


def _rastrigin(p):
    return 10 * p.shape[-1] + row_sum(p**2 - 10 * np.cos(2 * np.pi * p))


def _rastrigin_grad(p):
    return 2 * p + 20 * np.pi * np.sin(2 * np.pi * p)


def _ackley_parts(p):
    dim = p.shape[-1]
    radius = np.sqrt(row_sum(p**2) / dim)
    ripple = np.exp(row_sum(np.cos(2 * np.pi * p)) / dim)
    return radius, ripple


def _ackley(p):
    radius, ripple = _ackley_parts(p)
    return -20 * np.exp(-0.2 * radius) - ripple + 20 + np.e


def _ackley_grad(p):
    radius, ripple = _ackley_parts(p)
    dim = p.shape[-1]
    # The cone term's gradient has no limit at the origin; 0 there is the subgradient we report.
    safe_radius = np.where(radius > 0, radius, 1.0)[..., None]
    cone = np.where(
        radius[..., None] > 0, 4 * np.exp(-0.2 * safe_radius) * p / (dim * safe_radius), 0.0
    )
    return cone + ripple[..., None] * (2 * np.pi / dim) * np.sin(2 * np.pi * p)


def _saddle(p):
    x, y = _xy(p)
    return x**2 - y**2


def _saddle_grad(p):
    x, y = _xy(p)
    return _stack(p, 2 * x, -2 * y)


def _lattice(axis_points: Iterable[float]) -> list[tuple[float, float]]:
    values = list(axis_points)
    return [(a, b) for a in values for b in values]


def _build_registry() -> dict[str, Surface]:
    st_low, st_high = -2.903534, 2.746803
    surfaces = [
        declare(
            "quadratic_1d", "Parabola 6x² − 12x + 3", r"f(x) = 6x^2 - 12x + 3", [(-1, 3)],
            _quadratic_1d, _quadratic_1d_grad, [1.0],
            "The textbook parabola: constant curvature 12, so lr = 1/6 is the stability edge.",
        ),
        declare(
            "bowl_1d", "Bowl (x − 3)²", r"f(x) = (x - 3)^2", [(-1, 6)],
            _bowl_1d, _bowl_1d_grad, [3.0],
            "The loss L(w) = (w − 3)² of the classic worked example.",
        ),
        declare(
            "double_well_1d", "Double well", r"f(x) = x^4 - 3x^2 + x", [(-2.2, 2.2)],
            _double_well_1d, _double_well_1d_grad, [-1.3008, 1.1309],
            "Two valleys of different depth: the start decides which one you end in.",
        ),
        declare(
            "bowl", "Bowl", r"f(x, y) = 6x^2 + 9y^2 - 12x - 14y + 3", [(-1, 3), (-1, 3)],
            _bowl, _bowl_grad, [(1.0, 7 / 9)],
            "A gently elliptic bowl with a single minimum.",
        ),
        declare(
            "ravine", "Ravine", r"f(x, y) = 6x^2 + 40y^2 - 12x - 30y + 3", [(-1, 3), (-1, 3)],
            _ravine, _ravine_grad, [(1.0, 0.375)],
            "Steep across, shallow along: plain GD zig-zags; momentum helps.",
        ),
        declare(
            "two_minima", "Two minima",
            r"f(x, y) = -2e^{-\frac{(x+1)^2 + (y-1)^2}{2}} - e^{-\frac{(x-1)^2 + (y+1)^2}{2}}",
            [(-2, 2), (-2, 2)], _two_minima, _two_minima_grad,
            [(-0.98038, 0.98038), (0.89397, -0.89397)],
            "A deep and a shallow valley: where you start decides where you stop.",
        ),
        declare(
            "rosenbrock", "Rosenbrock", r"f(x, y) = (1 - x)^2 + 100(y - x^2)^2",
            [(-2, 2), (-1, 3)], _rosenbrock, _rosenbrock_grad, [(1.0, 1.0)],
            "A curved, flat-bottomed banana valley: easy to find, slow to follow.",
        ),
        declare(
            "himmelblau", "Himmelblau", r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
            [(-5, 5), (-5, 5)], _himmelblau, _himmelblau_grad,
            [(3.0, 2.0), (-2.805118, 3.131313), (-3.779310, -3.283186), (3.584428, -1.848127)],
            "Four minima of equal depth separated by ridges and a central maximum.",
        ),
        declare(
            "beale", "Beale",
            r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
            [(-4.5, 4.5), (-4.5, 4.5)], _beale, _beale_grad, [(3.0, 0.5)],
            "Sharp corners and flat plateaus: adaptive optimizers shine here.",
        ),
        declare(
            "six_hump_camel", "Six-hump camel",
            r"f(x, y) = \left(4 - 2.1x^2 + \tfrac{x^4}{3}\right)x^2 + xy + (-4 + 4y^2)y^2",
            [(-3, 3), (-2, 2)], _six_hump_camel, _six_hump_camel_grad,
            [(0.089842, -0.712656), (-0.089842, 0.712656), (-1.70361, 0.796084),
             (1.70361, -0.796084), (-1.6071, -0.568651), (1.6071, 0.568651)],
            "Two global and four local minima.",
        ),
        declare(
            "styblinski_tang", "Styblinski–Tang",
            r"f(x, y) = \tfrac{1}{2}\sum_i \left(x_i^4 - 16x_i^2 + 5x_i\right)",
            [(-5, 5), (-5, 5)], _styblinski_tang, _styblinski_tang_grad,
            [(st_low, st_low), (st_low, st_high), (st_high, st_low), (st_high, st_high)],
            "One global and three local minima in the corners of a square.",
            sort_minima=True,
        ),
        declare(
            "rastrigin", "Rastrigin", r"f(x, y) = 20 + \sum_i \left(x_i^2 - 10\cos 2\pi x_i\right)",
            [(-5.12, 5.12), (-5.12, 5.12)], _rastrigin, _rastrigin_grad,
            _lattice(range(-5, 6)),
            "An egg carton: a local minimum near every integer point, the global one at 0.",
            sort_minima=True,
        ),
        declare(
            "ackley", "Ackley",
            r"f(x, y) = -20e^{-0.2\sqrt{\frac{x^2 + y^2}{2}}}"
            r" - e^{\frac{\cos 2\pi x + \cos 2\pi y}{2}} + 20 + e",
            [(-5, 5), (-5, 5)], _ackley, _ackley_grad,
            [point for point in _lattice(range(-5, 6)) if point != (0, 0)],
            "A sharp global funnel at the origin inside a field of shallow local dips.",
            sort_minima=True,
            exact_minima=[(0.0, 0.0)],
        ),
        declare(
            "saddle", "Saddle", r"f(x, y) = x^2 - y^2", [(-2, 2), (-2, 2)],
            _saddle, _saddle_grad, [],
            "No minimum at all: unbounded below along y. Watch the path escape.",
        ),
    ]
    return {surface.name: surface for surface in surfaces}


SURFACES: dict[str, Surface] = _build_registry()


def get_surface(name: str) -> Surface:
    """The registered surface called ``name``; KeyError naming the valid ones otherwise."""
    try:
        return SURFACES[name]
    except KeyError:
        raise KeyError(f"unknown surface {name!r}; choose one of: {', '.join(SURFACES)}") from None
