"""basin_map: layout, labels equal to full runs (edge of stability included), divergence, and
bounded memory."""

import tracemalloc

import numpy as np
import pytest

import gd_core
from gd_core.analysis import critical_learning_rate, minimum_reached
from gd_core.basins import _Certificate, linearised_step
from gd_core.critical_points import hessian

SURFACES = [s for s in gd_core.SURFACES.values() if s.dim in (1, 2)]


def _map(name, optimizer="gd", resolution=41, steps=300, **hyperparams):
    surface = gd_core.get_surface(name)
    optimizer = gd_core.make_optimizer(optimizer, **hyperparams)
    return surface, optimizer, gd_core.basin_map(surface, optimizer, resolution, steps)


def _cell_start(basins, index):
    if basins.ys is None:
        return np.array([basins.xs[index[0]]])
    row, column = index
    return np.array([basins.xs[column], basins.ys[row]])


# --- layout ------------------------------------------------------------------------------------


@pytest.mark.parametrize("surface", SURFACES, ids=[s.name for s in SURFACES])
def test_shapes_and_label_ranges(surface):
    resolution = 24
    basins = gd_core.basin_map(surface, gd_core.make_optimizer("adam", lr=0.05), resolution, 60)
    shape = (resolution,) * surface.dim
    assert basins.labels.shape == basins.steps.shape == basins.diverged.shape == shape
    assert np.issubdtype(basins.labels.dtype, np.integer)
    assert np.issubdtype(basins.steps.dtype, np.integer)
    assert basins.diverged.dtype == bool
    np.testing.assert_array_equal(basins.xs, np.linspace(*surface.domain[0], resolution))
    if surface.dim == 2:
        np.testing.assert_array_equal(basins.ys, np.linspace(*surface.domain[1], resolution))
    else:
        assert basins.ys is None
    assert np.all((basins.labels >= -1) & (basins.labels < len(surface.minima)))
    assert np.array_equal(basins.steps == -1, basins.labels == -1)
    assert np.all(basins.steps[basins.labels >= 0] >= 0)
    assert np.all(basins.steps <= 60)
    assert np.all(basins.labels[basins.diverged] == -1)
    assert 0 < basins.tolerance <= 1e-2
    assert basins.tolerance == gd_core.SETTLE_TOLERANCE


def test_rows_are_y_and_columns_are_x():
    # Deep minimum near (−0.98, 0.98) is label 0, shallow one near (0.89, −0.89) is label 1.
    # xs = ys = linspace(−2, 2, 41): index 10 is −1.0, 30 is 1.0, 11 is −0.9, 29 is 0.9.
    surface, _, basins = _map("two_minima", lr=0.4)
    assert basins.xs[10] == pytest.approx(-1.0) and basins.ys[30] == pytest.approx(1.0)
    assert basins.labels[30, 10] == 0  # y = 1, x = −1
    assert basins.labels[11, 29] == 1  # y = −0.9, x = 0.9
    assert np.linalg.norm(surface.minima[0] - [-1.0, 1.0]) < 0.05
    # The far corners: top-left (x = −2, y = 2) is the deep valley's, bottom-right the shallow's.
    assert basins.labels[-1, 0] == 0 and basins.labels[0, -1] == 1


def test_rows_and_columns_on_an_asymmetric_domain():
    # six_hump_camel: x in [−3, 3], y in [−2, 2]; the grid cell nearest each minimum ends there.
    surface, _, basins = _map("six_hump_camel", resolution=61, steps=400, lr=0.01)
    for label, (x, y) in enumerate(surface.minima):
        row = int(np.argmin(np.abs(basins.ys - y)))
        column = int(np.argmin(np.abs(basins.xs - x)))
        assert basins.labels[row, column] == label, (label, x, y)


# --- labels agree with real runs ---------------------------------------------------------------


def _full_run_reading(surface, optimizer, basins, steps):
    """Every cell's start run to the end by ``descend``: (labels, settle steps, diverged), the
    oracle a basin map must equal cell for cell."""
    starts = np.array([_cell_start(basins, index) for index in np.ndindex(basins.labels.shape)])
    trajectory = gd_core.descend(surface, optimizer, starts, steps)
    labels, since = minimum_reached(surface, trajectory.points, basins.tolerance)
    shape = basins.labels.shape
    return labels.reshape(shape), since.reshape(shape), (trajectory.diverged_at >= 0).reshape(shape)


