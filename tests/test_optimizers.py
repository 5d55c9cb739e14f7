"""Optimizers and schedules: torch.optim's hyperparameters, update rules and lr schedulers."""

import inspect
import itertools
import math

import numpy as np
import pytest

import gd_core
from gd_core import schedules

OPTIMIZER_NAMES = list(gd_core.OPTIMIZERS)
SURFACE_NAMES = list(gd_core.SURFACES)

# PRODUCT.md §1 optimizers table.
SPEC_DEFAULTS = {
    "gd": {"lr": 0.01},
    "momentum": {"lr": 0.01, "momentum": 0.9},
    "nesterov": {"lr": 0.01, "momentum": 0.9},
    "adagrad": {"lr": 0.01, "eps": 1e-10},
    "rmsprop": {"lr": 0.01, "alpha": 0.99, "eps": 1e-8},
    "adam": {"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-8},
}


def _run(name, start, steps, surface="quadratic_1d", schedule=None, **hyperparams):
    optimizer = gd_core.make_optimizer(name, schedule=schedule, **hyperparams)
    trajectory = gd_core.descend(gd_core.get_surface(surface), optimizer, start, steps)
    return trajectory.points


# --- construction ------------------------------------------------------------------------------


def test_spec_optimizers_are_all_registered():
    assert set(SPEC_DEFAULTS) <= set(gd_core.OPTIMIZERS)


@pytest.mark.parametrize("name", list(SPEC_DEFAULTS))
def test_defaults_are_the_spec_ones(name):
    assert dict(gd_core.OPTIMIZERS[name].defaults) == SPEC_DEFAULTS[name]
    optimizer = gd_core.make_optimizer(name)
    assert optimizer.name == name
    assert dict(optimizer.hyperparams) == SPEC_DEFAULTS[name]


#: Each optimizer's torch class and constructor arguments that select it.
TORCH_CLASSES = {
    "gd": ("SGD", {}), "momentum": ("SGD", {}), "nesterov": ("SGD", {"nesterov": True}),
    "adagrad": ("Adagrad", {}), "rmsprop": ("RMSprop", {}), "adam": ("Adam", {}),
}
#: Where PRODUCT.md §1 chooses differently from torch's constructor, and torch's value: SGD's
#: lr defaults to 1e-3 in torch (the spec's 0.01 is the classic textbook step), and torch's
#: momentum 0 would make "momentum" plain gradient descent.
SPEC_DIFFERS_FROM_TORCH = {
    ("gd", "lr"): 1e-3, ("momentum", "lr"): 1e-3, ("nesterov", "lr"): 1e-3,
    ("momentum", "momentum"): 0, ("nesterov", "momentum"): 0,
}


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_defaults_equal_torch_constructor_defaults(name):
    torch = pytest.importorskip("torch")
    torch_class, _ = TORCH_CLASSES[name]
    signature = inspect.signature(getattr(torch.optim, torch_class))
    for key, value in gd_core.OPTIMIZERS[name].defaults.items():
        torch_default = signature.parameters[key].default
        assert torch_default == SPEC_DIFFERS_FROM_TORCH.get((name, key), value), (name, key)


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_defaults_are_written_once_in_the_factory_signature(name):
    spec = gd_core.OPTIMIZERS[name]
    signature = inspect.signature(spec.factory)
    from_signature = {key: parameter.default for key, parameter in signature.parameters.items()
                      if key != "schedule"}
    assert gd_core.optimizers.hyperparameter_defaults(spec.factory) == from_signature
    assert dict(spec.defaults) == from_signature


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_every_registered_optimizer_has_a_spec_entry(name):
    spec = gd_core.OPTIMIZERS[name]
    assert spec.title and spec.update_rule and spec.torch_equivalent.startswith("torch.optim.")
    assert "lr" in spec.defaults
    optimizer = spec.factory()
    assert dict(optimizer.hyperparams) == dict(spec.defaults)


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_negative_learning_rate_is_refused_like_torch(name):
    with pytest.raises(ValueError, match=r"^Invalid learning rate: -0\.5$"):
        gd_core.make_optimizer(name, lr=-0.5)


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_array_learning_rate_with_a_negative_entry_is_refused(name):
    with pytest.raises(ValueError, match="Invalid learning rate"):
        gd_core.make_optimizer(name, lr=np.array([[0.1], [-0.1]]))


# (optimizer, bad hyperparameters, torch class, torch kwargs, message)
INVALID = [
    ("momentum", {"momentum": -0.1}, "SGD", {"lr": 0.1, "momentum": -0.1},
     "Invalid momentum value: -0.1"),
    ("nesterov", {"momentum": -0.1}, "SGD", {"lr": 0.1, "momentum": -0.1, "nesterov": True},
     "Invalid momentum value: -0.1"),
    ("adagrad", {"eps": -1e-3}, "Adagrad", {"eps": -1e-3}, "Invalid epsilon value: -0.001"),
    ("rmsprop", {"eps": -1e-3}, "RMSprop", {"eps": -1e-3}, "Invalid epsilon value: -0.001"),
    ("rmsprop", {"alpha": -0.5}, "RMSprop", {"alpha": -0.5}, "Invalid alpha value: -0.5"),
    ("adam", {"eps": -1e-3}, "Adam", {"eps": -1e-3}, "Invalid epsilon value: -0.001"),
    ("adam", {"betas": (1.0, 0.999)}, "Adam", {"betas": (1.0, 0.999)},
     "Invalid beta parameter at index 0: 1.0"),
    ("adam", {"betas": (-0.1, 0.999)}, "Adam", {"betas": (-0.1, 0.999)},
     "Invalid beta parameter at index 0: -0.1"),
    ("adam", {"betas": (0.9, 1.5)}, "Adam", {"betas": (0.9, 1.5)},
     "Invalid beta parameter at index 1: 1.5"),
]


@pytest.mark.parametrize(
    ("name", "bad", "torch_class", "torch_kwargs", "message"), INVALID,
    ids=[f"{case[0]}-{next(iter(case[1]))}-{i}" for i, case in enumerate(INVALID)],
)
def test_invalid_hyperparameters_raise_torchs_value_error(
    name, bad, torch_class, torch_kwargs, message
):
    with pytest.raises(ValueError) as ours:
        gd_core.make_optimizer(name, **bad)
    assert str(ours.value) == message
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, torch_class)([torch.zeros(1, dtype=torch.float64)], **torch_kwargs)
    assert str(theirs.value) == message


