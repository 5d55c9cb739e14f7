"""The chart's panel kinds for the data pages, in Chromium (tests/e2e/kinds_app.py): the image
layer's colours, shading and cells under a click, following the zoom; the curve and the subset
following the frame in a plotly live plot and as SVG; an SVG panel on a log axis; the legend."""

from __future__ import annotations

import kinds_app as app
import numpy as np
import pytest
from chart_page import hex_rgb, live_trace, open_panel, screen_point, wait_for_pixel

pytestmark = pytest.mark.e2e
# Animated traces of each data panel, in the payload's order after the samples.
CURVE, SUBSET = 0, 1


@pytest.fixture(scope="module")
def url(streamlit_app):
    return streamlit_app("tests/e2e/kinds_app.py")


@pytest.fixture
def chart(page, url):
    open_panel(page, url, "basins")
    page.wait_for_selector(".dl-panel-basins .dl-base image")
    return page


def cell_on_screen(page, row: int, col: int) -> tuple[float, float]:
    return screen_point(page, "basins", app.X0 + col * app.DX, app.Y0 + row * app.DY)


def test_the_image_shows_its_palette_shaded_by_steps_under_the_line(chart):
    # Cells away from the grid lines (whole numbers) and the head, drawn over the image.
    wait_for_pixel(chart, *cell_on_screen(chart, 40, 30), hex_rgb(app.PALETTE[0]))
    wait_for_pixel(chart, *cell_on_screen(chart, 60, 230), hex_rgb(app.PALETTE[2]))
    shaded = hex_rgb(app.PALETTE[1], 1 - app.SHADE_STRENGTH)
    wait_for_pixel(chart, *cell_on_screen(chart, 120, 170), shaded)
    wait_for_pixel(chart, *cell_on_screen(chart, 270, 230), (255, 255, 255))  # no colour
    line_row = round((app.LINE_Y - app.Y0) / app.DY)
    wait_for_pixel(chart, *cell_on_screen(chart, line_row, 20), (0, 0, 0))


def test_the_image_follows_the_zoom(chart):
    # Zoomed on the border between the first two bands (between columns 99 and 100); points
    # off the grid lines, which plotly draws over layout images.
    border = app.X0 + 99.5 * app.DX
    chart.evaluate("""([low, high]) => Plotly.relayout(
        document.querySelector('.dl-panel-basins .dl-live'),
        {'xaxis.range': [low, high], 'yaxis.range': [-1.2, -1.0]})""", [border - 0.1, border + 0.1])
    chart.wait_for_function(
        """() => document.querySelector('.dl-panel-basins .dl-base')._fullLayout
            .xaxis.range[1] < -0.8""")
    left = screen_point(chart, "basins", border - 0.03, -1.13)
    right = screen_point(chart, "basins", border + 0.03, -1.13)
    assert right[0] - left[0] > 100, "six hundredths of a unit are wide now"
    wait_for_pixel(chart, *left, hex_rgb(app.PALETTE[0]))
    wait_for_pixel(chart, *right, hex_rgb(app.PALETTE[1]))


@pytest.mark.parametrize(("row", "col"), [(37, 211), (0, 0), (299, 123)])
def test_a_click_on_the_image_reaches_python_as_its_cell(chart, row, col):
    x, y = cell_on_screen(chart, row, col)
    chart.mouse.click(x, y)
    chart.get_by_text(f"cell {row},{col} in basins", exact=True).wait_for()


def test_a_click_beside_the_image_reports_no_cell(chart):
    x, y = screen_point(chart, "basins", 3.1, 0.21)  # right of the last column's edge
    chart.mouse.click(x, y)
    chart.get_by_text("click at 3.10,0.21 in basins", exact=True).wait_for()
    assert chart.get_by_text("no cell yet", exact=True).is_visible()


def test_another_map_replaces_the_image(chart):
    row, col = 40, 70  # in the first band, then in the second once the bands move
    assert (col + app.SHIFT) // 100 == 1
    wait_for_pixel(chart, *cell_on_screen(chart, row, col), hex_rgb(app.PALETTE[0]))
    chart.get_by_role("button", name="Another map").click()
    wait_for_pixel(chart, *cell_on_screen(chart, row, col), hex_rgb(app.PALETTE[1]))


def scrub(page, frame: int) -> None:
    page.locator(".dl-scrubber").fill(str(frame))
    page.wait_for_function(f"document.querySelector('.dl-chart').dataset.frame === '{frame}'")