def _critical(name, optimizer, minimum, momentum=0.0):
    surface = gd_core.get_surface(name)
    return critical_learning_rate(surface, surface.minima[minimum], optimizer, momentum)


# Several surfaces x all six optimizers, and the learning rates just either side of a minimum's
# critical rate (the edge of stability, where a run can pass within tolerance and leave again).
AGREEMENT_CASES = [
    ("two_minima", "gd", {"lr": 0.4}, 41, 300),
    ("himmelblau", "adam", {"lr": 0.05}, 40, 300),
    ("himmelblau", "momentum", {"lr": 0.002, "momentum": 0.9}, 30, 300),
    ("six_hump_camel", "nesterov", {"lr": 0.01, "momentum": 0.8}, 30, 300),
    ("rastrigin", "rmsprop", {"lr": 0.01}, 30, 200),
    ("double_well_1d", "adagrad", {"lr": 0.3}, 60, 300),
    ("styblinski_tang", "adam", {"lr": 0.1}, 30, 300),
    ("six_hump_camel", "adagrad", {"lr": 0.1}, 30, 300),
    ("two_minima", "rmsprop", {"lr": 0.02}, 30, 300),
    ("himmelblau", "gd", {"lr": 0.0152}, 40, 300),
    ("himmelblau", "gd", {"lr": 0.99 * _critical("himmelblau", "gd", 2)}, 40, 300),
    ("himmelblau", "gd", {"lr": 1.01 * _critical("himmelblau", "gd", 2)}, 40, 300),
    ("himmelblau", "momentum",
     {"lr": 0.99 * _critical("himmelblau", "momentum", 2, 0.5), "momentum": 0.5}, 30, 300),
    ("himmelblau", "momentum",
     {"lr": 1.01 * _critical("himmelblau", "momentum", 2, 0.5), "momentum": 0.5}, 30, 300),
    ("styblinski_tang", "nesterov",
     {"lr": 0.99 * _critical("styblinski_tang", "nesterov", 0, 0.3), "momentum": 0.3}, 30, 300),
    ("styblinski_tang", "nesterov",
     {"lr": 1.01 * _critical("styblinski_tang", "nesterov", 0, 0.3), "momentum": 0.3}, 30, 300),
    ("double_well_1d", "gd", {"lr": 0.99 * _critical("double_well_1d", "gd", 0)}, 80, 300),
    ("double_well_1d", "gd", {"lr": 1.01 * _critical("double_well_1d", "gd", 0)}, 80, 300),
]


@pytest.mark.parametrize(
    ("name", "optimizer", "hyperparams", "resolution", "steps"), AGREEMENT_CASES,
    ids=[f"{case[0]}-{case[1]}-{case[2]['lr']:.6g}" for case in AGREEMENT_CASES],
)
def test_every_cell_equals_the_full_run(name, optimizer, hyperparams, resolution, steps):
    surface, opt, basins = _map(name, optimizer, resolution, steps, **hyperparams)
    labels, since, diverged = _full_run_reading(surface, opt, basins, steps)
    np.testing.assert_array_equal(basins.labels, labels)
    np.testing.assert_array_equal(basins.steps, since)
    np.testing.assert_array_equal(basins.diverged, diverged)
    assert (basins.labels >= 0).any()


@pytest.mark.parametrize(
    ("name", "optimizer", "minimum", "momentum"),
    [("himmelblau", "gd", 2, 0.0), ("himmelblau", "momentum", 2, 0.5),
     ("styblinski_tang", "nesterov", 0, 0.3), ("double_well_1d", "gd", 0, 0.0)],
)
def test_a_basin_is_empty_just_above_its_critical_rate(name, optimizer, minimum, momentum):
    critical = _critical(name, optimizer, minimum, momentum)
    extra = {"momentum": momentum} if momentum else {}
    _, _, below = _map(name, optimizer, 40, 300, lr=0.99 * critical, **extra)
    _, _, above = _map(name, optimizer, 40, 300, lr=1.01 * critical, **extra)
    assert (below.labels == minimum).mean() > 0.05
    assert not (above.labels == minimum).any()


