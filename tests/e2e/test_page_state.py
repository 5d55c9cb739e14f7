"""What a page holds, in a real browser: a surface's opening configuration reaches the sidebar
controls outside the chart's fragment, and a page comes back exactly as it was left."""

import pytest
from chart_page import SCRIPT_SETTLED, chart_state, open_panel

from ui import lessons


@pytest.fixture(scope="module")
def app(streamlit_app):
    return streamlit_app("app.py")


def sidebar_slider_value(page, label: str) -> str:
    slider = page.locator("[data-testid='stSidebar'] [data-testid='stSlider']").filter(
        has_text=label)
    return slider.get_by_test_id("stSliderThumbValue").inner_text()


#: The sidebar shows the ε slider (an adaptive optimizer's).
EPSILON_SHOWN = """[...document.querySelectorAll(
    "[data-testid='stSidebar'] [data-testid='stSlider']")].some((n) => n.innerText.includes('ε'))"""


def wait_for_url(page, text: str) -> None:
    page.wait_for_function(f"decodeURIComponent(location.search).includes({text!r})")


def test_switching_the_surface_opens_it_on_its_lesson_and_leaving_keeps_the_page(page, app):
    open_panel(page, f"{app}/Descent_on_a_surface", "contour")
    picker = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first
    picker.click()
    page.get_by_role("option", name="Rosenbrock", exact=True).click()
    wait_for_url(page, "surface=rosenbrock")
    opening = lessons.LESSONS["rosenbrock"].opening
    # The learning rate and steps sliders live outside the chart's fragment: they follow.
    page.wait_for_function(
        f"""() => [...document.querySelectorAll("[data-testid='stSidebar'] """
        f"""[data-testid='stSliderThumbValue']")].some((n) => n.textContent === '{opening.lr}')""")
    assert sidebar_slider_value(page, "Steps") == str(opening.steps)
    page.wait_for_function(f"document.querySelector('.dl-fan-value').textContent === "
                           f"'{opening.lr}'")
    assert "lr=" not in page.url and "steps=" not in page.url, "the opening needs no parameters"

    page.locator("[data-testid='stSidebar'] button").filter(has_text="Momentum").first.click()
    wait_for_url(page, "optimizer=momentum")
    left = page.url
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text="Home").click()
    page.wait_for_function("location.pathname === '/'")
    page.locator("[data-testid='stSidebarNav'] a").filter(
        has_text="Descent on a surface").click()
    page.wait_for_function(f"location.href === {left!r}")
    page.wait_for_function("document.querySelector('.dl-fan-value')?.textContent === "
                           f"'{opening.lr}'")
    assert picker.locator("input").get_attribute("value") == "Rosenbrock"
    chosen = page.locator("[data-testid='stSidebar'] button[role='radio'][aria-checked='true']")
    assert chosen.inner_text() == "Momentum"
    assert chart_state(page)["counter"] == f"step {opening.steps} / {opening.steps}"


def test_an_optimizer_chosen_on_the_page_comes_back_with_its_own_hyperparameters(page, app):
    # Gradient descent draws no ε: its key holds the default the controls share (AdaGrad's
    # 1e-10). Adam's button shows Adam's 1e-8, and so must the page when the viewer comes back.
    open_panel(page, f"{app}/Descent_on_a_surface", "contour")
    page.locator("[data-testid='stSidebar'] button").filter(has_text="Adam").first.click()
    wait_for_url(page, "optimizer=adam")
    page.wait_for_function(f"() => {EPSILON_SHOWN}")
    assert sidebar_slider_value(page, "ε") == "1e-08"
    left = page.url
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text="Home").click()
    page.wait_for_function("location.pathname === '/'")
    page.locator("[data-testid='stSidebarNav'] a").filter(
        has_text="Descent on a surface").click()
    page.wait_for_function("location.pathname === '/Descent_on_a_surface'")
    page.wait_for_function(f"() => ({SCRIPT_SETTLED})() && {EPSILON_SHOWN}")
    assert sidebar_slider_value(page, "ε") == "1e-08"
    assert page.url == left, "the same link, with no ε = 1e-10 in it"
