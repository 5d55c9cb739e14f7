"""Builders of the descent view and the runs behind it (ui.runs, ui.payloads)."""

import json

import numpy as np
import pytest
from helpers import decode

import gd_core
from tests.chart_reference import derive, fill_template
from ui import payloads
from ui.chart import _with_static_keys
from ui.chart_payload import to_json
from ui.runs import (
    LEARNING_RATES,
    badges,
    format_learning_rate,
    joined_fans,
    nearest_learning_rate,
    run_fan,
)

SURFACES_2D = [name for name, surface in gd_core.SURFACES.items() if surface.dim == 2]
LABELS = [format_learning_rate(lr) for lr in LEARNING_RATES]


def view(surface_name="himmelblau", starts=((-4.0, 4.0),), steps=60, log=False, show_3d=True,
         optimizer="gd"):
    surface = gd_core.get_surface(surface_name)
    runs = run_fan(surface, optimizer, {}, np.array(starts).reshape(-1, 2), LEARNING_RATES,
                   steps)
    payload = payloads.descent_payload(
        surface, payloads.surface_grid(surface), runs,
        payloads.descent_series(surface, runs, badges(surface, runs)), lr_labels=LABELS,
        lr_index=LEARNING_RATES.index(0.01), log_loss=log, show_3d=show_3d,
    )
    return surface, runs, to_json(payload)


# --- learning rates and runs -------------------------------------------------------------------


def test_learning_rates_are_increasing_readable_and_include_the_torch_defaults():
    assert list(LEARNING_RATES) == sorted(set(LEARNING_RATES))
    assert LEARNING_RATES[0] == 1e-4 and LEARNING_RATES[-1] == 10
    for spec in gd_core.OPTIMIZERS.values():
        assert spec.defaults["lr"] in LEARNING_RATES
    assert all(float(f"{lr:.2g}") == lr for lr in LEARNING_RATES), "two significant digits"
    ratios = np.diff(np.log10(LEARNING_RATES))
    assert np.all((ratios > 0.07) & (ratios < 0.13)), "10 per decade, evenly on a log scale"


@pytest.mark.parametrize(("lr", "label"), [(0.0001, "0.0001"), (0.0013, "0.0013"),
                                           (0.5, "0.5"), (1.0, "1"), (7.5, "7.5")])
def test_learning_rates_read_as_plain_decimals(lr, label):
    assert format_learning_rate(lr) == label


def test_nearest_learning_rate_snaps_on_a_log_scale():
    assert LEARNING_RATES[nearest_learning_rate(0.0123)] == 0.012
    assert nearest_learning_rate(1e-9) == 0
    assert nearest_learning_rate(1e9) == len(LEARNING_RATES) - 1


@pytest.mark.parametrize("optimizer", list(gd_core.OPTIMIZERS))
def test_a_fan_gives_exactly_the_single_runs(optimizer):
    surface = gd_core.get_surface("rosenbrock")
    starts = np.array([[-1.5, 2.0], [0.5, -0.5]])
    lrs = [0.0001, 0.001, 0.003]
    runs = run_fan(surface, optimizer, {}, starts, lrs, 40)
    assert runs.points.shape == (3, 2, 41, 2)
    for member, lr in enumerate(lrs):
        for start, point in enumerate(starts):
            single = gd_core.descend(
                surface, gd_core.make_optimizer(optimizer, lr=lr), point, 40
            )
            np.testing.assert_array_equal(runs.points[member, start], single.points)
            assert runs.diverged_at[member, start] == single.diverged_at