@pytest.mark.parametrize("panel", ["fit_plotly", "fit_svg"])
def test_the_curve_and_the_subset_follow_the_frame(chart, panel):
    for frame in (3, app.FRAMES - 1):
        scrub(chart, frame)
        curve = live_trace(chart, panel, CURVE)
        expected = np.float32(app.WEIGHTS[frame]) * np.array(curve["x"]) + np.float32(
            app.BIASES[frame])
        assert curve["x"] == [-2.0, 0.0, 2.0]
        np.testing.assert_allclose(curve["y"], expected, atol=1e-6)
        batch = [index for index in app.BATCHES[frame] if index != 65535]
        subset = live_trace(chart, panel, SUBSET)
        np.testing.assert_allclose(subset["x"], app.SAMPLE_X[batch], atol=1e-6)
        np.testing.assert_allclose(subset["y"], app.SAMPLE_Y[batch], atol=1e-6)
    assert len(batch) == 2, "the last batch is short: its padding draws nothing"


def drawn_points(page, panel: str) -> dict:
    """What is on the screen: the curve's path and the subset's markers, as SVG or plotly."""
    return page.evaluate("""(panel) => {
        const node = document.querySelector(`.dl-panel-${panel}`);
        const svg = node.querySelectorAll('.dl-svg-trace');
        if (svg.length) {
            return {curve: svg[0].children[0].getAttribute('d'),
                    markers: (svg[1].children[1].getAttribute('d').match(/M/g) || []).length};
        }
        const traces = node.querySelectorAll('.dl-live .scatterlayer .trace');
        return {curve: traces[0].querySelector('.js-line').getAttribute('d'),
                markers: traces[1].querySelectorAll('.point').length};
    }""", panel)


@pytest.mark.parametrize("panel", ["fit_plotly", "fit_svg"])
def test_scrubbing_redraws_the_curve_and_the_batch(chart, panel):
    scrub(chart, 0)
    chart.wait_for_function(f"""() => document.querySelector('.dl-panel-{panel}')
        .querySelectorAll('.dl-svg-trace, .dl-live .scatterlayer .trace .point').length > 0""")
    first = drawn_points(chart, panel)
    assert first["markers"] == app.BATCH
    scrub(chart, app.FRAMES - 1)
    chart.wait_for_function(f"""(before) => {{
        const node = document.querySelector('.dl-panel-{panel}');
        const path = node.querySelector('.dl-svg-trace path, .dl-live .js-line');
        return path.getAttribute('d') !== before;
    }}""", arg=first["curve"])
    assert drawn_points(chart, panel)["markers"] == 2


def test_an_svg_panel_without_static_traces_scales_its_log_axis_to_the_runs(chart):
    # Autorange over the whole run (log10 of the values, 5% padding), and each head drawn where
    # the axis puts its value: at its logarithm on a log axis.
    low, high = np.log10(app.LOSSES.min()), np.log10(app.LOSSES.max())
    pad = (high - low) * 0.05
    shown = chart.evaluate("""() => document.querySelector('.dl-panel-loss_svg .dl-base')
        ._fullLayout.yaxis.range""")
    np.testing.assert_allclose(shown, [low - pad, high + pad], rtol=1e-5)
    for frame in (2, app.FRAMES - 2):
        scrub(chart, frame)  # focuses the scrubber, above: the panel is scrolled back to
        chart.locator(".dl-panel-loss_svg").scroll_into_view_if_needed()
        head = screen_point(chart, "loss_svg", frame, np.log10(app.LOSSES[frame]))
        wait_for_pixel(chart, *head, (0, 0, 0))


def test_the_legend_lists_each_run_and_colour_with_its_swatch(chart):
    items = chart.evaluate("""() => Array.from(document.querySelectorAll('.dl-legend-item'),
        (item) => ({
            label: item.textContent,
            line: item.querySelector('.dl-legend-line')?.getAttribute('stroke') ?? null,
            dash: item.querySelector('.dl-legend-line')?.getAttribute('stroke-dasharray') ?? null,
            marker: item.querySelector('.dl-legend-marker')?.getAttribute('fill') ?? null,
            box: item.querySelector('.dl-legend-box')?.getAttribute('fill') ?? null,
            title: item.title,
        }))""")
    assert chart.locator(".dl-legend-title").inner_text() == app.LEGEND.title
    assert [item["label"] for item in items] == [i.label for i in app.LEGEND.items]
    sgd, adam, *boxes = items
    assert sgd | {"label": None} == {"label": None, "line": "#D55E00", "dash": None,
                                     "marker": "#D55E00", "box": None,
                                     "title": "solid line, circle marker"}
    assert adam["line"] == adam["marker"] == "#CC79A7" and adam["dash"]
    assert adam["title"] == "dashed line, diamond marker"
    assert [box["box"] for box in boxes] == app.PALETTE
    legend_top = chart.locator(".dl-legend").bounding_box()["y"]
    assert chart.locator(".dl-controls").bounding_box()["y"] < legend_top
    assert legend_top < chart.locator(".dl-panels").bounding_box()["y"]
