"""minibatch_descend and the learning-rate range test: full batch is descend and the classic
loop, seeds reproduce paths, epochs deal every sample once, minibatch gradients average to the
full gradient, divergence is a result, and the range test blows up where the theory says."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gd_core

LINE = gd_core.make_regression(n=40, seed=0)
REGRESSIONS = {scaling: gd_core.linear_regression(LINE, scaling) for scaling in gd_core.SCALINGS}
NETWORK = gd_core.one_unit_network(gd_core.make_tanh_regression(n=200, seed=0))
OPTIMIZER_RATES = {"gd": 0.02, "momentum": 0.005, "nesterov": 0.005, "adagrad": 0.5,
                   "rmsprop": 0.05, "adam": 0.1}


@pytest.mark.parametrize("scaling", gd_core.SCALINGS)
@pytest.mark.parametrize("optimizer", list(gd_core.OPTIMIZERS))
def test_full_batch_without_shuffling_is_exactly_descend(scaling, optimizer):
    problem = REGRESSIONS[scaling]
    made = gd_core.make_optimizer(optimizer, lr=OPTIMIZER_RATES[optimizer])
    run = gd_core.minibatch_descend(problem, made, [0.0, 0.0], epochs=30,
                                    batch_size=problem.data.n, shuffle=False)
    expected = gd_core.descend(problem.surface, made, [0.0, 0.0], 30)
    assert np.array_equal(run.points, expected.points)
    assert np.array_equal(run.values, expected.values)
    assert run.diverged_at == expected.diverged_at == -1


@pytest.mark.parametrize("scaling", gd_core.SCALINGS)
def test_full_batch_gradient_descent_is_the_classic_batch_loop(scaling):
    problem = REGRESSIONS[scaling]
    lr, epochs = 0.5 * problem.largest_stable_lr, 50
    run = gd_core.minibatch_descend(problem, gd_core.make_optimizer("gd", lr=lr), [0.0, 0.0],
                                    epochs, problem.data.n, shuffle=False)
    design = np.column_stack([problem.features, np.ones(problem.data.n)])
    theta, m = np.zeros(2), problem.data.n
    for step in range(1, epochs + 1):
        theta = theta - lr * (1 / m) * design.T @ (design @ theta - problem.data.y)
        assert np.allclose(run.points[step], theta, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("batch_size", [1, 7])
def test_minibatch_gradient_descent_is_the_classic_minibatch_loop(batch_size):
    problem = REGRESSIONS["raw"]
    lr = 0.2 * problem.largest_stable_lr
    run = gd_core.minibatch_descend(problem, gd_core.make_optimizer("gd", lr=lr), [0.0, 0.0],
                                    3, batch_size, seed=2)
    design = np.column_stack([problem.features, np.ones(problem.data.n)])
    theta = np.zeros(2)
    for step, batch in enumerate(run.batches, start=1):
        rows, y = design[batch], problem.data.y[batch]
        theta = theta - lr * (1 / len(batch)) * rows.T @ (rows @ theta - y)
        assert np.allclose(run.points[step], theta, rtol=1e-12, atol=1e-12)


def test_shuffled_full_batches_take_the_same_steps_up_to_round_off():
    problem = REGRESSIONS["centered"]
    made = gd_core.make_optimizer("gd", lr=0.1)
    shuffled = gd_core.minibatch_descend(problem, made, [0.0, 0.0], 10, problem.data.n)
    ordered = gd_core.minibatch_descend(problem, made, [0.0, 0.0], 10, problem.data.n,
                                        shuffle=False)
    assert np.allclose(shuffled.points, ordered.points, rtol=1e-12)


@pytest.mark.parametrize("batch_size", [1, 7, 40])
def test_the_same_seed_gives_the_same_path_and_another_seed_another(batch_size):
    problem = REGRESSIONS["standardized"]
    made = gd_core.make_optimizer("momentum", lr=0.05)
    first, again, other = (
        gd_core.minibatch_descend(problem, made, [0.0, 0.0], 3, batch_size, seed=seed)
        for seed in (5, 5, 6))
    assert np.array_equal(first.points, again.points)
    assert all(np.array_equal(a, b) for a, b in zip(first.batches, again.batches, strict=True))
    if batch_size < problem.data.n:
        assert not np.array_equal(first.points, other.points)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 60), batch_size=st.integers(1, 60), epochs=st.integers(0, 4),
       shuffle=st.booleans(), seed=st.integers(0, 1000))
def test_each_epoch_visits_every_sample_once(n, batch_size, epochs, shuffle, seed):
    batch_size = min(batch_size, n)
    batches = gd_core.epoch_batches(n, epochs, batch_size, shuffle, seed)
    per_epoch = -(-n // batch_size)
    assert len(batches) == epochs * per_epoch
    for epoch in range(epochs):
        dealt = batches[epoch * per_epoch:(epoch + 1) * per_epoch]
        assert sorted(np.concatenate(dealt).tolist()) == list(range(n))
        assert all(len(batch) == batch_size for batch in dealt[:-1])
        assert 1 <= len(dealt[-1]) <= batch_size


def test_a_run_reports_its_batches_steps_and_samples_seen():
    problem = REGRESSIONS["raw"]
    run = gd_core.minibatch_descend(problem, gd_core.make_optimizer("gd", lr=0.01), [0, 0],
                                    epochs=2, batch_size=15, seed=1)
    assert run.steps == 2 * 3 and run.points.shape == (7, 2) and run.values.shape == (7,)
    assert run.steps_per_epoch == 3
    assert [len(batch) for batch in run.batches] == [15, 15, 10, 15, 15, 10]
    assert run.samples_seen.tolist() == [0, 15, 30, 40, 55, 70, 80]
    assert run.epochs_done[[0, 3, 6]].tolist() == [0, 1, 2]
    assert np.allclose(run.values, problem.surface.value(run.points))


@pytest.mark.parametrize("problem", [REGRESSIONS["raw"], NETWORK], ids=["line", "network"])
@pytest.mark.parametrize("batch_size", [1, 4, 8, 20])
def test_minibatch_gradients_over_an_epoch_of_equal_batches_average_to_the_full_gradient(
        problem, batch_size):
    point = np.array([[0.8, -0.3]])
    batches = gd_core.epoch_batches(problem.data.n, 1, batch_size, seed=3)
    average = np.mean([problem.batch_gradient(point, batch) for batch in batches], axis=0)
    assert np.allclose(average, problem.surface.gradient(point), rtol=1e-12, atol=1e-14)


# The network's single start on fewer than eight samples takes its gradient in Python floats
# (gd_core.data._unit_gradient_of_one), a batch of starts in NumPy: the same numbers either way.
@pytest.mark.parametrize(("problem", "optimizer", "batch_size"), [
    (REGRESSIONS["centered"], "adam", 6), (NETWORK, "gd", 1), (NETWORK, "adam", 4),
    (NETWORK, "momentum", 7), (NETWORK, "rmsprop", 8)], ids=[
    "line-adam-6", "network-gd-1", "network-adam-4", "network-momentum-7", "network-rmsprop-8"])
def test_a_batch_of_starts_is_the_single_runs_on_the_same_batches(problem, optimizer,
                                                                  batch_size):
    made = gd_core.make_optimizer(optimizer, lr=OPTIMIZER_RATES[optimizer])
    starts = np.array([[0.0, 0.0], [3.0, -2.0], [-1.0, 5.0]])
    if problem is NETWORK:
        starts = starts / 5 + 0.1  # inside the network's box, off its saddle at the origin
    batch = gd_core.minibatch_descend(problem, made, starts, 2, batch_size, seed=4)
    steps = 2 * -(-problem.data.n // batch_size)
    assert batch.points.shape == (steps + 1, 3, 2)
    for run, start in enumerate(starts):
        single = gd_core.minibatch_descend(problem, made, start, 2, batch_size, seed=4)
        assert np.array_equal(batch.points[:, run], single.points)


# Plain gradient descent on the network from one start, on batches of fewer than eight samples,
# steps in Python floats (OneUnitNetwork.plain_steps); a batch of starts through NumPy.
@pytest.mark.parametrize("batch_size", [1, 3, 7])
@pytest.mark.parametrize(("lr", "growth"), [(0.2, None), (0.01, 1.05), (40.0, None)],
                         ids=["settling", "growing-rate", "diverging"])
def test_plain_descent_on_the_network_in_floats_is_numpys_to_the_bit(batch_size, lr, growth):
    made = gd_core.make_optimizer("gd", lr=lr, schedule=growth and (lambda step: growth**step))
    starts = np.array([[0.235, -0.25], [1.0, 1.5]])
    batch = gd_core.minibatch_descend(NETWORK, made, starts, 3, batch_size, seed=2)
    for run, start in enumerate(starts):
        single = gd_core.minibatch_descend(NETWORK, made, start, 3, batch_size, seed=2)
        assert np.array_equal(batch.points[:, run], single.points, equal_nan=True)
        assert single.diverged_at == batch.diverged_at[run]
    if lr == 40.0:
        assert (batch.diverged_at > 0).all()


def test_divergence_is_reported_as_descend_reports_it():
    problem = REGRESSIONS["raw"]
    made = gd_core.make_optimizer("gd", lr=3 * problem.largest_stable_lr)
    run = gd_core.minibatch_descend(problem, made, [0.0, 0.0], 50, 8)
    assert run.diverged_at > 0
    assert np.isnan(run.points[run.diverged_at + 1:]).all()
    assert np.isfinite(run.points[run.diverged_at]).all()
    assert run.stop_reason
    outcome = gd_core.outcome(problem.surface, run)
    assert outcome.status == "diverged" and outcome.step == run.diverged_at


@settings(max_examples=40, deadline=None)
@given(scaling=st.sampled_from(gd_core.SCALINGS), batch_size=st.integers(1, 39),
       rate=st.floats(0.01, 3.0), growth=st.sampled_from([None, 1.01]),
       starts=st.lists(st.tuples(st.floats(-20, 20), st.floats(-20, 20)), min_size=1,
                       max_size=3), seed=st.integers(0, 100))
def test_plain_descent_taken_all_at_once_is_the_stepped_loop(scaling, batch_size, rate, growth,
                                                            starts, seed):
    """Plain GD on a line's batches takes every step at once (an affine map per step,
    composed by doubling): the path, its divergence step and its reason are the loop's, and a
    batch of starts gets each start's own bits."""
    problem = REGRESSIONS[scaling]
    schedule = None if growth is None else (lambda step: growth**step)
    made = gd_core.make_optimizer("gd", lr=rate * problem.largest_stable_lr, schedule=schedule)
    stepped = made._replace(gradient_scale=None)
    starts = np.array(starts)
    fast = gd_core.minibatch_descend(problem, made, starts, 4, batch_size, seed=seed)
    slow = gd_core.minibatch_descend(problem, stepped, starts, 4, batch_size, seed=seed)
    assert np.array_equal(fast.diverged_at, slow.diverged_at)
    assert np.array_equal(fast.stop_code, slow.stop_code)
    scale = np.maximum(np.abs(slow.points), 1.0)
    assert np.allclose(fast.points / scale, slow.points / scale, rtol=0, atol=1e-11,
                       equal_nan=True)
    alone = gd_core.minibatch_descend(problem, made, starts[-1], 4, batch_size, seed=seed)
    assert np.array_equal(fast.points[:, -1], alone.points, equal_nan=True)


