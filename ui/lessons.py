"""What each function teaches: the configuration it opens on, and what to try next.

One ``Lesson`` per registered surface and curve, and one worked out for a typed formula. A page
opens a function on its lesson's ``Opening`` (learning rate, steps, optimizer, starts), so the
lesson shows at once, and switching the function applies the new one's opening. The claims the
tips make are checked against gd_core by tests/test_lessons.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import gd_core
from ui.controls import hyperparameter_defaults
from ui.runs import (
    CHART_SLIDER,
    LEARNING_RATES,
    RACE_LEARNING_RATES,
    run_fan,
    surface_key,
)


@dataclass(frozen=True)
class Opening:
    """A view's opening configuration: ``starts`` holds one point per start (``(x,)`` on a
    curve); the optimizer opens with its own default hyperparameters."""

    lr: float
    steps: int
    starts: tuple[tuple[float, ...], ...]
    optimizer: str = "gd"


@dataclass(frozen=True)
class Lesson:
    """A function's opening configuration and its "what to try" tips."""

    opening: Opening
    tips: tuple[str, ...]


LESSONS: dict[str, Lesson] = {
    # --- curves --------------------------------------------------------------------------------
    "quadratic_1d": Lesson(Opening(0.03, 50, ((-0.9,),)), (
        "η = 0.03 from x₀ = −0.9: the first step goes to −0.216, and the point slides smoothly "
        "into the minimum x* = 1.",
        "η = 0.15: every step overshoots the minimum, so the point zig-zags across it, but "
        "closer each time: oscillating but converging.",
        "η = 0.2, just past the critical 2/f″ = 1/6 (the ▲ mark): each overshoot is bigger than "
        "the last and the run diverges.",
        "η = 0.08, close to 1/f″ = 1/12: the very first step lands almost on the minimum (0.924).",
    )),
    "bowl_1d": Lesson(Opening(0.1, 50, ((0.0,),)), (
        "η = 0.1 from w₀ = 0, the classic worked example: w goes 0 → 0.6 → 1.08 → 1.464 → … → 3.",
        "η = 0.5 = 1/f″ reaches the minimum in exactly one step.",
        "η = 1, exactly 2/f″: the point bounces between 0 and 6 forever. η = 0.8 oscillates but "
        "converges; η = 1.2 diverges.",
    )),
    "double_well_1d": Lesson(Opening(0.03, 50, ((0.5,),)), (
        "From x₀ = 0.5 the slope is negative, so the steps go right: with η = 0.03 the run "
        "settles in the local (not global) minimum at 1.13.",
        "Click left of the hump (x₀ = −0.5): the same steps roll into the global minimum at "
        "−1.30.",
        "From x₀ = 2 with η = 0.1 the big first steps jump over the local valley into the "
        "global one.",
    )),
    # --- surfaces ------------------------------------------------------------------------------
    "bowl": Lesson(Opening(0.05, 100, ((-0.5, 2.5),)), (
        "η = 0.05 from (−0.5, 2.5): a smooth slide into the minimum.",
        "η = 0.1: the path zig-zags in y, where the bowl is steeper (curvature 18, stable "
        "only while η < 2/18 ≈ 0.11).",
        "η = 0.12: past that edge the zig-zag grows and the run diverges.",
    )),
    "ravine": Lesson(Opening(0.02, 100, ((-0.5, 2.5),)), (
        "η = 0.02: the path zig-zags across the valley. Its walls have curvature 80, so plain "
        "gradient descent is stable only for η < 2/80 = 0.025.",
        "η = 0.025, exactly 2/80: the zig-zag never dies down. η = 0.03 diverges; η = 0.012 is "
        "stable but creeps along the valley floor.",
        "Momentum μ = 0.9 with η = 0.01 rolls along the floor instead of bouncing.",
    )),
    "two_minima": Lesson(Opening(0.4, 100, ((0.7, -0.2), (-1.5, 1.2))), (
        "With η = 0.4, the start at (0.7, −0.2) ends in the shallow minimum and the start "
        "at (−1.5, 1.2) in the deep one: the start point decides.",
        "Click between the two valleys to find where the basins meet.",
    )),
    "rosenbrock": Lesson(Opening(0.002, 500, ((-1.5, 2.0),)), (
        "Gradient descent with η = 0.002 reaches the curved valley in a few steps, then "
        "crawls along its flat floor: after 500 steps it is still on its way to (1, 1).",
        "η = 0.0025, only a little more, and the steep walls make it diverge at step 5. Try "
        "momentum or Adam for the long valley.",
    )),
    "himmelblau": Lesson(Opening(0.01, 100, ((0.0, 0.0), (-1.0, -1.0), (1.0, -1.0),
                                             (-1.0, 1.0))), (
        "η = 0.01: four starts near the centre end in four different minima of equal depth.",
        "η = 0.025: the steps overshoot the valleys and bounce; after 100 steps no run has "
        "settled.",
    )),
    "beale": Lesson(Opening(0.005, 500, ((1.0, 1.5), (3.0, 1.0))), (
        "η = 0.005: from (3, 1) gradient descent reaches the minimum (3, 0.5) after some 390 "
        "steps; from (1, 1.5) it still crawls across the flat plateau after 500.",
        "From (−3, −3) it diverges even at η = 0.0005: the walls there are steep.",
        "Adam with η = 0.2 gets from (1, 1.5) to the minimum in about 250 steps.",
    )),
    "six_hump_camel": Lesson(Opening(0.01, 100, ((-0.5, 1.5), (2.0, -1.0))), (
        "From (−0.5, 1.5), η = 0.01 ends in one global minimum and η = 0.04 jumps to "
        "the other one.",
        "From (2, −1) both end in a local minimum.",
    )),
    "styblinski_tang": Lesson(Opening(0.02, 100, ((0.0, 0.0), (1.0, 1.0), (-1.0, 1.0))), (
        "Starts on the three sides of the centre end in three different corners; only one "
        "of them is the global minimum.",
    )),
    "rastrigin": Lesson(Opening(0.004, 100, ((2.3, -1.7),)), (
        "Every dip traps plain gradient descent: with η = 0.004 the run from (2.3, −1.7) "
        "stops in the dip at (1.99, −1.99). At η = 0.01, past 2/f″ ≈ 0.005 there, it keeps "
        "bouncing around that dip instead.",
        "Add gradient noise (σ = 3) and try a few seeds: noisy steps can hop out of dips.",
    )),
    "ackley": Lesson(Opening(0.01, 100, ((2.3, -1.7),)), (
        "The funnel leads to the origin, but with η = 0.01 the run from (2.3, −1.7) stops in "
        "a ripple's dip at (1.97, −1.97).",
        "At η = 0.1 it is still bouncing between ripples after 100 steps: compare Adam.",
    )),
    "saddle": Lesson(Opening(0.1, 100, ((1.5, 0.0), (1.5, 0.05))), (
        "With η = 0.1, the run from (1.5, 0) slides into the saddle point and stops: the "
        "gradient is 0 there.",
        "With η = 0.1, the run from (1.5, 0.05) starts almost the same, but the tiny offset "
        "grows every step and it escapes: diverged at step 46. At η = 0.01 both are still on "
        "their way after 100 steps.",
    )),
}

