"""The command line: ``python -m gd_core`` prints trajectories as JSON or CSV, refuses bad input."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import gd_core
from gd_core.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _run_main(capsys, argv):
    """(exit code, stdout, stderr) of ``main(argv)``."""
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def _expected(surface, optimizer, starts, steps, schedule=None, noise=0.0, seed=None, **hp):
    opt = gd_core.make_optimizer(optimizer, schedule=schedule, **hp)
    return gd_core.descend(
        gd_core.get_surface(surface), opt, np.array(starts, dtype=float), steps, noise, seed
    )


def _json_points(run):
    return np.array(
        [[np.nan if v is None else v for v in row] for row in run["points"]], dtype=float
    )


def _json_values(run):
    return np.array([np.nan if v is None else v for v in run["values"]], dtype=float)


def _csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def _csv_float(cell):
    return np.nan if cell == "" else float(cell)


# --- JSON --------------------------------------------------------------------------------------

JSON_CASES = [
    (["--surface", "himmelblau", "--optimizer", "adam", "--lr", "0.05", "--start=-4,4",
      "--steps", "200"],
     dict(surface="himmelblau", optimizer="adam", starts=[[-4, 4]], steps=200, lr=0.05)),
    (["--surface", "rosenbrock", "--optimizer", "nesterov", "--lr", "0.0005", "--momentum", "0.8",
      "--start=-1.5,2", "--start=0,0", "--steps", "50"],
     dict(surface="rosenbrock", optimizer="nesterov", starts=[[-1.5, 2], [0, 0]], steps=50,
          lr=0.0005, momentum=0.8)),
    (["--surface", "bowl_1d", "--lr", "0.1", "--start", "0", "--steps", "5"],
     dict(surface="bowl_1d", optimizer="gd", starts=[[0.0]], steps=5, lr=0.1)),
    (["--surface", "ackley", "--optimizer", "rmsprop", "--alpha", "0.9", "--eps", "1e-6",
      "--start=2.5,-1", "--steps", "30", "--noise", "0.3", "--seed", "4"],
     dict(surface="ackley", optimizer="rmsprop", starts=[[2.5, -1]], steps=30, noise=0.3, seed=4,
          alpha=0.9, eps=1e-6)),
]


@pytest.mark.parametrize(("argv", "config"), JSON_CASES, ids=[c[1]["surface"] for c in JSON_CASES])
def test_json_round_trip(capsys, argv, config):
    code, out, err = _run_main(capsys, [*argv, "--format", "json"])
    assert code == 0 and err == ""
    document = json.loads(out)
    expected = _expected(**config)
    assert document["surface"] == config["surface"]
    assert document["formula"] == gd_core.get_surface(config["surface"]).formula
    assert document["optimizer"] == config["optimizer"]
    assert document["steps"] == config["steps"]
    assert len(document["runs"]) == len(config["starts"])
    for index, run in enumerate(document["runs"]):
        assert run["start"] == [float(v) for v in config["starts"][index]]
        assert np.array_equal(_json_points(run), expected.points[:, index], equal_nan=True)
        assert np.array_equal(_json_values(run), expected.values[:, index], equal_nan=True)
        assert run["diverged_at"] == expected.diverged_at[index]
        assert run["stop_reason"] == expected.stop_reason[index]


def test_json_lists_the_resolved_hyperparameters(capsys):
    code, out, _ = _run_main(capsys, ["--optimizer", "adam", "--lr", "0.05", "--format", "json"])
    assert code == 0
    assert json.loads(out)["hyperparams"] == {"lr": 0.05, "betas": [0.9, 0.999], "eps": 1e-8}


def test_json_writes_null_after_a_divergence(capsys):
    argv = ["--surface", "quadratic_1d", "--lr", "0.2", "--start", "0.75", "--steps", "30",
            "--format", "json"]
    code, out, _ = _run_main(capsys, argv)
    assert code == 0
    run = json.loads(out)["runs"][0]
    k = run["diverged_at"]
    assert k == 20 and run["stop_reason"]
    assert run["points"][k][0] is not None
    assert all(point == [None] for point in run["points"][k + 1 :])
    assert all(value is None for value in run["values"][k + 1 :])


def test_schedule_option_matches_the_library(capsys):
    argv = ["--surface", "bowl", "--lr", "0.05", "--schedule", "cosine", "--start=-1,3",
            "--steps", "40", "--format", "json"]
    code, out, _ = _run_main(capsys, argv)
    assert code == 0
    schedule = gd_core.make_schedule("cosine", total_steps=40)
    expected = _expected("bowl", "gd", [[-1, 3]], 40, schedule=schedule, lr=0.05)
    points = _json_points(json.loads(out)["runs"][0])
    assert np.array_equal(points, expected.points[:, 0])
    unscheduled = _expected("bowl", "gd", [[-1, 3]], 40, lr=0.05)
    assert not np.array_equal(points, unscheduled.points[:, 0])


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_round_trip_2d(capsys):
    argv = ["--surface", "two_minima", "--optimizer", "momentum", "--lr", "0.1",
            "--start=0.5,0.5", "--start=-1.5,-1.5", "--steps", "25", "--format", "csv"]
    code, out, err = _run_main(capsys, argv)
    assert code == 0 and err == ""
    assert out.splitlines()[0] == "optimizer,learning_rate,run,step,x,y,value,stop_reason"
    rows = _csv_rows(out)
    expected = _expected("two_minima", "momentum", [[0.5, 0.5], [-1.5, -1.5]], 25, lr=0.1)
    assert len(rows) == 2 * 26
    for row in rows:
        run, step = int(row["run"]) - 1, int(row["step"])
        point = [_csv_float(row["x"]), _csv_float(row["y"])]
        assert np.array_equal(point, expected.points[step, run], equal_nan=True)
        assert np.array_equal(_csv_float(row["value"]), expected.values[step, run], equal_nan=True)
        assert (row["optimizer"], row["learning_rate"], row["stop_reason"]) == ("momentum", "0.1",
                                                                               "")
    assert [(int(r["run"]), int(r["step"])) for r in rows] == [
        (run, step) for run in (1, 2) for step in range(26)
    ]


def test_csv_round_trip_1d_with_a_divergence(capsys):
    argv = ["--surface", "quadratic_1d", "--lr", "0.2", "--start", "0.75", "--start", "2",
            "--steps", "30"]  # csv is the default
    code, out, _ = _run_main(capsys, argv)
    assert code == 0
    rows = _csv_rows(out)
    assert list(rows[0]) == ["optimizer", "learning_rate", "run", "step", "x", "value",
                             "stop_reason"]
    expected = _expected("quadratic_1d", "gd", [[0.75], [2.0]], 30, lr=0.2)
    got = np.array([_csv_float(r["x"]) for r in rows]).reshape(2, 31).T
    assert np.array_equal(got, expected.points[..., 0], equal_nan=True)
    assert rows[21]["x"] == "" and rows[21]["value"] == ""  # run 1, step 21: after step 20
    assert rows[20]["x"] != ""
    # Why the run stopped, on the step where it did.
    assert [(r["run"], int(r["step"])) for r in rows if r["stop_reason"]] == [
        ("1", int(expected.diverged_at[0])), ("2", int(expected.diverged_at[1]))]
    assert rows[20]["stop_reason"] == "the iterate ran far outside the domain"


def test_help_gives_each_optimizers_own_defaults(capsys):
    code, out, _ = _run_main(capsys, ["--help"])
    assert code == 0
    text = " ".join(out.split())
    assert "adagrad 1e-10" in text and "adam 0.9,0.999" in text and "adam 0.001" in text


def test_default_start_is_inside_the_domain(capsys):
    argv = ["--surface", "rosenbrock", "--steps", "3", "--format", "json"]
    code, out, _ = _run_main(capsys, argv)
    assert code == 0
    (run,) = json.loads(out)["runs"]
    bounds = np.array(gd_core.get_surface("rosenbrock").domain)
    assert np.all((run["start"] > bounds[:, 0]) & (run["start"] < bounds[:, 1]))
    assert len(run["points"]) == 4


def test_module_entry_point_runs(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "gd_core", "--surface", "himmelblau", "--optimizer", "adam",
         "--lr", "0.05", "--start=-4,4", "--steps", "20", "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    run = json.loads(result.stdout)["runs"][0]
    expected = _expected("himmelblau", "adam", [[-4, 4]], 20, lr=0.05)
    assert np.array_equal(_json_points(run), expected.points[:, 0])


# --- help and errors ---------------------------------------------------------------------------


def test_help_exits_zero_and_lists_the_choices(capsys):
    code, out, err = _run_main(capsys, ["--help"])
    assert code == 0 and err == ""
    assert "--surface" in out and "--format" in out
    for name in (*gd_core.SURFACES, *gd_core.OPTIMIZERS):
        assert name in out


BAD_ARGUMENTS = {
    "unknown surface": ["--surface", "nope"],
    "unknown optimizer": ["--optimizer", "lbfgs"],
    "unknown option": ["--bogus", "1"],
    "bad start": ["--start", "abc"],
    "non-finite start": ["--start=nan,1"],
    "start with too many numbers": ["--surface", "himmelblau", "--start=1,2,3"],
    "start with too few numbers": ["--surface", "himmelblau", "--start=1"],
    "2D start on a 1D surface": ["--surface", "quadratic_1d", "--start=1,2"],
    "negative lr": ["--lr=-0.1"],
    "lr not a number": ["--lr", "fast"],
    "momentum with gd": ["--optimizer", "gd", "--momentum", "0.9"],
    "betas with rmsprop": ["--optimizer", "rmsprop", "--betas", "0.9,0.99"],
    "one beta": ["--optimizer", "adam", "--betas", "0.9"],
    "betas not numbers": ["--optimizer", "adam", "--betas", "a,b"],
    "beta out of range": ["--optimizer", "adam", "--betas", "0.9,1.5"],
    "negative eps": ["--optimizer", "adam", "--eps=-1"],
    "steps too large": ["--steps", "100001"],
    "negative steps": ["--steps=-1"],
    "negative noise": ["--noise=-1"],
    "unknown format": ["--format", "xml"],
    "unknown schedule": ["--schedule", "warmup"],
    "hostile formula": ["--formula", "__import__('os').system('true')"],
    "formula with an unknown name": ["--formula", "x + z"],
}


@pytest.mark.parametrize("argv", list(BAD_ARGUMENTS.values()), ids=list(BAD_ARGUMENTS))
def test_bad_arguments_exit_non_zero_with_one_line(capsys, argv):
    code, out, err = _run_main(capsys, argv)
    assert code not in (0, None)
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "error" in err
    assert "Traceback" not in err


def test_bad_argument_message_says_what_is_wrong(capsys):
    _, _, err = _run_main(capsys, ["--surface", "nope"])
    assert "nope" in err and "himmelblau" in err
    _, _, err = _run_main(capsys, ["--optimizer", "gd", "--momentum", "0.9"])
    assert "momentum" in err
    _, _, err = _run_main(capsys, ["--lr=-0.1"])
    assert "Invalid learning rate" in err
    _, _, err = _run_main(capsys, ["--surface", "himmelblau", "--start=1,2,3"])
    assert "2" in err and "--start" in err


def test_formula_option_descends_the_typed_function(capsys):
    code, out, _ = _run_main(
        capsys, ["--formula", "x^4 - 3*x^2 + x", "--start=2", "--lr", "0.05", "--steps", "40",
                 "--format", "json"],
    )
    assert code == 0
    document = json.loads(out)
    assert document["formula"].startswith("f(x) =")
    expected = _expected("double_well_1d", "gd", [[2.0]], 40, lr=0.05)
    np.testing.assert_allclose(_json_points(document["runs"][0]), expected.points[:, 0], rtol=1e-12)


def test_the_readme_names_the_csv_columns_the_writer_writes(capsys):
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## The command line"):]
    _, out, _ = _run_main(capsys, ["--surface", "bowl", "--steps", "1"])
    assert f"`{out.splitlines()[0]}`" in section