@pytest.mark.parametrize(("kwargs", "says"), [
    ({"epochs": 1, "batch_size": 0}, "batch_size"), ({"epochs": 1, "batch_size": 41}, "batch_size"),
    ({"epochs": -1, "batch_size": 4}, "epochs"), ({"epochs": 1.5, "batch_size": 4}, "epochs"),
])
def test_bad_epochs_or_batch_sizes_are_refused(kwargs, says):
    with pytest.raises(ValueError, match=says):
        gd_core.minibatch_descend(REGRESSIONS["raw"], gd_core.make_optimizer("gd"), [0, 0],
                                  **kwargs)


def test_minibatch_noise_decides_which_of_the_networks_minima_a_start_reaches():
    made = gd_core.make_optimizer("gd", lr=0.2)
    start = [0.235, -0.25]
    reached = {int(np.sign(gd_core.minibatch_descend(NETWORK, made, start, 20, 4,
                                                    seed=seed).points[-1, 0]))
               for seed in range(12)}
    assert reached == {-1, 1}
    run = gd_core.minibatch_descend(NETWORK, made, start, 500, NETWORK.data.n, shuffle=False)
    assert gd_core.outcome(NETWORK.surface, run).status == "converged"


# --- the learning-rate range test ------------------------------------------------------------

