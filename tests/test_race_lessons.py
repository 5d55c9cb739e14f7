"""What the race's "What to try" tips (ui.lessons.RACES) claim is what the race computes: every
claim with a number or a ranking, checked against ``ui.race`` (runs and results table) and
gd_core, as tests/test_lessons.py does for the other lessons."""

import re

import numpy as np

import gd_core
from ui import lessons, race
from ui.runs import RACE_LEARNING_RATES as LEARNING_RATES

TITLES = {name: spec.title for name, spec in gd_core.OPTIMIZERS.items()}


def contest(name: str, mode: str) -> tuple[gd_core.Surface, race.Race, list[race.Result]]:
    """The race the tips of ``name`` speak of: its opening, all six racers, default settings."""
    surface = gd_core.get_surface(name)
    opening = lessons.RACES[name].opening
    runs, tuned = {}, {}
    for optimizer in gd_core.OPTIMIZERS:
        runs[optimizer], rate = race.run_racer(surface, optimizer, {}, opening.starts[0],
                                               opening.steps, mode)
        if rate is not None:
            tuned[optimizer] = rate
    races = race.Race(mode, np.asarray(opening.starts[0], dtype=float), runs, tuned)
    return surface, races, race.results(surface, races, LEARNING_RATES.index(opening.lr), TITLES)


def path(races: race.Race, optimizer: str, lr: float) -> np.ndarray:
    """The points of ``optimizer``'s run at ``lr`` (the slider's) as raced, ``(steps + 1, 2)``."""
    return races.runs[optimizer].points[races.member(optimizer, LEARNING_RATES.index(lr)), 0]


def by_name(rows: list[race.Result]) -> dict[str, race.Result]:
    return {row.optimizer: row for row in rows}


def first_step_off_the_map(surface: gd_core.Surface, points: np.ndarray) -> int:
    """The first step at which the iterate is outside the plotted domain (or gone); -1: never."""
    low, high = np.array(surface.domain).T
    with np.errstate(invalid="ignore"):
        inside = np.all((points >= low) & (points <= high), axis=-1)
    off = np.flatnonzero(~inside)
    return int(off[0]) if off.size else -1


def test_every_race_lesson_opens_on_the_controls_and_surfaces_the_page_offers():
    for name, lesson in lessons.RACES.items():
        surface = gd_core.get_surface(name)
        assert surface.dim == 2, name
        assert lesson.opening.lr in LEARNING_RATES, name
        assert 10 <= lesson.opening.steps <= 500 and lesson.opening.steps % 10 == 0, name
        (start,) = lesson.opening.starts
        assert all(low <= c <= high for c, (low, high) in zip(start, surface.domain,
                                                              strict=True)), name
        assert lesson.tips, name
        for tip in lesson.tips:
            for number in re.findall(r"η = (\d+(?:\.\d+)?)", tip):
                assert float(number) == lesson.opening.lr, (name, tip)
        assert lessons.race_opening_values(surface) == {
            "lr": lesson.opening.lr, "steps": lesson.opening.steps, "start": start}


def test_a_surface_without_a_race_lesson_races_from_its_own_lessons_first_start():
    for name, surface in gd_core.SURFACES.items():
        if surface.dim != 2 or name in lessons.RACES:
            continue
        own = lessons.LESSONS[name].opening
        found = lessons.race_lesson(surface)
        assert found.opening.starts == own.starts[:1], name
        assert found.opening.lr in LEARNING_RATES, name
        assert own.lr / 1.7 < found.opening.lr <= own.lr, name
        assert any("tuned rate" in tip for tip in found.tips)


# --- Himmelblau ------------------------------------------------------------------------------


def test_himmelblau_plain_gradient_descent_wins_at_3_2_in_20_steps():
    _, _, rows = contest("himmelblau", "shared")
    winner = rows[0]
    assert winner.optimizer == "Gradient descent" and winner.place == 1
    assert [row.place for row in rows].count(1) == 1, "alone in first place"
    assert winner.minimum == "(3, 2) global" and winner.reached_at == 20