def test_nesterov_needs_a_positive_momentum():
    with pytest.raises(ValueError, match="Nesterov"):
        gd_core.make_optimizer("nesterov", momentum=0.0)


def test_unknown_optimizer_is_a_key_error_naming_the_valid_ones():
    with pytest.raises(KeyError) as caught:
        gd_core.make_optimizer("lbfgs")
    for name in OPTIMIZER_NAMES:
        assert name in str(caught.value)


@pytest.mark.parametrize(
    ("name", "unknown"),
    [("gd", {"momentum": 0.9}), ("adam", {"alpha": 0.9}), ("adagrad", {"betas": (0.9, 0.9)}),
     ("rmsprop", {"momentum": 0.5}), ("momentum", {"nesterov": True}), ("nesterov", {"eps": 1.0})],
)
def test_unknown_hyperparameter_is_a_value_error(name, unknown):
    with pytest.raises(ValueError, match=next(iter(unknown))):
        gd_core.make_optimizer(name, **unknown)


# --- the first two steps, by hand from the torch.optim equations --------------------------------
# Surface quadratic_1d: f(x) = 6x² − 12x + 3, f'(x) = 12x − 12, start x0 = −0.9.


def _grad(x):
    return 12 * x - 12


def test_gd_first_two_steps_by_hand():
    lr, x0 = 0.03, -0.9
    g1 = _grad(x0)  # −22.8
    x1 = x0 - lr * g1  # −0.9 + 0.684 = −0.216
    g2 = _grad(x1)  # −14.592
    x2 = x1 - lr * g2  # −0.216 + 0.43776 = 0.22176
    assert (x1, x2) == pytest.approx((-0.216, 0.22176), abs=1e-12)
    np.testing.assert_allclose(_run("gd", x0, 2, lr=lr)[:, 0], [x0, x1, x2], rtol=1e-13)


