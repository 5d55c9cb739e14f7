"""descend: shapes, batch == single runs, the classic worked examples, divergence and noise."""

import warnings

import numpy as np
import pytest

import gd_core

SURFACES = list(gd_core.SURFACES.values())
SURFACE_IDS = [surface.name for surface in SURFACES]
OPTIMIZER_NAMES = list(gd_core.OPTIMIZERS)


def _starts(surface, count, seed):
    bounds = np.asarray(surface.domain, dtype=float)
    return np.random.default_rng(seed).uniform(bounds[:, 0], bounds[:, 1], (count, surface.dim))


def _assert_same(a, b):
    assert np.array_equal(a, b, equal_nan=True), f"max difference {np.nanmax(np.abs(a - b))}"


# --- shapes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("surface", SURFACES, ids=SURFACE_IDS)
@pytest.mark.parametrize("steps", [0, 1, 7])
def test_single_and_batch_shapes(surface, steps):
    optimizer = gd_core.make_optimizer("adam", lr=0.01)
    starts = _starts(surface, 4, seed=0)

    single = gd_core.descend(surface, optimizer, starts[0], steps)
    assert single.points.shape == (steps + 1, surface.dim)
    assert single.values.shape == (steps + 1,)
    assert single.steps == steps
    assert isinstance(single.diverged_at, int) and single.diverged_at == -1
    assert single.stop_reason == ""
    assert np.array_equal(single.points[0], starts[0])
    assert single.values[0] == pytest.approx(float(surface.value(starts[0])), rel=1e-14, abs=1e-14)

    batch = gd_core.descend(surface, optimizer, starts, steps)
    assert batch.points.shape == (steps + 1, 4, surface.dim)
    assert batch.values.shape == (steps + 1, 4)
    assert batch.diverged_at.shape == (4,) and np.issubdtype(batch.diverged_at.dtype, np.integer)
    assert np.array_equal(batch.points[0], starts)
    assert batch.stop_reason.shape == (4,)


@pytest.mark.parametrize("surface", [s for s in SURFACES if s.dim == 1], ids=lambda s: s.name)
def test_plain_number_start_on_a_1d_surface(surface):
    optimizer = gd_core.make_optimizer("gd", lr=0.01)
    from_number = gd_core.descend(surface, optimizer, 0.5, 5)
    from_array = gd_core.descend(surface, optimizer, np.array([0.5]), 5)
    assert from_number.points.shape == (6, 1)
    assert from_number.points[0, 0] == 0.5
    _assert_same(from_number.points, from_array.points)


def test_start_with_the_wrong_dimension_is_a_value_error():
    optimizer = gd_core.make_optimizer("gd")
    with pytest.raises(ValueError, match="dim"):
        gd_core.descend(gd_core.get_surface("himmelblau"), optimizer, [1.0, 2.0, 3.0], 5)
    with pytest.raises(ValueError, match="dim"):
        gd_core.descend(gd_core.get_surface("himmelblau"), optimizer, np.zeros((4, 3)), 5)


@pytest.mark.parametrize("steps", [0, 3, 200])
def test_always_steps_plus_one_rows_even_after_converging(steps):
    # Converges to the minimum after a few steps of exact arithmetic; the rows keep coming.
    surface = gd_core.get_surface("quadratic_1d")
    trajectory = gd_core.descend(surface, gd_core.make_optimizer("gd", lr=1 / 12), 2.0, steps)
    assert trajectory.points.shape == (steps + 1, 1)
    assert np.all(np.isfinite(trajectory.points))
    if steps:
        assert trajectory.points[-1, 0] == 1.0


# --- batch == single runs, exactly -------------------------------------------------------------


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
@pytest.mark.parametrize("surface", SURFACES, ids=SURFACE_IDS)
def test_batch_equals_single_runs_exactly(surface, name):
    optimizer = gd_core.make_optimizer(name, lr=0.01)
    starts = _starts(surface, 5, seed=sum(map(ord, surface.name + name)))
    batch = gd_core.descend(surface, optimizer, starts, 30)
    for run, start in enumerate(starts):
        single = gd_core.descend(surface, optimizer, start, 30)
        _assert_same(batch.points[:, run], single.points)
        _assert_same(batch.values[:, run], single.values)
        assert batch.diverged_at[run] == single.diverged_at


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
@pytest.mark.parametrize("surface", SURFACES, ids=SURFACE_IDS)
def test_lr_column_runs_one_learning_rate_per_copy_of_the_start(surface, name):
    learning_rates = np.array([1e-3, 1e-2, 0.05, 0.2, 1.0])
    start = _starts(surface, 1, seed=3)[0]
    batch = gd_core.descend(
        surface, gd_core.make_optimizer(name, lr=learning_rates[:, None]),
        np.repeat(start[None], len(learning_rates), axis=0), 25,
    )
    assert batch.points.shape == (26, len(learning_rates), surface.dim)
    for run, lr in enumerate(learning_rates):
        single = gd_core.descend(surface, gd_core.make_optimizer(name, lr=float(lr)), start, 25)
        _assert_same(batch.points[:, run], single.points)
        _assert_same(batch.values[:, run], single.values)
        assert batch.diverged_at[run] == single.diverged_at


