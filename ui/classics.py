"""The classic textbook examples: each opens a page in exactly its scenario through the URL.

The query parameters are the pages' own (each page's ``STATE``, a ``ui.page_state.PageState``):
the curve page takes ``curve`` and ``start``, the surface page ``surface`` and ``starts``
("x,y;x,y"); both take ``lr``, ``steps``, ``optimizer`` and its hyperparameters (``momentum``,
...). What a link leaves out is the function's opening configuration (``ui.lessons``).
"""

from __future__ import annotations

from dataclasses import dataclass

CURVE_PAGE = "pages/1_Why_minus_the_gradient.py"
SURFACE_PAGE = "pages/2_Descent_on_a_surface.py"


@dataclass(frozen=True)
class Classic:
    """A textbook scenario: a title with its numbers, what it shows, and where it opens."""

    title: str
    shows: str
    page: str
    params: dict[str, str]


CLASSICS: tuple[Classic, ...] = (
    Classic("6x² − 12x + 3 from −0.9, η = 0.03",
            "15 steps; the first goes to −0.216, then a smooth slide to x* = 1",
            CURVE_PAGE, {"curve": "quadratic_1d", "start": "-0.9", "lr": "0.03",
                         "steps": "15", "optimizer": "gd"}),
    Classic("6x² − 12x + 3 from 0.75, η = 0.15",
            "too big a step: it overshoots x* = 1 and oscillates in towards it",
            CURVE_PAGE, {"curve": "quadratic_1d", "start": "0.75", "lr": "0.15",
                         "steps": "15", "optimizer": "gd"}),
    Classic("(w − 3)² from w₀ = 0, η = 0.1",
            "the worked example: 0 → 0.6 → 1.08 → 1.464 → … → 3",
            CURVE_PAGE, {"curve": "bowl_1d", "start": "0", "lr": "0.1", "steps": "30",
                         "optimizer": "gd"}),
    Classic("Bowl from three starts, η = 0.02",
            "from (−0.5, 2.9), (1.5, −0.8) and (2.7, 2.3): three paths into one minimum",
            SURFACE_PAGE, {"surface": "bowl", "starts": "-0.5,2.9;1.5,-0.8;2.7,2.3",
                           "lr": "0.02", "optimizer": "gd"}),
    Classic("Ravine from (−0.5, 2.3), η = 0.02",
            "steep walls, a shallow floor: the path zig-zags across the valley",
            SURFACE_PAGE, {"surface": "ravine", "starts": "-0.5,2.3", "lr": "0.02",
                           "optimizer": "gd"}),
    Classic("Two minima from five starts, η = 0.4",
            "from (−1.5, 1.2), (1.5, −1.8), (0, 0), (0.7, −0.2) and (1.5, 1.5): the start "
            "decides the valley",
            SURFACE_PAGE, {"surface": "two_minima",
                           "starts": "-1.5,1.2;1.5,-1.8;0,0;0.7,-0.2;1.5,1.5", "lr": "0.4",
                           "optimizer": "gd"}),
    Classic("Two minima, momentum 0.9, η = 0.1",
            "from (0.7, −0.2): momentum overshoots and spirals into the shallow minimum",
            SURFACE_PAGE, {"surface": "two_minima", "starts": "0.7,-0.2", "lr": "0.1",
                           "optimizer": "momentum", "momentum": "0.9"}),
    Classic("Two minima, momentum 0.9, η = 0.02",
            "from (1.5, 1.5), 200 steps: momentum builds up speed, sweeps past the deep "
            "minimum and swings back into it",
            SURFACE_PAGE, {"surface": "two_minima", "starts": "1.5,1.5", "lr": "0.02",
                           "steps": "200", "optimizer": "momentum", "momentum": "0.9"}),
)