#: Formulas worth exploring, offered beside the formula box: a wavy bowl, a ravine, a bent
#: valley, a saddle, a function defined only for x > 0, a kink, and three curves.
FORMULA_EXAMPLES = (
    "sin(x)*cos(y) + 0.1*(x^2 + y^2)",
    "x^2 + 10*y^2",
    "(1 - x)^2 + 5*(y - x^2)^2",
    "x^2 - y^2",
    "log(x) + y^2 - x",
    "abs(x) + abs(y)",
    "x^4 - 3*x^2 + x",
    "sin(3*x) + 0.1*x^2",
    "sqrt(x^2 + 1)",
)

#: Steps a typed formula opens with, per number of variables.
TYPED_STEPS = {1: 50, 2: 100}
#: Where a typed formula's starts are tried first, as fractions across its plotted range: off
#: any symmetry axis, and two on a surface so that two valleys can show.
_FIRST_STARTS = {1: ((0.2,), (0.8,), (0.35,), (0.65,), (0.5,)),
                 2: ((0.75, 0.7), (0.25, 0.2), (0.3, 0.75), (0.7, 0.25), (0.5, 0.5))}


def lesson(surface: gd_core.Surface) -> Lesson | None:
    """The lesson of a registered function (None for a typed formula)."""
    return LESSONS.get(surface.name) if surface.name != "custom" else None


