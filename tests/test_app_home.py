"""Smoke test of the home page through Streamlit's AppTest."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_home_page_renders_the_update_rule_and_the_library_summary():
    app = AppTest.from_file(APP, default_timeout=30).run()
    assert not app.exception
    assert app.title[0].value == "Descent Lab"
    assert any(r"\nabla f(\theta)" in latex.value for latex in app.latex)
    text = " ".join(block.value for block in app.markdown)
    assert "14 test functions" in text
    assert "Adam" in text
