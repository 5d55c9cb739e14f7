"""Property tests: shapes and broadcasting, and batch runs equal single runs, for random inputs."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gd_core

SURFACES = list(gd_core.SURFACES.values())
OPTIMIZER_NAMES = list(gd_core.OPTIMIZERS)

FAST = settings(max_examples=50, deadline=None, database=None)


@st.composite
def points_in_domain(draw, surface, count):
    """``count`` points inside the surface's domain, shape (count, dim)."""
    columns = [
        draw(hnp.arrays(float, count, elements=st.floats(lo, hi, allow_subnormal=False)))
        for lo, hi in surface.domain
    ]
    return np.stack(columns, axis=-1)


@FAST
@given(
    surface=st.sampled_from(SURFACES),
    batch=st.lists(st.integers(1, 4), min_size=0, max_size=3),
    data=st.data(),
)
def test_value_and_gradient_keep_the_batch_shape(surface, batch, data):
    count = int(np.prod(batch, dtype=int))
    points = data.draw(points_in_domain(surface, count)).reshape(*batch, surface.dim)
    values = surface.value(points)
    gradients = surface.gradient(points)
    assert np.shape(values) == tuple(batch)
    assert np.shape(gradients) == (*batch, surface.dim)
    assert np.all(np.isfinite(values)) and np.all(np.isfinite(gradients))


@FAST
@given(
    surface=st.sampled_from(SURFACES),
    name=st.sampled_from(OPTIMIZER_NAMES),
    n=st.integers(1, 6),
    steps=st.integers(0, 6),
    single=st.booleans(),
    lr_column=st.booleans(),
    data=st.data(),
)
def test_descend_shapes_and_broadcasting(surface, name, n, steps, single, lr_column, data):
    starts = data.draw(points_in_domain(surface, n))
    start = starts[0] if single else starts
    lr = np.geomspace(1e-3, 1e-1, n)[:, None] if lr_column else 0.01
    trajectory = gd_core.descend(surface, gd_core.make_optimizer(name, lr=lr), start, steps)
    batch = () if single and not lr_column else (n,)
    assert trajectory.points.shape == (steps + 1, *batch, surface.dim)
    assert trajectory.values.shape == (steps + 1, *batch)
    assert np.shape(trajectory.diverged_at) == batch
    expected_start = np.broadcast_to(start, (*batch, surface.dim))
    assert np.array_equal(trajectory.points[0], expected_start)
    # Values are the surface's values at the points (NaN after a divergence on both sides).
    np.testing.assert_allclose(
        trajectory.values, surface.value(trajectory.points), rtol=1e-13, atol=1e-300
    )


@FAST
@given(
    surface=st.sampled_from(SURFACES),
    name=st.sampled_from(OPTIMIZER_NAMES),
    lr=st.floats(1e-4, 1.0),
    n=st.integers(2, 8),
    steps=st.integers(1, 30),
    data=st.data(),
)
def test_batch_equals_single_runs(surface, name, lr, n, steps, data):
    starts = data.draw(points_in_domain(surface, n))
    optimizer = gd_core.make_optimizer(name, lr=lr)
    batch = gd_core.descend(surface, optimizer, starts, steps)
    for run in range(n):
        single = gd_core.descend(surface, optimizer, starts[run], steps)
        assert np.array_equal(batch.points[:, run], single.points, equal_nan=True)
        assert np.array_equal(batch.values[:, run], single.values, equal_nan=True)
        assert batch.diverged_at[run] == single.diverged_at


@FAST
@given(
    surface=st.sampled_from(SURFACES),
    name=st.sampled_from(OPTIMIZER_NAMES),
    learning_rates=st.lists(st.floats(1e-4, 1.0), min_size=1, max_size=5),
    steps=st.integers(1, 15),
    data=st.data(),
)
def test_lr_column_equals_one_batch_per_learning_rate(surface, name, learning_rates, steps, data):
    # n copies of one start with an (n, 1) lr: each row is the run with that scalar lr. Both
    # sides are batches here, so this holds whatever single-start runs do.
    start = data.draw(points_in_domain(surface, 1))
    n = len(learning_rates)
    column = np.array(learning_rates)[:, None]
    together = gd_core.descend(
        surface, gd_core.make_optimizer(name, lr=column), np.repeat(start, n, axis=0), steps
    )
    for run, lr in enumerate(learning_rates):
        alone = gd_core.descend(surface, gd_core.make_optimizer(name, lr=lr), start, steps)
        assert np.array_equal(together.points[:, run], alone.points[:, 0], equal_nan=True)
        assert together.diverged_at[run] == alone.diverged_at[0]
