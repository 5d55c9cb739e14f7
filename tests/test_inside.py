"""look_inside: the state each optimizer carries, against the steps it took and torch.optim."""

import numpy as np
import pytest

import gd_core
from gd_core.inside import QUANTITIES, look_inside

START = np.array([-1.0, 2.5])
SETTINGS = {"gd": 0.01, "momentum": 0.005, "nesterov": 0.005, "adagrad": 0.3, "rmsprop": 0.02,
            "adam": 0.05}


def _inside(name, steps=40, surface="himmelblau", start=START):
    surface = gd_core.get_surface(surface)
    optimizer = gd_core.make_optimizer(name, lr=SETTINGS[name])
    run = gd_core.descend(surface, optimizer, start, steps)
    return surface, optimizer, run, look_inside(surface, optimizer, run)


def test_every_optimizer_declares_its_quantities_and_a_step_size():
    assert set(QUANTITIES) == set(gd_core.OPTIMIZERS)
    for name, quantities in QUANTITIES.items():
        keys = [q.key for q in quantities]
        assert len(set(keys)) == len(keys) and "step_size" in keys, name
        assert all(q.symbol and q.meaning for q in quantities), name


@pytest.mark.parametrize("name", list(gd_core.OPTIMIZERS))
def test_shapes_and_the_row_before_any_step(name):
    _, _, run, inside = _inside(name)
    assert list(inside) == [q.key for q in QUANTITIES[name]]
    for quantity in QUANTITIES[name]:
        values = inside[quantity.key]
        assert values.shape == (run.points.shape if quantity.per_coordinate
                                else (run.points.shape[0],))
        assert np.all(np.isnan(values[0])) and np.all(np.isfinite(values[1:]))


@pytest.mark.parametrize("name", list(gd_core.OPTIMIZERS))
def test_the_state_explains_every_step_taken(name):
    surface, optimizer, run, inside = _inside(name)
    steps = np.diff(run.points, axis=0)
    grads = surface.gradient(run.points[:-1])
    size = inside["step_size"][1:]
    if name == "adam":
        expected = -size * inside["m_hat"][1:]
    elif name == "momentum":
        expected = -size * inside["buffer"][1:]
    elif name == "nesterov":
        expected = -size * (grads + optimizer.hyperparams["momentum"] * inside["buffer"][1:])
    else:
        expected = -size * grads
    np.testing.assert_allclose(steps, expected, rtol=1e-9, atol=1e-12)


def test_adams_bias_corrections_start_large_and_fade():
    _, _, _, inside = _inside("adam", steps=3000)
    first, second = inside["correction1"], inside["correction2"]
    assert first[1] == pytest.approx(10.0) and second[1] == pytest.approx(1000.0)
    assert first[-1] == pytest.approx(1.0) and second[-1] == pytest.approx(1.0, abs=0.06)
    np.testing.assert_allclose(inside["m_hat"], inside["m"] * first[:, None])
    np.testing.assert_allclose(inside["v_hat"], inside["v"] * second[:, None])


def test_adagrads_step_size_only_shrinks():
    _, _, _, inside = _inside("adagrad")
    assert np.all(np.diff(inside["step_size"][1:], axis=0) <= 0)


def test_a_batch_of_starts_and_rates_is_one_call():
    surface = gd_core.get_surface("himmelblau")
    lrs = np.array([[0.01], [0.05]])
    optimizer = gd_core.make_optimizer("adam", lr=lrs)
    starts = np.array([[-1.0, 2.5], [3.0, -3.0]])
    run = gd_core.descend(surface, optimizer, starts, 30)
    inside = look_inside(surface, optimizer, run)
    for i in range(2):
        alone = gd_core.make_optimizer("adam", lr=float(lrs[i, 0]))
        single = look_inside(surface, alone, gd_core.descend(surface, alone, starts[i], 30))
        np.testing.assert_array_equal(inside["step_size"][:, i], single["step_size"])


def test_after_a_run_diverges_its_state_is_nan():
    surface = gd_core.get_surface("ravine")
    optimizer = gd_core.make_optimizer("momentum", lr=0.2)
    run = gd_core.descend(surface, optimizer, [2.0, 2.0], 60)
    assert run.diverged_at > 0
    inside = look_inside(surface, optimizer, run)
    assert np.all(np.isnan(inside["buffer"][run.diverged_at + 2:]))


TORCH_STATE = {"momentum": {"buffer": "momentum_buffer"},
               "nesterov": {"buffer": "momentum_buffer"},
               "adagrad": {"sum_sq": "sum"}, "rmsprop": {"avg_sq": "square_avg"},
               "adam": {"m": "exp_avg", "v": "exp_avg_sq"}}
TORCH_OPTIMIZERS = {"momentum": ("SGD", {"momentum": 0.9}),
                    "nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}),
                    "adagrad": ("Adagrad", {}), "rmsprop": ("RMSprop", {}), "adam": ("Adam", {})}


@pytest.mark.parametrize("name", list(TORCH_STATE))
def test_the_state_equals_torch_optims_own(name):
    torch = pytest.importorskip("torch")
    surface, _, _, inside = _inside(name, steps=25)
    param = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    torch_class, kwargs = TORCH_OPTIMIZERS[name]
    optimizer = getattr(torch.optim, torch_class)([param], lr=SETTINGS[name], **kwargs)
    for step in range(1, 26):
        optimizer.zero_grad()
        param.grad = torch.tensor(surface.gradient(param.detach().numpy()), dtype=torch.float64)
        optimizer.step()
        state = optimizer.state[param]
        for ours, theirs in TORCH_STATE[name].items():
            np.testing.assert_allclose(inside[ours][step], state[theirs].numpy(), rtol=1e-12,
                                       err_msg=f"{name} {ours} at step {step}")
