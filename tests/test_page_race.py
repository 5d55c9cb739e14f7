"""The "Optimizer race" page under Streamlit's AppTest: its controls, its table, its URL state.

A click on the contour map and the chart's learning-rate slider are browser events (tested in
tests/e2e/test_race_page.py); here their effect is driven through session state. The table's
numbers are checked against ``ui.race.results`` for the same settings (itself checked against
``gd_core.outcomes`` by tests/test_race.py).
"""

import numpy as np
import pandas as pd
import pytest
from helpers import chart_payload as payload
from helpers import decode, key, run_page, shown
from streamlit.testing.v1 import AppTest

import gd_core
from gd_core.formatting import format_number
from ui import lessons, race
from ui.runs import RACE_LEARNING_RATES as LEARNING_RATES
from ui.typed_formula import typed_surface

PAGE = "pages/3_Optimizer_race.py"
ALL = tuple(gd_core.OPTIMIZERS)
TITLES = {name: spec.title for name, spec in gd_core.OPTIMIZERS.items()}
HIMMELBLAU = lessons.RACES["himmelblau"].opening


def K(name: str) -> str:
    return key(PAGE, name)


def run(query: dict | None = None, **state) -> AppTest:
    return run_page(PAGE, query, **state)


def assert_ok(app: AppTest) -> dict:
    assert not app.exception, [error.message for error in app.exception]
    data = payload(app)
    assert data["panels"][0]["id"] == "contour"
    return data


def shown_member(app: AppTest) -> dict:
    """The results table's version the chart shows at its slider's position."""
    data = payload(app)
    members = data["table"]["members"]
    return members[min(data["fan"]["index"] if data.get("fan") else 0, len(members) - 1)]


def table(app: AppTest) -> pd.DataFrame:
    """The results table the chart shows at its slider's position, as text."""
    return pd.DataFrame([row["cells"] for row in shown_member(app)["rows"]],
                        columns=[column["label"] for column in payload(app)["table"]["columns"]])


def shown_cell(value) -> str:
    """A value as the table prints it: text as it is, numbers as the chart prints them."""
    return value if isinstance(value, str) else format_number(value)


def expected_table(surface: gd_core.Surface, *, mode="shared", lr=HIMMELBLAU.lr,
                   start=HIMMELBLAU.starts[0], steps=HIMMELBLAU.steps, racers=ALL,
                   hyperparams=None) -> pd.DataFrame:
    """The results table ``ui.race.results`` gives for these settings, as the page shows it."""
    runs, tuned = {}, {}
    for name in racers:
        runs[name], rate = race.run_racer(surface, name, (hyperparams or {}).get(name, {}),
                                          start, steps, mode)
        if rate is not None:
            tuned[name] = rate
    contest = race.Race(mode, np.asarray(start, dtype=float), runs, tuned)
    rows = race.results(surface, contest, LEARNING_RATES.index(lr), TITLES)
    return pd.DataFrame([{title: shown_cell(getattr(row, name))
                          for name, title in race.RESULT_COLUMNS.items()} for row in rows])


def inside_state(surface: gd_core.Surface, optimizer: str, hyperparams: dict) -> np.ndarray:
    """Every quantity ``gd_core.look_inside`` gives of racer ``optimizer`` over the opening race,
    in the order of the inside series' channels (by name: ``<key>_x``, ``<key>_y`` per
    coordinate), flattened."""
    runs, _ = race.run_racer(surface, optimizer, hyperparams, HIMMELBLAU.starts[0],
                             HIMMELBLAU.steps, "shared")
    contest = race.Race("shared", np.asarray(HIMMELBLAU.starts[0]), {optimizer: runs}, {})
    index = LEARNING_RATES.index(HIMMELBLAU.lr)
    made = gd_core.make_optimizer(optimizer, lr=HIMMELBLAU.lr, **hyperparams)
    found = gd_core.look_inside(surface, made, contest.run(optimizer, index))
    channels = {}
    for quantity, values in found.items():
        values = np.asarray(values, dtype=float)
        if values.ndim == 2:
            channels[f"{quantity}_x"], channels[f"{quantity}_y"] = values.T
        else:
            channels[quantity] = values
    return np.concatenate([np.ravel(channels[name]) for name in sorted(channels)])