def test_himmelblau_edge_of_stability_from_the_issue():
    # lr 0.0152 > 2/λmax = 0.01495 at (−3.78, −3.28): that minimum is unstable, its basin empty;
    # the other three keep theirs.
    _, _, basins = _map("himmelblau", resolution=60, lr=0.0152)
    assert _critical("himmelblau", "gd", 2) == pytest.approx(0.01495, abs=5e-5)
    assert not (basins.labels == 2).any()
    assert all((basins.labels == k).mean() > 0.2 for k in (0, 1, 3))


def test_a_learning_rate_schedule_gets_no_certificate_and_still_agrees():
    surface = gd_core.get_surface("himmelblau")
    schedule = gd_core.make_schedule("exponential", gamma=0.99)
    optimizer = gd_core.make_optimizer("gd", lr=0.0152, schedule=schedule)
    assert _Certificate.build(surface, optimizer, 300, gd_core.SETTLE_TOLERANCE) is None
    basins = gd_core.basin_map(surface, optimizer, 30, 300)
    labels, since, _ = _full_run_reading(surface, optimizer, basins, 300)
    np.testing.assert_array_equal(basins.labels, labels)
    np.testing.assert_array_equal(basins.steps, since)


@pytest.mark.parametrize(("optimizer", "momentum"),
                         [("gd", 0.0), ("momentum", 0.0), ("momentum", 0.7), ("nesterov", 0.7)])
def test_the_linearised_step_loses_stability_at_the_critical_rate(optimizer, momentum):
    surface = gd_core.get_surface("ravine")
    curvature = hessian(surface.gradient_fn, surface.minima[0])
    critical = critical_learning_rate(surface, surface.minima[0], optimizer, momentum)

    def spectral_radius(lr):
        step = linearised_step(optimizer, lr, momentum, curvature)
        return np.max(np.abs(np.linalg.eigvals(step)))

    assert spectral_radius(0.999 * critical) < 1 < spectral_radius(1.001 * critical)


def test_certified_minima_and_adaptive_optimizers():
    surface = gd_core.get_surface("himmelblau")
    stable = _Certificate.build(surface, gd_core.make_optimizer("gd", lr=0.01), 300, 1e-2)
    assert np.all(np.isfinite(stable.levels)) and np.all(stable.radii <= 1e-2)
    edge = _Certificate.build(surface, gd_core.make_optimizer("gd", lr=0.0152), 300, 1e-2)
    assert np.isfinite(edge.levels).tolist() == [True, True, False, True]
    for name in ("adagrad", "rmsprop", "adam"):
        assert _Certificate.build(surface, gd_core.make_optimizer(name), 300, 1e-2) is None


def test_double_well_1d_map_splits_at_the_local_maximum():
    surface, _, basins = _map("double_well_1d", resolution=201, steps=600, lr=0.02)
    assert basins.labels.shape == (201,) and basins.ys is None
    # f'(x) = 4x³ − 6x + 1 vanishes at the hump between the wells, near x = 0.168.
    roots = np.roots([4.0, 0.0, -6.0, 1.0]).real
    hump = float(roots[np.argmin(np.abs(roots - 0.17))])
    assert surface.minima[0][0] < hump < surface.minima[1][0]
    left = basins.xs < hump - 0.05
    right = basins.xs > hump + 0.05
    assert np.all(basins.labels[left] == 0)
    assert np.all(basins.labels[right] == 1)
    assert not basins.diverged.any()


# --- divergence --------------------------------------------------------------------------------


def test_saddle_cells_diverge_except_on_the_stable_axis():
    surface, opt, basins = _map("saddle", resolution=21, steps=120, lr=0.1)
    assert np.all(basins.labels == -1) and np.all(basins.steps == -1)
    zero_row = int(np.argmin(np.abs(basins.ys)))
    assert basins.ys[zero_row] == 0.0
    assert not basins.diverged[zero_row].any()  # y = 0 stays 0; x shrinks to the saddle point
    others = np.delete(basins.diverged, zero_row, axis=0)
    assert others.all()
    starts = np.array([_cell_start(basins, (row, 3)) for row in (0, 5, zero_row)])
    assert np.all(gd_core.descend(surface, opt, starts, 120).diverged_at[:2] >= 0)


