"""Surfaces: the registry, shapes, exact gradients and the known minima (PRODUCT.md §1)."""

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import gd_core
from gd_core.critical_points import hessian, is_local_minimum, refine_minima, refine_minimum

ROOT = Path(__file__).resolve().parent.parent

ALL = list(gd_core.SURFACES.values())
IDS = [surface.name for surface in ALL]
WITH_MINIMA = [surface for surface in ALL if surface.minima]

# PRODUCT.md §1 surfaces table: name -> domain, in the table's order.
SPEC_DOMAINS = {
    "quadratic_1d": ((-1, 3),),
    "bowl_1d": ((-1, 6),),
    "double_well_1d": ((-2.2, 2.2),),
    "bowl": ((-1, 3), (-1, 3)),
    "ravine": ((-1, 3), (-1, 3)),
    "two_minima": ((-2, 2), (-2, 2)),
    "rosenbrock": ((-2, 2), (-1, 3)),
    "himmelblau": ((-5, 5), (-5, 5)),
    "beale": ((-4.5, 4.5), (-4.5, 4.5)),
    "six_hump_camel": ((-3, 3), (-2, 2)),
    "styblinski_tang": ((-5, 5), (-5, 5)),
    "rastrigin": ((-5.12, 5.12), (-5.12, 5.12)),
    "ackley": ((-5, 5), (-5, 5)),
    "saddle": ((-2, 2), (-2, 2)),
}


def _in_domain(surface, point, slack=0.0):
    bounds = np.asarray(surface.domain, dtype=float)
    return bool(np.all(point >= bounds[:, 0] - slack) and np.all(point <= bounds[:, 1] + slack))


def _random_points(surface, count, seed):
    bounds = np.asarray(surface.domain, dtype=float)
    rng = np.random.default_rng(seed)
    return rng.uniform(bounds[:, 0], bounds[:, 1], size=(count, surface.dim))


# --- registry ----------------------------------------------------------------------------------


def test_registry_holds_the_spec_surfaces_in_table_order_1d_first():
    names = list(gd_core.SURFACES)
    assert set(SPEC_DOMAINS) <= set(names)
    assert [name for name in names if name in SPEC_DOMAINS] == list(SPEC_DOMAINS)
    dims = [surface.dim for surface in gd_core.SURFACES.values()]
    assert dims == sorted(dims), "1D surfaces must come first"
    assert dims[0] == 1


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_surface_declares_name_title_formula_domain(surface):
    assert gd_core.SURFACES[surface.name] is surface
    assert gd_core.get_surface(surface.name) is surface
    assert isinstance(surface.title, str) and surface.title.strip()
    assert isinstance(surface.formula, str) and surface.formula.strip()
    assert isinstance(surface.domain, tuple) and len(surface.domain) == surface.dim
    assert surface.dim in (1, 2)
    for lo, hi in surface.domain:
        assert np.isfinite(lo) and np.isfinite(hi) and lo < hi
    assert isinstance(surface.minima, tuple)
    for point in surface.minima:
        assert isinstance(point, np.ndarray) and point.shape == (surface.dim,)
        assert np.all(np.isfinite(point))


@pytest.mark.parametrize("name", list(SPEC_DOMAINS))
def test_domain_matches_the_spec(name):
    assert gd_core.get_surface(name).domain == SPEC_DOMAINS[name]


def test_himmelblau_example_from_the_spec():
    s = gd_core.get_surface("himmelblau")
    assert (s.name, s.title, s.dim) == ("himmelblau", "Himmelblau", 2)
    assert s.domain == ((-5, 5), (-5, 5))


def test_get_surface_unknown_name_is_a_key_error_naming_the_valid_ones():
    with pytest.raises(KeyError) as caught:
        gd_core.get_surface("no_such_surface")
    message = str(caught.value)
    assert "no_such_surface" in message
    for name in gd_core.SURFACES:
        assert name in message


# --- shapes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("surface", ALL, ids=IDS)
@pytest.mark.parametrize("batch", [(), (7,), (3, 4)], ids=["single", "n", "a_b"])
def test_value_and_gradient_shapes(surface, batch):
    points = _random_points(surface, int(np.prod(batch, dtype=int)), seed=1)
    points = points.reshape(*batch, surface.dim)
    values = surface.value(points)
    gradients = surface.gradient(points)
    assert np.shape(values) == batch
    assert np.shape(gradients) == (*batch, surface.dim)
    assert np.all(np.isfinite(values)) and np.all(np.isfinite(gradients))


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_batched_values_and_gradients_match_pointwise(surface):
    points = _random_points(surface, 6, seed=2).reshape(2, 3, surface.dim)
    values = surface.value(points)
    gradients = surface.gradient(points)
    for index in np.ndindex(2, 3):
        np.testing.assert_allclose(values[index], surface.value(points[index]), rtol=1e-14)
        np.testing.assert_allclose(
            gradients[index], surface.gradient(points[index]), rtol=1e-14, atol=1e-14
        )


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_a_column_major_batch_gets_the_same_gradient_laid_out_column_major(surface):
    # basin_map's batches are column-major: the gradient must be the same numbers, and laid
    # out the same way, or the optimizer's arithmetic on the two strides through memory.
    rows = _random_points(surface, 50, seed=3)
    columns = np.asfortranarray(rows)
    gradient = surface.gradient_fn(columns)
    assert np.array_equal(gradient, surface.gradient_fn(rows), equal_nan=True)
    assert gradient.flags.f_contiguous


