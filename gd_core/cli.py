"""``python -m gd_core``: print a descent trajectory as CSV or JSON, for scripts and notebooks.

Example::

    python -m gd_core --surface himmelblau --optimizer adam --lr 0.05 --start=-4,4 --steps 200
"""

from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np

from gd_core.descent import Trajectory, descend
from gd_core.export import trajectory_csv
from gd_core.optimizers import OPTIMIZERS, make_optimizer
from gd_core.schedules import SCHEDULES, make_schedule
from gd_core.surfaces import SURFACES, Surface, get_surface

MAX_STEPS = 100_000
MAX_STARTS = 10_000


class _OneLineParser(argparse.ArgumentParser):
    """Bad arguments end in one line on stderr, not a usage dump."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _defaults_help(what: str, hyperparameter: str) -> str:
    """``what``, then each optimizer that takes ``hyperparameter`` with its default."""
    def written(value) -> str:  # as --betas takes it: 0.9,0.999
        return ",".join(map(str, value)) if isinstance(value, tuple) else str(value)

    defaults = ", ".join(f"{name} {written(spec.defaults[hyperparameter])}"
                         for name, spec in OPTIMIZERS.items() if hyperparameter in spec.defaults)
    return f"{what} (defaults: {defaults})"


def _build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="python -m gd_core",
        description="Run an optimizer on a test surface and print the trajectory.",
        epilog=(
            f"surfaces: {', '.join(SURFACES)}. optimizers: {', '.join(OPTIMIZERS)}. "
            "Negative numbers in --start need '=': --start=-4,4."
        ),
    )
    parser.add_argument("--surface", default="himmelblau", help="registered surface name")
    parser.add_argument("--formula", help="a typed formula in x (and y) instead of --surface")
    parser.add_argument("--optimizer", default="gd", choices=list(OPTIMIZERS))
    parser.add_argument("--lr", type=float, help=_defaults_help("learning rate", "lr"))
    parser.add_argument("--momentum", type=float, help=_defaults_help("momentum", "momentum"))
    parser.add_argument("--alpha", type=float, help=_defaults_help("smoothing constant", "alpha"))
    parser.add_argument("--eps", type=float, help=_defaults_help("epsilon", "eps"))
    parser.add_argument("--betas", help=_defaults_help("two numbers, e.g. 0.9,0.999", "betas"))
    parser.add_argument("--schedule", default="constant", choices=list(SCHEDULES))
    parser.add_argument(
        "--start", action="append",
        help="start point, comma separated (repeat for several runs; default: domain corner)",
    )
    parser.add_argument("--steps", type=int, default=100, help="number of updates (default 100)")
    parser.add_argument("--noise", type=float, default=0.0, help="gradient noise std (SGD)")
    parser.add_argument("--seed", type=int, help="random seed for --noise")
    parser.add_argument("--format", choices=["csv", "json"], default="csv")
    return parser


def _numbers(text: str, what: str) -> list[float]:
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise ValueError(f"{what} must be comma-separated numbers, got {text!r}") from None
    if not all(math.isfinite(value) for value in values):
        raise ValueError(f"{what} must be finite numbers, got {text!r}")
    return values


def _surface(args) -> Surface:
    if args.formula is not None:
        from gd_core.formula import parse_surface

        return parse_surface(args.formula)
    return get_surface(args.surface)


def _hyperparams(args) -> dict:
    chosen = {
        name: getattr(args, name)
        for name in ("lr", "momentum", "alpha", "eps")
        if getattr(args, name) is not None
    }
    if args.betas is not None:
        betas = _numbers(args.betas, "--betas")
        if len(betas) != 2:
            raise ValueError(f"--betas takes two numbers, got {args.betas!r}")
        chosen["betas"] = tuple(betas)
    defaults = OPTIMIZERS[args.optimizer].defaults
    unused = sorted(set(chosen) - set(defaults))
    if unused:
        raise ValueError(f"{args.optimizer} does not take --{', --'.join(unused)}")
    return chosen


def _starts(args, surface: Surface) -> np.ndarray:
    if not args.start:
        return np.array([[lo + 0.1 * (hi - lo) for lo, hi in surface.domain]])
    if len(args.start) > MAX_STARTS:
        raise ValueError(f"at most {MAX_STARTS} starts")
    starts = [_numbers(text, "--start") for text in args.start]
    for start in starts:
        if len(start) != surface.dim:
            raise ValueError(
                f"--start needs {surface.dim} number(s) for {surface.name}, got {len(start)}"
            )
    return np.array(starts)


def _finite_or_none(values: np.ndarray) -> list:
    return [float(v) if math.isfinite(v) else None for v in values.tolist()]


def to_json(surface: Surface, optimizer_name: str, hyperparams: dict, traj: Trajectory) -> str:
    """The trajectory of a batch run as JSON; NaN (after a divergence) becomes null."""
    runs = []
    for run in range(traj.points.shape[1]):
        runs.append({
            "start": traj.points[0, run].tolist(),
            "points": [_finite_or_none(row) for row in traj.points[:, run]],
            "values": _finite_or_none(traj.values[:, run]),
            "diverged_at": int(traj.diverged_at[run]),
            "stop_reason": traj.stop_reason[run],
        })
    return json.dumps({
        "surface": surface.name,
        "formula": surface.formula,
        "optimizer": optimizer_name,
        "hyperparams": hyperparams,
        "steps": traj.steps,
        "runs": runs,
    })


def main(argv: list[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        if not 0 <= args.steps <= MAX_STEPS:
            raise ValueError(f"--steps must be between 0 and {MAX_STEPS}")
        surface = _surface(args)
        hyperparams = _hyperparams(args)
        optimizer = make_optimizer(
            args.optimizer, schedule=make_schedule(args.schedule, **(
                {"total_steps": max(args.steps, 1)} if args.schedule == "cosine" else {}
            )), **hyperparams
        )
        trajectory = descend(
            surface, optimizer, _starts(args, surface), args.steps, args.noise, args.seed
        )
    except (ValueError, KeyError) as error:
        message = error.args[0] if error.args else str(error)
        parser.error(str(message))
    resolved = {**OPTIMIZERS[args.optimizer].defaults, **hyperparams}
    if args.format == "json":
        sys.stdout.write(to_json(surface, args.optimizer, resolved, trajectory) + "\n")
    else:
        sys.stdout.write(trajectory_csv(trajectory, args.optimizer, resolved["lr"]))
    return 0
