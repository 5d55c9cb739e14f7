"""The home page through Streamlit's AppTest: the rule, the live demo, the map of pages, the
classic examples, and the navigation that titles every page."""

import gc
import json
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from helpers import chart_payload, key, switch_to_home
from streamlit.testing.v1 import AppTest

from ui.chart import unpacked
from ui.classics import CLASSICS

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


@pytest.fixture
def app():
    """A fresh session for each test, so no test depends on what another did."""
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception, [error.message for error in app.exception]
    return app


def links(app) -> list:
    return [(link.proto.page, link.proto.label, link.proto.query_string)
            for link in app.get("page_link")]


def test_home_page_renders_the_update_rule_and_the_library_summary(app):
    assert app.title[0].value == "Descent Lab"
    assert any(r"\nabla f(\theta)" in latex.value for latex in app.latex)
    text = " ".join(block.value for block in app.markdown)
    assert "14 test functions" in text
    assert "Adam" in text


def test_the_live_demo_is_the_small_curve_view_with_a_learning_rate_fan(app):
    (component,) = app.get("bidi_component")
    data = unpacked(json.loads(component.proto.json))
    assert [panel["id"] for panel in data["panels"]] == ["curve"]
    assert len(data["fan"]["labels"]) > 40
    assert data["fan"]["marks"][0]["label"] == "2/f″ = 0.167"
    assert data["series"][0]["badges"][data["fan"]["index"]]["text"].startswith(
        "converging smoothly")


def test_the_demo_follows_a_click_and_the_chart_learning_rate(app):
    app.session_state["demo_start"] = 2.5
    app.session_state["demo_eta"] = 0.2
    app.run()
    (component,) = app.get("bidi_component")
    data = unpacked(json.loads(component.proto.json))
    assert data["series"][0]["name"] == "start x₀ = 2.5"
    assert data["fan"]["labels"][data["fan"]["index"]] == "0.2"


def test_a_card_for_each_existing_page_and_none_for_missing_ones(app):
    pages = sorted((ROOT / "pages").glob("[0-9]_*.py"))
    cards = [link for link in links(app) if not link[2]]
    titled = {page: label for page, label, _ in cards}
    for path in pages:
        url_path = path.stem.split("_", 1)[1]
        assert url_path in titled, f"no card for {path.name}"
    assert len(cards) == len(pages), "no card for a page that does not exist"


def test_each_classic_example_is_a_link_with_its_query_parameters(app):
    examples = {label: (page, query) for page, label, query in links(app) if query}
    assert len(examples) == len(CLASSICS)
    for classic in CLASSICS:
        page, query = examples[classic.title]
        assert page == Path(classic.page).stem.split("_", 1)[1]
        assert {name: values[0] for name, values in parse_qs(query).items()} == classic.params


def test_the_navigation_titles_every_page_and_calls_the_home_page_home(app):
    # AppTest keeps what st.navigation registered (the sidebar's entries) in _registered_pages.
    entries = {page["page_name"]: page["url_pathname"]
               for page in app._registered_pages.values()}
    pages = sorted((ROOT / "pages").glob("[0-9]_*.py"))
    assert next(iter(entries)) == "Home" and entries["Home"] == ""
    assert "app" not in entries
    assert sorted(entries.values())[1:] == sorted(path.stem.split("_", 1)[1] for path in pages)
    assert entries["Why minus the gradient"] == "Why_minus_the_gradient"


def test_the_pages_run_under_the_navigation():
    app = AppTest.from_file(APP, default_timeout=60).run()
    app.switch_page("pages/1_Why_minus_the_gradient.py").run()
    assert not app.exception
    assert app.title[0].value == "Why minus the gradient"
    app.switch_page("pages/2_Descent_on_a_surface.py").run()
    assert not app.exception
    assert app.title[0].value == "Descent on a surface"


CURVE = "pages/1_Why_minus_the_gradient.py"
SURFACE = "pages/2_Descent_on_a_surface.py"
CUSTOM = "pages/6_Your_own_function.py"