def test_a_typed_formula_s_gradient_follows_the_batch_s_layout_too():
    surface = gd_core.parse_surface("(x^2 + y - 11)^2 + sin(x*y)", [(-5, 5), (-5, 5)])
    rows = np.random.default_rng(4).uniform(-5, 5, size=(50, 2))
    columns = np.asfortranarray(rows)
    gradient = surface.gradient_fn(columns)
    assert np.array_equal(gradient, surface.gradient_fn(rows))
    assert gradient.flags.f_contiguous and surface.gradient_fn(rows).flags.c_contiguous


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_wrong_point_dimension_is_a_value_error(surface):
    with pytest.raises(ValueError, match="shape"):
        surface.value(np.zeros((4, surface.dim + 1)))
    with pytest.raises(ValueError, match="shape"):
        surface.gradient(np.zeros(surface.dim + 1))


def test_scalar_point_on_a_1d_surface():
    s = gd_core.get_surface("quadratic_1d")
    assert float(s.value(2.0)) == 6 * 4 - 24 + 3
    np.testing.assert_array_equal(s.gradient(2.0), [12.0])


# --- gradients ---------------------------------------------------------------------------------


def _central_differences(surface, points, step=1e-6):
    columns = []
    for axis in range(surface.dim):
        offset = np.zeros(surface.dim)
        offset[axis] = step
        rise = surface.value(points + offset) - surface.value(points - offset)
        columns.append(rise / (2 * step))
    return np.stack(columns, axis=-1)


@pytest.mark.parametrize("surface", ALL, ids=IDS)
def test_gradient_matches_central_differences(surface):
    points = _random_points(surface, 200, seed=sum(map(ord, surface.name)))
    if surface.name == "ackley":
        points[0] = 0.0  # the cone tip: no gradient there, skipped below and only there
    exact = surface.gradient(points)
    numeric = _central_differences(surface, points)
    for point, g, fd in zip(points, exact, numeric, strict=True):
        if surface.name == "ackley" and not np.any(point):
            continue
        scale = max(1.0, float(np.max(np.abs(fd))))
        np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-5 * scale, err_msg=str(point))


# --- minima ------------------------------------------------------------------------------------


def _minimum_cases():
    return [
        pytest.param(surface, index, id=f"{surface.name}[{index}]")
        for surface in WITH_MINIMA
        for index in range(len(surface.minima))
    ]


def _is_cone_tip(surface, point):
    return surface.name == "ackley" and not np.any(point)


@pytest.mark.parametrize(("surface", "index"), _minimum_cases())
def test_listed_minimum_has_zero_gradient_and_lies_in_the_domain(surface, index):
    point = surface.minima[index]
    assert _in_domain(surface, point)
    assert np.max(np.abs(surface.gradient(point))) < 1e-8


@pytest.mark.parametrize(("surface", "index"), _minimum_cases())
def test_listed_minimum_is_a_local_minimum(surface, index):
    point = surface.minima[index]
    if _is_cone_tip(surface, point):
        # No Hessian at a cone tip: f must rise in every direction around it instead.
        angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
        for radius in (1e-6, 1e-3, 1e-1):
            ring = radius * np.stack([np.cos(angles), np.sin(angles)], axis=-1)
            assert np.all(surface.value(ring) > surface.value(point))
        return
    eigenvalues = np.linalg.eigvalsh(hessian(surface.gradient, point))
    assert np.all(np.isfinite(eigenvalues))
    assert np.min(eigenvalues) > 1e-6 * max(1.0, np.max(np.abs(eigenvalues)))


@pytest.mark.parametrize("surface", WITH_MINIMA, ids=[s.name for s in WITH_MINIMA])
def test_minima_are_distinct_and_global_first(surface):
    values = np.array([float(surface.value(point)) for point in surface.minima])
    slack = 1e-12 * max(1.0, float(np.max(np.abs(values))))
    assert np.all(values[0] <= values + slack)
    for i, a in enumerate(surface.minima):
        for b in surface.minima[i + 1 :]:
            assert np.max(np.abs(a - b)) > 1e-3


