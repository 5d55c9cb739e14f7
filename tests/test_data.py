"""Datasets and the models fitted to them: validation, seeding, exact gradients, least squares,
the Hessian's condition number and largest stable learning rate, the non-convex network."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gd_core
from gd_core.critical_points import hessian

SCALINGS = gd_core.SCALINGS


def _central_differences(surface, point, step=1e-6):
    offsets = step * np.eye(2)
    return np.array([(surface.value(point + offset) - surface.value(point - offset)) / (2 * step)
                     for offset in offsets])


def _problems():
    line = gd_core.make_regression(n=60, seed=3)
    return [*(gd_core.linear_regression(line, scaling) for scaling in SCALINGS),
            gd_core.one_unit_network(gd_core.make_tanh_regression(n=60, seed=3))]


PROBLEMS = _problems()
PROBLEM_IDS = [problem.surface.name for problem in PROBLEMS]


# --- Dataset ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("x", "y", "says"), [
    ([1.0, np.nan, 3.0], [1.0, 2.0, 3.0], "row 2"),
    ([1.0, 2.0], [1.0, np.inf], "finite"),
    ([1.0], [2.0], "2 to"),
    ([1.0, 2.0, 3.0], [1.0, 2.0], "one length"),
    ([[1.0, 2.0], [3.0, 4.0]], [1.0, 2.0], "one column"),
    (["a", "b"], [1.0, 2.0], "numbers"),
    (np.zeros(gd_core.MAX_SAMPLES + 1), np.zeros(gd_core.MAX_SAMPLES + 1), "2 to"),
])
def test_a_bad_dataset_is_refused_with_what_is_wrong(x, y, says):
    with pytest.raises(ValueError, match=says):
        gd_core.Dataset(x, y)


def test_a_dataset_holds_read_only_float_columns():
    data = gd_core.Dataset([1, 2, 3], [4, 5, 6])
    assert data.n == 3 and data.x.dtype == float and data.y.dtype == float
    with pytest.raises(ValueError):
        data.x[0] = 9.0


def test_a_dataset_names_its_columns_x_and_y_unless_told():
    assert gd_core.Dataset([1, 2], [3, 4]).names == ("x", "y")
    assert gd_core.Dataset([1, 2], [3, 4], ["size", "price"]).names == ("size", "price")
    for names in [("size",), ("size", ""), ("size", 3)]:
        with pytest.raises(ValueError, match="two non-empty strings"):
            gd_core.Dataset([1, 2], [3, 4], names)


@pytest.mark.parametrize("make", [gd_core.make_regression, gd_core.make_tanh_regression])
def test_synthetic_data_is_seeded(make):
    first, again, other = make(n=30, seed=7), make(n=30, seed=7), make(n=30, seed=8)
    assert np.array_equal(first.x, again.x) and np.array_equal(first.y, again.y)
    assert not np.array_equal(first.x, other.x)


def test_make_regression_draws_the_line_it_is_asked_for():
    data = gd_core.make_regression(n=2000, slope=-3.0, intercept=4.0, noise=0.5,
                                   x_range=(-1, 5), seed=0)
    assert data.x.min() >= -1 and data.x.max() <= 5
    slope, intercept = np.polyfit(data.x, data.y, 1)
    assert slope == pytest.approx(-3.0, abs=0.05) and intercept == pytest.approx(4.0, abs=0.1)
    exact = gd_core.make_regression(n=10, slope=2.0, intercept=1.0, noise=0.0, seed=1)
    assert np.allclose(exact.y, 2 * exact.x + 1)


@pytest.mark.parametrize("kwargs", [{"noise": -1.0}, {"x_range": (2, 2)}, {"n": 1}])
def test_make_regression_refuses_bad_settings(kwargs):
    with pytest.raises(ValueError):
        gd_core.make_regression(**kwargs)


# --- the models' losses ----------------------------------------------------------------------

@pytest.mark.parametrize("problem", PROBLEMS, ids=PROBLEM_IDS)
@settings(max_examples=30, deadline=None)
@given(point=st.tuples(st.floats(-5, 5), st.floats(-5, 5)))
def test_the_gradient_is_exact(problem, point):
    point = np.array(point)
    numeric = _central_differences(problem.surface, point)
    exact = problem.surface.gradient(point)
    assert np.allclose(exact, numeric, rtol=1e-6, atol=1e-5 * max(1.0, np.abs(numeric).max()))


@pytest.mark.parametrize("problem", PROBLEMS, ids=PROBLEM_IDS)
def test_a_batch_gradient_is_the_mean_of_the_samples_gradients(problem):
    point = np.array([[0.7, -0.4]])
    indices = np.array([5, 2, 2, 40])
    singles = [problem.batch_gradient(point, [i]) for i in indices]
    assert np.allclose(problem.batch_gradient(point, indices), np.mean(singles, axis=0))
    assert np.array_equal(problem.batch_gradient(point), problem.surface.gradient(point))


@pytest.mark.parametrize("problem", PROBLEMS, ids=PROBLEM_IDS)
def test_the_loss_is_half_the_mean_squared_error(problem):
    point = np.array([0.3, 1.2])
    if isinstance(problem, gd_core.LinearRegression):
        predicted = point[0] * problem.features + point[1]
    else:
        predicted = point[1] * np.tanh(point[0] * problem.data.x)
    assert problem.surface.value(point) == pytest.approx(
        np.mean((predicted - problem.data.y) ** 2) / 2, rel=1e-12)


def test_a_large_grid_takes_the_values_and_gradients_of_its_rows():
    problem = gd_core.linear_regression(gd_core.make_regression(n=5000, seed=0))
    grid = np.stack(np.meshgrid(np.linspace(-1, 3, 30), np.linspace(-2, 2, 30)), axis=-1)
    rows = np.array([problem.surface.value(row) for row in grid])
    assert np.allclose(problem.surface.value(grid), rows, rtol=1e-13)
    slopes = np.array([problem.surface.gradient(row) for row in grid])
    assert np.allclose(problem.surface.gradient(grid), slopes, rtol=1e-13)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 80), seed=st.integers(0, 10_000), scaling=st.sampled_from(SCALINGS),
       noise=st.floats(0, 5), w=st.floats(-1e3, 1e3), b=st.floats(-1e3, 1e3))
def test_the_line_loss_is_the_mean_squared_error_anywhere(n, seed, scaling, noise, w, b):
    """J is evaluated as a quadratic about its minimum: the samples' squared errors agree."""
    data = gd_core.make_regression(n=n, noise=noise, seed=seed)
    problem = gd_core.linear_regression(data, scaling)
    squared = np.mean((w * problem.features + b - data.y) ** 2) / 2
    assert problem.surface.value(np.array([w, b])) == pytest.approx(squared, rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 80), seed=st.integers(0, 10_000), noise=st.floats(0, 2),
       points=st.lists(st.tuples(st.floats(-50, 50), st.floats(-1e3, 1e3)), min_size=1,
                       max_size=6))
