"""The basins page's logic, pure (no Streamlit): which surfaces have basins, the colours and
shares of a basin map, each minimum's critical learning rate and the words when a basin
vanishes, and the stability map's grid and colour classes."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

import gd_core
from ui.chart import format_number

#: Grid sizes offered (cells per axis).
RESOLUTIONS = (100, 200, 300)
MAX_STEPS = 1000
#: The surfaces that have basins to draw: 2D, with at least one known minimum.
BASIN_SURFACES = tuple(name for name, surface in gd_core.SURFACES.items()
                       if surface.dim == 2 and surface.minima)
#: One colour per minimum (Okabe–Ito without black, safe for colour-blind viewers), repeating
#: past seven minima; then "not settled within the steps" and "diverged".
MINIMUM_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
UNSETTLED_COLOR = "#D9D9D9"
DIVERGED_COLOR = "#3C3C3C"
#: The legend names at most this many basins (the largest); the rest are summed in one line.
LEGEND_BASINS = 8
#: Shading by steps needed: how dark the slowest cells get.
SHADE_STRENGTH = 0.55


def palette(minima: int) -> list[str]:
    """The image's colours: label k < ``minima`` a minimum's, then unsettled, then diverged."""
    return [MINIMUM_COLORS[k % len(MINIMUM_COLORS)] for k in range(minima)] + [
        UNSETTLED_COLOR, DIVERGED_COLOR]


def image_labels(basins: gd_core.BasinMap, minima: int) -> np.ndarray:
    """uint8 labels for the image layer (``palette``'s indices): row 0 is the lowest y."""
    labels = np.where(basins.labels >= 0, basins.labels, minima)
    return np.where(basins.diverged, minima + 1, labels).astype(np.uint8)


def shares(basins: gd_core.BasinMap, minima: int) -> np.ndarray:
    """The fraction of the map each image label takes (``minima + 2`` numbers, summing to 1)."""
    return np.bincount(image_labels(basins, minima).ravel(), minlength=minima + 2) / (
        basins.labels.size)


def minimum_point(surface: gd_core.Surface, index: int) -> str:
    """Where a minimum is: ``(3.58, −1.85)``."""
    return gd_core.format_point(surface.minima[index])


def minimum_name(surface: gd_core.Surface, index: int) -> str:
    """How the legend and the messages name a minimum: where it is and how deep."""
    value = gd_core.value_without_round_off(surface.value(surface.minima[index]))
    return f"{minimum_point(surface, index)}, f = {format_number(value)}"


@dataclass(frozen=True)
class CriticalMark:
    """A minimum's critical learning rate for the chosen optimizer."""

    minimum: int
    rate: float


def critical_marks(surface: gd_core.Surface, optimizer: str,
                   hyperparams: dict) -> list[CriticalMark]:
    """Each known minimum's critical rate (``gd_core.critical_learning_rate``), lowest first;
    none for the adaptive optimizers, which have no fixed one."""
    if optimizer not in gd_core.CRITICAL_RATE_OPTIMIZERS:
        return []
    momentum = float(hyperparams.get("momentum", 0.0))
    marks = [CriticalMark(index, gd_core.critical_learning_rate(surface, point, optimizer,
                                                                momentum))
             for index, point in enumerate(surface.minima)]
    return sorted((mark for mark in marks if math.isfinite(mark.rate)),
                  key=lambda mark: mark.rate)


def no_marks_text(optimizer: str) -> str:
    """Why the slider has no ▲ mark: the optimizer adapts its steps, or (gradient descent and
    heavy-ball) no minimum has a curvature to set one: a kink (|x| + |y|), a flat bottom (x⁸)."""
    if optimizer in gd_core.CRITICAL_RATE_OPTIMIZERS:
        return ("No ▲ marks on the slider: no minimum here has a critical learning rate, as a "
                "kink or a flat bottom has no curvature to set one.")
    return (f"{gd_core.OPTIMIZERS[optimizer].title} rescales its steps by the gradients it has "
            "seen, so it has no fixed critical learning rate: no ▲ marks on the slider.")


def critical_rates_text(surface: gd_core.Surface, marks: list[CriticalMark]) -> str:
    """The ▲ marks on the learning-rate slider, in words (a range, for many minima)."""
    if len(marks) > LEGEND_BASINS:
        return (f"▲ on the learning-rate slider: the critical rates of the {len(marks)} minima, "
                f"from {format_number(marks[0].rate, 4)} (at "
                f"{minimum_point(surface, marks[0].minimum)}, the sharpest) to "
                f"{format_number(marks[-1].rate, 4)}.")
    rates = " · ".join(f"{format_number(mark.rate, 4)} at {minimum_point(surface, mark.minimum)}"
                       for mark in marks)
    return f"▲ on the learning-rate slider: each minimum's critical rate, {rates}."


def vanished_text(surface: gd_core.Surface, marks: list[CriticalMark], lr: float,
                  basin_shares: np.ndarray) -> str | None:
    """In words, the basins the learning rate ``lr`` has emptied (it is past their minimum's
    critical rate); None when there are none. Many such minima are summed up."""
    past = [mark for mark in marks if lr > mark.rate]
    if not past:
        return None
    if len(past) == 1:
        (mark,) = past
        what = (f"the critical rate {format_number(mark.rate, 4)} of the minimum "
                f"{minimum_point(surface, mark.minimum)}: it is")
    elif len(past) <= LEGEND_BASINS:
        what = "the critical rates of the minima " + " and ".join(
            f"{minimum_point(surface, mark.minimum)} ({format_number(mark.rate, 4)})"
            for mark in past) + ": they are"
    else:
        what = (f"the critical rates of {len(past)} minima (from "
                f"{format_number(past[0].rate, 4)} to {format_number(past[-1].rate, 4)}): they "
                "are")
    text = [f"η = {format_number(lr)} is past {what} unstable now, so every run that comes "
            "near is thrown out again."]
    left = {mark.minimum: float(basin_shares[mark.minimum]) for mark in past}
    if len(past) > LEGEND_BASINS:
        emptying = [share for share in left.values() if share > 0]
        text.append(f"{len(past) - len(emptying)} of their basins have vanished" + (
            f"; the other {len(emptying)} are emptying: {format_number(100 * sum(emptying))} % "
            "of the map is still on its way out when the steps end." if emptying else "."))
        return " ".join(text)
    gone = [minimum_point(surface, minimum) for minimum, share in left.items() if share == 0]
    if len(gone) == 1:
        text.append(f"The basin of {gone[0]} has vanished.")
    elif gone:
        text.append(f"The basins of {', '.join(gone[:-1])} and {gone[-1]} have vanished.")
    for minimum, share in left.items():
        if share > 0:
            text.append(f"The basin of {minimum_point(surface, minimum)} is emptying: "
                        f"{format_number(100 * share)} % of the map is still on its way out "
                        "when the steps end (this close to the edge, leaving takes long).")
    return " ".join(text)


def legend_entries(surface: gd_core.Surface, basin_shares: np.ndarray,
                   steps: int) -> list[tuple[str, str]]:
    """(label, colour) per legend line: the largest basins (each minimum, its value and its
    share), the others summed, then "not settled" and "diverged"."""
    minima = len(surface.minima)
    colors = palette(minima)
    order = sorted(range(minima), key=lambda k: -basin_shares[k])
    shown, rest = order[:LEGEND_BASINS], order[LEGEND_BASINS:]
    entries = [(f"{minimum_name(surface, k)}: {_percent(basin_shares[k])}", colors[k])
               for k in sorted(shown)]
    if rest:
        entries.append((f"{len(rest)} other minima: "
                        f"{_percent(sum(basin_shares[k] for k in rest))}", colors[rest[0]]))
    entries.append((f"not settled within {steps} steps: {_percent(basin_shares[minima])}",
                    UNSETTLED_COLOR))
    entries.append((f"diverged: {_percent(basin_shares[minima + 1])}", DIVERGED_COLOR))
    return entries


def _percent(fraction: float) -> str:
    return f"{100 * fraction:.1f} %"


def cell_point(basins: gd_core.BasinMap, row: int, col: int) -> tuple[float, float] | None:
    """The start of grid cell (row, col), or None outside the grid."""
    if not (0 <= row < len(basins.ys) and 0 <= col < len(basins.xs)):
        return None
    return (float(basins.xs[col]), float(basins.ys[row]))


# --- the stability map ----------------------------------------------------------------------------

#: Cells of the stability map: learning rates across, momenta up.
STABILITY_LRS = 90
STABILITY_MOMENTA = 50
STABILITY_STEPS = 300
MAX_MOMENTUM = 0.98
#: Colour classes of the measured rate: upper bounds of the classes below 1 (fast to slow), then
#: "does not converge".
RATE_BOUNDS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 1.0)
RATE_COLORS = ("#08306B", "#2171B5", "#4292C6", "#6BAED6", "#9ECAE1", "#C6DBEF", "#F7FBFF",
               "#B2182B")