def _defined(surface: gd_core.Surface, points: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        values = surface.value(points)
        gradients = surface.gradient(points)
    return np.isfinite(values) & np.all(np.isfinite(gradients), axis=-1)


def defined_starts(surface: gd_core.Surface) -> tuple[tuple[float, ...], ...]:
    """Starts for a typed formula where f and its gradient are defined: the first of the usual
    places that are, one on a curve and up to two on a surface, else the first defined point of
    a fine grid. Empty when f is undefined everywhere in the plotted range."""
    lows = np.array([lo for lo, _ in surface.domain])
    spans = np.array([hi - lo for lo, hi in surface.domain])
    wanted = 1 if surface.dim == 1 else 2
    tried = np.round(lows + np.array(_FIRST_STARTS[surface.dim]) * spans, 3)
    found = tried[_defined(surface, tried)][:wanted]
    if len(found) == 0:
        axes = np.meshgrid(*(np.linspace(lo, hi, 201) for lo, hi in surface.domain))
        grid = np.stack([axis.ravel() for axis in axes], axis=-1)
        found = np.round(grid[_defined(surface, grid)][:1], 3)
    return tuple(tuple(float(c) for c in point) for point in found)


#: Outcome statuses of a run that ends in a minimum, and of one that runs away (or off f).
_AT_A_MINIMUM = ("converged", "local_minimum")
_RUNAWAY = ("growing", "diverged", "undefined")


def _opening_rate(surface: gd_core.Surface, starts, steps: int) -> float:
    """The learning rate that shows a typed formula's descent best from ``starts``: with known
    minima, the largest at which every run converges without zig-zagging; without, the
    smallest at which a run runs away, else the smallest at which one leaves the plot (the
    escape). Else the largest at which none runs away or zig-zags, else the largest at which
    none runs away."""
    runs = run_fan(surface, "gd", {}, np.array(starts), LEARNING_RATES, steps)
    frames = np.moveaxis(runs.points, 2, 0).reshape(steps + 1, -1, surface.dim)
    values = np.moveaxis(runs.values, 2, 0).reshape(steps + 1, -1)
    batch = gd_core.Trajectory(frames, values, runs.diverged_at.reshape(-1),
                               runs.stop_code.reshape(-1))
    found = gd_core.outcomes(surface, batch)
    per_rate = [found[i:i + len(starts)] for i in range(0, len(found), len(starts))]
    calm = [all(o.status in _AT_A_MINIMUM and not o.oscillating for o in outcomes)
            for outcomes in per_rate]
    safe = [all(o.status not in _RUNAWAY for o in outcomes) for outcomes in per_rate]
    # A ravine too long for the steps (x^2 + 1e-6 y^2) has no calm rate: its largest safe one
    # is its stability edge, where GD bounces across the ravine for ever (η = 1 there).
    steady = [ok and not any(o.oscillating for o in outcomes)
              for ok, outcomes in zip(safe, per_rate, strict=True)]
    # cos(x) over −2.5 … 2.5 has its minima outside and nothing runs away: its largest safe
    # rate, 10, hopped chaotically far off the plot. The escape shows at the smallest rate
    # whose run leaves the plot.
    bounds = np.array(surface.domain, dtype=float)
    final = frames[-1].reshape(len(LEARNING_RATES), len(starts), surface.dim)
    with np.errstate(invalid="ignore"):
        leaves = np.any(~((final >= bounds[:, 0]) & (final <= bounds[:, 1])), axis=(1, 2))
    if surface.minima and any(calm):
        return LEARNING_RATES[max(i for i, ok in enumerate(calm) if ok)]
    if not surface.minima and not all(safe):
        return LEARNING_RATES[min(i for i, ok in enumerate(safe) if not ok)]
    if not surface.minima and leaves.any():
        return LEARNING_RATES[int(np.argmax(leaves))]
    if any(steady):
        return LEARNING_RATES[max(i for i, ok in enumerate(steady) if ok)]
    return LEARNING_RATES[max((i for i, ok in enumerate(safe) if ok), default=0)]


#: Typed formulas' openings, by what defines the formula (``surface_key``); the oldest goes.
_TYPED_OPENINGS: dict[tuple, Opening | None] = {}


def _typed_opening(surface: gd_core.Surface) -> Opening | None:
    key = surface_key(surface)
    if key not in _TYPED_OPENINGS:
        starts = defined_starts(surface)
        steps = TYPED_STEPS[surface.dim]
        _TYPED_OPENINGS[key] = (Opening(_opening_rate(surface, starts, steps), steps, starts)
                                if starts else None)
        if len(_TYPED_OPENINGS) > 64:
            del _TYPED_OPENINGS[next(iter(_TYPED_OPENINGS))]
    return _TYPED_OPENINGS[key]


def opening(surface: gd_core.Surface) -> Opening | None:
    """The configuration ``surface`` opens on; for a typed formula worked out from where it is
    defined and how it descends. None when f is undefined everywhere in the plotted range."""
    found = lesson(surface)
    if found is not None:
        return found.opening
    return _typed_opening(surface)


def opening_values(surface: gd_core.Surface | None) -> dict:
    """The control values of ``surface``'s opening configuration: learning rate, steps,
    optimizer and its default hyperparameters, and ``start`` on a curve or ``starts`` on a
    surface. Empty for a formula that is undefined everywhere (or None: none that parses)."""
    found = opening(surface) if surface is not None else None
    if found is None:
        return {}
    values = {"lr": found.lr, "steps": found.steps, "optimizer": found.optimizer,
              **hyperparameter_defaults(found.optimizer)}
    if surface.dim == 1:
        values["start"] = found.starts[0][0]
    else:
        values["starts"] = found.starts
    return values


def tips_title(surface: gd_core.Surface, optimizer: str) -> str:
    """The title over ``tips``: a registered function's tips are told for plain gradient
    descent, which its page opens with; with another optimizer chosen the title says so."""
    if optimizer == "gd" or lesson(surface) is None:
        return "What to try"
    return "What to try, from plain gradient descent"


def tips(surface: gd_core.Surface, *, critical_mark: bool = False) -> tuple[str, ...]:
    """What to try: a registered function's own tips, or general ones for a typed formula
    that name only what the view shows (the ▲ critical-rate mark when ``critical_mark``,
    minima when it has some)."""
    found = lesson(surface)
    if found is not None:
        return found.tips
    said = []
    if surface.dim == 1:
        if critical_mark:
            said.append(f"Drag {CHART_SLIDER} past the ▲ mark: the steps start to overshoot.")
        else:
            said.append(f"Drag {CHART_SLIDER}: small steps crawl, large ones overshoot.")
        if len(surface.minima) > 1:
            said.append("Click the curve to start somewhere else: which minimum do you end in?")
        elif not surface.minima:
            said.append("This curve has no minimum in the plotted range: watch where the steps "
                        "run off to.")
    else:
        said.append("Click the map to add start points: each gets its own colour and marker.")
        said.append(f"Drag {CHART_SLIDER} and find where the paths start to zig-zag, then to "
                    "diverge.")
        if not surface.minima:
            said.append("This surface has no minimum in the plotted range: watch the paths "
                        "escape.")
    if _has_gaps(surface):
        said.append("Where f is undefined (log of a negative, a square root below zero) the "
                    "plot has gaps; a run that steps into one stops and says so.")
    return tuple(said)


def _has_gaps(surface: gd_core.Surface) -> bool:
    """Whether f is undefined somewhere in the plotted range, on a grid as fine as the charts'
    (2001 points of a curve, 101 x 101 of a surface)."""
    count = 2001 if surface.dim == 1 else 101
    axes = np.meshgrid(*(np.linspace(lo, hi, count) for lo, hi in surface.domain))
    with np.errstate(all="ignore"):
        values = surface.value(np.stack([axis.ravel() for axis in axes], axis=-1))
    return not np.all(np.isfinite(values))


# --- the optimizer race ---------------------------------------------------------------------------

#: What each surface's race opens on (one start: ``starts[0]``) and what to try there. The race
#: opens with one learning rate for all; a surface without one races from its own lesson's first
#: start at its learning rate.
RACES: dict[str, Lesson] = {
    "himmelblau": Lesson(Opening(0.01, 200, ((0.0, 0.0),)), (
        "η = 0.01 from (0, 0): plain gradient descent wins, at (3, 2) in 20 steps. Momentum "
        "overshoots into another of the four minima, (3.58, −1.85); Adam, RMSProp and AdaGrad "
        "scale their steps by the gradients seen so far, not by the slope (Adam's stay about η "
        "long), and are still on their way after 200 steps.",
        "Switch to “Each at its tuned rate”: every racer reaches a minimum, AdaGrad first "
        "(8 steps), and the table shows the rate each one needed.",
    )),
    "rosenbrock": Lesson(Opening(0.001, 300, ((-1.5, 2.0),)), (
        "η = 0.001 from (−1.5, 2): momentum and Nesterov race along the curved valley to near "
        "(1, 1) while plain gradient descent is still on the far side after 300 steps; at "
        "this η the adaptive optimizers barely move.",
        "Each at its tuned rate: Adam gets closest to (1, 1) in 300 steps, and plain gradient "
        "descent comes last even at its best rate.",
    )),
    "two_minima": Lesson(Opening(0.1, 300, ((1.6, -1.6),)), (
        "η = 0.1 from (1.6, −1.6): momentum carries enough speed over the ridge into the deep "
        "minimum (−0.98, 0.98), while gradient descent, Nesterov, AdaGrad and Adam stay in the "
        "shallow one next to the start.",
    )),
    "saddle": Lesson(Opening(0.04, 100, ((1.5, 0.01),)), (
        "Who escapes the saddle? From (1.5, 0.01), a hair off the ridge: RMSProp's big first "
        "steps (10η: it has no bias correction) take it off the map first, at step 6; "
        "momentum and Nesterov pick up speed and are the first to run off for good (the table "
        "says diverged: this f has no bottom).",
        "Plain gradient descent slides towards the saddle point, comes within 0.16 of it, and "
        "only then turns away; AdaGrad, whose steps keep shrinking, is the only racer still on "
        "the map after 100 steps.",
    )),
}


def race_lesson(surface: gd_core.Surface) -> Lesson | None:
    """The race's opening and tips on ``surface``: its race lesson, else one from the
    surface's own opening (its first start) with general tips. None where f is undefined
    everywhere."""
    found = RACES.get(surface.name) if surface.name != "custom" else None
    if found is not None:
        return found
    own = opening(surface)
    if own is None:
        return None
    # The race offers every other learning rate of the surface page: the largest of them not
    # above the lesson's (a larger one could cross a stability edge the lesson stays under).
    lr = max((rate for rate in RACE_LEARNING_RATES if rate <= own.lr),
             default=RACE_LEARNING_RATES[0])
    return Lesson(Opening(lr, own.steps, own.starts[:1]), (
        "Click the map to move the start: every racer starts from there.",
        f"Drag {CHART_SLIDER}: one rate is rarely fair to all six. Then switch to “Each at "
        "its tuned rate”.",
        "Look inside Adam: its step size adapts per coordinate, where gradient descent's "
        "stays η.",
    ))


def race_opening_values(surface: gd_core.Surface | None) -> dict:
    """The race's control values on ``surface``'s opening: learning rate, steps, ``start``."""
    found = race_lesson(surface) if surface is not None else None
    if found is None:
        return {}
    return {"lr": found.opening.lr, "steps": found.opening.steps,
            "start": found.opening.starts[0]}


# --- basins of attraction -------------------------------------------------------------------------

#: What each surface's basin map opens on (``starts[0]``: the start whose path plays on the map)
#: and what to try there. Shares are of the 200 x 200 map; tests/test_page_basins.py
#: checks every figure.
BASINS: dict[str, Lesson] = {
    "himmelblau": Lesson(Opening(0.01, 200, ((0.0, 0.0),)), (
        "Four minima of equal depth, four basins of nearly equal size: plain gradient descent "
        "with η = 0.01 gives them 25.7 %, 26.0 %, 23.6 % and 24.7 % of the square (η = 0.001 "
        "needs 1000 steps to settle every start, and lands on the same shares).",
        "Momentum μ = 0.9 (η = 0.001) redistributes them: 29.6 %, 26.5 %, 22.7 % and 21.2 %. "
        "A start now ends where its speed carries it, not in the valley it starts in.",
        "Raise η past 0.0150 (the ▲ mark on the slider): the minimum (−3.78, −3.28) is the "
        "sharpest, and at η = 0.015, just past its critical rate 0.01495, its basin is emptying "
        "(1.2 % still on the way out after 200 steps). At η = 0.02 it is gone, and so is the "
        "basin of (3.58, −1.85) (its edge is 0.0190): 45.8 % of the map never settles.",
    )),
    "two_minima": Lesson(Opening(0.4, 200, ((0.7, -0.2),)), (
        "Two minima: the deep one takes 66.6 % of the square, the shallow one 33.4 %, and the "
        "border between them is where the ridge runs.",
        "Momentum μ = 0.9 with η = 0.1 carries some starts over the ridge: the deep basin grows "
        "to 69.4 %.",
        "η = 1, just past the deep minimum's critical rate 0.99: its basin is emptying (5.4 % "
        "still on the way out after 200 steps), the shallow one keeps its 33.4 %.",
    )),
    "six_hump_camel": Lesson(Opening(0.01, 200, ((-0.5, 1.5),)), (
        "Six minima: the two global ones (±0.09, ∓0.71) take 24.7 % each, the two local ones "
        "beside them 15.2 %, the two highest 10.1 %.",
        "η = 0.1 is past the critical rate 0.088 of (±1.70, ∓0.80): their basins vanish, while "
        "the global minima (critical 0.121) keep theirs.",
        "Momentum μ = 0.9 with η = 0.01 lets 6.3 % of the starts run away: speed without "
        "friction on the steep outer walls.",
    )),
    "styblinski_tang": Lesson(Opening(0.02, 200, ((0.0, 0.0),)), (
        "Four corners: the global minimum (−2.90, −2.90) takes 26.5 %, the two mixed corners "
        "25.0 % each, the shallowest (2.75, 2.75) 23.5 %.",
        "η = 0.06 is past the critical rate 0.0578 of the three deeper corners: only the "
        "shallowest keeps a basin (21.2 %); 75.9 % of the map never settles and 3.0 % "
        "diverges. The best minimum is not the most stable one.",
    )),
}


def basin_lesson(surface: gd_core.Surface) -> Lesson | None:
    """The basin map's opening and tips on ``surface``: its own, else one from the surface's
    opening (its first start, at most 300 steps) with general tips. None where f is undefined
    everywhere."""
    found = BASINS.get(surface.name) if surface.name != "custom" else None
    if found is not None:
        return found
    own = opening(surface)
    if own is None:
        return None
    return Lesson(Opening(own.lr, min(own.steps, 300), own.starts[:1]), (
        "Click a cell: its start's path plays on top of the map, and its badge says where it "
        "went.",
        f"Drag {CHART_SLIDER} past a ▲ mark: that minimum's basin vanishes.",
        "Switch to momentum: its speed carries starts over ridges, and the borders move.",
    ))


#: "What to try" on the stability map, whatever the surface (tests/test_page_basins.py checks
#: the figures): the basin map's tips speak of basins, which this view does not show.
STABILITY_TIPS = (
    "Click a cell well right of the dashed edge: that pair's run, on the right, does not "
    "converge to the minimum.",
    "The star marks the fastest pair. The more the two curvatures λ differ (a long, narrow "
    "valley), the more momentum μ* it has: 0.92 at Rosenbrock's minimum, whose λ differ "
    "2508-fold, about 0 at a round minimum.",
)
STABILITY_MINIMA_TIP = ("Pick another minimum under \"At the minimum\": a sharper one (a larger "
                        "λmax) moves the edge to smaller learning rates.")


def stability_tips(surface: gd_core.Surface) -> list[str]:
    """The stability map's "What to try" on ``surface``: picking another minimum only where
    there is one."""
    return [*STABILITY_TIPS, *([STABILITY_MINIMA_TIP] if len(surface.minima) > 1 else [])]


def basin_opening_values(surface: gd_core.Surface | None) -> dict:
    """The basin map's control values on ``surface``'s opening: learning rate, steps,
    optimizer and its defaults, and the ``start`` whose path plays."""
    found = basin_lesson(surface) if surface is not None else None
    if found is None:
        return {}
    return {"lr": found.opening.lr, "steps": found.opening.steps,
            "optimizer": found.opening.optimizer,
            **hyperparameter_defaults(found.opening.optimizer),
            "start": found.opening.starts[0]}


# --- SGD on real data (pages/5_SGD_on_real_data.py) -------------------------------------------

#: What the SGD page opens on for each data source; ``start`` is (w, b), or (w, v) for the
#: network. A CSV opens standardized: whatever the units of its x, a rate of 0.1 is then stable
#: (2/λmax = 2), so the learner's own data first shows a working fit.
SGD_OPENINGS: dict[str, dict] = {
    "line": {"lr": 0.02, "batch": 10, "start": (0.0, 0.0), "noise": 1.0, "scaling": "raw"},
    "network": {"lr": 0.2, "batch": 4, "start": (0.235, -0.25), "noise": 0.3},
    "csv": {"lr": 0.1, "batch": 10, "start": (0.0, 0.0), "scaling": "standardized"},
}

#: "What to try" on the SGD page, per data source, at its opening (the claims are checked by
#: tests/test_data_lessons.py).
SGD_TIPS: dict[str, tuple[str, ...]] = {
    "line": (
        "One epoch is the same work for every run (each sample's gradient once): full batch "
        "takes 1 step per epoch, the minibatch run (B = 10) 20 and the single-sample run 200. "
        "After the first epoch the minibatch run's J is 0.59, the full batch's still 4.8.",
        "Raw x from 0 to 10 makes J a long narrow valley (condition number 167): after 20 "
        "epochs the full-batch run is still 0.69 from the fit, sliding along the valley floor. "
        "Standardize x: the condition number drops to 1, the largest stable η grows from 0.051 "
        "to 2, and at η = 0.5 the full batch lands on the fit.",
        "The single-sample run never settles: with a constant η it jitters in a cloud around "
        "the fit, and its J ends higher (2.2) than it was after the first epoch (1.3). A larger "
        "batch or a smaller η shrinks the cloud.",
        "η = 0.05, just under 2/λmax = 0.051: full batch and the minibatch run converge, but "
        "the single-sample run diverges at step 13: one sample's curvature (x² + 1, up to 100) "
        "is far above the average one.",
        "Change the shuffle seed: the data and the full-batch path stay, the minibatch and "
        "single-sample paths change.",
    ),
    "network": (
        "J has two minima, (1.6, 1.97) and (−1.6, −1.97): the same S-curve with both signs "
        "flipped. The start lies near the ridge between them: the full-batch and minibatch "
        "runs go to (1.6, 1.97), the single-sample run to its mirror image.",
        "Shuffle seed 4: now the minibatch run (B = 4) falls into the other valley. Which "
        "minimum a noisy run finds depends on its batches; the full batch always goes the "
        "same way.",
        "After 20 epochs the full-batch run (20 steps at η = 0.2) is still 1.2 from its "
        "minimum; on the same work the noisy runs are already there.",
    ),
    # Your own data: what holds for any line fit (no figures of the synthetic line's).
    "csv": (
        "Switch “Scaling of x” between raw, centered and standardized: the fitted line is the "
        "same, but the condition number and the largest stable η in the sidebar change, and "
        "the loss map's long valley turns into a round bowl.",
        "Raise the learning rate past “Stable η below” (2/λmax of J's Hessian): each "
        "full-batch step overshoots the fit further than the last, and the run diverges.",
        "The single-sample run (B = 1) never settles with a constant η: it jitters around the "
        "fit. A larger batch or a smaller η shrinks the jitter.",
        "Change the shuffle seed: the full-batch path stays, the minibatch and single-sample "
        "paths change.",
    ),
}

#: Why minibatches, in plain words: the page's explanation under the chart.
SGD_EXPLANATION = (
    "The loss J is an average over all n samples, so its exact gradient costs a pass over all "
    "of them. A minibatch of B samples estimates it for B/n of the price: averaged over an "
    "epoch of equal batches the estimates are exactly the full gradient, but each one points "
    "a little off.",
    "For the same work (one epoch: every sample's gradient once), a minibatch run takes n/B "
    "steps where full batch takes one. Each step is noisier, but together they get much "
    "further: that is why neural networks are trained on minibatches.",
    "With a constant learning rate the noise never dies out: the path keeps wandering in a "
    "cloud around the minimum, wider for a larger η and a smaller batch. A falling learning "
    "rate or a larger batch late in training tightens it.",
    "Where the loss has several valleys (the one-unit network), the noise can carry a run over "
    "a ridge: which minimum it ends in depends on its batches.",
)
