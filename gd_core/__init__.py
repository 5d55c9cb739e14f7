"""Descent Lab's numerical core: surfaces, optimizers and descent trajectories in NumPy.

Points are arrays ``(..., dim)``; a batch of starts is ``(n, dim)``; a trajectory is
``(steps + 1, n, dim)``. Nothing here imports a UI or plotting library.
"""

from gd_core.analysis import (
    Outcome,
    critical_learning_rate,
    outcome,
    outcomes,
    regime,
    regime_of,
)
from gd_core.basins import SETTLE_TOLERANCE, BasinMap, basin_map
from gd_core.descent import STOP_REASONS, Trajectory, descend
from gd_core.optimizers import OPTIMIZERS, Optimizer, OptimizerSpec, make_optimizer
from gd_core.schedules import SCHEDULES, make_schedule
from gd_core.surfaces import SURFACES, Surface, get_surface

__all__ = [
    "OPTIMIZERS",
    "SCHEDULES",
    "SETTLE_TOLERANCE",
    "STOP_REASONS",
    "SURFACES",
    "BasinMap",
    "FormulaError",
    "Optimizer",
    "OptimizerSpec",
    "Outcome",
    "Surface",
    "Trajectory",
    "basin_map",
    "critical_learning_rate",
    "descend",
    "get_surface",
    "make_optimizer",
    "make_schedule",
    "outcome",
    "outcomes",
    "parse_surface",
    "regime",
    "regime_of",
]


def __getattr__(name: str):
    # Typed formulas need SymPy, a quarter of a second to import: loaded on first use, so the
    # registered surfaces, the CLI and the app's first page do not wait for it.
    if name in ("FormulaError", "parse_surface"):
        from gd_core import formula

        return getattr(formula, name)
    raise AttributeError(f"module 'gd_core' has no attribute {name!r}")