def test_minimum_checks_and_refinement_work_on_a_batch_as_on_single_points():
    himmelblau = gd_core.get_surface("himmelblau")
    points = np.array([himmelblau.minima[0], [-0.270845, -0.923039], [0.0, 0.0], [1.0, 1.0]])
    # A minimum, the local maximum near the centre, and two points where f is not flat.
    batch = is_local_minimum(himmelblau.gradient, points)
    assert batch.tolist() == [is_local_minimum(himmelblau.gradient, p) for p in points]
    assert batch.tolist() == [True, False, False, False]
    guesses = np.array([[2.9, 2.1], [-2.8, 3.1], [-3.7, -3.2]])
    np.testing.assert_array_equal(
        refine_minima(himmelblau.gradient, guesses),
        [refine_minimum(himmelblau.gradient, guess) for guess in guesses],
    )


def test_a_guess_that_is_no_minimum_is_refused_at_declaration():
    from gd_core.surfaces import _himmelblau, _himmelblau_grad, declare

    with pytest.raises(ValueError, match="does not lead to a local minimum"):
        declare("h", "H", "f", [(-5, 5), (-5, 5)], _himmelblau, _himmelblau_grad,
                minima_guesses=[(3, 2), (-0.27, -0.92)])


def test_importing_gd_core_leaves_sympy_for_typed_formulas():
    code = ("import sys, gd_core; assert 'sympy' not in sys.modules; "
            "gd_core.parse_surface('x^2'); assert 'sympy' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_saddle_has_no_minima():
    assert gd_core.get_surface("saddle").minima == ()


def _assert_rounds_to(computed, printed, decimals):
    computed = np.atleast_1d(np.asarray(computed, dtype=float))
    printed = np.atleast_1d(np.asarray(printed, dtype=float))
    assert computed.shape == printed.shape
    assert np.all(np.abs(computed - printed) <= 0.5 * 10.0**-decimals + 1e-12), (computed, printed)


# PRODUCT.md's rounded figures: (surface, index into minima, printed point, printed decimals).
SPEC_FIGURES = [
    ("quadratic_1d", 0, [1.0], 15),
    ("bowl_1d", 0, [3.0], 15),
    ("double_well_1d", 0, [-1.3008], 4),
    ("double_well_1d", 1, [1.1309], 4),
    ("bowl", 0, [1.0, 7 / 9], 15),
    ("ravine", 0, [1.0, 0.375], 15),
    ("two_minima", 0, [-0.98038, 0.98038], 5),
    ("two_minima", 1, [0.89397, -0.89397], 5),
    ("rosenbrock", 0, [1.0, 1.0], 12),
    ("beale", 0, [3.0, 0.5], 12),
    ("styblinski_tang", 0, [-2.903534, -2.903534], 6),
    ("rastrigin", 0, [0.0, 0.0], 12),
    ("ackley", 0, [0.0, 0.0], 15),
]


@pytest.mark.parametrize(
    ("name", "index", "printed", "decimals"), SPEC_FIGURES,
    ids=[f"{name}[{index}]" for name, index, _, _ in SPEC_FIGURES],
)
def test_spec_figures_match_the_computed_minima(name, index, printed, decimals):
    surface = gd_core.get_surface(name)
    _assert_rounds_to(surface.minima[index], printed, decimals)


def test_himmelblau_minima_match_the_spec_figures():
    printed = [(3.0, 2.0), (-2.805118, 3.131313), (-3.779310, -3.283186), (3.584428, -1.848127)]
    minima = gd_core.get_surface("himmelblau").minima
    assert len(minima) == 4
    for point, figure in zip(minima, printed, strict=True):
        _assert_rounds_to(point, figure, 6)


def test_six_hump_camel_global_minima_and_four_local():
    surface = gd_core.get_surface("six_hump_camel")
    assert len(surface.minima) == 6
    first_two = sorted(tuple(np.round(point, 6)) for point in surface.minima[:2])
    assert first_two == [(-0.089842, 0.712656), (0.089842, -0.712656)]
    for point in surface.minima[:2]:
        _assert_rounds_to(np.abs(point), [0.089842, 0.712656], 6)
    values = [float(surface.value(point)) for point in surface.minima]
    assert values[0] == pytest.approx(values[1], abs=1e-12)
    assert min(values[2:]) > values[0] + 0.5


def test_styblinski_tang_global_then_three_local():
    surface = gd_core.get_surface("styblinski_tang")
    assert len(surface.minima) == 4
    values = [float(surface.value(point)) for point in surface.minima]
    assert all(value > values[0] + 1.0 for value in values[1:])


def test_ackley_gradient_at_origin_is_exactly_zero_without_warning():
    surface = gd_core.get_surface("ackley")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        single = surface.gradient(np.zeros(2))
        batch = surface.gradient(np.array([[0.0, 0.0], [0.5, -0.25], [0.0, 0.0]]))
        value = surface.value(np.zeros(2))
    assert single.shape == (2,)
    assert np.array_equal(single, [0.0, 0.0])
    assert np.array_equal(batch[0], [0.0, 0.0]) and np.array_equal(batch[2], [0.0, 0.0])
    assert np.all(batch[1] != 0)
    assert float(value) == pytest.approx(0.0, abs=1e-12)