def test_lr_column_broadcasts_against_a_single_start():
    surface = gd_core.get_surface("himmelblau")
    learning_rates = np.array([[0.001], [0.01]])
    batch = gd_core.descend(surface, gd_core.make_optimizer("gd", lr=learning_rates), [1.0, 1.0], 4)
    assert batch.points.shape == (5, 2, 2)
    for run, lr in enumerate(learning_rates[:, 0]):
        single = gd_core.descend(surface, gd_core.make_optimizer("gd", lr=lr), [1.0, 1.0], 4)
        _assert_same(batch.points[:, run], single.points)


# --- the classic worked examples ---------------------------------------------------------------


def test_parabola_first_step():
    # f(x) = 6x² − 12x + 3, f'(−0.9) = −22.8: x1 = −0.9 − 0.03 · (−22.8) = −0.216
    surface = gd_core.get_surface("quadratic_1d")
    trajectory = gd_core.descend(surface, gd_core.make_optimizer("gd", lr=0.03), -0.9, 1)
    assert trajectory.points[1, 0] == pytest.approx(-0.216, abs=1e-12)


def test_squared_error_first_five_steps():
    # L(w) = (w − 3)², L'(w) = 2(w − 3), w ← w − 0.1 · 2(w − 3) = 0.8 w + 0.6
    surface = gd_core.get_surface("bowl_1d")
    trajectory = gd_core.descend(surface, gd_core.make_optimizer("gd", lr=0.1), 0.0, 5)
    assert np.round(trajectory.points[1:, 0], 4).tolist() == [0.6, 1.08, 1.464, 1.7712, 2.017]


def test_parabola_with_lr_0_15_oscillates_but_converges():
    # x − 1 is multiplied by 1 − 12 · 0.15 = −0.8 every step.
    surface = gd_core.get_surface("quadratic_1d")
    trajectory = gd_core.descend(surface, gd_core.make_optimizer("gd", lr=0.15), 0.75, 60)
    offsets = trajectory.points[:, 0] - 1
    assert np.all(np.sign(offsets[1:]) == -np.sign(offsets[:-1]))
    np.testing.assert_allclose(offsets[1:] / offsets[:-1], -0.8, rtol=1e-9)
    assert abs(offsets[-1]) < 1e-5 and trajectory.diverged_at == -1


def test_parabola_with_lr_0_2_diverges_and_keeps_the_runaway_point():
    # x − 1 is multiplied by 1 − 12 · 0.2 = −1.4; the run counts as escaped once it leaves the
    # domain's centre by 100 half-widths: |x − 1| > 200, i.e. 0.25 · 1.4^k > 200 at k = 20.
    surface = gd_core.get_surface("quadratic_1d")
    trajectory = gd_core.descend(surface, gd_core.make_optimizer("gd", lr=0.2), 0.75, 60)
    k = trajectory.diverged_at
    assert k > 0
    expected_k = next(step for step in range(1, 60) if 0.25 * 1.4**step > 200)
    assert k == expected_k == 20
    offsets = trajectory.points[: k + 1, 0] - 1
    assert np.all(np.abs(offsets[1:]) > np.abs(offsets[:-1]))
    assert np.all(np.sign(offsets[1:]) == -np.sign(offsets[:-1]))
    assert np.isfinite(trajectory.points[k, 0]) and abs(trajectory.points[k, 0] - 1) > 200
    assert np.all(np.isnan(trajectory.points[k + 1 :]))
    assert np.all(np.isnan(trajectory.values[k + 1 :]))
    assert np.all(np.isfinite(trajectory.values[: k + 1]))
    assert trajectory.stop_reason


# --- divergence: every surface x optimizer x lr from 1e-4 to 1e6 --------------------------------

LEARNING_RATES = [1e-4, 1e-2, 1.0, 1e2, 1e4, 1e6]


