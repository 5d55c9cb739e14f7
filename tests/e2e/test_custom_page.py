"""The "Your own function" page in Debian's Chromium: typing formulas, good and hostile."""

from urllib.parse import parse_qs, urlparse

import pytest
from chart_page import chart_state, open_chart

pytestmark = pytest.mark.e2e

PAGE = "pages/6_Your_own_function.py"


@pytest.fixture(scope="module")
def url(streamlit_app):
    return streamlit_app(PAGE)


def formula_in_url(page) -> str:
    return parse_qs(urlparse(page.url).query).get("formula", [""])[0]


def type_formula(page, text: str) -> None:
    box = page.get_by_label("f(x) or f(x, y) =", exact=True)
    box.fill(text)
    box.press("Enter")


def rendered_formula(page) -> str:
    return page.locator(".katex-html").first.inner_text()


def test_typing_a_formula_redraws_and_a_hostile_one_is_refused_in_place(page, url, tmp_path):
    open_chart(page, url + "?formula=x%5E2%2B10*y%5E2&starts=2,1")
    assert chart_state(page)["runs"] == ["start 1 (2, 1)"]
    before = rendered_formula(page)
    marker = tmp_path / "pwned"

    type_formula(page, f"__import__('os').system('touch {marker}')")
    page.get_by_role("alert").filter(has_text="not allowed").wait_for(timeout=15_000)
    # Nothing ran and nothing else changed: same formula, same runs, the link keeps the old one.
    assert not marker.exists()
    assert rendered_formula(page) == before
    assert chart_state(page)["runs"] == ["start 1 (2, 1)"]
    assert formula_in_url(page) == "x^2+10*y^2"

    type_formula(page, "(x - 1)^2 + (y + 2)^2")
    page.wait_for_function(
        "new URLSearchParams(location.search).get('formula') === '(x - 1)^2 + (y + 2)^2'",
        timeout=15_000,
    )
    # A new function brings its own default start in place of the clicked one (the link can
    # change a moment before the chart has redrawn: wait for it).
    page.wait_for_function(
        "document.querySelector('.dl-badge-name')?.textContent === 'start 1 (2.5, 2)'",
        timeout=15_000,
    )
    assert page.get_by_role("alert").count() == 0
    assert rendered_formula(page) != before