def test_huge_learning_rate_diverges_everywhere():
    _, _, basins = _map("himmelblau", "adam", resolution=20, steps=40, lr=1e4)
    assert basins.diverged.all()
    assert np.all(basins.labels == -1) and np.all(basins.steps == -1)


@pytest.mark.parametrize("surface", SURFACES, ids=[s.name for s in SURFACES])
def test_huge_gd_learning_rate_runs_quietly(surface):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        basins = gd_core.basin_map(surface, gd_core.make_optimizer("gd", lr=1e6), 16, 50)
    assert np.all(basins.labels[basins.diverged] == -1)
    assert basins.diverged.mean() > 0.9


def test_zero_steps_reach_nothing():
    _, _, basins = _map("two_minima", resolution=10, steps=0, lr=0.4)
    assert np.all(basins.labels == -1) and not basins.diverged.any()


# --- arguments ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hyperparams",
    [{"lr": np.array([[0.1], [0.2]])}, {"lr": np.array([0.1, 0.2])}],
)
def test_array_hyperparameters_are_refused(hyperparams):
    surface = gd_core.get_surface("himmelblau")
    with pytest.raises(ValueError, match="scalar"):
        gd_core.basin_map(surface, gd_core.make_optimizer("gd", **hyperparams), 10, 10)


def test_array_beta_is_refused():
    surface = gd_core.get_surface("himmelblau")
    optimizer = gd_core.make_optimizer("adam", betas=(np.array([0.9, 0.8]), 0.999))
    with pytest.raises(ValueError, match="scalar"):
        gd_core.basin_map(surface, optimizer, 10, 10)


@pytest.mark.parametrize(("resolution", "steps"), [(1, 10), (2.5, 10), (5000, 10), (10, -1)])
def test_bad_resolution_or_steps_are_refused(resolution, steps):
    surface = gd_core.get_surface("himmelblau")
    with pytest.raises(ValueError):
        gd_core.basin_map(surface, gd_core.make_optimizer("gd"), resolution, steps)


# --- memory ------------------------------------------------------------------------------------


def test_memory_grows_with_the_grid_not_with_the_steps():
    surface = gd_core.get_surface("himmelblau")
    optimizer = gd_core.make_optimizer("adam", lr=0.05)
    resolution, steps = 150, 100
    full_trajectories = resolution**2 * (steps + 1) * surface.dim * 8  # 36 MB of float64
    tracemalloc.start()
    try:
        basins = gd_core.basin_map(surface, optimizer, resolution, steps)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (basins.labels == -1).mean() > 0.1  # some cells run every step: a real workload
    assert peak < 30e6
    assert peak < full_trajectories / 4


def test_progress_is_reported_while_the_map_computes():
    surface = gd_core.get_surface("himmelblau")
    adam = gd_core.make_optimizer("adam", lr=0.05)  # every run to the end: a few tenths of a second
    seen = []
    basins = gd_core.basin_map(surface, adam, 300, 300, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert any(0.0 < fraction < 1.0 for fraction in seen)
    plain = gd_core.basin_map(surface, adam, 300, 300)
    np.testing.assert_array_equal(basins.labels, plain.labels)


def test_a_run_that_jumps_from_one_minimums_tolerance_into_anothers_settles_there_after_the_jump():
    # Known minima at 0 and 1 (the bookkeeping takes the list as given); GD at lr 1 on
    # (x − 1)²/2 jumps from any start straight to 1. The start at 0 is within tolerance of the
    # minimum at 0 at step 0 and of the one at 1 from step 1: it never was outside both.
    surface = gd_core.Surface(
        "jump", "jump", "(x - 1)^2 / 2", ((-1.0, 1.0),),
        lambda p: 0.5 * (p[..., 0] - 1.0) ** 2, lambda p: p - 1.0,
        (np.array([0.0]), np.array([1.0])))
    basins = gd_core.basin_map(surface, gd_core.make_optimizer("gd", lr=1.0), resolution=3,
                               steps=3)
    np.testing.assert_array_equal(basins.xs, [-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(basins.labels, [1, 1, 1])
    np.testing.assert_array_equal(basins.steps, [1, 1, 0])
