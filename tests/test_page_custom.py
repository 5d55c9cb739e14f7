"""Typed formulas in the app: the "Your own function" page and the 2D page's "Custom formula…".

Bad input must show a message and change nothing else on the page.
"""


import pytest
from helpers import chart_payload, run_page
from streamlit.testing.v1 import AppTest

CUSTOM_PAGE = "pages/6_Your_own_function.py"
SURFACE_PAGE = "pages/2_Descent_on_a_surface.py"


def open_page(path: str, **query) -> AppTest:
    return run_page(path, query)


def type_formula(app: AppTest, text: str) -> AppTest:
    return app.text_input(key="formula_text").set_value(text).run()


def test_custom_page_opens_on_its_default_surface_with_the_understood_latex():
    app = open_page(CUSTOM_PAGE)
    assert not app.exception
    assert app.title[0].value == "Your own function"
    assert r"\sin{\left(x \right)} \cos{\left(y \right)}" in app.latex[0].value
    assert "Local minima found" in app.caption[0].value
    data = chart_payload(app)
    assert data["panels"][0]["id"] == "contour"
    assert data["formula"].startswith(r"\theta_t"), "the chart shows the rule, the page f"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x + z", "unknown name 'z'"),
        ("(x + y", "parenthes"),
        ("__import__('os').system('true')", "not allowed"),
        ("x^2 + 2000000*y", "1e6"),
        ("9**9**9", "64"),
    ],
)
def test_bad_input_shows_a_message_and_changes_nothing_else(text, message):
    app = open_page(CUSTOM_PAGE)
    before_latex = [block.value for block in app.latex]
    before_chart = chart_payload(app)
    app = type_formula(app, text)
    assert not app.exception
    assert len(app.error) == 1 and message in app.error[0].value
    assert [block.value for block in app.latex] == before_latex
    assert chart_payload(app) == before_chart
    assert "formula" not in app.query_params


def test_a_good_formula_after_a_bad_one_replaces_the_view_and_clears_the_message():
    app = type_formula(open_page(CUSTOM_PAGE), "x + z")
    app = type_formula(app, "x^2 + 10*y^2")
    assert not app.exception and not app.error
    assert app.latex[0].value.strip("$\n") == "f(x, y) = x^{2} + 10 y^{2}"
    assert app.query_params["formula"] == "x^2 + 10*y^2"
    assert "(0, 0)" in app.caption[0].value


def test_an_example_fills_the_box():
    app = open_page(CUSTOM_PAGE)
    app = app.selectbox(key="formula_example").set_value("x^2 - y^2").run()
    assert not app.exception
    assert app.text_input(key="formula_text").value == "x^2 - y^2"
    assert "No local minimum" in app.caption[0].value


def test_undefined_region_stops_the_run_with_a_reason():
    app = open_page(CUSTOM_PAGE, formula="log(x) + y^2", starts="0.5,1", lr="0.42")
    assert not app.exception
    (series,) = chart_payload(app)["series"]
    badge = series["badges"][chart_payload(app)["fan"]["index"]]
    assert badge["text"] == "stopped at step 1: the iterate reached a point where f is undefined"


def test_hostile_formula_in_the_link_falls_back_with_a_notice():
    app = open_page(CUSTOM_PAGE, formula="().__class__.__bases__")
    assert not app.exception
    assert len(app.warning) == 1 and "formula" in app.warning[0].value
    assert r"\sin" in app.latex[0].value


def test_plot_range_changes_the_domain_and_refuses_an_empty_one():
    app = open_page(CUSTOM_PAGE, formula="x^2 + y^2")
    app = app.number_input(key="range_low").set_value(-2.0).run()
    assert not app.exception
    assert app.query_params["range"] == "-2,5"
    app = app.number_input(key="range_high").set_value(-3.0).run()
    assert len(app.error) == 1 and "smaller" in app.error[0].value
    assert app.query_params["range"] == "-2,5"


def test_surface_page_custom_entry_takes_a_two_variable_formula():
    app = open_page(SURFACE_PAGE, surface="custom", formula="(x - 1)^2 + (y + 2)^2")
    assert not app.exception and not app.warning
    assert r"f(x, y) = \left(x - 1\right)^{2}" in chart_payload(app)["formula"]
    app = type_formula(app, "x^2")
    assert len(app.error) == 1 and "x and y" in app.error[0].value
    assert app.query_params["formula"] == "(x - 1)^2 + (y + 2)^2"


CURVE_PAGE = "pages/1_Why_minus_the_gradient.py"


def test_a_one_variable_formula_gets_the_curve_view():
    app = open_page(CUSTOM_PAGE, formula="x^4 - 3*x^2 + x")
    assert not app.exception
    assert [panel["id"] for panel in chart_payload(app)["panels"]] == ["curve", "value"]
    assert "(-1.301), (1.131)" in app.caption[0].value


def test_curve_page_custom_entry_takes_a_one_variable_formula():
    app = open_page(CURVE_PAGE, curve="custom", formula="sin(3*x) + 0.1*x^2")
    assert not app.exception and not app.warning
    assert r"\sin{\left(3 x \right)}" in app.latex[0].value
    app = type_formula(app, "x*y")
    assert len(app.error) == 1 and "formula in x" in app.error[0].value
    assert app.query_params["formula"] == "sin(3*x) + 0.1*x^2"


def test_a_formula_of_the_other_dimension_left_by_another_page_is_replaced():
    # "x*y" was typed on the 2D page earlier in this session.
    app = run_page(CURVE_PAGE, {"curve": "custom"}, formula="x*y")
    assert not app.exception
    assert app.latex[0].value.strip("$\n").startswith("f(x) =")