@pytest.mark.parametrize("scaling", gd_core.SCALINGS)
def test_full_batch_range_test_loss_falls_while_the_rate_is_stable(scaling):
    problem = REGRESSIONS[scaling]
    critical = problem.largest_stable_lr
    test = gd_core.lr_range_test(problem, "gd", [0.0, 0.0], critical / 1000, critical * 10, 300)
    assert test.largest_stable_lr == critical
    assert test.lrs[0] == pytest.approx(critical / 1000) and test.lrs[-1] == pytest.approx(
        critical * 10)
    stable = test.lrs < critical
    losses = np.concatenate([[test.start_loss], test.losses])
    # A quadratic under gradient descent: every eigen-direction shrinks while lr < 2 / λmax.
    assert np.all(np.diff(losses)[stable] <= 1e-12 * losses[:-1][stable])
    assert test.blow_up_lr() > critical
    assert test.diverged_at > 0


@pytest.mark.parametrize("scaling", gd_core.SCALINGS)
@pytest.mark.parametrize("batch_size", [8, 20])
def test_minibatch_range_test_blows_up_soon_after_two_over_lambda_max(scaling, batch_size):
    problem = gd_core.linear_regression(gd_core.make_regression(n=200, seed=0), scaling)
    critical = problem.largest_stable_lr
    test = gd_core.lr_range_test(problem, "gd", [0.0, 0.0], critical / 1000, critical * 10,
                                 300, batch_size=batch_size, seed=0)
    assert critical < test.blow_up_lr() < 2.5 * critical


def test_range_test_refuses_a_bad_range():
    with pytest.raises(ValueError, match="lr_min"):
        gd_core.lr_range_test(REGRESSIONS["raw"], "gd", [0, 0], 0.1, 0.01)