def stability_axes(surface: gd_core.Surface, minimum: int) -> tuple[np.ndarray, np.ndarray]:
    """The learning rates (up to a tenth past the largest stable one, (2 + 2μ)/λmax at the
    highest momentum) and momenta of the stability map at ``minimum``."""
    edge = gd_core.critical_learning_rate(surface, surface.minima[minimum], "momentum",
                                          MAX_MOMENTUM)
    top = 1.1 * edge
    return (np.linspace(top / STABILITY_LRS, top, STABILITY_LRS),
            np.linspace(0.0, MAX_MOMENTUM, STABILITY_MOMENTA))


def rate_classes(rate: np.ndarray) -> np.ndarray:
    """uint8 colour class per cell (``RATE_COLORS``' index); NaN counts as not converging."""
    return np.searchsorted(RATE_BOUNDS, np.nan_to_num(rate, nan=np.inf), side="right").astype(
        np.uint8)


def rate_legend() -> list[tuple[str, str]]:
    lows = (0.0, *RATE_BOUNDS[:-1])
    entries = [(f"rate {low:g}–{high:g}", color)
               for low, high, color in zip(lows, RATE_BOUNDS, RATE_COLORS, strict=False)]
    entries[0] = (f"rate < {RATE_BOUNDS[0]:g} (fast)", RATE_COLORS[0])
    entries.append(("rate ≥ 1: does not converge", RATE_COLORS[-1]))
    return entries


