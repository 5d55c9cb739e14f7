"""Figures for the numerical core: descend and basin_map timings, peak memory, torch baseline.

Run: ``python3 benchmarks/bench_core.py``. Prints figures; asserts nothing.
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import gd_core


def best_of(repeats: int, work) -> tuple[float, float]:
    """(best, median) wall time in seconds of ``work()`` over ``repeats`` runs."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def peak_mib(work) -> float:
    tracemalloc.start()
    work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def torch_adam_grid(resolution: int, steps: int, lr: float, autograd: bool) -> None:
    """The naive baseline: every grid start, every step, with torch.optim.Adam in float64."""
    import torch

    axis = np.linspace(-5, 5, resolution)
    grid_x, grid_y = np.meshgrid(axis, axis)
    params = torch.tensor(np.stack([grid_x.ravel(), grid_y.ravel()], axis=-1), requires_grad=True)
    optimizer = torch.optim.Adam([params], lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        x, y = params[:, 0], params[:, 1]
        if autograd:
            ((x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2).sum().backward()
        else:
            with torch.no_grad():
                u, v = x**2 + y - 11, x + y**2 - 7
                params.grad = torch.stack([4 * x * u + 2 * v, 2 * u + 4 * y * v], dim=-1)
        optimizer.step()


def main() -> None:
    himmelblau = gd_core.get_surface("himmelblau")
    adam = gd_core.make_optimizer("adam", lr=0.05)
    starts = np.random.default_rng(0).uniform(-5, 5, size=(10_000, 2))

    best, median = best_of(3, lambda: gd_core.descend(himmelblau, adam, starts, 500))
    print(f"descend, 10,000 starts x 500 Adam steps, Himmelblau: best {best:.3f} s, "
          f"median {median:.3f} s")

    result = gd_core.basin_map(himmelblau, adam, resolution=300, steps=300)
    best, median = best_of(3, lambda: gd_core.basin_map(himmelblau, adam, 300, 300))
    memory = peak_mib(lambda: gd_core.basin_map(himmelblau, adam, 300, 300))
    unsettled = int(np.count_nonzero(result.labels < 0))
    print(f"basin_map 300x300 starts x 300 Adam steps (lr 0.05), Himmelblau, honest labels (every "
          f"run to the end: Adam gets no certificate): best {best:.3f} s, median {median:.3f} s, "
          f"peak traced memory {memory:.1f} MiB, {unsettled} of 90,000 cells at no minimum after "
          "300 steps")
    edge = gd_core.make_optimizer("gd", lr=0.0152)
    edge_best, edge_median = best_of(3, lambda: gd_core.basin_map(himmelblau, edge, 300, 300))
    print(f"basin_map 300x300 x 300 plain GD steps at lr 0.0152 (one minimum past its critical "
          f"rate; certified runs leave early): best {edge_best:.3f} s, median {edge_median:.3f} s")

    try:
        import torch
    except ImportError:
        print("torch is not installed: no torch.optim baseline")
        return
    torch.set_default_dtype(torch.float64)
    for autograd, label in ((True, "autograd gradient"), (False, "analytic gradient")):
        torch_best, torch_median = best_of(
            3, lambda autograd=autograd: torch_adam_grid(300, 300, 0.05, autograd)
        )
        print(f"torch.optim.Adam, same 90,000 starts x 300 steps, {label} "
              f"({torch.get_num_threads()} threads): best {torch_best:.3f} s, median "
              f"{torch_median:.3f} s -> basin_map is {torch_best / best:.2f}x as fast")


if __name__ == "__main__":
    main()