def test_himmelblau_momentum_overshoots_into_another_minimum():
    _, races, rows = contest("himmelblau", "shared")
    momentum = by_name(rows)["Momentum"]
    assert momentum.minimum == "(3.58, −1.85) global" and momentum.reached_at >= 0
    points = path(races, "momentum", 0.01)
    gd_minimum = np.array([3.0, 2.0])
    # It passes the minimum gradient descent stops at before it settles in the other one.
    assert np.min(np.linalg.norm(points - gd_minimum, axis=-1)) < 0.5
    np.testing.assert_allclose(points[-1], [3.58, -1.85], atol=0.005)


def test_himmelblau_adam_rmsprop_and_adagrad_are_still_on_their_way_after_200_steps():
    _, races, rows = contest("himmelblau", "shared")
    for title in ("Adam", "RMSProp", "AdaGrad"):
        row = by_name(rows)[title]
        assert np.isnan(row.reached_at) and np.isnan(row.diverged_at), title
        assert row.outcome.startswith("after 200 steps") and "keeps going" in row.outcome
    for optimizer in ("adam", "rmsprop", "adagrad"):
        last_step = np.linalg.norm(np.diff(path(races, optimizer, 0.01)[-2:], axis=0))
        assert last_step > 1e-3, (optimizer, "still moving")


def test_himmelblau_the_adaptive_optimizers_first_step_is_about_eta_per_coordinate():
    # The tip's "step about η per coordinate": whatever the gradient (its first step moves plain
    # gradient descent by 14η and 22η), Adam's and AdaGrad's first steps are η per coordinate,
    # RMSProp's η/√(1 − α) = 10η; Adam keeps to about η all race long.
    _, races, _ = contest("himmelblau", "shared")
    lr = 0.01
    first = {name: np.abs(np.diff(path(races, name, lr)[:2], axis=0))[0] / lr
             for name in ("gd", "adam", "adagrad", "rmsprop")}
    np.testing.assert_allclose(first["gd"], [14, 22])
    np.testing.assert_allclose(first["adam"], [1, 1], rtol=1e-6)
    np.testing.assert_allclose(first["adagrad"], [1, 1], rtol=1e-6)
    np.testing.assert_allclose(first["rmsprop"], [10, 10], rtol=1e-6)
    adam_steps = np.abs(np.diff(path(races, "adam", lr), axis=0)) / lr
    assert adam_steps.min() > 0.5 and adam_steps.max() < 1.5


def test_himmelblau_tuned_every_racer_reaches_a_minimum_adagrad_first_in_8_steps():
    surface, _, rows = contest("himmelblau", "tuned")
    assert all(row.reached_at >= 0 and row.minimum != "—" for row in rows)
    assert all(row.outcome.startswith("reached a global minimum") for row in rows)
    assert rows[0].optimizer == "AdaGrad" and rows[0].reached_at == 8
    assert [row.place for row in rows].count(1) == 1, "alone in first place"
    opening = lessons.RACES["himmelblau"].opening
    for row in rows:
        name = next(n for n, title in TITLES.items() if title == row.optimizer)
        assert row.learning_rate == gd_core.tune_lr(surface, name, opening.starts[0],
                                                    opening.steps), "the rate it needed"
    assert len({row.learning_rate for row in rows}) > 1, "not one rate for all"


# --- Rosenbrock ------------------------------------------------------------------------------


def test_rosenbrock_momentum_and_nesterov_race_along_the_valley_while_gd_crawls():
    surface, races, rows = contest("rosenbrock", "shared")
    lr = lessons.RACES["rosenbrock"].opening.lr
    minimum = np.array([1.0, 1.0])
    for name in ("momentum", "nesterov"):
        points = path(races, name, lr)
        assert np.linalg.norm(points[-1] - minimum) < 0.4, name
        assert points[-1, 0] > 0.8, (name, "past the bend, on the near side")
        assert surface.value(points[-1]) < 0.05, (name, "down in the valley")
    assert {row.optimizer for row in rows[:2]} == {"Momentum", "Nesterov"}
    gd_end = path(races, "gd", lr)[-1]
    assert gd_end[0] < 0, "plain gradient descent is still on the far side after 300 steps"
    assert by_name(rows)["Gradient descent"].outcome.endswith("keeps going")


