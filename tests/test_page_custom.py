"""Typed formulas in the app: the "Your own function" page and the 2D page's "Custom formula…".

Bad input must show a message and change nothing else on the page.
"""


import pytest
from helpers import chart_payload, key, run_page, shown
from streamlit.testing.v1 import AppTest

CUSTOM_PAGE = "pages/6_Your_own_function.py"
SURFACE_PAGE = "pages/2_Descent_on_a_surface.py"


def open_page(path: str, **query) -> AppTest:
    return run_page(path, query)


def type_formula(app: AppTest, text: str, page: str = CUSTOM_PAGE) -> AppTest:
    return app.text_input(key=key(page, "formula_text")).set_value(text).run()


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
    assert len(app.error) == 1 and message in shown(app.error[0].value)
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
    app = app.selectbox(key=key(CUSTOM_PAGE, "formula_example")).set_value("x^2 - y^2").run()
    assert not app.exception
    assert app.text_input(key=key(CUSTOM_PAGE, "formula_text")).value == "x^2 - y^2"
    assert "No local minimum" in app.caption[0].value


def test_an_example_curve_opens_over_the_range_made_for_curves_and_a_surface_back_over_its_own():
    app = open_page(CUSTOM_PAGE)
    app = app.selectbox(key=key(CUSTOM_PAGE, "formula_example")).set_value(
        "x^4 - 3*x^2 + x").run()
    assert not app.exception and not app.error
    assert app.query_params["range"] == "-2.5,2.5"
    assert app.number_input(key=key(CUSTOM_PAGE, "range_low")).value == -2.5
    curve = chart_payload(app)["panels"][0]
    assert -3 < curve["layout"]["xaxis"]["range"][0] < -2.5  # the new range, a margin around it
    app = app.selectbox(key=key(CUSTOM_PAGE, "formula_example")).set_value("x^2 - y^2").run()
    assert not app.exception and "range" not in app.query_params  # back to −5 … 5, the default


def test_undefined_region_stops_the_run_with_a_reason():
    app = open_page(CUSTOM_PAGE, formula="log(x) + y^2", starts="0.5,1", lr="0.4")
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
    app = app.number_input(key=key(CUSTOM_PAGE, "range_low")).set_value(-2.0).run()
    assert not app.exception
    assert app.query_params["range"] == "-2,5"
    app = app.number_input(key=key(CUSTOM_PAGE, "range_high")).set_value(-3.0).run()
    assert len(app.error) == 1 and "smaller" in shown(app.error[0].value)
    assert app.query_params["range"] == "-2,5"


def test_surface_page_custom_entry_takes_a_two_variable_formula():
    app = open_page(SURFACE_PAGE, surface="custom", formula="(x - 1)^2 + (y + 2)^2")
    assert not app.exception and not app.warning
    assert r"f(x, y) = \left(x - 1\right)^{2}" in chart_payload(app)["formula"]
    app = type_formula(app, "x^2", SURFACE_PAGE)
    assert len(app.error) == 1 and "x and y" in shown(app.error[0].value)
    assert app.query_params["formula"] == "(x - 1)^2 + (y + 2)^2"


CURVE_PAGE = "pages/1_Why_minus_the_gradient.py"


def test_a_one_variable_formula_gets_the_curve_view():
    app = open_page(CUSTOM_PAGE, formula="x^4 - 3*x^2 + x")
    assert not app.exception
    assert [panel["id"] for panel in chart_payload(app)["panels"]] == ["curve", "value"]
    assert "x = −1.301, x = 1.131" in app.caption[0].value


def test_curve_page_custom_entry_takes_a_one_variable_formula():
    app = open_page(CURVE_PAGE, curve="custom", formula="sin(3*x) + 0.1*x^2")
    assert not app.exception and not app.warning
    assert r"\sin{\left(3 x \right)}" in app.latex[0].value
    app = type_formula(app, "x*y", CURVE_PAGE)
    assert len(app.error) == 1 and "formula in x" in shown(app.error[0].value)
    assert app.query_params["formula"] == "sin(3*x) + 0.1*x^2"


def test_messages_show_the_formula_text_literally():
    # Markdown would take the stars of "3*x" for emphasis: the reader must see them.
    app = type_formula(open_page(CUSTOM_PAGE), "3x + y")
    (error,) = app.error
    assert r"write 3\*x" in error.value
    assert "missing '*' between '3' and 'x': write 3*x" in shown(error.value)
    app = open_page(CUSTOM_PAGE, formula="x +")
    (notice,) = app.warning
    assert r"\*cos" in notice.value
    assert "using the default (sin(x)*cos(y) + 0.1*(x^2 + y^2))" in shown(notice.value)


def test_a_formula_too_long_is_refused_with_the_limit_and_a_long_text_is_not_cut():
    app = open_page(CUSTOM_PAGE)
    assert not app.text_input(key=key(CUSTOM_PAGE, "formula_text")).max_chars, "no limit"
    long = " + ".join(["x^2"] * 66)  # 393 characters: the box takes it whole
    app = type_formula(app, long)
    assert app.text_input(key=key(CUSTOM_PAGE, "formula_text")).value == long
    assert "the formula is too long: 393 characters, at most 300" in shown(app.error[0].value)


def test_after_a_bad_formula_the_page_says_it_still_shows_the_last_good_one():
    app = type_formula(open_page(CUSTOM_PAGE, formula="x^2 + y^2"), "x^2 + z")
    (error,) = app.error
    assert ("The page still shows the last formula that worked: x^2 + y^2"
            in shown(error.value))
    assert "the last formula that worked" in " ".join(block.value for block in app.markdown)
    app = type_formula(app, "x^2 + 2*y^2")
    assert not app.error
    assert "last formula" not in " ".join(block.value for block in app.markdown)


def test_a_curve_formula_opens_where_it_is_defined():
    app = open_page(CURVE_PAGE, curve="custom", formula="log(x)")
    assert not app.exception and not app.warning
    x0 = app.slider(key=key(CURVE_PAGE, "start_slider")).value
    assert x0 > 0, "log(x) is defined only right of 0"
    data = chart_payload(app)
    badge = data["series"][0]["badges"][data["fan"]["index"]]["text"]
    assert "step 0" not in badge


@pytest.mark.parametrize(("page", "query", "formula", "plotted"), [
    (CURVE_PAGE, {"curve": "custom"}, "sqrt(-x^2-1)", "−2.5 … 2.5"),
    (CUSTOM_PAGE, {}, "sqrt(-x^2-1)", "−5 … 5"),
    (SURFACE_PAGE, {"surface": "custom"}, "sqrt(-x^2-y^2-1)", "−5 … 5"),
])
def test_a_formula_undefined_everywhere_says_so_and_draws_nothing(page, query, formula, plotted):
    app = type_formula(open_page(page, **query), formula, page)
    assert not app.exception
    (error,) = app.error
    assert f"undefined everywhere in the plotted range {plotted}" in shown(error.value)
    assert not app.get("bidi_component"), "no chart of nonsense"
    assert set(app.query_params) <= {"curve", "surface", "formula"}, "no settings of no view"