def test_momentum_first_two_steps_by_hand():
    lr, mu, x0 = 0.03, 0.9, -0.9
    g1 = _grad(x0)
    b1 = g1  # torch: the buffer starts as the first gradient, not mu * 0 + (1 - mu) g
    x1 = x0 - lr * b1  # −0.216, the same as plain GD
    g2 = _grad(x1)  # −14.592
    b2 = mu * b1 + g2  # −20.52 − 14.592 = −35.112
    x2 = x1 - lr * b2  # −0.216 + 1.05336 = 0.83736
    assert (x1, x2) == pytest.approx((-0.216, 0.83736), abs=1e-12)
    points = _run("momentum", x0, 2, lr=lr, momentum=mu)[:, 0]
    np.testing.assert_allclose(points, [x0, x1, x2], rtol=1e-13)


def test_nesterov_first_two_steps_by_hand():
    lr, mu, x0 = 0.03, 0.9, -0.9
    g1 = _grad(x0)
    b1 = g1
    x1 = x0 - lr * (g1 + mu * b1)  # −0.9 + 0.03 · 43.32 = 0.3996
    g2 = _grad(x1)  # −7.2048
    b2 = mu * b1 + g2  # −27.7248
    x2 = x1 - lr * (g2 + mu * b2)  # 0.3996 + 0.03 · 32.15712 = 1.3643136
    assert (x1, x2) == pytest.approx((0.3996, 1.3643136), abs=1e-12)
    points = _run("nesterov", x0, 2, lr=lr, momentum=mu)[:, 0]
    np.testing.assert_allclose(points, [x0, x1, x2], rtol=1e-13)


@pytest.mark.parametrize("eps", [1e-10, 1.0])
def test_adagrad_first_two_steps_by_hand(eps):
    lr, x0 = 0.1, -0.9
    g1 = _grad(x0)
    s1 = g1 * g1  # 519.84
    x1 = x0 - lr * g1 / (math.sqrt(s1) + eps)  # eps outside the square root
    g2 = _grad(x1)
    s2 = s1 + g2 * g2
    x2 = x1 - lr * g2 / (math.sqrt(s2) + eps)
    if eps == 1e-10:  # −0.8, then −0.8 + 2.16 / sqrt(986.4)
        assert (x1, x2) == pytest.approx((-0.8, -0.8 + 2.16 / math.sqrt(986.4)), abs=1e-9)
    else:  # eps = 1 inside the root would give −0.9 + 2.28 / sqrt(520.84) instead
        assert x1 == pytest.approx(-0.9 + 2.28 / 23.8, abs=1e-12)
    points = _run("adagrad", x0, 2, lr=lr, eps=eps)[:, 0]
    np.testing.assert_allclose(points, [x0, x1, x2], rtol=1e-13)


def test_rmsprop_first_two_steps_by_hand_without_bias_correction():
    lr, alpha, eps, x0 = 0.01, 0.99, 1e-8, -0.9
    g1 = _grad(x0)
    v1 = (1 - alpha) * g1 * g1  # 5.1984, not corrected by 1 − alpha
    x1 = x0 - lr * g1 / (math.sqrt(v1) + eps)  # a step of 10 · lr: −0.8
    g2 = _grad(x1)  # −21.6
    v2 = alpha * v1 + (1 - alpha) * g2 * g2  # 5.146416 + 4.6656 = 9.812016
    x2 = x1 - lr * g2 / (math.sqrt(v2) + eps)
    assert x1 == pytest.approx(-0.8, abs=1e-9)
    assert v2 == pytest.approx(9.812016, abs=1e-6)
    assert x2 == pytest.approx(-0.8 + 0.216 / math.sqrt(9.812016), abs=1e-6)
    points = _run("rmsprop", x0, 2, lr=lr, alpha=alpha, eps=eps)[:, 0]
    np.testing.assert_allclose(points, [x0, x1, x2], rtol=1e-13)


