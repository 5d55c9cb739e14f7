"""The caps on the work one change may ask of the server (ui.limits), and the README's list of
them; hostile values at the point where they enter a page (ui.controls.Control.refusal, ui.chart's
event readers). Whole pages under crafted links, widget messages and chart events:
tests/test_hostile_input.py."""

from __future__ import annotations

import math
import tomllib

import pytest

import gd_core
from tests.helpers import ROOT
from ui import basins, chart, limits, sgd, surface_view
from ui.controls import LEARNING_RATE, MAX_COORDINATE, steps_control
from ui.payloads import MAX_RUNS


def test_the_readme_lists_every_cap_as_the_code_declares_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert limits.readme_section() in readme, "run python3 -m ui.limits and paste its output"


def test_the_server_configuration_holds_the_transfer_caps():
    server = tomllib.loads((ROOT / ".streamlit/config.toml").read_text())["server"]
    assert server["maxUploadSize"] == sgd.UPLOAD_MEGABYTES
    assert sgd.MAX_UPLOAD_BYTES <= sgd.UPLOAD_MEGABYTES * 2**20
    assert server["maxWidgetStateSize"] == limits.BROWSER_MESSAGE_MEGABYTES


@pytest.mark.parametrize("value", [10**9, 501, 0, -5, 1e300, math.nan, math.inf, 10**400,
                                   "many", [500], {"steps": 1}, 12.5])
def test_steps_beyond_the_cap_or_of_another_kind_are_refused(value):
    assert steps_control(surface_view.MAX_STEPS, low=10, step=10).refusal(value)


@pytest.mark.parametrize("value", [10, 250, surface_view.MAX_STEPS])
def test_steps_within_the_cap_are_taken(value):
    assert steps_control(surface_view.MAX_STEPS, low=10, step=10).refusal(value) is None


def _starts() -> surface_view.Control:
    (control,) = [c for c in surface_view.controls() if c.name == "starts"]
    return control


@pytest.mark.parametrize("starts", [
    tuple((float(k), 0.0) for k in range(MAX_RUNS + 1)),
    tuple((0.0, 0.0) for _ in range(100_000)),
    ((1e300, 0.0),),
    ((MAX_COORDINATE * 2, 0.0),),
    ((math.nan, 0.0),),
    ((0.0,),),
    ("0,0",),
    42,
])
def test_too_many_start_points_or_points_off_every_map_are_refused(starts):
    assert _starts().refusal(starts)


def test_start_points_up_to_the_cap_are_taken():
    starts = tuple((float(k), -MAX_COORDINATE) for k in range(MAX_RUNS))
    assert _starts().refusal(starts) is None and _starts().refusal(()) is None


@pytest.mark.parametrize("lr", [0.1, 0.02, 10.0])
def test_a_learning_rate_of_the_grid_is_taken(lr):
    assert LEARNING_RATE.refusal(lr) is None


@pytest.mark.parametrize("lr", [1e6, 0.0, -1.0, math.nan, "fast"])
def test_a_learning_rate_off_the_grid_range_is_refused(lr):
    assert LEARNING_RATE.refusal(lr)


def test_an_upload_is_a_data_source_no_link_carries_but_the_page_takes():
    from ui.sgd_view import controls

    (data,) = [control for control in controls() if control.name == "data"]
    assert data.refusal("csv") is None and data.refusal("line") is None
    assert data.refusal("../../etc/passwd")
    with pytest.raises(ValueError, match="not kept in a link"):
        data.parse("csv")


def test_the_basin_grid_and_the_data_are_capped_by_their_controls():
    from ui.basins_view import controls as basin_controls
    from ui.sgd_view import controls as sgd_controls

    resolution = {c.name: c for c in basin_controls()}["resolution"]
    assert resolution.refusal(max(basins.RESOLUTIONS)) is None
    assert resolution.refusal(max(basins.RESOLUTIONS) + 1)
    declared = {c.name: c for c in sgd_controls()}
    assert declared["n"].refusal(sgd.MAX_N) is None and declared["n"].refusal(sgd.MAX_N + 10)
    assert declared["epochs"].refusal(sgd.MAX_EPOCHS + 1)
    assert declared["batch"].refusal(sgd.MAX_UPLOAD_ROWS + 1)


@pytest.mark.parametrize("text", ["x" * 10_000, "(" * 200 + "x" + ")" * 200, "x^(10^10)",
                                  "9^9^9", "1e400*x", "exp(exp(1000))"])
def test_hostile_formulas_are_refused_at_once(text):
    with pytest.raises(gd_core.FormulaError):
        gd_core.parse_surface(text)


@pytest.mark.parametrize("value", [1.5, -3, 0, 1e300])
def test_a_finite_number_from_the_browser_is_a_coordinate(value):
    assert chart._finite(value)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 10**400, True, "1", None,
                                   [1.0], {"x": 1}])
def test_anything_else_from_the_browser_is_no_coordinate(value):
    assert not chart._finite(value)


@pytest.mark.parametrize(("value", "whole"), [(3, True), (-1, True), (10**400, True),
                                              (True, False), (2.0, False), ("2", False)])
def test_only_integers_index_a_cell_or_a_learning_rate(value, whole):
    assert chart._whole(value) is whole