def test_the_network_loss_is_the_mean_squared_error_anywhere(n, seed, noise, points):
    """J is evaluated as a parabola in v per distinct w: the samples' squared errors agree,
    points sharing a w included."""
    data = gd_core.make_tanh_regression(n=n, noise=noise, seed=seed)
    try:
        problem = gd_core.one_unit_network(data)
    except ValueError:  # a few tiny noisy samples have no minimum to fit
        return
    points = np.array([*points, (points[0][0], 0.5)])
    predicted = points[:, 1, None] * np.tanh(points[:, 0, None] * data.x)
    squared = np.mean((predicted - data.y) ** 2, axis=-1) / 2
    assert np.allclose(problem.surface.value(points), squared, rtol=1e-9, atol=0)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 80), seed=st.integers(0, 10_000), scaling=st.sampled_from(SCALINGS),
       noise=st.floats(0, 5))
def test_least_squares_equals_numpy_lstsq(n, seed, scaling, noise):
    data = gd_core.make_regression(n=n, noise=noise, seed=seed)
    problem = gd_core.linear_regression(data, scaling)
    design = np.column_stack([problem.features, np.ones(n)])
    expected, *_ = np.linalg.lstsq(design, data.y, rcond=None)
    assert np.allclose(problem.least_squares, expected, rtol=1e-8, atol=1e-8)
    assert np.allclose(problem.surface.gradient(problem.least_squares), 0, atol=1e-9)
    assert problem.surface.minima[0] is problem.least_squares


@pytest.mark.parametrize("scaling", SCALINGS)
def test_scaling_changes_x_not_the_fitted_line(scaling):
    data = gd_core.make_regression(n=50, seed=2)
    problem = gd_core.linear_regression(data, scaling)
    slope, intercept = problem.line(problem.least_squares)
    assert np.allclose([slope, intercept], np.polyfit(data.x, data.y, 1))
    if scaling != "raw":
        assert abs(np.mean(problem.features)) < 1e-12
    if scaling == "standardized":
        assert np.std(problem.features) == pytest.approx(1.0)