@pytest.mark.parametrize("eps", [1e-8, 1.0])
def test_adam_first_two_steps_by_hand_with_bias_correction(eps):
    lr, beta1, beta2, x0 = 0.1, 0.9, 0.999, -0.9
    g1 = _grad(x0)
    m1 = (1 - beta1) * g1  # −2.28
    v1 = (1 - beta2) * g1 * g1  # 0.51984
    # torch: step_size = lr / (1 − β1^t); denom = sqrt(v) / sqrt(1 − β2^t) + eps
    x1 = x0 - lr / (1 - beta1) * m1 / (math.sqrt(v1) / math.sqrt(1 - beta2) + eps)
    g2 = _grad(x1)
    m2 = beta1 * m1 + (1 - beta1) * g2
    v2 = beta2 * v1 + (1 - beta2) * g2 * g2
    x2 = x1 - lr / (1 - beta1**2) * m2 / (math.sqrt(v2) / math.sqrt(1 - beta2**2) + eps)
    if eps == 1e-8:  # the corrected first step has length lr
        assert x1 == pytest.approx(-0.8, abs=1e-9)
        assert (m2, v2) == pytest.approx((-4.212, 0.98588016), abs=1e-6)
        assert x2 == pytest.approx(
            -0.8 + 0.1 * (4.212 / 0.19) / math.sqrt(0.98588016 / 0.001999), abs=1e-6
        )
    else:  # eps added to the corrected root: −0.9 + 0.1 · 22.8 / 23.8
        assert x1 == pytest.approx(-0.9 + 2.28 / 23.8, abs=1e-12)
    points = _run("adam", x0, 2, lr=lr, betas=(beta1, beta2), eps=eps)[:, 0]
    np.testing.assert_allclose(points, [x0, x1, x2], rtol=1e-13)


def test_schedule_multiplies_the_learning_rate_from_the_second_step():
    lr, x0 = 0.03, -0.9
    schedule = schedules.step_decay(step_size=1, gamma=0.5)
    x1 = x0 - lr * 1.0 * _grad(x0)  # factor(0) = 1
    x2 = x1 - lr * 0.5 * _grad(x1)  # factor(1) = 0.5
    x3 = x2 - lr * 0.25 * _grad(x2)  # factor(2) = 0.25
    points = _run("gd", x0, 3, lr=lr, schedule=schedule)[:, 0]
    np.testing.assert_allclose(points, [x0, x1, x2, x3], rtol=1e-13)


def test_momentum_buffer_is_scaled_by_the_current_learning_rate():
    # torch multiplies the whole buffer by the scheduled lr (not a v ← μv − ηg form).
    lr, mu, x0 = 0.03, 0.9, -0.9
    schedule = schedules.step_decay(step_size=1, gamma=0.5)
    b1 = _grad(x0)
    x1 = x0 - lr * b1
    b2 = mu * b1 + _grad(x1)
    x2 = x1 - 0.5 * lr * b2
    points = _run("momentum", x0, 2, lr=lr, momentum=mu, schedule=schedule)[:, 0]
    np.testing.assert_allclose(points, [x0, x1, x2], rtol=1e-13)


# --- equivalences ------------------------------------------------------------------------------

EQUIVALENCE_SURFACES = ["quadratic_1d", "double_well_1d", "himmelblau", "two_minima", "ackley"]


def _start(surface_name):
    surface = gd_core.get_surface(surface_name)
    return np.array([lo + 0.3 * (hi - lo) for lo, hi in surface.domain])