def _check_divergence_bookkeeping(trajectory):
    steps = trajectory.steps
    diverged = np.atleast_1d(trajectory.diverged_at)
    points = trajectory.points.reshape(steps + 1, len(diverged), -1)
    values = trajectory.values.reshape(steps + 1, len(diverged))
    reasons = np.atleast_1d(trajectory.stop_reason)
    for run, step in enumerate(diverged):
        assert step == -1 or 0 <= step <= steps
        if step == -1:
            assert np.all(np.isfinite(points[:, run])) and np.all(np.isfinite(values[:, run]))
            assert reasons[run] == ""
        else:
            assert np.all(np.isfinite(points[:step, run]))
            assert np.all(np.isfinite(values[:step, run]))
            assert not np.all(np.isnan(points[step, run])), "the runaway point itself is kept"
            assert np.all(np.isnan(points[step + 1 :, run]))
            assert np.all(np.isnan(values[step + 1 :, run]))
            assert isinstance(reasons[run], str) and reasons[run] in gd_core.STOP_REASONS[1:]


@pytest.mark.parametrize("lr", LEARNING_RATES)
@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
@pytest.mark.parametrize("surface", SURFACES, ids=SURFACE_IDS)
def test_any_learning_rate_runs_without_exception_or_warning(surface, name, lr):
    starts = _starts(surface, 4, seed=11)
    optimizer = gd_core.make_optimizer(name, lr=lr)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        batch = gd_core.descend(surface, optimizer, starts, 60)
        single = gd_core.descend(surface, optimizer, starts[0], 60)
    _check_divergence_bookkeeping(batch)
    _check_divergence_bookkeeping(single)
    if lr >= 1e6:
        # A first step of about lr (adaptive) or lr · |g| leaves 100 half-widths behind at once.
        assert np.all(batch.diverged_at > 0), batch.diverged_at


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_saddle_escapes_and_reports_it(name):
    surface = gd_core.get_surface("saddle")
    # Adagrad escapes only like 2 lr sqrt(t) here (its accumulator grows with the path).
    lr = 5.0 if name == "adagrad" else 0.5
    trajectory = gd_core.descend(surface, gd_core.make_optimizer(name, lr=lr), [0.5, 0.1], 2000)
    assert trajectory.diverged_at > 0
    assert trajectory.stop_reason
    _check_divergence_bookkeeping(trajectory)


def test_non_finite_start_is_reported_at_step_zero():
    surface = gd_core.get_surface("himmelblau")
    trajectory = gd_core.descend(
        surface, gd_core.make_optimizer("gd"), [[np.nan, 0.0], [1.0, 1.0]], 3
    )
    assert trajectory.diverged_at.tolist() == [0, -1]
    assert np.all(np.isnan(trajectory.points[1:, 0]))


# --- noise -------------------------------------------------------------------------------------


def _noisy(seed, noise=0.5, name="momentum"):
    surface = gd_core.get_surface("himmelblau")
    starts = _starts(surface, 3, seed=5)
    return gd_core.descend(
        surface, gd_core.make_optimizer(name, lr=0.002), starts, 40, noise=noise, seed=seed
    )


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_same_seed_same_noisy_run(name):
    _assert_same(_noisy(7, name=name).points, _noisy(7, name=name).points)


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_different_seed_different_noisy_run(name):
    a, b = _noisy(7, name=name).points, _noisy(8, name=name).points
    _assert_same(a[0], b[0])
    # Adagrad's first step is ±lr whatever the gradient's size, so compare from step 2 on.
    assert np.mean(a[2:] != b[2:]) > 0.99


def test_noise_changes_the_run_and_zero_noise_is_deterministic():
    clean = _noisy(None, noise=0.0)
    _assert_same(clean.points, _noisy(None, noise=0.0).points)
    _assert_same(clean.points, _noisy(123, noise=0.0).points)
    assert not np.allclose(clean.points[1:], _noisy(123).points[1:])


def test_noise_is_gaussian_with_the_given_standard_deviation():
    # On a flat surface GD's steps are −lr · noise · z, z standard normal.
    surface = gd_core.get_surface("bowl_1d")
    lr, noise = 1e-3, 2.0
    trajectory = gd_core.descend(
        surface, gd_core.make_optimizer("gd", lr=lr), np.full((4000, 1), 3.0), 1,
        noise=noise, seed=0,
    )
    steps = (trajectory.points[1] - 3.0)[:, 0] / lr
    assert abs(np.mean(steps)) < 0.15
    assert np.std(steps) == pytest.approx(noise, rel=0.05)


@pytest.mark.parametrize("steps", [-1, 2.5, -0.5])
def test_invalid_steps_are_a_value_error(steps):
    with pytest.raises(ValueError, match="steps"):
        gd_core.descend(gd_core.get_surface("bowl"), gd_core.make_optimizer("gd"), [0, 0], steps)


@pytest.mark.parametrize("noise", [-0.1, np.nan, np.inf])
def test_invalid_noise_is_a_value_error(noise):
    with pytest.raises(ValueError, match="noise"):
        gd_core.descend(
            gd_core.get_surface("bowl"), gd_core.make_optimizer("gd"), [0, 0], 5, noise=noise
        )