def test_a_column_of_one_x_fits_no_line_and_an_unknown_scaling_is_refused():
    with pytest.raises(ValueError, match="every x is the same"):
        gd_core.linear_regression(gd_core.Dataset([2.0, 2.0, 2.0], [1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="scaling"):
        gd_core.linear_regression(gd_core.make_regression(), "normalized")


@pytest.mark.parametrize("scaling", SCALINGS)
def test_the_hessian_condition_number_and_largest_stable_rate(scaling):
    problem = gd_core.linear_regression(gd_core.make_regression(n=100, seed=0), scaling)
    numeric = hessian(problem.surface.gradient_fn, np.array([0.5, 0.5]))
    assert np.allclose(problem.hessian, numeric, rtol=1e-6)
    low, high = np.linalg.eigvalsh(numeric)
    assert problem.condition_number == pytest.approx(high / low, rel=1e-6)
    assert problem.largest_stable_lr == pytest.approx(2 / high, rel=1e-6)
    assert problem.largest_stable_lr == pytest.approx(
        gd_core.critical_learning_rate(problem.surface, problem.least_squares), rel=1e-6)


def test_standardizing_makes_the_bowl_round_and_raw_x_makes_it_a_ravine():
    data = gd_core.make_regression(n=100, x_range=(0, 10), seed=0)
    raw, centred, standard = (gd_core.linear_regression(data, s) for s in SCALINGS)
    assert standard.condition_number == pytest.approx(1.0)
    assert raw.condition_number > 50 > centred.condition_number > standard.condition_number


@pytest.mark.parametrize("scaling", SCALINGS)
def test_full_batch_descent_converges_just_below_the_largest_stable_rate_and_diverges_above(
        scaling):
    problem = gd_core.linear_regression(gd_core.make_regression(n=100, seed=0), scaling)
    rates = problem.largest_stable_lr * np.array([[0.95], [1.05]])
    run = gd_core.descend(problem.surface, gd_core.make_optimizer("gd", lr=rates),
                          np.zeros((2, 2)), 3000)
    below, above = gd_core.outcomes(problem.surface, run)
    assert below.status == "converged"
    assert above.status == "diverged"


def test_the_loss_surface_works_with_every_surface_tool():
    problem = gd_core.linear_regression(gd_core.make_regression(n=50, seed=0), "standardized")
    run = gd_core.descend(problem.surface, gd_core.make_optimizer("adam", lr=0.5), [0, 0], 300)
    assert gd_core.outcome(problem.surface, run).status == "converged"
    assert gd_core.tune_lr(problem.surface, "gd", [0.0, 0.0], 50) > 0
    (wlo, whi), (blo, bhi) = problem.surface.domain
    assert wlo < 0 < whi and blo < 0 < bhi
    assert wlo < problem.least_squares[0] < whi and blo < problem.least_squares[1] < bhi


# --- the one-unit network --------------------------------------------------------------------

NETWORK = PROBLEMS[-1]


@settings(max_examples=200, deadline=None, database=None)
@given(batch=st.lists(st.integers(0, NETWORK.data.n - 1), min_size=1, max_size=12),
       point=st.tuples(*[st.floats(-1e3, 1e3, allow_nan=False)] * 2),
       scale=st.sampled_from([1e-6, 1e-2, 1.0]))
def test_a_minibatch_step_on_the_network_has_the_gradient_of_its_batch_bit_for_bit(
        batch, point, scale):
    # One start on fewer than eight samples is worked out in Python floats, anything else in
    # NumPy (gd_core.data): either way it is batch_gradient's number, to the last bit.
    params = np.array([point]) * scale
    step = NETWORK.batch_gradients([np.array(batch)])(0, params)
    assert step.shape == (1, 2)
    assert np.array_equal(step, NETWORK.batch_gradient(params, np.array(batch)))


# Every S-curve the SGD page's sliders draw at its opening noise and at σ = 1 (n from 10 to 500):
# Newton starts from the lowest point of a grid of w, each at its best v. From a guess by the
# data's shape alone, 45 of these 100 found no minimum (w ran off to ∞, or to the saddle).
@pytest.mark.parametrize("noise", [0.3, 1.0])
def test_the_network_finds_its_minimum_on_every_noisy_s_curve(noise):
    for n in range(10, 501, 10):
        data = gd_core.make_tanh_regression(n=n, weight=1.5, scale=2.0, noise=noise, seed=0)
        surface = gd_core.one_unit_network(data).surface
        first, second = surface.minima
        assert np.allclose(first, -second)
        # The lowest J there is: at least as low as at the curve the samples were drawn from.
        assert surface.value(first) <= surface.value(np.array([1.5, 2.0])), (n, first)


def test_data_whose_best_fit_is_a_step_say_so():
    x = np.linspace(-3, 3, 40)
    with pytest.raises(ValueError, match="best fit is a step"):
        gd_core.one_unit_network(gd_core.Dataset(x, np.sign(x)))


def test_the_network_has_two_mirror_image_minima_and_a_saddle_at_the_origin():
    network = gd_core.one_unit_network(gd_core.make_tanh_regression(n=200, weight=1.5,
                                                                    scale=2.0, seed=0))
    first, second = network.surface.minima
    assert np.allclose(first, -second)
    assert network.surface.value(first) == pytest.approx(network.surface.value(second))
    assert np.allclose(np.abs(first), [1.5, 2.0], rtol=0.15)
    assert np.allclose(network.surface.gradient(np.zeros(2)), 0)
    assert np.linalg.eigvalsh(hessian(network.surface.gradient_fn, np.zeros(2)))[0] < 0
    assert network.largest_stable_lr == pytest.approx(
        gd_core.critical_learning_rate(network.surface, first), rel=1e-6)