@pytest.mark.parametrize("surface", EQUIVALENCE_SURFACES)
def test_momentum_zero_is_plain_gd(surface):
    start = _start(surface)
    plain = _run("gd", start, 40, surface=surface, lr=0.01)
    heavy = _run("momentum", start, 40, surface=surface, lr=0.01, momentum=0.0)
    assert np.array_equal(plain, heavy, equal_nan=True)


@pytest.mark.parametrize("surface", EQUIVALENCE_SURFACES)
def test_nesterov_first_step_is_gd_with_lr_times_one_plus_mu_then_differs(surface):
    # torch's Nesterov: b1 = g1, step 1 moves by lr (g1 + μ b1) = lr (1 + μ) g1. Momentum's first
    # step is plain GD's; from step 2 on the two follow different rules.
    start, lr, mu = _start(surface), 0.01, 0.9
    nesterov = _run("nesterov", start, 5, surface=surface, lr=lr, momentum=mu)
    momentum = _run("momentum", start, 5, surface=surface, lr=lr, momentum=mu)
    gd_scaled = _run("gd", start, 1, surface=surface, lr=lr * (1 + mu))
    gd_plain = _run("gd", start, 1, surface=surface, lr=lr)
    np.testing.assert_allclose(nesterov[1], gd_scaled[1], rtol=1e-14)
    np.testing.assert_allclose(momentum[1], gd_plain[1], rtol=1e-14)
    assert not np.allclose(nesterov[2:], momentum[2:], rtol=1e-6, atol=0)