def assert_same_table(shown_table: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(shown_table.reset_index(drop=True), expected,
                                  check_dtype=False)


def row(frame: pd.DataFrame, optimizer: str) -> pd.Series:
    (found,) = [r for _, r in frame.iterrows() if r["Optimizer"] == TITLES[optimizer]]
    return found


def series_starts(data: dict) -> list[tuple[float, float]]:
    """Where each racer's path begins (at the fan member the chart shows)."""
    index = data["fan"]["index"] if data.get("fan") else 0
    return [(float(decode(series["channels"]["x"])[index, 0]),
             float(decode(series["channels"]["y"])[index, 0]))
            for series in data["series"] if not series["name"].startswith("inside")]


def test_the_page_opens_on_himmelblau_with_six_racers_and_their_table():
    app = run()
    data = assert_ok(app)
    assert app.title[0].value == "Optimizer race"
    assert app.selectbox(key=K("surface")).value == "himmelblau"
    assert [series["name"] for series in data["series"]] == [
        *(TITLES[name] for name in ALL), "inside Adam"]
    assert [item["label"] for item in data["legend"]["items"]] == [TITLES[n] for n in ALL]
    assert data["fan"]["labels"][data["fan"]["index"]] == "0.01"
    assert series_starts(data) == [(0.0, 0.0)] * len(ALL)
    assert [panel["id"] for panel in data["panels"]] == ["contour", "onion", "loss", "inside"]
    assert_same_table(table(app), expected_table(gd_core.get_surface("himmelblau")))
    member = shown_member(app)
    assert member["title"] == "Results (η = 0.01 for all)"
    assert member["summary"].startswith("Winner: Gradient descent — reached")
    assert [row.get("strong", False) for row in member["rows"]] == [True] + [False] * 5
    assert app.get("download_button")
    assert not app.warning and not app.error and dict(app.query_params) == {}


def test_the_what_to_try_notes_are_the_race_lesson():
    data = assert_ok(run())
    assert data["notes"]["title"] == "What to try"
    assert data["notes"]["items"] == list(lessons.RACES["himmelblau"].tips)
    assert data["notes"]["caption"] == gd_core.get_surface("himmelblau").description


def test_tuned_mode_shows_each_racers_tuned_rate_in_the_table_and_legend():
    app = run()
    app.button_group(key=K("mode")).set_value("tuned").run()
    data = assert_ok(app)
    surface = gd_core.get_surface("himmelblau")
    shown_table = table(app)
    for name in ALL:
        rate = gd_core.tune_lr(surface, name, HIMMELBLAU.starts[0], HIMMELBLAU.steps)
        assert row(shown_table, name)["η"] == format_number(rate), name
    assert_same_table(shown_table, expected_table(surface, mode="tuned"))
    assert all(" · tuned η = " in item["label"] for item in data["legend"]["items"])
    assert data.get("fan") is None, "no learning-rate slider on the chart when tuned"
    assert shown_member(app)["title"] == "Results (each at its tuned rate)"
    assert app.select_slider(key=K("lr")).disabled, "the shared rate is not in use"
    assert app.query_params["mode"] == "tuned"


def test_mode_tuned_in_the_link():
    app = run({"mode": "tuned"})
    assert_ok(app)
    assert app.button_group(key=K("mode")).value == "tuned"
    assert_same_table(table(app), expected_table(gd_core.get_surface("himmelblau"),
                                                 mode="tuned"))


def test_removing_racers_shrinks_the_table_and_the_chart():
    app = run()
    app.button_group(key=K("racers")).set_value(["gd", "adam"]).run()
    data = assert_ok(app)
    assert list(table(app)["Optimizer"]) == ["Gradient descent", "Adam"]
    assert [item["label"] for item in data["legend"]["items"]] == ["Gradient descent", "Adam"]
    assert_same_table(table(app), expected_table(gd_core.get_surface("himmelblau"),
                                                 racers=("gd", "adam")))
    assert app.query_params["racers"] == "gd,adam"
    app.button_group(key=K("racers")).set_value(["momentum"]).run()
    data = assert_ok(app)
    assert list(table(app)["Optimizer"]) == ["Momentum"]
    assert app.selectbox(key=K("inside")).value == "momentum", "look inside a racer that runs"
    assert data["series"][-1]["name"] == "inside Momentum"
    app.button_group(key=K("racers")).set_value([]).run()
    assert not app.exception and not app.get("bidi_component")
    assert "Pick at least one racer" in app.info[0].value


@pytest.mark.parametrize(("optimizer", "name", "value", "hyperparams"), [
    ("momentum", "momentum_momentum", "0.5", {"momentum": 0.5}),
    ("nesterov", "nesterov_momentum", "0.3", {"momentum": 0.3}),
    ("rmsprop", "rmsprop_alpha", "0.9", {"alpha": 0.9}),
    ("adam", "adam_beta1", "0.5", {"betas": (0.5, 0.999)}),
    ("adagrad", "adagrad_eps", "0.0001", {"eps": 1e-4}),
])
def test_each_racers_own_hyperparameters_reach_its_run(optimizer, name, value, hyperparams):
    surface = gd_core.get_surface("himmelblau")
    app = run({name: value, "inside": optimizer})
    data = assert_ok(app)
    shown_table = table(app)
    changed = expected_table(surface, hyperparams={optimizer: hyperparams})
    assert_same_table(shown_table, changed)
    # The racer's own run: its optimizer's state, as the inside panel shows it (a table cell's
    # three digits may not tell, say, AdaGrad's ε apart).
    channels = data["series"][-1]["channels"]
    shown_state = np.concatenate([decode(channels[name]).ravel() for name in sorted(channels)])
    assert np.allclose(shown_state, inside_state(surface, optimizer, hyperparams), rtol=1e-6,
                       equal_nan=True)
    assert not np.allclose(shown_state, inside_state(surface, optimizer, {}), rtol=1e-6,
                           equal_nan=True)
    plain = expected_table(surface)
    for other in ALL:
        if other != optimizer:
            assert row(shown_table, other).drop("Place").equals(row(plain, other).drop("Place"))


def test_a_hyperparameter_slider_changes_only_its_racer_and_the_link_keeps_it():
    app = run()
    app.slider(key=K("momentum_momentum")).set_value(0.5).run()
    assert_ok(app)
    assert app.query_params["momentum_momentum"] == "0.5"
    assert app.slider(key=K("nesterov_momentum")).value == 0.9, "Nesterov keeps its own"
    assert_same_table(table(app), expected_table(
        gd_core.get_surface("himmelblau"), hyperparams={"momentum": {"momentum": 0.5}}))


def test_a_click_on_the_map_moves_the_start_of_every_racer():
    app = run()
    # What the chart's click callback (_move_start) does, as the browser would trigger it.
    app.session_state[K("start")] = (1.0, -1.0)
    app.run()
    data = assert_ok(app)
    assert series_starts(data) == [(1.0, -1.0)] * len(ALL)
    assert app.query_params["start"] == "1,-1"
    assert_same_table(table(app), expected_table(gd_core.get_surface("himmelblau"),
                                                 start=(1.0, -1.0)))


def test_a_typed_start_moves_every_racer_and_a_bad_one_says_why():
    app = run()
    app.text_input(key=K("typed_start")).set_value("-1, 1").run()
    assert series_starts(assert_ok(app)) == [(-1.0, 1.0)] * len(ALL)
    assert app.query_params["start"] == "-1,1"
    app.text_input(key=K("typed_start")).set_value("1, 99").run()
    assert "y must lie between −5 and 5" in shown(app.error[0].value)
    app.text_input(key=K("typed_start")).set_value("one, two").run()
    assert "not a number" in shown(app.error[0].value)
    assert app.query_params["start"] == "-1,1", "bad text moves nothing"


def test_the_values_set_go_into_the_link_and_the_link_restores_them():
    app = run()
    app.selectbox(key=K("surface")).set_value("rosenbrock").run()
    app.button_group(key=K("racers")).set_value(["gd", "momentum", "adam"]).run()
    app.select_slider(key=K("lr")).set_value(0.0004).run()
    app.slider(key=K("steps")).set_value(150).run()
    app.text_input(key=K("typed_start")).set_value("0.5, -0.5").run()
    app.slider(key=K("momentum_momentum")).set_value(0.8).run()
    app.select_slider(key=K("adam_beta2")).set_value(0.99).run()
    app.selectbox(key=K("inside")).set_value("momentum").run()
    app.toggle(key=K("log")).set_value(False).run()
    app.toggle(key=K("show3d")).set_value(False).run()
    before = assert_ok(app)
    query = dict(app.query_params)
    assert query == {
        "surface": "rosenbrock", "racers": "gd,momentum,adam", "lr": "0.0004", "steps": "150",
        "start": "0.5,-0.5", "momentum_momentum": "0.8", "adam_beta2": "0.99",
        "inside": "momentum", "log": "0", "show3d": "0"}
    surface = gd_core.get_surface("rosenbrock")
    expected = expected_table(surface, lr=0.0004, start=(0.5, -0.5), steps=150,
                              racers=("gd", "momentum", "adam"),
                              hyperparams={"momentum": {"momentum": 0.8},
                                           "adam": {"betas": (0.9, 0.99)}})
    assert_same_table(table(app), expected)

    again = run(query)
    after = assert_ok(again)
    assert_same_table(table(again), expected)
    assert after["series"] == before["series"] and after["panels"] == before["panels"]
    assert again.slider(key=K("momentum_momentum")).value == 0.8
    assert again.selectbox(key=K("inside")).value == "momentum"
    assert not again.warning and dict(again.query_params) == query, "the URL stays as it came"


def test_changing_the_surface_opens_its_race_lesson():
    app = run()
    app.text_input(key=K("typed_start")).set_value("1, 1").run()
    app.selectbox(key=K("surface")).set_value("rosenbrock").run()
    opening = lessons.RACES["rosenbrock"].opening
    data = assert_ok(app)
    assert app.select_slider(key=K("lr")).value == opening.lr
    assert app.slider(key=K("steps")).value == opening.steps
    assert series_starts(data) == [opening.starts[0]] * len(ALL)
    assert data["notes"]["items"] == list(lessons.RACES["rosenbrock"].tips)
    query = dict(app.query_params)
    query.pop("racers", None)  # see test_the_default_racers_need_no_link_parameter
    assert query == {"surface": "rosenbrock"}, "its opening needs no more"


@pytest.mark.parametrize(("name", "text"), [
    ("racers", "foo"), ("racers", "gd,foo"), ("start", "abc"),
    ("start", "1,nan"), ("start", "1,2,3"), ("mode", "x"), ("steps", "7"), ("lr", "fast"),
    ("inside", "sgd"), ("momentum_momentum", "2"), ("banana", "1"),
])
def test_a_bad_url_parameter_falls_back_with_a_notice(name, text):
    app = run({name: text})
    data = assert_ok(app)
    assert len(app.warning) == 1
    assert shown(app.warning[0].value).startswith(f"Ignored {name}={text}")
    assert len(data["legend"]["items"]) == len(ALL) and len(table(app)) == len(ALL)
    assert name not in app.query_params, "the link drops what it could not use"


def test_a_surface_without_known_minima_races_on_a_plain_loss_axis():
    app = run({"surface": "saddle"})
    data = assert_ok(app)
    assert next(p for p in data["panels"] if p["id"] == "loss")["layout"]["yaxis"]["type"] == (
        "linear"), "f − f* needs a known minimum"
    surface = gd_core.get_surface("saddle")
    opening = lessons.RACES["saddle"].opening
    expected = expected_table(surface, lr=opening.lr, start=opening.starts[0],
                              steps=opening.steps)
    assert_same_table(table(app), expected)
    assert set(table(app)["Nearest minimum"]) == {"—"}
    assert data["notes"]["items"] == list(lessons.RACES["saddle"].tips)
    app.button_group(key=K("mode")).set_value("tuned").run()
    assert_ok(app)
    assert_same_table(table(app), expected_table(surface, mode="tuned", lr=opening.lr,
                                                 start=opening.starts[0],
                                                 steps=opening.steps))


def test_a_typed_formula_races_with_general_tips():
    query = {"surface": "custom", "formula": "x^2 + 3*y^2"}
    app = run(query)
    data = assert_ok(app)
    surface = typed_surface({"formula": "x^2 + 3*y^2",
                             "range": app.session_state[K("range")]})
    found = lessons.race_lesson(surface)
    opening = lessons.race_opening_values(surface)
    assert data["notes"]["items"] == list(found.tips)
    assert series_starts(data) == [tuple(opening["start"])] * len(ALL)
    assert_same_table(table(app), expected_table(
        surface, lr=opening["lr"], start=opening["start"], steps=opening["steps"]))
    assert set(table(app)["Nearest minimum"]) == {"(0, 0) global"}
    assert dict(app.query_params) == query


def test_a_typed_formula_undefined_everywhere_shows_why_and_no_race():
    app = run({"surface": "custom", "formula": "sqrt(-x^2 - y^2 - 1)"})
    assert not app.exception
    assert "undefined everywhere" in shown(app.error[0].value)
    assert not app.get("bidi_component")


def test_look_inside_follows_the_chosen_racer():
    app = run()
    for name in ("gd", "adagrad", "rmsprop", "momentum"):
        app.selectbox(key=K("inside")).set_value(name).run()
        data = assert_ok(app)
        assert data["series"][-1]["name"] == f"inside {TITLES[name]}"
        assert data["panels"][-1]["id"] == "inside"
        assert app.query_params.get("inside") == name
    # What it plots is the racer's own run seen from inside (here at the opening's rate).
    optimizer = gd_core.make_optimizer("momentum", lr=HIMMELBLAU.lr)
    surface = gd_core.get_surface("himmelblau")
    expected = gd_core.look_inside(surface, optimizer, gd_core.descend(
        surface, optimizer, HIMMELBLAU.starts[0], HIMMELBLAU.steps))
    channels = data["series"][-1]["channels"]
    np.testing.assert_allclose(decode(channels["buffer_x"]), expected["buffer"][:, 0],
                               rtol=1e-6)


def test_the_chart_learning_rate_callback_moves_the_table():
    app = run()
    # The component's on_fan callback sets the learning rate by index before the next run.
    app.session_state[K("lr")] = 0.001
    app.run()
    assert_ok(app)
    assert app.select_slider(key=K("lr")).value == 0.001
    assert app.query_params["lr"] == "0.001"
    assert set(table(app)["η"]) == {"0.001"}
    assert_same_table(table(app), expected_table(gd_core.get_surface("himmelblau"), lr=0.001))


# --- bugs found while writing these tests (they fail until the page is fixed) -----------------


def test_the_default_racers_need_no_link_parameter():
    # The racers' segmented control hands back a list after any rerun a widget causes, and
    # PageState.save compares it with the tuple default: the link then always carries all six.
    app = run()
    app.button_group(key=K("mode")).set_value("tuned").run()
    assert_ok(app)
    assert dict(app.query_params) == {"mode": "tuned"}, "the six racers are the default"
    app.button_group(key=K("racers")).set_value(["gd", "adam"]).run()
    app.button_group(key=K("racers")).set_value(list(ALL)).run()
    assert_ok(app)
    assert "racers" not in app.query_params, "all six again: the link is the plain one"


def test_a_momentum_of_zero_for_nesterov_in_the_link_falls_back_without_an_exception():
    # Nesterov's slider starts at 0.01 (torch refuses 0) but the link accepts 0 like Momentum's.
    app = run({"nesterov_momentum": "0"})
    assert not app.exception, [error.message for error in app.exception]
    assert len(table(app)) == len(ALL)


def test_tuned_mode_survives_the_next_change():
    # Streamlit drops a widget's value after a run that does not draw it: the learning rate's
    # slider stays (disabled) in tuned mode, so later runs still find the rate.
    app = run({"mode": "tuned"})
    assert_ok(app)
    app.toggle(key=K("log")).set_value(False).run()
    assert_ok(app)
    app.toggle(key=K("show3d")).set_value(False).run()
    assert_ok(app)
    assert app.select_slider(key=K("lr")).disabled