#: Where the chosen pair's run starts unless the viewer moves it: this fraction of the domain's
#: width up and right of the minimum, close enough for the quadratic picture to hold roughly.
PAIR_START_OFFSET = 0.05


def pair_start(surface: gd_core.Surface, minimum: int) -> tuple[float, float]:
    """The default start of the stability view's run: just beside ``minimum``."""
    (xlo, xhi), (ylo, yhi) = surface.domain
    x, y = surface.minima[minimum]
    return (round(float(x) + PAIR_START_OFFSET * (xhi - xlo), 3),
            round(float(y) + PAIR_START_OFFSET * (yhi - ylo), 3))


#: Below this factor per step the optimum's run all but lands on the minimum in one step.
_ONE_STEP_RATE = 1e-3


def shrink_words(rate: float) -> str:
    """What each step does to the distance to the minimum at ``rate`` (the heavy-ball factor),
    as the end of "where the distance …". "Shrinks by 0.02" read as less than it is (a factor
    of 50 a step); a factor of 0 or 2e-16 reads as noise, so those say what it means."""
    if rate < _ONE_STEP_RATE:
        return (f"is multiplied by less than {format_number(_ONE_STEP_RATE)} each step: one step "
                "all but lands on the minimum (its eigenvalues are equal or nearly)")
    return f"is multiplied by {format_number(rate)} each step"


def far_start_note(surface: gd_core.Surface, minimum: int, start, predicted_rate: float,
                   diverged_at: int, end) -> str | None:
    """Why the chosen pair's run does not end at ``minimum`` though the map says the pair
    converges there (None when it does end there, or the map says it does not converge): the
    map's cells start right beside the minimum, where the quadratic picture holds; ``start``
    may be far enough out for the surface's other terms to take over."""
    if not predicted_rate < 1:
        return None
    if diverged_at >= 0:
        outcome = f"the pair diverged at step {diverged_at}"
    elif math.dist(end, surface.minima[minimum]) >= gd_core.SETTLE_TOLERANCE:
        outcome = "the pair's run does not end at this minimum"
    else:
        return None
    distance = math.dist(start, surface.minima[minimum])
    return (f"From this start, {format_number(distance)} from the minimum, {outcome}. Right "
            "beside the minimum, where the map's cells start, the pair converges. The map is "
            "the quadratic picture, which holds only close to the minimum: click nearer to it "
            "for a start that follows the map.")


def theory_boundary(eigenvalues: np.ndarray, momenta: np.ndarray) -> tuple[list, list]:
    """The quadratic theory's convergence edge: lr = (2 + 2μ)/λmax for every μ."""
    lam = float(np.max(eigenvalues))
    return [(2 + 2 * float(mu)) / lam for mu in momenta], [float(mu) for mu in momenta]
