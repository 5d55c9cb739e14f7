"""SGD on real data, the page's logic: its data (synthetic, the S-curve of the one-unit network,
or the learner's CSV), the three runs it compares (full batch, minibatch, single sample) on one
timeline of samples seen, their verdicts and their CSV. Pure: no Streamlit here."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

import gd_core
from gd_core.formatting import format_number, format_point

#: The most samples the synthetic data may hold, the most epochs, and the most steps the
#: single-sample run may take (n × epochs): the work one change asks of the server.
MAX_N = 500
MAX_EPOCHS = 50
MAX_SAMPLE_STEPS = 20_000
#: The most frames the animation plays: a longer minibatch run shows every k-th step.
MAX_FRAMES = 2000
#: An uploaded CSV: at most this many bytes and data rows.
MAX_UPLOAD_BYTES = 100_000
MAX_UPLOAD_ROWS = 1000
#: The most the server receives for an upload, in MiB (.streamlit/config.toml's
#: server.maxUploadSize): a larger file is cut off before it is read, a smaller one past
#: MAX_UPLOAD_BYTES refused with a message.
UPLOAD_MEGABYTES = 1
#: The data the page offers; only the first two can be in a link (an upload is not).
DATA_SOURCES = {"line": "Synthetic line", "network": "S-curve (one-unit network)",
                "csv": "Your CSV"}
#: What the loss chart's step axis counts.
STEP_AXES = {"steps": "minibatch steps", "epochs": "epochs", "samples": "samples seen"}
#: The S-curve the one-unit network fits: y = scale · tanh(weight · x) + noise.
NETWORK_CURVE = {"weight": 1.5, "scale": 2.0, "x_range": (-3.0, 3.0)}
#: A run has reached a minimum (a good verdict) within this fraction of the map's width of it.
_NEAR_FRACTION = 0.05
#: Points per side of the loss map's grid. The losses here are smooth (a bowl, the network's
#: two dips), so 61 draws the same levels as the surface page's 101, and plotly draws a new
#: dataset's map in about 30 ms instead of 47 (headless Chromium on 2 cores).
LOSS_GRID = 61
#: The samples' index that pads a shorter batch in the chart's minibatch highlight.
NO_SAMPLE = 65535


@dataclass(frozen=True)
class RunKind:
    """One of the three runs: its name, how it is drawn and its batch size (None: the
    page's minibatch size; 0: all the samples)."""

    key: str
    label: str
    color: str
    symbol: str
    glyph: str
    dash: str
    batch_size: int | None


#: The three runs, in the order the chart and the legend list them (Okabe–Ito colours).
RUN_KINDS = (
    RunKind("full", "Full batch", "#0072B2", "circle", "●", "solid", 0),
    RunKind("minibatch", "Minibatch", "#D55E00", "diamond", "◆", "dash", None),
    RunKind("single", "Single sample", "#009E73", "square", "■", "dot", 1),
)


def max_epochs(n: int) -> int:
    """The most epochs a dataset of ``n`` samples may run (the single-sample run's cap)."""
    return max(1, min(MAX_EPOCHS, MAX_SAMPLE_STEPS // n))


def batch_size(kind: RunKind, n: int, minibatch: int) -> int:
    if kind.batch_size is None:
        return min(minibatch, n)
    return kind.batch_size or n


def run_label(kind: RunKind, n: int, minibatch: int) -> str:
    """``Minibatch (B = 10)``: a run as the legend, badges and readouts name it."""
    return f"{kind.label} (B = {batch_size(kind, n, minibatch)})"


def read_csv(raw: bytes) -> gd_core.Dataset:
    """The learner's data from a CSV file of two numeric columns, x then y (a header row of
    names is skipped). Anything else raises ValueError saying what to change."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ValueError(f"the file is {len(raw) // 1000} kB; the page takes files up to "
                         f"{MAX_UPLOAD_BYTES // 1000} kB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("the file is not text (UTF-8): save it as CSV") from None
    try:
        dialect = csv.Sniffer().sniff(text[:2000], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [row for row in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in row)]
    names = ("x", "y")
    if rows and not _numbers(rows[0]):
        header, rows = rows[0], rows[1:]
        if len(header) == 2:
            names = tuple(column_name(cell) or default
                          for cell, default in zip(header, names, strict=True))
    if len(rows) > MAX_UPLOAD_ROWS:
        raise ValueError(f"the file has {len(rows)} rows; the page takes up to "
                         f"{MAX_UPLOAD_ROWS}")
    values = []
    for number, row in enumerate(rows, start=1):
        cells = [cell.strip() for cell in row]
        if len(cells) != 2:
            count = f"{len(cells)} column{'' if len(cells) == 1 else 's'}"
            raise ValueError(f"row {number} has {count}: the file needs exactly two, x and y")
        parsed = _numbers(cells)
        if parsed is None:
            raise ValueError(f"row {number} is not two numbers: {', '.join(cells)[:60]}")
        values.append(parsed)
    if len(values) < 2:
        raise ValueError("the file needs at least two rows of x, y")
    x, y = np.array(values).T
    data = gd_core.Dataset(x, y, names)
    gd_core.linear_regression(data)  # refuses a column of one repeated x
    return data


#: A column name as an axis title: the characters a name needs, no markup (plotly reads tags
#: and entities in titles), and short enough to fit under a phone-wide plot.
_NAME_CHARACTERS = re.compile(r"[^\w .,:;()\[\]%$€£/+\-]")
_NAME_LENGTH = 32


def column_name(cell: str) -> str:
    """A CSV header cell as the chart may print it ("" when nothing printable is left)."""
    name = " ".join(_NAME_CHARACTERS.sub("", cell).split())
    return name if len(name) <= _NAME_LENGTH else name[:_NAME_LENGTH - 1].rstrip() + "…"


def _numbers(cells) -> list[float] | None:
    try:
        values = [float(cell) for cell in cells]
    except ValueError:
        return None
    return values if all(math.isfinite(value) for value in values) else None


def synthetic_data(source: str, n: int, slope: float, intercept: float, noise: float,
                   seed: int) -> gd_core.Dataset:
    """The seeded data of ``source`` ("line" or "network")."""
    if source == "network":
        return gd_core.make_tanh_regression(n=n, noise=noise, seed=seed, **NETWORK_CURVE)
    return gd_core.make_regression(n=n, slope=slope, intercept=intercept, noise=noise,
                                   x_range=(0.0, 10.0), seed=seed)


def make_problem(source: str, data: gd_core.Dataset, scaling: str):
    """The model the page fits: the one-unit network to its S-curve, else a line."""
    if source == "network":
        return gd_core.one_unit_network(data)
    return gd_core.linear_regression(data, scaling)


def parameter_names(problem) -> tuple[str, str]:
    return ("w", "v") if isinstance(problem, gd_core.OneUnitNetwork) else ("w", "b")


def condition_number(problem) -> float:
    """λmax / λmin of the loss's Hessian (at the global minimum, for the network)."""
    low, high = problem.curvatures
    return float(high / low)


def run(problem, optimizer: str, hyperparams: Mapping, lr: float, start, epochs: int,
        size: int, seed: int) -> gd_core.MinibatchTrajectory:
    """One run of the page: ``epochs`` passes in batches of ``size``, shuffled with ``seed``."""
    made = gd_core.make_optimizer(optimizer, lr=lr, **hyperparams)
    return gd_core.minibatch_descend(problem, made, np.asarray(start, dtype=float), epochs,
                                     size, shuffle=True, seed=seed)


@dataclass(frozen=True)
class Timeline:
    """The frames the chart plays, in samples seen: at frame ``k`` every run has used
    ``samples[k]`` samples' gradients; ``rows[key][k]`` is the step of run ``key`` shown then
    (the minibatch run's steps, every ``stride``-th when it has over ``MAX_FRAMES``)."""

    rows: dict[str, np.ndarray]
    samples: np.ndarray
    epochs: np.ndarray
    minibatch_steps: np.ndarray


def timeline(runs: Mapping[str, gd_core.MinibatchTrajectory], n: int) -> Timeline:
    """The shared timeline of ``runs`` (keyed as ``RUN_KINDS``), paced by the minibatch run."""
    minibatch = runs["minibatch"]
    stride = math.ceil(minibatch.steps / MAX_FRAMES) if minibatch.steps > MAX_FRAMES else 1
    steps = np.arange(0, minibatch.steps + 1, stride)
    if steps[-1] != minibatch.steps:
        steps = np.append(steps, minibatch.steps)
    samples = minibatch.samples_seen[steps]
    rows = {"minibatch": steps, "full": samples // n, "single": samples}
    return Timeline(rows=rows, samples=samples, epochs=samples / n, minibatch_steps=steps)


def frame_batches(run_: gd_core.MinibatchTrajectory, steps: np.ndarray) -> np.ndarray:
    """The samples of the batch each frame's step used, ``(frames, batch size)`` uint16, padded
    with ``NO_SAMPLE`` (a shorter last batch; frame 0, before any step, shows none)."""
    out = np.full((len(steps), run_.batch_size), NO_SAMPLE, dtype=np.uint16)
    for frame, step in enumerate(steps):
        if step > 0:
            batch = run_.batches[step - 1]
            out[frame, :len(batch)] = batch
    return out


def best_loss(problem) -> float:
    """J at the global minimum (the least-squares fit, for a line)."""
    return float(problem.surface.value(problem.surface.minima[0]))


@dataclass(frozen=True)
class Ending:
    """How a run ended, in the words the badges and the runs' table use: ``down``, how far down
    to J* it got ("99.94 %"), or where it diverged; ``near``, its distance from the nearest
    minimum ("0.69 from the least-squares fit"), empty for a run that diverged."""

    down: str
    near: str
    tone: str


def ending(problem, run_: gd_core.MinibatchTrajectory) -> Ending:
    """How ``run_`` ended, and its tone (good / neutral / bad)."""
    if run_.diverged_at >= 0:
        epoch = run_.diverged_at / run_.steps_per_epoch
        return Ending(f"diverged at step {run_.diverged_at} (epoch {format_number(epoch, 2)})",
                      "", "bad")
    best = best_loss(problem)
    start_gap = float(run_.values[0]) - best
    gap = float(run_.values[-1]) - best
    closed = 1.0 - gap / start_gap if start_gap > 0 else 1.0
    minima = np.asarray(problem.surface.minima)
    distances = np.linalg.norm(minima - run_.points[-1], axis=-1)
    nearest = int(np.argmin(distances))
    target = (f"the minimum {format_point(minima[nearest])}" if len(minima) > 1
              else "the least-squares fit")
    short = format_number(float(run_.values[-1])) != format_number(best)
    # Good: the loss is down to J* and the run is near the fit, not only on a valley floor.
    (low, high), _ = problem.surface.domain
    near = distances[nearest] <= _NEAR_FRACTION * (high - low)
    return Ending(f"{_percent_down(closed, short)} %",
                  f"{format_number(float(distances[nearest]), 2)} from {target}",
                  "good" if closed >= 0.999 and near else "neutral")


def verdict(problem, run_: gd_core.MinibatchTrajectory) -> tuple[str, str]:
    """How a run ended, in a sentence (a badge's), and its tone (good / neutral / bad)."""
    end = ending(problem, run_)
    if run_.diverged_at >= 0:
        return f"{end.down}: the learning rate is too large for these steps", end.tone
    return (f"after {gd_core.counted(run_.steps, 'step')} J = "
            f"{format_number(float(run_.values[-1]))}, {end.down} of the way down to J* = "
            f"{format_number(best_loss(problem))}; {end.near}", end.tone)


def _percent_down(closed: float, short: bool) -> str:
    """``100 · closed`` to 4 significant digits, and to more while those would read 100 for a
    run whose J still reads above J* (``short``): "100 % of the way down" beside J = 0.525 and
    J* = 0.521 would contradict the numbers next to it."""
    for digits in range(4, 10):
        text = format_number(100 * closed, digits)
        if not short or text != "100":
            break
    return text


def runs_csv(problem, runs: Mapping[str, gd_core.MinibatchTrajectory], labels: Mapping) -> str:
    """Every run, one row per step: run, batch size, step, epoch, samples seen, the two
    parameters and the loss on all the data (full precision)."""
    first, second = parameter_names(problem)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["run", "batch_size", "step", "epoch", "samples_seen", first, second,
                     "loss"])
    n = problem.data.n
    for key, run_ in runs.items():
        seen = run_.samples_seen
        for step in range(run_.steps + 1):
            writer.writerow([labels[key], run_.batch_size, step, repr(float(seen[step] / n)),
                             int(seen[step]), *(repr(float(v)) for v in run_.points[step]),
                             repr(float(run_.values[step]))])
    return out.getvalue()