def test_a_page_comes_back_exactly_as_it_was_left():
    app = AppTest.from_file(APP, default_timeout=60).run()
    app.switch_page(SURFACE).run()
    app.selectbox(key=key(SURFACE, "surface")).set_value("ravine").run()
    app.button_group(key=key(SURFACE, "optimizer")).set_value("momentum").run()
    app.slider(key=key(SURFACE, "momentum")).set_value(0.5).run()
    app.select_slider(key=key(SURFACE, "lr")).set_value(0.015).run()
    app.slider(key=key(SURFACE, "steps")).set_value(200).run()
    app.toggle(key=key(SURFACE, "show3d")).set_value(False).run()
    app.session_state[key(SURFACE, "starts")] = ((2.0, 2.0),)  # a click on the map
    app.run()
    left = dict(app.query_params)
    switch_to_home(app).run()
    assert app.title[0].value == "Descent Lab"
    app.switch_page(SURFACE).run()
    assert not app.exception
    assert app.selectbox(key=key(SURFACE, "surface")).value == "ravine"
    assert app.button_group(key=key(SURFACE, "optimizer")).value == "momentum"
    assert app.slider(key=key(SURFACE, "momentum")).value == 0.5
    assert app.select_slider(key=key(SURFACE, "lr")).value == 0.015
    assert app.slider(key=key(SURFACE, "steps")).value == 200
    assert app.toggle(key=key(SURFACE, "show3d")).value is False
    data = chart_payload(app)
    assert [series["name"] for series in data["series"]] == ["start 1 (2, 2)"]
    assert dict(app.query_params) == left, "the same link"


def test_pages_do_not_hand_each_other_their_values():
    app = AppTest.from_file(APP, default_timeout=60).run()
    app.switch_page(CURVE).run()
    app.button_group(key=key(CURVE, "optimizer")).set_value("adam").run()
    app.select_slider(key=key(CURVE, "lr")).set_value(0.2).run()
    app.switch_page(SURFACE).run()
    assert not app.exception
    assert app.button_group(key=key(SURFACE, "optimizer")).value == "gd"
    assert app.select_slider(key=key(SURFACE, "lr")).value == 0.01, "Himmelblau's opening"
    app.switch_page(CURVE).run()
    assert app.button_group(key=key(CURVE, "optimizer")).value == "adam"
    assert app.select_slider(key=key(CURVE, "lr")).value == 0.2


def test_links_carry_only_what_their_page_reads_and_uses():
    app = AppTest.from_file(APP, default_timeout=60).run()
    app.switch_page(SURFACE).run()
    app.selectbox(key=key(SURFACE, "surface")).set_value("custom").run()
    app.text_input(key=key(SURFACE, "formula_text")).set_value("x^2 + 3*y^2").run()
    assert app.query_params["formula"] == "x^2 + 3*y^2"
    app.selectbox(key=key(SURFACE, "surface")).set_value("bowl").run()
    assert "formula" not in app.query_params, "no formula while the surface is not custom"
    app.button_group(key=key(SURFACE, "optimizer")).set_value("adam").run()
    app.button_group(key=key(SURFACE, "optimizer")).set_value("gd").run()
    assert not {"beta1", "beta2", "eps", "momentum"} & set(app.query_params)
    app.switch_page(SURFACE).run()
    app.selectbox(key=key(SURFACE, "surface")).set_value("custom").run()
    app.switch_page(CURVE).run()
    assert not app.exception and not app.warning
    assert "formula" not in app.query_params
    assert app.selectbox(key=key(CURVE, "curve")).value == "quadratic_1d"


def test_an_old_link_with_eta_and_iterations_still_works():
    app = AppTest.from_file(str(ROOT / CURVE), default_timeout=60)
    app.query_params.update({"curve": "bowl_1d", "eta": "0.5", "iterations": "20"})
    app.run()
    assert not app.exception and not app.warning
    assert app.select_slider(key=key(CURVE, "lr")).value == 0.5
    assert app.slider(key=key(CURVE, "steps")).value == 20
    assert dict(app.query_params) == {"curve": "bowl_1d", "lr": "0.5", "steps": "20"}


def test_the_home_page_words_its_demo_true_at_every_width(app):
    text = " ".join(block.value for block in app.markdown)
    assert "on the right" not in text and "below" not in text
    assert "Try it in the demo" in text


def test_what_the_first_run_leaves_alive_is_out_of_later_garbage_collections():
    AppTest.from_file(APP, default_timeout=60).run()
    assert gc.get_freeze_count() > 0
