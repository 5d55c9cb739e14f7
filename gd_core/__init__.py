"""Descent Lab's numerical core: surfaces, optimizers and descent trajectories in NumPy.

Points are arrays ``(..., dim)``; a batch of starts is ``(n, dim)``; a trajectory is
``(steps + 1, n, dim)``. Nothing here imports a UI or plotting library.
"""

from gd_core.analysis import (
    CRITICAL_RATE_OPTIMIZERS,
    OUTCOME_STATUSES,
    Outcome,
    critical_learning_rate,
    global_minima,
    outcome,
    outcomes,
    regime,
    regime_of,
)
from gd_core.basins import SETTLE_TOLERANCE, BasinMap, basin_map
from gd_core.data import (
    MAX_SAMPLES,
    SCALINGS,
    Dataset,
    LinearRegression,
    OneUnitNetwork,
    linear_regression,
    make_regression,
    make_tanh_regression,
    one_unit_network,
)
from gd_core.descent import STOP_REASONS, Trajectory, descend
from gd_core.export import trajectory_csv
from gd_core.formatting import (
    counted,
    format_number,
    format_point,
    value_without_round_off,
    without_round_off,
)
from gd_core.inside import look_inside
from gd_core.minibatch import (
    MinibatchTrajectory,
    RangeTest,
    epoch_batches,
    lr_range_test,
    minibatch_descend,
)
from gd_core.optimizers import (
    OPTIMIZERS,
    Optimizer,
    OptimizerSpec,
    make_optimizer,
    side_by_side,
)
from gd_core.schedules import SCHEDULES, make_schedule
from gd_core.stability import StabilityMap, stability_map
from gd_core.surfaces import SURFACES, Surface, get_surface
from gd_core.tuning import TUNING_LEARNING_RATES, tune_lr

__all__ = [
    "CRITICAL_RATE_OPTIMIZERS",
    "OPTIMIZERS",
    "OUTCOME_STATUSES",
    "SCHEDULES",
    "SETTLE_TOLERANCE",
    "STOP_REASONS",
    "SURFACES",
    "TUNING_LEARNING_RATES",
    "BasinMap",
    "FormulaError",
    "Optimizer",
    "OptimizerSpec",
    "Outcome",
    "StabilityMap",
    "Surface",
    "Trajectory",
    "basin_map",
    "counted",
    "critical_learning_rate",
    "descend",
    "format_number",
    "format_point",
    "get_surface",
    "global_minima",
    "look_inside",
    "make_optimizer",
    "make_schedule",
    "outcome",
    "outcomes",
    "parse_surface",
    "regime",
    "regime_of",
    "side_by_side",
    "stability_map",
    "trajectory_csv",
    "tune_lr",
    "value_without_round_off",
    "without_round_off",
]

# Learning from data (gd_core.data, gd_core.minibatch).
__all__ += [
    "MAX_SAMPLES",
    "SCALINGS",
    "Dataset",
    "LinearRegression",
    "MinibatchTrajectory",
    "OneUnitNetwork",
    "RangeTest",
    "epoch_batches",
    "linear_regression",
    "lr_range_test",
    "make_regression",
    "make_tanh_regression",
    "minibatch_descend",
    "one_unit_network",
]


def __getattr__(name: str):
    # Typed formulas need SymPy, a quarter of a second to import: loaded on first use, so the
    # registered surfaces, the CLI and the app's first page do not wait for it.
    if name in ("FormulaError", "parse_surface"):
        from gd_core import formula

        return getattr(formula, name)
    raise AttributeError(f"module 'gd_core' has no attribute {name!r}")
