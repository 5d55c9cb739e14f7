"""How numbers and points read: one formatter, one minus sign, everywhere."""

import numpy as np
import pytest

import gd_core
from ui import chart
from ui.runs import format_learning_rate


def test_the_chart_and_the_core_share_one_formatter():
    assert chart.format_number is gd_core.format_number


@pytest.mark.parametrize(("point", "text"), [
    ([1.0], "x = 1"), ([-3.0], "x = −3"), ([1.0, 7 / 9], "(1, 0.778)"),
    ([7.24788817, -2.34604013], "(7.25, −2.35)"),
    # Round-off around a stationary point at the origin reads 0.
    ([3.06e-10, 0.0], "(0, 0)"), ([-2e-12], "x = 0"),
    ([np.inf, 5.0], "(∞, 5)"), ([np.nan, 1.0], "(—, 1)"),
])
def test_points_read_as_a_learner_writes_them(point, text):
    assert gd_core.format_point(np.array(point)) == text


def test_only_coordinates_under_a_millionth_read_zero():
    assert gd_core.format_point([3.06e-10]) == "x = 0"
    assert gd_core.format_point([0.0005, 0.0002]) == "(5e-4, 2e-4)"
    assert gd_core.format_point([2e-6, 1.0]) == "(2e-6, 1)"
    assert gd_core.format_point([5e-5, 100.0]) == "(0, 100)"


@pytest.mark.parametrize(("lr", "text"), [
    (0.0013, "0.0013"), (0.5, "0.5"), (3.2, "3.2"), (0.0001, "0.0001"),
    # Raw x in the thousands: 2/λmax far below the slider's rates, never shown as 0.
    (4.52e-7, "4.52e-7"), (9.99e-5, "9.99e-5"),
    # A tuned rate (10^(1/4)) as the race's labels write it, not as 1.77828.
    (1.7782794, "1.78"), (0.0017782794, "0.00178"), (10.0, "10"),
])
def test_learning_rates_read_as_a_learner_writes_them_and_a_tiny_one_is_never_zero(lr, text):
    assert format_learning_rate(lr) == text


def test_a_count_names_its_noun_in_the_plural_unless_it_is_one():
    assert [gd_core.counted(n, "step") for n in (0, 1, 2, 100)] == [
        "0 steps", "1 step", "2 steps", "100 steps"]