@pytest.mark.parametrize(("name", "optimizer", "schedule"), [
    ("himmelblau", "adam", None), ("rosenbrock", "momentum", ("step", {"step_size": 10})),
    ("saddle", "gd", None),  # runs that leave the map: exit points, NaN after divergence
])
def test_the_view_built_a_start_at_a_time_is_the_view_built_at_once(name, optimizer, schedule):
    # The surface page caches each start's runs and series and joins them (a click computes
    # only its new start): what it sends must be what the whole batch gives.
    surface = gd_core.get_surface(name)
    (xlo, xhi), (ylo, yhi) = surface.domain
    starts = np.array([[xlo + 0.2 * (xhi - xlo), ylo + 0.7 * (yhi - ylo)],
                       [xlo + 0.6 * (xhi - xlo), ylo + 0.1 * (yhi - ylo)],
                       [xlo + 0.9 * (xhi - xlo), ylo + 0.5 * (yhi - ylo)]])
    whole = run_fan(surface, optimizer, {}, starts, LEARNING_RATES, 40, schedule=schedule)
    pieces = [run_fan(surface, optimizer, {}, start[None], LEARNING_RATES, 40,
                      schedule=schedule) for start in starts]
    joined = joined_fans(pieces)
    for field in ("starts", "points", "values", "gradients", "diverged_at", "stop_code"):
        np.testing.assert_array_equal(getattr(joined, field), getattr(whole, field))
    at_once = payloads.descent_series(surface, whole, badges(surface, whole))
    one_by_one = [payloads.descent_series(surface, piece, badges(surface, piece), first=index)[0]
                  for index, piece in enumerate(pieces)]
    grid = payloads.surface_grid(surface)

    def sent(series):
        return to_json(payloads.descent_payload(surface, grid, joined, series, lr_labels=LABELS,
                                                lr_index=3, log_loss=True, show_3d=True))

    assert json.dumps(sent(one_by_one), sort_keys=True) == json.dumps(sent(at_once),
                                                                      sort_keys=True)


def test_badges_are_gd_core_outcomes_per_start_and_learning_rate():
    surface = gd_core.get_surface("two_minima")
    runs = run_fan(surface, "gd", {}, [(0.7, -0.2), (-1.5, 1.2)], [0.24, 0.42], 60)
    result = badges(surface, runs)
    assert len(result) == 2 and len(result[0]) == 2
    shallow, deep = result[0][1], result[1][1]
    assert "a local minimum" in shallow.text and shallow.tone == "neutral"
    assert "the global minimum" in deep.text
    bowl = gd_core.get_surface("bowl")
    runaway = badges(bowl, run_fan(bowl, "gd", {}, [(-0.5, 2.5)], [0.05, 1.0], 30))[0]
    assert runaway[0].tone == "good"
    assert runaway[1].tone == "bad" and runaway[1].text.startswith("diverged at step")


def test_a_run_fan_with_no_starts_is_empty_not_an_error():
    surface = gd_core.get_surface("bowl")
    runs = run_fan(surface, "adam", {}, np.empty((0, 2)), LEARNING_RATES, 10)
    assert runs.points.shape == (len(LEARNING_RATES), 0, 11, 2)
    assert badges(surface, runs) == []


# --- the payload -------------------------------------------------------------------------------


@pytest.mark.parametrize("surface_name", SURFACES_2D)
def test_every_surface_gives_a_strict_json_payload(surface_name):
    _surface, _runs, payload = view(surface_name, starts=[np.mean(surface_domain(surface_name),
                                                                axis=1)])
    text = json.dumps(_with_static_keys(payload), allow_nan=False)
    assert [panel["id"] for panel in payload["panels"]] == ["contour", "onion", "loss"]
    assert len(text) < 150_000


def surface_domain(name):
    return np.array(gd_core.get_surface(name).domain)


