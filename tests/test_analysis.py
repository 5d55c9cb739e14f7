"""Reading trajectories: outcomes, regimes in plain words, critical learning rates."""

import numpy as np
import pytest

import gd_core
from gd_core.analysis import critical_learning_rate, outcome, regime
from gd_core.basins import SETTLE_TOLERANCE


def _gd(surface_name, lr, start, steps=100):
    surface = gd_core.get_surface(surface_name)
    return surface, gd_core.descend(surface, gd_core.make_optimizer("gd", lr=lr), start, steps)


@pytest.mark.parametrize(
    ("lr", "expected"),
    [(0.03, "converging smoothly"), (0.15, "oscillating but converging"), (0.2, "diverging")],
)
def test_quadratic_regimes_follow_the_critical_learning_rate(lr, expected):
    surface, run = _gd("quadratic_1d", lr, 0.75)
    assert regime(surface, run) == expected


def test_critical_learning_rate_of_the_parabola_is_one_sixth():
    surface = gd_core.get_surface("quadratic_1d")
    assert critical_learning_rate(surface, surface.minima[0]) == pytest.approx(1 / 6, rel=1e-8)
    assert critical_learning_rate(gd_core.get_surface("saddle"), [0, 0]) == pytest.approx(1.0)


def test_double_well_from_the_right_settles_in_the_local_minimum():
    surface, run = _gd("double_well_1d", 0.05, 1.5)
    result = outcome(surface, run)
    assert (result.status, result.minimum) == ("converged", 1)
    assert regime(surface, run) == "settled in a local (not global) minimum"
    assert "local" in result.message


def test_classic_two_minima_starts_split_between_the_valleys():
    starts = [(-1.5, 1.2), (1.5, -1.8), (0, 0), (0.7, -0.2), (1.5, 1.5)]
    surface, run = _gd("two_minima", 0.4, starts)
    reached = [outcome(surface, run, i).minimum for i in range(len(starts))]
    assert reached == [0, 1, 0, 1, 0]


def test_converged_step_is_where_the_run_stays_within_tolerance():
    surface, run = _gd("bowl", 0.02, (-0.5, 2.9), steps=200)
    result = outcome(surface, run)
    gaps = np.linalg.norm(run.points - surface.minima[0], axis=-1)
    assert result.status == "converged"
    assert np.all(gaps[result.step:] < gd_core.SETTLE_TOLERANCE)
    assert gaps[result.step - 1] >= gd_core.SETTLE_TOLERANCE


def test_diverged_and_moving_runs_say_so():
    surface, run = _gd("saddle", 0.1, (0.5, 0.1), steps=100)
    result = outcome(surface, run)
    assert result.status == "diverged"
    assert result.message.startswith(f"diverged at step {run.diverged_at}")
    surface, run = _gd("rosenbrock", 1e-4, (-1.5, 2.0), steps=20)
    assert outcome(surface, run).status == "moving"
    assert regime(surface, run) == "still moving"


def _reference_outcome(surface, points, diverged_at, stop_code, tolerance=SETTLE_TOLERANCE):
    """The per-run reading ``outcomes`` replaced, kept as the oracle it must agree with."""
    steps = points.shape[0] - 1

    def oscillating(path):
        moves = np.diff(path, axis=0)
        lengths = np.linalg.norm(moves, axis=-1)
        moving = lengths > 1e-12 * max(1.0, float(np.max(np.abs(path))))
        if np.count_nonzero(moving) < 3:
            return False
        moves = moves[moving]
        return bool(np.mean(np.einsum("ij,ij->i", moves[1:], moves[:-1]) < 0) > 0.5)

    if diverged_at >= 0:
        return ("diverged", -1, diverged_at, oscillating(points[: diverged_at + 1]), stop_code)
    if surface.minima:
        minima = np.asarray(surface.minima)
        gaps = np.linalg.norm(points[:, None, :] - minima[None], axis=-1)
        nearest = int(np.argmin(gaps[-1]))
        near = gaps[:, nearest] < tolerance
        if near[-1]:
            outside = np.flatnonzero(~near)
            step = int(outside[-1]) + 1 if outside.size else 0
            return ("converged", nearest, step, oscillating(points), 0)
    last_move = np.linalg.norm(points[-1] - points[-2]) if steps else 0.0
    status = "settled" if steps and last_move < tolerance * 1e-3 else "moving"
    return (status, -1, steps, oscillating(points), 0)


def _table_run(surface, optimizer):
    """6 random starts x learning rates 1e-4 .. 10, 120 steps, as one flat batch."""
    rng = np.random.default_rng(3)
    lows, highs = np.asarray(surface.domain, dtype=float).T
    starts = rng.uniform(lows, highs, size=(6, surface.dim))
    lrs = np.array([1e-4, 1e-3, 0.01, 0.1, 1.0, 10.0])[:, None, None]
    batch = np.broadcast_to(starts, (len(lrs), *starts.shape))
    run = gd_core.descend(surface, gd_core.make_optimizer(optimizer, lr=lrs), batch, 120)
    return gd_core.Trajectory(
        run.points.reshape(121, -1, surface.dim), run.values.reshape(121, -1),
        run.diverged_at.reshape(-1), run.stop_code.reshape(-1))


TABLE = [(surface, optimizer) for surface in gd_core.SURFACES.values()
         for optimizer in ("gd", "momentum", "adam")]


@pytest.mark.parametrize(("surface", "optimizer"), TABLE,
                         ids=[f"{s.name}-{o}" for s, o in TABLE])
def test_batched_outcomes_read_every_run_as_the_per_run_reading_did(surface, optimizer):
    flat = _table_run(surface, optimizer)
    for index, result in enumerate(gd_core.outcomes(surface, flat)):
        expected = _reference_outcome(surface, flat.points[:, index], int(flat.diverged_at[index]),
                                      int(flat.stop_code[index]))
        assert (result.status, result.minimum, result.step, result.oscillating) == expected[:4]
        assert result == outcome(surface, flat, index)


def test_the_table_covers_every_kind_of_ending():
    seen = {(result.status, result.oscillating) for surface, optimizer in TABLE
            for result in gd_core.outcomes(surface, _table_run(surface, optimizer))}
    assert {status for status, _ in seen} == {"converged", "settled", "moving", "diverged"}
    assert {oscillating for _, oscillating in seen} == {True, False}


@pytest.mark.parametrize("steps", [0, 1, 2])
def test_outcomes_of_runs_too_short_to_read(steps):
    surface = gd_core.get_surface("himmelblau")
    run = gd_core.descend(surface, gd_core.make_optimizer("gd", lr=0.01),
                          np.array([[0.0, 0.0], [3.0, 2.0]]), steps)
    away, home = gd_core.outcomes(surface, run)
    assert (away.status, away.oscillating) == ("moving", False)
    assert (home.status, home.minimum, home.step) == ("converged", 0, 0)
