"""basin_map: layout, labels that agree with real runs, divergence, and bounded memory."""

import tracemalloc

import numpy as np
import pytest

import gd_core

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


def _settle_steps(surface, trajectory, tolerance):
    """Per run: (first step where the iterate is within tolerance of a minimum and its last move
    was shorter than tolerance, that minimum's index), or (-1, -1)."""
    minima = np.array(surface.minima).reshape(-1, surface.dim)
    points = trajectory.points  # (steps + 1, n, dim)
    result = []
    for run in range(points.shape[1]):
        found = (-1, -1)
        for step in range(1, points.shape[0]):
            move = np.max(np.abs(points[step, run] - points[step - 1, run]))
            gaps = np.linalg.norm(points[step, run] - minima, axis=-1)
            if move < tolerance and np.min(gaps) < tolerance:
                found = (step, int(np.argmin(gaps)))
                break
        result.append(found)
    return result


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
    assert np.all(basins.steps[basins.labels >= 0] >= 1)
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

AGREEMENT_CASES = [
    ("two_minima", "gd", {"lr": 0.4}, 41, 300),
    ("himmelblau", "adam", {"lr": 0.05}, 40, 300),
    ("himmelblau", "momentum", {"lr": 0.002, "momentum": 0.9}, 30, 300),
    ("six_hump_camel", "nesterov", {"lr": 0.01, "momentum": 0.8}, 30, 300),
    ("rastrigin", "rmsprop", {"lr": 0.01}, 30, 200),
    ("double_well_1d", "adagrad", {"lr": 0.3}, 60, 300),
]


@pytest.mark.parametrize(
    ("name", "optimizer", "hyperparams", "resolution", "steps"), AGREEMENT_CASES,
    ids=[f"{case[0]}-{case[1]}" for case in AGREEMENT_CASES],
)
def test_labels_and_settle_steps_agree_with_descend(
    name, optimizer, hyperparams, resolution, steps
):
    surface, opt, basins = _map(name, optimizer, resolution, steps, **hyperparams)
    rng = np.random.default_rng(0)
    labelled = np.argwhere(basins.labels >= 0)
    unlabelled = np.argwhere((basins.labels == -1) & ~basins.diverged)
    assert len(labelled) > 0
    picks = [tuple(i) for i in labelled[rng.choice(len(labelled), min(8, len(labelled)), False)]]
    chosen = rng.choice(len(unlabelled), min(3, len(unlabelled)), False)
    picks += [tuple(i) for i in unlabelled[chosen]]
    starts = np.array([_cell_start(basins, index) for index in picks])
    trajectory = gd_core.descend(surface, opt, starts, steps)
    found = _settle_steps(surface, trajectory, basins.tolerance)
    for run, index in enumerate(picks):
        assert found[run] == (int(basins.steps[index]), int(basins.labels[index])), index
        if basins.labels[index] >= 0:
            settle = basins.steps[index]
            minimum = surface.minima[basins.labels[index]]
            gap = np.linalg.norm(trajectory.points[settle, run] - minimum)
            assert gap < basins.tolerance


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
