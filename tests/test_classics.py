"""The home page's classic examples: each link opens its page in exactly the textbook scenario.

Each link is opened the way a browser would (the page script with the link's query parameters)
and the first step drawn on the chart is checked against the textbook numbers.
"""

from pathlib import Path

import numpy as np
import pytest
from helpers import chart_payload, decode, key, run_page
from streamlit.testing.v1 import AppTest

import gd_core
from ui.classics import CLASSICS, CURVE_PAGE, SURFACE_PAGE

ROOT = Path(__file__).resolve().parent.parent


def open_link(classic) -> tuple[AppTest, dict]:
    app = run_page(classic.page, classic.params)
    assert not app.exception, [error.message for error in app.exception]
    assert not app.warning, [warning.value for warning in app.warning]
    return app, chart_payload(app)


def channel(data: dict, run: int, name: str) -> np.ndarray:
    """One run's channel at the learning rate the chart opens with."""
    return decode(data["series"][run]["channels"][name])[data["fan"]["index"]]


def textbook_first_step(classic) -> tuple[gd_core.Surface, np.ndarray, np.ndarray]:
    """Starts and first steps computed by gd_core from the textbook numbers themselves."""
    params = classic.params
    name = params.get("curve") or params["surface"]
    surface = gd_core.get_surface(name)
    lr = float(params["lr"])
    hyperparams = {"momentum": float(params["momentum"])} if "momentum" in params else {}
    if "starts" in params:
        starts = np.array([[float(v) for v in item.split(",")]
                           for item in params["starts"].split(";")])
    else:
        starts = np.array([[float(params["start"])]])
    run = gd_core.descend(surface, gd_core.make_optimizer(params["optimizer"], lr=lr,
                                                          **hyperparams), starts, 1)
    return surface, run.points[0], run.points[1]


def test_there_are_the_classics_of_the_issue():
    assert len(CLASSICS) == 8
    assert {classic.page for classic in CLASSICS} == {CURVE_PAGE, SURFACE_PAGE}


@pytest.mark.parametrize("classic", CLASSICS, ids=lambda classic: classic.title)
def test_each_link_opens_its_scenario_and_first_step(classic):
    app, data = open_link(classic)
    params = classic.params
    assert data["fan"]["labels"][data["fan"]["index"]] == params["lr"], "exactly the textbook η"
    assert app.button_group(key=key(classic.page, "optimizer")).value == params["optimizer"]
    if "momentum" in params:
        assert app.slider(key=key(classic.page, "momentum")).value == float(params["momentum"])
    _, starts, first = textbook_first_step(classic)
    if classic.page == CURVE_PAGE:
        x = channel(data, 0, "x")
        assert len(x) == int(params["steps"]) + 1
        # float32 in the payload: the first step to 6 significant digits.
        assert x[0] == pytest.approx(starts[0, 0], abs=1e-6)
        assert x[1] == pytest.approx(first[0, 0], rel=1e-6, abs=1e-6)
    else:
        assert len(data["series"]) == len(starts)
        for run, (start, step) in enumerate(zip(starts, first, strict=True)):
            xy = np.stack([channel(data, run, "x"), channel(data, run, "y")], axis=-1)
            # float16 in the payload: about 3 significant digits.
            np.testing.assert_allclose(xy[0], start, rtol=2e-3, atol=2e-3)
            np.testing.assert_allclose(xy[1], step, rtol=2e-3, atol=2e-3)


@pytest.mark.parametrize(("title", "start", "first"), [
    ("6x² − 12x + 3 from −0.9, η = 0.03", -0.9, -0.216),
    ("6x² − 12x + 3 from 0.75, η = 0.15", 0.75, 1.2),
    ("(w − 3)² from w₀ = 0, η = 0.1", 0.0, 0.6),
])
def test_the_curve_classics_show_the_textbook_numbers(title, start, first):
    (classic,) = [classic for classic in CLASSICS if classic.title == title]
    app, data = open_link(classic)
    x = channel(data, 0, "x")
    assert (x[0], x[1]) == (pytest.approx(start), pytest.approx(first))
    assert f"= {first:g}" in app.latex[-1].value, "the worked first step"


def test_the_surface_classics_show_the_textbook_numbers():
    (bowl,) = [classic for classic in CLASSICS if classic.title.startswith("Bowl")]
    _, data = open_link(bowl)
    # (−0.5, 2.9) − 0.02 · ∇f, ∇f = (12x − 12, 18y − 14) = (−18, 38.2): (−0.14, 2.136).
    step = [channel(data, 0, "x")[1], channel(data, 0, "y")[1]]
    np.testing.assert_allclose(step, [-0.14, 2.136], rtol=2e-3)
