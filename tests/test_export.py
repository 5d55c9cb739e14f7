"""One CSV writer (gd_core.trajectory_csv): the CLI and both pages' downloads write its table."""

import csv
import io

import numpy as np
import pytest

import gd_core
from ui import surface_view
from ui.runs import run_fan


def _rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_a_batch_with_one_learning_rate_per_run_and_a_divergence():
    surface = gd_core.get_surface("bowl")
    lrs = np.array([[0.05], [0.2]])
    run = gd_core.descend(surface, gd_core.make_optimizer("gd", lr=lrs), [(-0.5, 2.5)] * 2, 30)
    rows = _rows(gd_core.trajectory_csv(run, "gd", lrs[:, 0]))
    assert list(rows[0]) == ["optimizer", "learning_rate", "run", "step", "x", "y", "value",
                             "stop_reason"]
    assert {(row["run"], row["learning_rate"]) for row in rows} == {("1", "0.05"), ("2", "0.2")}
    diverged = [row for row in rows if row["run"] == "2"]
    stop = int(run.diverged_at[1])
    assert diverged[stop]["stop_reason"] == run.stop_reason[1] != ""
    assert diverged[stop + 1]["x"] == diverged[stop + 1]["value"] == ""
    assert [float(row["value"]) for row in rows if row["run"] == "1"] == run.values[:, 0].tolist()


def test_the_surface_pages_download_is_the_core_table():
    surface = gd_core.get_surface("two_minima")
    starts = [(0.7, -0.2), (-1.5, 1.2)]
    runs = run_fan(surface, "momentum", {"momentum": 0.5}, starts, [0.1, 0.42], 20)
    opt = gd_core.make_optimizer("momentum", lr=0.42, momentum=0.5)
    expected = gd_core.trajectory_csv(gd_core.descend(surface, opt, starts, 20), "momentum", 0.42)
    assert surface_view.trajectory_csv(runs, 1) == expected


def test_a_race_names_each_runs_optimizer():
    surface = gd_core.get_surface("bowl")
    runs = [gd_core.descend(surface, gd_core.make_optimizer(name, lr=0.05), (0.0, 0.0), 5)
            for name in ("gd", "adam")]
    batch = gd_core.Trajectory(np.stack([r.points for r in runs], axis=1),
                               np.stack([r.values for r in runs], axis=1),
                               np.array([-1, -1]), np.array([0, 0]))
    rows = _rows(gd_core.trajectory_csv(batch, ["gd", "adam"], [0.05, 0.05]))
    assert {(row["run"], row["optimizer"]) for row in rows} == {("1", "gd"), ("2", "adam")}
    with pytest.raises(ValueError, match="3 optimizer names for 2 runs"):
        gd_core.trajectory_csv(batch, ["gd", "adam", "rmsprop"], 0.05)
