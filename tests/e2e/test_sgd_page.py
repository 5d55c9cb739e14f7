"""The "SGD on real data" page in Debian's Chromium, inside the app (``streamlit run app.py``):
changing the batch size redraws the minibatch path, a CSV upload becomes the data (and a bad one
changes nothing), and a click on the loss map moves every run's start."""

from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from chart_page import live_trace, open_panel, screen_point, table_rows

from ui import sgd

pytestmark = pytest.mark.e2e

#: Live traces of the loss map per run (``ui.payloads.contour_panel`` without arrows): its
#: path, then its head.
MINIBATCH_PATH = 2
#: The payload sends paths as half floats: good to about 0.003 on this map.
TOLERANCE = 0.01


@pytest.fixture(scope="module")
def url(streamlit_app):
    return streamlit_app("app.py") + "/SGD_on_real_data"


def no_exception_box(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0


def query(page) -> dict:
    return {name: values[0] for name, values in parse_qs(urlparse(page.url).query).items()}


def sidebar_slider(page, label: str):
    return page.locator("[data-testid='stSidebar'] [data-testid='stSlider']").filter(
        has_text=label).get_by_role("slider")


def samples_drawn(page) -> int:
    """How many samples the data panel draws (its first static trace)."""
    return page.evaluate("""() => {
        const plot = document.querySelector('.dl-panel-data .dl-base:not([hidden])');
        return plot.data[0].x.length;
    }""")


def test_changing_the_batch_size_redraws_the_minibatch_path(page, url):
    open_panel(page, url, "contour")
    before = live_trace(page, "contour", MINIBATCH_PATH)
    assert len(before["x"]) == 20 * 20 + 1, "B = 10: 20 steps an epoch, 20 epochs"
    slider = sidebar_slider(page, "Batch size B")
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("new URLSearchParams(location.search).get('batch') === '11'")
    # B = 11: 19 steps an epoch (the last batch of 2), 380 steps.
    page.wait_for_function("""(index) => document.querySelector('.dl-panel-contour .dl-live')
        .data[index].x.length === 381""", arg=MINIBATCH_PATH, timeout=30_000)
    after = live_trace(page, "contour", MINIBATCH_PATH)
    assert after["x"][0] == before["x"][0] == 0, "the same start"
    assert not np.allclose(after["x"][1:50], before["x"][1:50]), "other batches, another path"
    full_path = live_trace(page, "contour", 0)
    assert len(full_path["x"]) == 381, "every run is drawn on the minibatch run's timeline"
    page.get_by_text("Minibatch (B = 11)").first.wait_for()
    no_exception_box(page)


def test_a_csv_upload_becomes_the_data_and_a_bad_file_changes_nothing(page, url, tmp_path):
    open_panel(page, url, "data")
    assert samples_drawn(page) == 200
    x = np.linspace(-2.0, 4.0, 37)
    good = tmp_path / "my_data.csv"
    good.write_text("hours,score\n" + "".join(f"{a:.4f},{3 - 0.5 * a:.4f}\n" for a in x))
    uploader = page.locator("[data-testid='stSidebar'] [data-testid='stFileUploader']")
    page.get_by_text("Your own data (CSV)").click()
    uploader.locator("input[type='file']").set_input_files(str(good))
    page.wait_for_function("""() => {
        const plot = document.querySelector('.dl-panel-data .dl-base:not([hidden])');
        return plot && plot.data[0].x.length === 37;
    }""", timeout=30_000)
    page.get_by_text("Fitting a line to my_data.csv: 37 rows.").wait_for()
    assert "data" not in query(page) and "n" not in query(page), "an upload is not in the link"
    page.get_by_text("Full batch (B = 37)").first.wait_for()
    shown = table_rows(page)
    assert [row[0] for row in shown] == ["Full batch (B = 37)", "Minibatch (B = 10)",
                                         "Single sample (B = 1)"], shown

    bad = tmp_path / "three_columns.csv"
    bad.write_text("a,b,c\n1,2,3\n4,5,6\n")
    uploader.locator("input[type='file']").set_input_files(str(bad))
    page.get_by_text("three_columns.csv: row 1 has 3 columns").wait_for(timeout=30_000)
    assert samples_drawn(page) == 37, "the data stays"
    assert table_rows(page) == shown, "the runs stay"
    page.get_by_text("Fitting a line to my_data.csv: 37 rows.").wait_for()
    no_exception_box(page)


def test_a_click_on_the_loss_map_moves_every_run_s_start(page, url):
    open_panel(page, url, "contour")
    target = (1.0, 2.5)
    page.mouse.click(*screen_point(page, "contour", *target))
    page.wait_for_function("new URLSearchParams(location.search).has('start')")
    start = tuple(float(value) for value in query(page)["start"].split(","))
    assert np.allclose(start, target, atol=0.05)
    paths = [2 * run for run in range(len(sgd.RUN_KINDS))]
    page.wait_for_function("""([x, y, tolerance, paths]) => {
        const data = document.querySelector('.dl-panel-contour .dl-live').data;
        return paths.every((index) => Math.abs(data[index].x[0] - x) < tolerance
                                      && Math.abs(data[index].y[0] - y) < tolerance);
    }""", arg=[*start, TOLERANCE, paths], timeout=30_000)
    no_exception_box(page)


def test_the_network_and_back_keeps_the_line_s_settings(page, url):
    open_panel(page, url, "contour")
    sidebar_slider(page, "True slope").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("new URLSearchParams(location.search).get('slope') === '2.5'")
    page.locator("[data-testid='stSidebar'] button").filter(
        has_text="S-curve (one-unit network)").click()
    page.wait_for_function("new URLSearchParams(location.search).get('data') === 'network'")
    page.get_by_text("Minibatch (B = 4)").first.wait_for()
    # The slope's slider is not drawn for the network: its value must survive that.
    page.locator("[data-testid='stSidebar'] button").filter(has_text="Synthetic line").click()
    page.wait_for_function("new URLSearchParams(location.search).get('slope') === '2.5'")
    page.get_by_text("Minibatch (B = 10)").first.wait_for()
    shown = page.locator("[data-testid='stSidebar'] [data-testid='stSlider']").filter(
        has_text="True slope").get_by_test_id("stSliderThumbValue")
    assert shown.inner_text() == "2.50"
    no_exception_box(page)