def test_rosenbrock_at_this_rate_the_adaptive_optimizers_barely_move():
    _, races, _ = contest("rosenbrock", "shared")
    lr = lessons.RACES["rosenbrock"].opening.lr
    start = np.array(lessons.RACES["rosenbrock"].opening.starts[0])
    gd_travel = np.linalg.norm(path(races, "gd", lr)[-1] - start)
    for name in ("adagrad", "rmsprop", "adam"):
        travel = np.linalg.norm(path(races, name, lr)[-1] - start)
        assert travel < 0.1 and travel < gd_travel / 5, (name, travel)


def test_rosenbrock_tuned_adam_gets_closest_and_gradient_descent_comes_last():
    _, _, rows = contest("rosenbrock", "tuned")
    assert rows[0].optimizer == "Adam"
    assert rows[0].distance == min(row.distance for row in rows)
    assert rows[-1].optimizer == "Gradient descent"
    assert rows[-1].distance == max(row.distance for row in rows)
    assert [row.place for row in rows].count(rows[-1].place) == 1, "alone in last place"


# --- two minima ------------------------------------------------------------------------------


def test_two_minima_momentum_crosses_the_ridge_the_others_stay_in_the_shallow_one():
    surface, _, rows = contest("two_minima", "shared")
    deep, shallow = (gd_core.format_point(point) for point in surface.minima)
    assert (deep, shallow) == ("(−0.98, 0.98)", "(0.894, −0.894)")
    found = by_name(rows)
    assert found["Momentum"].minimum == f"{deep} global"
    assert found["Momentum"].outcome.startswith("reached the global minimum at (−0.98, 0.98)")
    for title in ("Gradient descent", "Nesterov", "AdaGrad", "Adam"):
        assert found[title].minimum == f"{shallow} local", title
        assert found[title].outcome.startswith("reached a local minimum"), title
    start = np.array(lessons.RACES["two_minima"].opening.starts[0])
    assert np.linalg.norm(np.asarray(surface.minima[1]) - start) < np.linalg.norm(
        np.asarray(surface.minima[0]) - start), "the shallow one is next to the start"


# --- the saddle ------------------------------------------------------------------------------


def test_saddle_the_start_is_a_hair_off_the_ridge():
    surface = gd_core.get_surface("saddle")
    assert not surface.minima
    (start,) = lessons.RACES["saddle"].opening.starts
    assert start == (1.5, 0.01)


def test_saddle_adagrad_stays_on_the_map_its_steps_shrinking():
    surface, races, _ = contest("saddle", "shared")
    lr = lessons.RACES["saddle"].opening.lr
    points = path(races, "adagrad", lr)
    assert first_step_off_the_map(surface, points) == -1, "still on the map after 100 steps"
    steps = np.linalg.norm(np.diff(points, axis=0), axis=-1)
    assert np.all(np.diff(steps[:20]) < 0) and steps[-1] < steps[0] / 5, "its steps shrink"
    others = [name for name in gd_core.OPTIMIZERS if name != "adagrad"]
    assert all(first_step_off_the_map(surface, path(races, name, lr)) >= 0 for name in others)



def test_saddle_rmsprop_leaves_the_map_first_momentum_and_nesterov_diverge_first():
    surface, races, rows = contest("saddle", "shared")
    lr = lessons.RACES["saddle"].opening.lr
    left = {name: first_step_off_the_map(surface, path(races, name, lr))
            for name in gd_core.OPTIMIZERS if name != "adagrad"}
    assert min(left, key=left.get) == "rmsprop" and left["rmsprop"] == 6, left
    first_move = np.abs(np.diff(path(races, "rmsprop", lr)[:2], axis=0))[0]
    assert np.allclose(first_move, 10 * lr, rtol=1e-3), "10η per coordinate"
    diverged = {row.optimizer: row.diverged_at for row in rows if not np.isnan(row.diverged_at)}
    assert set(diverged) == {TITLES["momentum"], TITLES["nesterov"]}, diverged


def test_saddle_plain_gradient_descent_comes_within_016_of_the_saddle_point():
    _, races, _ = contest("saddle", "shared")
    points = path(races, "gd", lessons.RACES["saddle"].opening.lr)
    closest = np.nanmin(np.linalg.norm(points, axis=-1))
    assert round(float(closest), 2) == 0.16
    assert np.linalg.norm(points[-1]) > 2, "then turns away"