@pytest.mark.parametrize("surface", EQUIVALENCE_SURFACES)
def test_adam_without_averaging_equals_rmsprop_without_averaging(surface):
    # betas = (0, 0): m = g, v = g², both corrections are 1: step = lr g / (|g| + eps).
    # alpha = 0: v = g², the same step. Mathematically identical updates.
    start, lr, eps = _start(surface), 0.02, 1e-8
    adam = _run("adam", start, 40, surface=surface, lr=lr, betas=(0.0, 0.0), eps=eps)
    rmsprop = _run("rmsprop", start, 40, surface=surface, lr=lr, alpha=0.0, eps=eps)
    np.testing.assert_allclose(adam, rmsprop, rtol=1e-12, atol=1e-12)
    # ... and that is the sign-like step, written out:
    s = gd_core.get_surface(surface)
    x = start.copy()
    for row in adam[1:]:
        g = s.gradient(x)
        x = x - lr * g / (np.abs(g) + eps)
        np.testing.assert_allclose(row, x, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("surface", EQUIVALENCE_SURFACES)
def test_adaptive_first_steps_coincide(surface):
    # Step 1 of Adagrad (G = g²), RMSprop with alpha 0 and Adam: all lr g / (|g| + eps).
    start, lr = _start(surface), 0.05
    first = [
        _run("adagrad", start, 1, surface=surface, lr=lr, eps=1e-8)[1],
        _run("rmsprop", start, 1, surface=surface, lr=lr, alpha=0.0, eps=1e-8)[1],
        _run("adam", start, 1, surface=surface, lr=lr, betas=(0.9, 0.999), eps=1e-8)[1],
    ]
    np.testing.assert_allclose(first[0], first[1], rtol=1e-13)
    np.testing.assert_allclose(first[0], first[2], rtol=1e-6)  # eps enters Adam rescaled


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_zero_learning_rate_never_moves(name):
    start = _start("himmelblau")
    points = _run(name, start, 10, surface="himmelblau", lr=0.0)
    assert np.array_equal(points, np.broadcast_to(start, points.shape))


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_optimizer_state_is_explicit_and_pure(name):
    optimizer = gd_core.make_optimizer(name, lr=0.1)
    params = np.array([0.5, -1.0])
    grads = np.array([2.0, -3.0])
    state = optimizer.init(params)
    first, state1 = optimizer.update(grads, state, params)
    again, _ = optimizer.update(grads, state, params)
    assert np.array_equal(first, again)  # the same state gives the same update
    second, _ = optimizer.update(grads, state1, params + first)
    assert first.shape == second.shape == params.shape
    assert np.all(np.sign(first) == -np.sign(grads))


def _state_arrays(state):
    return [np.array(part) for part in state]


@pytest.mark.parametrize("surface", EQUIVALENCE_SURFACES)
@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_update_in_place_is_update_bit_for_bit_and_update_leaves_its_inputs(name, surface):
    s = gd_core.get_surface(surface)
    # Per-start learning rates (an (n, 1) array) as tuning runs them, and a schedule.
    lr = np.array([[0.002], [0.02], [0.2]])
    optimizer = gd_core.make_optimizer(name, schedule=gd_core.make_schedule("step", step_size=3),
                                       lr=lr)
    params = np.broadcast_to(_start(surface), (3, s.dim)) + np.array([[0.0], [0.1], [-0.2]])
    state, owned = optimizer.init(params), optimizer.init(params)
    owned_params = params.copy()
    with np.errstate(all="ignore"):  # the largest rate runs away on some surfaces
        for _ in range(12):
            grads = s.gradient_fn(params)
            given, grads_before, params_before = _state_arrays(state), grads.copy(), params.copy()
            updates, state_next = optimizer.update(grads, state, params)
            for before, after in zip(given, _state_arrays(state), strict=True):
                assert np.array_equal(before, after, equal_nan=True)  # its state is left as is
            assert np.array_equal(grads, grads_before, equal_nan=True)
            assert np.array_equal(params, params_before, equal_nan=True)
            in_place, owned = optimizer.update_in_place(s.gradient_fn(owned_params), owned,
                                                        owned_params)
            assert np.array_equal(updates, in_place, equal_nan=True)
            for pure, mutated in zip(_state_arrays(state_next), _state_arrays(owned), strict=True):
                assert np.array_equal(pure, mutated, equal_nan=True)
            params, state = params + updates, state_next
            owned_params += in_place


# --- schedules ---------------------------------------------------------------------------------

SCHEDULE_VALUES = [
    ("constant", {}, {0: 1.0, 1: 1.0, 1000: 1.0}),
    ("step", {"step_size": 10, "gamma": 0.5}, {0: 1.0, 9: 1.0, 10: 0.5, 19: 0.5, 25: 0.25}),
    ("exponential", {"gamma": 0.9}, {0: 1.0, 1: 0.9, 2: 0.81, 10: 0.9**10}),
    ("cosine", {"total_steps": 100, "min_factor": 0.1},
     {0: 1.0, 50: 0.55, 100: 0.1, 150: 0.1, 25: 0.1 + 0.9 * (1 + math.sqrt(0.5)) / 2}),
    ("cosine", {"total_steps": 10}, {0: 1.0, 5: 0.5, 10: 0.0, 11: 0.0}),
    ("inverse_time", {"decay": 0.5}, {0: 1.0, 2: 0.5, 6: 0.25}),
]


def test_spec_schedules_are_registered():
    assert set(gd_core.SCHEDULES) >= {"constant", "step", "exponential", "cosine", "inverse_time"}


@pytest.mark.parametrize(
    ("name", "params", "expected"), SCHEDULE_VALUES,
    ids=[f"{case[0]}-{i}" for i, case in enumerate(SCHEDULE_VALUES)],
)
def test_schedule_factors(name, params, expected):
    schedule = gd_core.make_schedule(name, **params)
    for step, factor in expected.items():
        assert schedule(step) == pytest.approx(factor, rel=1e-12, abs=1e-15), step


@pytest.mark.parametrize("name", list(gd_core.SCHEDULES))
def test_every_schedule_starts_at_one_and_never_grows(name):
    schedule = gd_core.make_schedule(name)
    factors = [schedule(step) for step in range(500)]
    assert factors[0] == 1.0
    assert all(0.0 <= b <= a for a, b in itertools.pairwise(factors))


@pytest.mark.parametrize(
    ("name", "params"),
    [("step", {"step_size": 0}), ("step", {"gamma": 0.0}), ("step", {"gamma": 1.5}),
     ("exponential", {"gamma": 0.0}), ("exponential", {"gamma": -0.5}),
     ("exponential", {"gamma": 2.0}), ("cosine", {"total_steps": 0}),
     ("cosine", {"min_factor": -0.1}), ("cosine", {"min_factor": 1.5}),
     ("inverse_time", {"decay": -1.0})],
)
def test_invalid_schedule_parameters_raise(name, params):
    with pytest.raises(ValueError, match="Invalid"):
        gd_core.make_schedule(name, **params)


def test_unknown_schedule_is_a_key_error():
    with pytest.raises(KeyError, match="constant"):
        gd_core.make_schedule("warmup")


# --- step for step against torch.optim in float64 ----------------------------------------------

STEPS = 50
# Learning rates small enough that no run diverges in 50 steps from the start below; the
# SGD family scales with the surface's curvature, the adaptive ones move about lr per step.
SGD_LR = {"rosenbrock": 2e-4, "beale": 1e-3, "rastrigin": 1e-3, "ravine": 5e-3}
ADAPTIVE_LR = {"adagrad": 0.1, "rmsprop": 0.01, "adam": 0.05}

TORCH_SCHEDULES = ["constant", "step", "exponential", "cosine", "inverse_time"]


def _torch_pair(torch, name, lr, schedule_name, param):
    """(torch optimizer, torch scheduler or None) and the matching gd_core schedule."""
    lr_scheduler = torch.optim.lr_scheduler
    if name == "gd":
        optimizer = torch.optim.SGD([param], lr=lr)
    elif name in ("momentum", "nesterov"):
        optimizer = torch.optim.SGD([param], lr=lr, momentum=0.9, nesterov=name == "nesterov")
    elif name == "adagrad":
        optimizer = torch.optim.Adagrad([param], lr=lr, eps=1e-10)
    elif name == "rmsprop":
        optimizer = torch.optim.RMSprop([param], lr=lr, alpha=0.99, eps=1e-8)
    elif name == "adam":
        optimizer = torch.optim.Adam([param], lr=lr, betas=(0.9, 0.999), eps=1e-8)
    else:
        pytest.fail(f"no torch equivalent written for {name}")
    if schedule_name == "constant":
        return optimizer, None, schedules.constant()
    if schedule_name == "step":
        return (optimizer, lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5),
                schedules.step_decay(step_size=10, gamma=0.5))
    if schedule_name == "exponential":
        return (optimizer, lr_scheduler.ExponentialLR(optimizer, gamma=0.95),
                schedules.exponential(gamma=0.95))
    if schedule_name == "cosine":
        return (optimizer, lr_scheduler.CosineAnnealingLR(optimizer, T_max=STEPS, eta_min=0.2 * lr),
                schedules.cosine(total_steps=STEPS, min_factor=0.2))
    return (optimizer, lr_scheduler.LambdaLR(optimizer, lambda t: 1.0 / (1.0 + 0.1 * t)),
            schedules.inverse_time(decay=0.1))


