"""The descent chart at phone width (390x844, touch) in Debian's Chromium."""

import io

import pytest
from chart_page import browser_tab, chart_state, open_chart
from PIL import Image

pytestmark = pytest.mark.e2e

PAGE = "pages/2_Descent_on_a_surface.py"
START = "?surface=bowl&starts=-0.5,2.5"


@pytest.fixture(scope="module")
def url(streamlit_app):
    return streamlit_app(PAGE)


@pytest.fixture
def phone(browser):
    with browser_tab(browser, viewport={"width": 390, "height": 844}, has_touch=True,
                     is_mobile=True) as tab:
        yield tab


def contour_box(page) -> dict:
    page.locator(".dl-panel-contour").scroll_into_view_if_needed()
    return page.locator(".dl-panel-contour .nsewdrag").first.bounding_box()


def main_scroll(page) -> float:
    return page.evaluate("document.querySelector('[data-testid=stMain]').scrollTop")


def test_a_tap_adds_a_start_and_leaves_no_hover_label_over_it(phone, url):
    open_chart(phone, url + START)
    box = contour_box(phone)
    phone.touchscreen.tap(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.6)
    phone.wait_for_function("document.querySelectorAll('.dl-badge').length === 2")
    assert chart_state(phone)["runs"][1].startswith("start 2")
    # The new run is drawn (the ring marking the tap is gone) and no label covers it.
    phone.wait_for_function("!document.querySelector('.dl-pending')")
    assert phone.locator(".dl-panel-contour .hovertext").count() == 0


