"""gd_core.coordinate_reductions gives NumPy's own reductions over the last axis, bit for bit."""

import numpy as np
import pytest

from gd_core.coordinate_reductions import row_all, row_any, row_max, row_sum


def assert_same_bits(reduced: np.ndarray, plain: np.ndarray) -> None:
    assert reduced.shape == plain.shape and reduced.dtype == plain.dtype
    assert reduced.tobytes() == plain.tobytes()


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_each_reduction_is_numpys_over_the_last_axis_bit_for_bit(dim):
    rng = np.random.default_rng(dim)
    points = rng.normal(scale=1e3, size=(7, 50, dim))
    special = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0])
    points[0, :6, 0] = special
    points[0, :6, -1] = np.roll(special, 1)
    flags = points > 0
    assert_same_bits(row_max(points), np.max(points, axis=-1))
    assert_same_bits(row_all(flags), np.all(flags, axis=-1))
    assert_same_bits(row_any(flags), np.any(flags, axis=-1))
    unsigned_zeros = points + 0.0  # -0.0 + 0.0 is 0.0: see the test below
    with np.errstate(invalid="ignore"):  # inf + -inf is NaN in both
        assert_same_bits(row_sum(unsigned_zeros), np.sum(unsigned_zeros, axis=-1))


def test_a_sum_of_negative_zeros_keeps_its_sign_where_numpys_starts_from_plus_zero():
    points = np.full((4, 2), -0.0)
    assert (row_sum(points) == np.sum(points, axis=-1)).all()
    assert np.signbit(row_sum(points)).all() and not np.signbit(np.sum(points, axis=-1)).any()