def _torch_equivalence_cases():
    return [
        pytest.param(surface, name, schedule, id=f"{surface}-{name}-{schedule}")
        for surface in SURFACE_NAMES
        for name in OPTIMIZER_NAMES
        for schedule in TORCH_SCHEDULES
    ]


@pytest.mark.parametrize(("surface_name", "name", "schedule_name"), _torch_equivalence_cases())
def test_trajectory_matches_torch_optim_step_for_step(surface_name, name, schedule_name):
    torch = pytest.importorskip("torch")
    surface = gd_core.get_surface(surface_name)
    lr = ADAPTIVE_LR.get(name, SGD_LR.get(surface_name, 1e-2))
    bounds = np.asarray(surface.domain, dtype=float)
    start = bounds[:, 0] + np.array([0.3, 0.65])[: surface.dim] * (bounds[:, 1] - bounds[:, 0])

    param = torch.tensor(start, dtype=torch.float64)
    optimizer, scheduler, schedule = _torch_pair(torch, name, lr, schedule_name, param)
    rows = [param.detach().numpy().copy()]
    for _ in range(STEPS):
        param.grad = torch.from_numpy(surface.gradient(param.detach().numpy()))
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        rows.append(param.detach().numpy().copy())
    expected = np.array(rows)

    ours = gd_core.descend(
        surface, gd_core.make_optimizer(name, lr=lr, schedule=schedule), start, STEPS
    )
    assert ours.diverged_at == -1
    assert np.all(np.isfinite(expected))
    np.testing.assert_allclose(ours.points, expected, rtol=1e-7, atol=1e-12)
    # The steps themselves, not just the positions (a wrong small step hides in a large x).
    moves, torch_moves = np.diff(ours.points, axis=0), np.diff(expected, axis=0)
    assert np.max(np.abs(torch_moves)) > 1e-4, "the comparison needs a run that moves"
    np.testing.assert_allclose(
        moves, torch_moves, rtol=1e-6, atol=1e-10 * max(1.0, float(np.max(np.abs(expected))))
    )


