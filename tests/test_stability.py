"""The stability map and the critical learning rate, against the quadratic theory."""

import numpy as np
import pytest

import gd_core
from gd_core.stability import MAX_PAIRS, best_heavy_ball, heavy_ball_rate, stability_map

RAVINE = gd_core.get_surface("ravine")  # 6x² + 40y² − …: Hessian diag(12, 80) everywhere
RAVINE_EIGENVALUES = (12.0, 80.0)


def _companion_rate(lam, lr, mu):
    """max |σ| of z² − (1 − lr λ + μ) z + μ, by the eigenvalues of its companion matrix."""
    trace = 1 - lr * lam + mu
    return np.max(np.abs(np.linalg.eigvals(np.array([[trace, -mu], [1.0, 0.0]]))))


# --- the critical learning rate on quadratics --------------------------------------------------


@pytest.mark.parametrize(
    ("optimizer", "momentum", "closed_form"),
    [("gd", 0.0, 2 / 80), ("momentum", 0.0, 2 / 80), ("momentum", 0.9, 3.8 / 80),
     ("nesterov", 0.5, 3 / (2 * 80)), ("nesterov", 0.9, 3.8 / (2.8 * 80))],
)
def test_critical_learning_rate_closed_forms_on_the_ravine(optimizer, momentum, closed_form):
    rate = gd_core.critical_learning_rate(RAVINE, RAVINE.minima[0], optimizer, momentum)
    assert rate == pytest.approx(closed_form, rel=1e-7)
    # And it is the edge in a real run: just below converges, just above runs away.
    extra = {"momentum": momentum} if optimizer != "gd" else {}
    runs = [gd_core.descend(RAVINE, gd_core.make_optimizer(optimizer, lr=factor * rate, **extra),
                            (2.0, 1.5), 3000) for factor in (0.98, 1.02)]
    assert np.linalg.norm(runs[0].points[-1] - RAVINE.minima[0]) < 1e-6
    assert runs[1].diverged_at >= 0


def test_critical_learning_rate_of_a_one_dimensional_quadratic():
    surface = gd_core.get_surface("quadratic_1d")  # f'' = 12
    for optimizer, momentum, expected in [("gd", 0.0, 1 / 6), ("momentum", 0.5, 3 / 12),
                                          ("nesterov", 0.5, 3 / 24)]:
        rate = gd_core.critical_learning_rate(surface, surface.minima[0], optimizer, momentum)
        assert rate == pytest.approx(expected, rel=1e-7)


def test_adaptive_optimizers_have_no_critical_rate():
    with pytest.raises(ValueError, match="adam"):
        gd_core.critical_learning_rate(RAVINE, RAVINE.minima[0], "adam")


# --- the theory --------------------------------------------------------------------------------


def test_heavy_ball_rate_is_the_companion_matrix_spectral_radius():
    rng = np.random.default_rng(0)
    lrs, momenta = rng.uniform(0, 0.06, 25), rng.uniform(0, 0.99, 20)
    theory = heavy_ball_rate(RAVINE_EIGENVALUES, lrs, momenta)
    assert theory.shape == (20, 25)
    for i, mu in enumerate(momenta):
        for j, lr in enumerate(lrs):
            expected = max(_companion_rate(lam, lr, mu) for lam in RAVINE_EIGENVALUES)
            assert theory[i, j] == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_the_theory_boundary_is_the_critical_learning_rate():
    momenta = np.array([0.0, 0.3, 0.6, 0.9])
    for mu in momenta:
        edge = gd_core.critical_learning_rate(RAVINE, RAVINE.minima[0], "momentum", mu)
        below, above = heavy_ball_rate(RAVINE_EIGENVALUES, [0.999 * edge, 1.001 * edge], [mu])[0]
        assert below < 1 < above