def test_the_grid_is_sent_once_and_shared_by_contour_and_surface():
    surface, _runs, payload = view()
    grid = payloads.surface_grid(surface)
    z = decode(payload["arrays"]["grid_z"])
    assert z.shape == (101, 101)
    np.testing.assert_allclose(z, grid.z, rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(decode(payload["arrays"]["grid_x"]), grid.xs, rtol=1e-6)
    refs = [trace["trace"].get("z") for panel in payload["panels"] for trace in panel["traces"]
            if trace["kind"] in ("contour", "surface")]
    assert refs == [{"ref": "grid_z"}, {"ref": "grid_z"}]


def test_surface_grid_samples_the_surface_row_by_y():
    surface = gd_core.get_surface("ravine")
    grid = payloads.surface_grid(surface, resolution=11)
    assert grid.z[2, 7] == pytest.approx(float(surface.value([grid.xs[7], grid.ys[2]])))


def test_series_channels_hold_every_learning_rate_of_every_start():
    _surface, runs, payload = view(starts=[(-4.0, 4.0), (1.0, -1.0)])
    assert [series["name"] for series in payload["series"]] == [
        "start 1 (−4, 4)", "start 2 (1, −1)"]
    second = payload["series"][1]
    x = decode(second["channels"]["x"])
    assert x.shape == (len(LEARNING_RATES), 61)
    np.testing.assert_allclose(x[16], runs.points[16, 1, :, 0], rtol=1e-3, atol=1e-3)
    gap = decode(second["channels"]["gap"])
    assert np.all(gap[np.isfinite(gap)] >= payloads.GAP_FLOOR)
    assert len(second["badges"]) == len(LEARNING_RATES)
    assert second["color"] != payload["series"][0]["color"]
    assert second["glyph"] != payload["series"][0]["glyph"]


def test_the_arrow_points_downhill_and_vanishes_at_a_minimum():
    _surface, _runs, payload = view("bowl", starts=[(1.0, 7 / 9), (3.0, 7 / 9)], steps=5)
    at_minimum, right_of_it = (decode(s["channels"]["heading"]) for s in payload["series"])
    assert np.isnan(at_minimum[0, 0])
    assert abs(abs(right_of_it[0, 0]) - np.pi) < 1e-3, "downhill from x = 3 is towards −x"


def test_each_run_has_a_trail_head_and_arrow_on_the_contour():
    _surface, _runs, payload = view(starts=[(-4.0, 4.0), (0.0, 0.0), (1.0, 1.0)])
    contour = payload["panels"][0]
    animated = [trace for trace in contour["traces"] if "series" in trace]
    # A fourth, spare run's traces: filled in the browser when a click adds a start.
    # Per run: trail, arrow, current point; its start and where it left the map come last.
    assert sorted((t["series"], t["kind"]) for t in animated) == sorted(
        (run, kind) for run in range(4) for kind in ("path", "head", "arrow", "head", "head"))
    assert [(t["series"], t.get("frame"), t["map"]) for t in animated[-8:-6]] == [
        (0, 0, {"x": "x", "y": "y"}), (0, None, {"x": "exit_x", "y": "exit_y"})]
    assert len(payload["series"]) == 3
    assert contour["click"] is True
    assert contour["layout"]["xaxis"]["range"] == [-5.0, 5.0]
    assert contour["layout"]["yaxis"]["scaleanchor"] == "x", "equal scales: −∇f looks right"
    kinds = [trace["kind"] for trace in contour["traces"]]
    assert kinds[:2] == ["contour", "marker"], "static layers first, then the runs"


def test_a_full_view_has_no_spare_run():
    starts = [(float(x), 0.0) for x in range(payloads.MAX_RUNS)]
    _surface, _runs, payload = view(starts=starts)
    for panel in payload["panels"]:
        runs = {trace["series"] for trace in panel["traces"] if "series" in trace}
        assert runs == set(range(payloads.MAX_RUNS))


def test_the_three_d_view_can_be_left_out():
    _, _, payload = view(show_3d=False)
    assert [panel["id"] for panel in payload["panels"]] == ["contour", "loss"]
    # Nothing faint to explain without the 3D view.
    assert payload["readouts"][0]["text"] == payloads.MARKS_KEY


def test_the_three_d_paths_lie_just_above_the_surface():
    surface, _, payload = view("two_minima")
    onion = payload["panels"][1]
    path = next(trace for trace in onion["traces"] if trace["kind"] == "path")
    assert path["map"] == {"x": "x", "y": "y", "z": "gap"}
    lift = path["offset"]["z"] - payloads.reference_value(surface)
    assert 0 < lift < 0.05 * 2.02


def test_the_three_d_paths_are_held_near_the_box_whatever_a_runaway_reaches():
    # At η = 10 a run on Himmelblau reaches f ≈ 1e34 in two steps: a scene given that
    # projects nothing right (the surface drawn flat, lines across the page).
    _, runs, payload = view()
    assert np.nanmax(runs.values) > 1e30
    onion = payload["panels"][1]
    scene = onion["layout"]["scene"]
    for trace in onion["traces"][1:]:
        for axis in "xyz":
            low, high = trace["clamp"][axis]
            shown_low, shown_high = scene[f"{axis}axis"]["range"]
            width = shown_high - shown_low
            assert low < shown_low - 100 * width and shown_high + 100 * width < high < 1e7


@pytest.mark.parametrize("log", [False, True])
def test_the_loss_chart_shows_f_or_its_gap_on_a_log_axis(log):
    surface, _, payload = view("two_minima", log=log)
    loss = payload["panels"][-1]
    assert loss["layout"]["yaxis"]["type"] == ("log" if log else "linear")
    trail = next(trace for trace in loss["traces"] if trace["kind"] == "path")
    assert trail["map"] == {"x": "step", "y": "gap"}
    expected = {} if log else {"y": payloads.reference_value(surface)}
    assert trail["offset"] == expected
    assert payloads.reference_value(surface) == pytest.approx(-2.0, abs=0.03)


def test_a_surface_without_minima_has_reference_value_zero():
    assert payloads.reference_value(gd_core.get_surface("saddle")) == 0.0


def test_the_fan_spec_matches_the_learning_rates():
    _, _, payload = view()
    fan = payload["fan"]
    assert fan["labels"] == LABELS and fan["values"] == list(LEARNING_RATES)
    assert LEARNING_RATES[fan["index"]] == 0.01


def test_run_styles_are_distinct_for_every_run():
    styles = {payloads.run_style(run) for run in range(payloads.MAX_RUNS)}
    assert len(styles) == payloads.MAX_RUNS
    assert len(set(payloads.PALETTE)) == len(set(payloads.SYMBOLS)) == payloads.MAX_RUNS


def test_the_coarse_mesh_error_is_the_sag_between_every_other_point():
    xs = np.linspace(-1, 1, 5)
    plane = 3 * xs[None, :] + 2 * xs[:, None]
    assert payloads.coarse_mesh_error(plane) == pytest.approx(0.0, abs=1e-12)
    # z = x² on points 0.5 apart: the chord between every other point (a and b, 1 apart) runs
    # (a² + b²)/2 − ((a + b)/2)² = (b − a)²/4 = 0.25 above the point it skips.
    bowl = np.broadcast_to(xs[None, :] ** 2, (5, 5))
    assert payloads.coarse_mesh_error(bowl) == pytest.approx(0.25)
    with_gap = bowl.copy()
    with_gap[0, 1] = np.nan
    assert payloads.coarse_mesh_error(with_gap) == pytest.approx(0.25), "undefined points skipped"


# Beale's walls reach 1.8e5: its surface, no longer clamped at float16's 6e4 (grid_limit), lifts
# the paths high enough above it for the coarser mesh.
@pytest.mark.parametrize(("name", "stride"), [
    ("himmelblau", 2), ("bowl", 2), ("rastrigin", 1), ("ackley", 1), ("beale", 2),
])
def test_the_three_d_surface_is_drawn_coarser_only_where_no_path_would_sink_under_it(name,
                                                                                     stride):
    surface = gd_core.get_surface(name)
    grid = payloads.surface_grid(surface)
    panel = payloads.onion_panel(surface, grid, [payloads.run_style(0)])
    (mesh,) = [t for t in panel.traces if t.kind == "surface"]
    assert mesh.stride == stride
    low, high = np.nanmin(grid.z), np.nanmax(np.minimum(grid.z, payloads.grid_limit(grid.z)))
    lift = 0.01 * (high - low)
    assert (payloads.coarse_mesh_error(grid.z) < lift) == (stride == 2)


def test_a_path_is_marked_where_it_crosses_the_edge_of_the_map():
    domain = ((-1.0, 1.0), (-1.0, 1.0))
    nan = np.nan
    paths = np.array([
        [[0.0, 0.0], [0.5, 0.0], [3.0, 0.5], [nan, nan]],  # leaves through x = 1 at y = 0.1
        [[0.0, 0.0], [0.2, 0.2], [0.1, 0.1], [0.0, 0.0]],  # stays inside
        [[0.0, 0.0], [0.5, 0.5], [np.inf, nan], [nan, nan]],  # jumps to infinity
    ])
    exits = payloads.exit_points(paths, domain)
    assert np.isnan(exits[0, :2]).all() and np.isnan(exits[1]).all()
    np.testing.assert_allclose(exits[0, 2:], [[1.0, 0.1], [1.0, 0.1]])
    np.testing.assert_allclose(exits[2, 2:], [[0.5, 0.5], [0.5, 0.5]])


def test_a_diverging_run_carries_where_it_left_and_the_readouts_name_its_numbers():
    surface, runs, payload = view("ravine", starts=[(-0.5, 2.5)])
    member = list(LEARNING_RATES).index(0.12)
    assert runs.diverged_at[member, 0] >= 0
    channels = payload["series"][0]["channels"]
    exit_x, exit_y = decode(channels["exit_x"])[member], decode(channels["exit_y"])[member]
    left = np.flatnonzero(np.isfinite(exit_x))[0]
    assert 0 < left <= runs.diverged_at[member, 0]
    (xlo, xhi), (ylo, yhi) = surface.domain
    on_edge = min(abs(exit_x[left] - xlo), abs(exit_x[left] - xhi), abs(exit_y[left] - ylo),
                  abs(exit_y[left] - yhi))
    assert on_edge < 0.01
    np.testing.assert_allclose(decode(channels["grad_norm"])[member, 0],
                               np.hypot(*surface.gradient(np.array([-0.5, 2.5]))), rtol=1e-3)
    lines = [line["text"] for line in payload["readouts"]]
    assert lines[0] == payloads.key_with_3d(payloads.MARKS_KEY, True) and "−∇f" in lines[0]
    assert lines[1] == "● start 1 at step {step}: {where}"
    channels_sent = {name: decode(spec) for name, spec in channels.items()}
    filled = derive(channels_sent, payload["series"][0]["derived"])
    spec = payload["readouts"][1]
    diverged = runs.diverged_at[member, 0]
    start = np.array([-0.5, 2.5])
    f0, slope0 = (payloads.format_number(float(value)) for value in (
        surface.value(start), np.float16(np.hypot(*surface.gradient(start)))))
    assert fill_template(spec["text"], spec, filled, member, 0) == (
        f"● start 1 at step 0: x = −0.5, y = 2.5, f = {f0}, |∇f| = {slope0}")
    assert fill_template(spec["text"], spec, filled, member, runs.steps) == (
        f"● start 1 at step {runs.steps}: diverged at step {diverged}: step back to watch it "
        "escape")


def test_the_three_d_view_keeps_the_surface_box_whatever_the_runs_do():
    surface = gd_core.get_surface("ravine")
    grid = payloads.surface_grid(surface)
    scene = payloads.onion_panel(surface, grid, [payloads.run_style(0)]).layout["scene"]
    low, high = float(np.nanmin(grid.z)), float(np.nanmax(grid.z))
    zlo, zhi = scene["zaxis"]["range"]
    assert zlo < low < high < zhi < high + 0.1 * (high - low)
    assert scene["xaxis"]["range"] == [-1, 3] and scene["yaxis"]["range"] == [-1, 3]


def test_the_contour_has_a_colour_bar_labelled_in_f():
    surface = gd_core.get_surface("bowl")
    grid = payloads.surface_grid(surface)
    bar = payloads.shading_scale(grid)
    low, high = float(np.nanmin(grid.z)), float(np.nanmax(grid.z))
    heights, labels = zip(*bar.ticks, strict=True)
    assert labels[0] == f"{payloads.format_number(low)} low"
    assert labels[-1] == f"{payloads.format_number(high)} high"
    assert "light = low" in bar.title
    # The shading is log(1 + f − min f): the ticks sit at even steps of it, f written on them.
    assert heights == pytest.approx(np.linspace(0, 1, len(labels)))
    middle = low + np.expm1(heights[1] * np.log1p(high - low))
    assert labels[1] == payloads.format_number(middle)
    assert [color for _, color in bar.colors] == [color for _, color in payloads.TERRAIN]


def test_the_contour_panel_leaves_its_colour_bar_room_and_plotly_draws_none():
    surface = gd_core.get_surface("himmelblau")
    grid = payloads.surface_grid(surface)
    panel = payloads.contour_panel(surface, grid, [])
    assert panel.colorbar == payloads.shading_scale(grid)
    assert panel.layout["margin"]["r"] == payloads.colorbar_margin(panel.colorbar)
    longest = max(len(text) for _, text in panel.colorbar.ticks)
    assert panel.layout["margin"]["r"] >= 40 + 6 * longest
    assert not panel.traces[0].trace["showscale"]


def test_the_loss_chart_names_each_run_in_a_legend_but_not_the_spare():
    _, _, payload = view(starts=[(-4.0, 4.0), (1.0, 1.0)])
    loss = payload["panels"][-1]
    assert loss["layout"]["showlegend"]
    named = [(t["trace"]["name"], t["trace"]["marker"]["symbol"]) for t in loss["traces"]
             if t["trace"].get("showlegend")]
    assert named == [("start 1", "circle"), ("start 2", "square")]


def test_an_svg_loss_chart_has_no_legend_to_name_runs_in():
    surface = gd_core.get_surface("himmelblau")
    styles = [payloads.run_style(0), payloads.run_style(1)]
    assert payloads.loss_panel(surface, 50, True, styles, live="svg").live == "svg"
    with pytest.raises(ValueError, match="no legend"):
        payloads.loss_panel(surface, 50, True, styles, ["start 1"], live="svg")


@pytest.mark.parametrize("log", [True, False])
def test_a_loss_chart_with_starts_ends_its_range_above_the_highest_start(log):
    surface = gd_core.get_surface("himmelblau")
    starts = np.array([[0.0, 0.0], [1.0, 1.0]])  # f = 170 and 106; f* = 0
    panel = payloads.loss_panel(surface, 50, log, [payloads.run_style(0)] * 2, starts=starts)
    assert panel.layout["yaxis"]["autorangeoptions"] == {"maxallowed": 1700.0 if log else 340.0}
    plain = payloads.loss_panel(surface, 50, log, [payloads.run_style(0)])
    assert "autorangeoptions" not in plain.layout["yaxis"]


@pytest.mark.parametrize("log", [True, False])
def test_the_surface_pages_loss_chart_ends_its_range_above_its_highest_start(log):
    """Without it the range spanned every bounded learning rate's runs: up to 9781 on the "Your
    own function" page's opening, its runs at the rate shown below 2.2 drawn as a flat line."""
    _, _, payload = view(starts=((0.0, 0.0), (1.0, 1.0)), log=log)
    (loss,) = [panel for panel in payload["panels"] if panel["id"] == "loss"]
    assert loss["layout"]["yaxis"]["autorangeoptions"] == {"maxallowed": 1700.0 if log
                                                           else 340.0}


def test_a_grid_beyond_float16s_range_is_sent_and_labelled_as_it_is():
    """A loss in the billions (a line fitted to prices) went as float16, clamped at 6e4: one
    flat colour under a colour bar that read 60000 from bottom to top."""
    x = np.linspace(800, 3500, 60)
    data = gd_core.Dataset(x, 150 * x + 20_000 + 30_000 * np.sin(x))
    grid = payloads.surface_grid(gd_core.linear_regression(data, "standardized").surface, 61)
    assert np.nanmin(grid.z) > 1e8
    sent = payloads.grid_arrays(grid)["grid_z"]
    assert sent["dtype"] == "f4"
    labels = [text for _, text in payloads.shading_scale(grid).ticks]
    assert len(set(labels)) == len(labels), labels
    low, high = (float(labels[i].split()[0]) for i in (0, -1))
    assert low == pytest.approx(np.nanmin(grid.z), rel=1e-3)
    assert high == pytest.approx(np.nanmax(grid.z), rel=1e-3)
    # A surface within float16's range still goes as float16.
    assert payloads.grid_arrays(payloads.surface_grid(gd_core.get_surface("himmelblau")))[
        "grid_z"]["dtype"] == "f2"