@pytest.mark.parametrize("schedule_name", TORCH_SCHEDULES[1:])
def test_schedule_factors_follow_torch_lr_schedulers(schedule_name):
    torch = pytest.importorskip("torch")
    lr = 0.1
    param = torch.zeros(1, dtype=torch.float64)
    optimizer, scheduler, schedule = _torch_pair(torch, "gd", lr, schedule_name, param)
    for step in range(STEPS + 1):
        assert optimizer.param_groups[0]["lr"] == pytest.approx(lr * schedule(step), rel=1e-12)
        param.grad = torch.zeros(1, dtype=torch.float64)
        optimizer.step()
        scheduler.step()


SIDE_BY_SIDE_SURFACES = ["himmelblau", "rosenbrock", "saddle", "six_hump_camel"]


@pytest.mark.parametrize("surface_name", SIDE_BY_SIDE_SURFACES)
def test_optimizers_side_by_side_give_each_block_its_own_runs_exactly(surface_name):
    """Every optimizer at once, each on its block of a fan of learning rates (some of which
    diverge), is bit for bit each one's own ``descend``; the pure ``update`` agrees too."""
    surface = gd_core.get_surface(surface_name)
    lrs = np.array([1e-4, 3e-3, 0.05, 0.8, 6.0])[:, None, None]
    start = np.array([[0.7, -1.3]])
    made = [gd_core.make_optimizer(name, lr=lrs) for name in OPTIMIZER_NAMES]
    alone = [gd_core.descend(surface, optimizer, np.broadcast_to(start, (len(lrs), 1, 2)), 60)
             for optimizer in made]
    batch = np.broadcast_to(start, (len(made) * len(lrs), 1, 2))
    together = gd_core.descend(surface, gd_core.side_by_side(made, [len(lrs)] * len(made)),
                               batch, 60)
    for i, (name, own) in enumerate(zip(OPTIMIZER_NAMES, alone, strict=True)):
        block = slice(i * len(lrs), (i + 1) * len(lrs))
        assert np.array_equal(together.points[:, block], own.points, equal_nan=True), name
        assert np.array_equal(together.values[:, block], own.values, equal_nan=True), name
        assert np.array_equal(together.diverged_at[block], own.diverged_at), name
        assert np.array_equal(together.stop_code[block], own.stop_code), name
    assert (together.diverged_at >= 0).any() and (together.diverged_at < 0).any()
    pure = gd_core.side_by_side(made, [len(lrs)] * len(made))
    params = np.array(batch, dtype=float)
    state = pure.init(params)
    grads = surface.gradient(params)
    updates, _ = pure.update(grads, state, params)
    in_place, _ = pure.update_in_place(grads, pure.init(params), params)
    assert np.array_equal(updates, in_place)


def test_side_by_side_needs_a_block_size_per_optimizer():
    with pytest.raises(ValueError, match="one block size per optimizer"):
        gd_core.side_by_side([gd_core.make_optimizer("gd")], [2, 3])