def test_the_best_pair_is_the_closed_form_optimum():
    lr_best, mu_best = best_heavy_ball(RAVINE_EIGENVALUES)
    low, high = np.sqrt(12.0), np.sqrt(80.0)
    assert lr_best == pytest.approx((2 / (low + high)) ** 2)
    assert mu_best == pytest.approx(((high - low) / (high + low)) ** 2)
    best_rate = heavy_ball_rate(RAVINE_EIGENVALUES, [lr_best], [mu_best])[0, 0]
    assert best_rate == pytest.approx((high - low) / (high + low), rel=1e-6)
    grid = heavy_ball_rate(RAVINE_EIGENVALUES, np.linspace(0.001, 0.05, 300),
                           np.linspace(0, 0.98, 300))
    assert grid.min() >= best_rate - 1e-9


# --- measured against the theory ---------------------------------------------------------------


@pytest.fixture(scope="module")
def ravine_map():
    lrs = np.linspace(0.02, 4.4, 80) / 80
    momenta = np.linspace(0, 0.98, 60)
    return stability_map(RAVINE, RAVINE.minima[0], lrs, momenta, steps=300)


def test_measured_rates_agree_with_the_theory_on_a_quadratic(ravine_map):
    m = ravine_map
    assert m.rate.shape == m.theory_rate.shape == (60, 80)
    np.testing.assert_allclose(m.eigenvalues, RAVINE_EIGENVALUES, rtol=1e-6)
    np.testing.assert_allclose(m.theory_rate,
                               heavy_ball_rate(RAVINE_EIGENVALUES, m.lrs, m.momenta), rtol=1e-6)
    converging = m.theory_rate < 0.999
    error = np.abs(m.rate - m.theory_rate)[converging]
    assert np.percentile(error, 99) < 0.015
    assert error.max() < 0.05
    clear = np.abs(m.theory_rate - 1) > 1e-3
    np.testing.assert_array_equal((m.rate >= 1)[clear], (m.theory_rate >= 1)[clear])


def test_the_measured_optimum_is_where_the_theory_puts_it(ravine_map):
    m = ravine_map
    lr_best, mu_best = m.best
    assert (lr_best, mu_best) == pytest.approx(best_heavy_ball(RAVINE_EIGENVALUES))
    row, column = np.unravel_index(np.argmin(m.rate), m.rate.shape)
    assert abs(m.momenta[row] - mu_best) < 0.1
    assert abs(m.lrs[column] - lr_best) < 0.1 * lr_best * 3


def test_a_non_quadratic_minimum_agrees_near_the_point():
    surface = gd_core.get_surface("himmelblau")
    m = stability_map(surface, surface.minima[2], np.linspace(0.0005, 0.03, 30),
                      np.linspace(0, 0.95, 20), steps=300)
    converging = m.theory_rate < 0.99
    assert np.percentile(np.abs(m.rate - m.theory_rate)[converging], 95) < 0.02
    assert np.all(m.rate[m.theory_rate > 1.01] >= 1)


@pytest.mark.parametrize(
    ("point", "lrs", "momenta", "steps", "match"),
    [((0.0, 0.0), [0.01], [0.5], 100, "not a minimum"),
     (None, [-0.01], [0.5], 100, "lrs"),
     (None, [0.0], [0.5], 100, "positive"),
     (None, [0.01], [1.0], 100, "momenta"),
     (None, [np.nan], [0.5], 100, "finite"),
     (None, [], [0.5], 100, "non-empty"),
     (None, [0.01], [0.5], 1, "steps"),
     (None, np.linspace(0.001, 0.01, 300), np.linspace(0, 0.9, 300), 100, "pairs")],
)
def test_bad_arguments_are_refused(point, lrs, momenta, steps, match):
    surface = gd_core.get_surface("himmelblau") if point is None else gd_core.get_surface("saddle")
    point = surface.minima[0] if point is None else point
    with pytest.raises(ValueError, match=match):
        stability_map(surface, point, lrs, momenta, steps)
    assert MAX_PAIRS < 300 * 300


def test_runs_quietly_where_every_pair_diverges():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = stability_map(RAVINE, RAVINE.minima[0], [1.0, 10.0, 1e3], [0.0, 0.9], steps=200)
    assert np.all(m.rate >= 1)