def test_a_one_finger_drag_on_the_contour_scrolls_the_page_instead_of_zooming(phone, url):
    open_chart(phone, url + START)
    box = contour_box(phone)
    before = main_scroll(phone)
    session = phone.context.new_cdp_session(phone)
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.8
    session.send("Input.dispatchTouchEvent", {"type": "touchStart",
                                              "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 11):
        session.send("Input.dispatchTouchEvent", {"type": "touchMove",
                                                  "touchPoints": [{"x": x, "y": y - 20 * step}]})
    session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    phone.wait_for_function(f"document.querySelector('[data-testid=stMain]').scrollTop > "
                            f"{before + 50}")
    assert phone.evaluate("""() => document.querySelector('.dl-panel-contour .dl-base')
        ._fullLayout.xaxis.range""") == [-1, 3], "not zoomed"
    assert chart_state(phone)["runs"] == ["start 1 (−0.5, 2.5)"], "and no start added"


@pytest.mark.parametrize(("panel", "label"), [
    ("contour", ".gtitle"), ("onion", ".gtitle"), ("loss", ".gtitle"), ("loss", ".legend")])
def test_the_plot_toolbar_stays_clear_of_the_panel_title_and_legend(phone, url, panel, label):
    open_chart(phone, url + START)
    # Stacked on a phone, a 3D view below the fold is drawn once it comes into sight.
    phone.locator(f".dl-panel-{panel}").scroll_into_view_if_needed()
    phone.wait_for_selector(f".dl-panel-{panel} .modebar", state="attached", timeout=30_000)
    title, toolbar = phone.evaluate("""([panel, label]) => {
        const node = document.querySelector(`.dl-panel-${panel}`);
        const box = (selector) => {
            const r = [...node.querySelectorAll(selector)]
                .find((n) => n.getBoundingClientRect().width > 0).getBoundingClientRect();
            return [r.left, r.right, r.top, r.bottom];
        };
        return [box(label), box('.modebar')];
    }""", [panel, label])
    apart = (title[1] <= toolbar[0] or toolbar[1] <= title[0] or title[3] <= toolbar[2]
             or toolbar[3] <= title[2])
    assert apart, (title, toolbar)


def test_a_legend_in_several_rows_leaves_the_step_axis_readable(phone, url):
    """Seven starts wrap the loss chart's legend into three rows on a phone: the step axis's
    title was drawn over its tick labels and the legend over the title."""
    starts = "-0.5,2.5;0,0;1,1;2,2;-0.8,-0.5;2.5,-0.5;0.5,2"
    open_chart(phone, url + f"?surface=bowl&starts={starts}")
    phone.locator(".dl-panel-loss").scroll_into_view_if_needed()
    phone.wait_for_function("document.querySelectorAll('.dl-panel-loss .legend .traces').length"
                            " === 7")
    # The margin follows the legend's rows once plotly has drawn them.
    phone.wait_for_function("""() => {
        const plot = document.querySelector('.dl-panel-loss .js-plotly-plot');
        const bottom = (selector) => Math.max(...[...plot.querySelectorAll(selector)]
            .map((n) => n.getBoundingClientRect().bottom));
        const top = (selector) => plot.querySelector(selector).getBoundingClientRect().top;
        return bottom('.xtick text') <= top('.xtitle') && bottom('.xtitle') <= top('.legend');
    }""", timeout=10_000)
    rows = phone.evaluate("""() => new Set([...document.querySelectorAll(
        '.dl-panel-loss .legend .traces')].map((n) => n.getAttribute('transform')
        .split(',')[1])).size""")
    assert rows > 1, "the case this test is about"


def test_a_long_update_rule_is_shrunk_to_the_phone_s_width_not_cut(phone, url):
    open_chart(phone, url + "?surface=two_minima&optimizer=adam")
    phone.wait_for_selector(".dl-formula .katex-display", timeout=30_000)
    phone.wait_for_function("document.fonts.status === 'loaded'")
    needed, room, size = phone.evaluate("""() => {
        const node = document.querySelector('.dl-formula');
        const formula = node.querySelector('.katex-display > .katex');
        return [formula.scrollWidth, node.clientWidth, parseFloat(formula.style.fontSize)];
    }""")
    assert needed <= room, "Adam's rule and the surface's formula fit, nothing scrolls"
    assert size > 0, "shrunk from its natural size"


def test_the_learning_rate_s_value_shares_the_slider_s_line(phone, url):
    open_chart(phone, url + START)
    # The three boxes in one frame: the page above may still be settling (the formula typeset
    # moves everything under it), and boxes read one by one then come from different layouts.
    boxes = """() => ['.dl-fan-slider', '.dl-fan-value', '.dl-fan-label'].map((selector) => {
        const box = document.querySelector(selector).getBoundingClientRect();
        return {x: box.x, y: box.y, width: box.width, height: box.height};
    })"""
    phone.wait_for_function(f"""() => {{
        const [slider, value] = ({boxes})();
        const middle = value.y + value.height / 2;
        return slider.y <= middle && middle <= slider.y + slider.height;
    }}""", timeout=10_000)
    slider, value, label = phone.evaluate(boxes)
    middle = value["y"] + value["height"] / 2
    assert slider["y"] <= middle <= slider["y"] + slider["height"], (slider, value)
    assert label["y"] + label["height"] <= slider["y"], "the name above, on its own line"


def test_the_three_d_view_s_tick_labels_are_inside_the_panel(phone, url):
    open_chart(phone, url + "?surface=himmelblau&starts=-4,4")
    panel = phone.locator(".dl-panel-onion")
    # Stacked under the map, the 3D view costs nothing until the viewer scrolls to it.
    phone.wait_for_selector(".dl-panel-onion[data-waiting='sight']", state="attached")
    assert not phone.evaluate("""() => Boolean(document.querySelector('.dl-panel-onion .dl-live')
        ?._fullLayout?.scene)"""), "not drawn while out of sight"
    panel.scroll_into_view_if_needed()
    phone.wait_for_function("""() => document.querySelector('.dl-panel-onion .dl-live')
        ?._fullLayout?.scene?._scene?.glplot""", timeout=30_000)
    image = Image.open(io.BytesIO(panel.screenshot())).convert("L")
    # Text is dark; the scene's box and grid lines stay well inside: nothing dark is drawn in
    # the panel's outer columns, where a cut label would show.
    edge = max(4, image.width // 50)
    for column in [*range(edge), *range(image.width - edge, image.width)]:
        darkest = min(image.getpixel((column, row)) for row in range(image.height // 8,
                                                                      image.height))
        assert darkest > 200, f"something dark at the panel's edge, column {column}"

