"""The caps on the work one change may ask of the server, listed in one table.

Each cap is declared where it is enforced (a control's range, a parser, the formula checker,
the upload reader, the server's configuration) and only read here. Every value a page works
with passes its control's URL parser first (``ui.page_state.PageState.check``), whether it came
from a link, a widget or a chart event, so these caps hold whatever a browser sends. The
README's "Limits" section is this table (``python3 -m ui.limits`` prints it; a test holds the
two equal).
"""

from __future__ import annotations

import textwrap

from gd_core import formula
from ui import basins, curve_view, race_view, sgd, surface_view
from ui.controls import MAX_COORDINATE
from ui.payloads import MAX_RUNS
from ui.runs import LEARNING_RATES, RACE_LEARNING_RATES

#: The largest message a browser may send (widget values, chart events), in MB:
#: .streamlit/config.toml's server.maxWidgetStateSize, which a test holds equal to this.
BROWSER_MESSAGE_MEGABYTES = 1
_WIDTH = 100


def limits() -> list[tuple[str, str]]:
    """Each cap as ``(what, how much)``, in the learner's words."""
    grid = max(basins.RESOLUTIONS)
    return [
        ("Steps per run", f"{curve_view.MAX_STEPS} (Why minus the gradient), "
                          f"{surface_view.MAX_STEPS} (Descent on a surface, Your own function), "
                          f"{race_view.MAX_STEPS} (Optimizer race), {basins.MAX_STEPS} "
                          "(Basins of attraction)"),
        ("Start points on a surface", f"{MAX_RUNS} (the oldest gives way)"),
        ("Learning rates run per change", f"{len(LEARNING_RATES)} (every start at each, for "
                                          f"the live slider); the race: "
                                          f"{len(RACE_LEARNING_RATES)} per racer"),
        ("Basin map", f"{grid} × {grid} starts"),
        ("Stability map", f"{basins.STABILITY_LRS} × {basins.STABILITY_MOMENTA} cells of "
                          f"{basins.STABILITY_STEPS} steps"),
        ("Coordinates of a start point or a plotted range", f"±{MAX_COORDINATE:g}"),
        ("Synthetic data points n", f"{sgd.MAX_N}"),
        ("Epochs", f"{sgd.MAX_EPOCHS}, and at most {sgd.MAX_SAMPLE_STEPS:,} single-sample "
                   "steps (n × epochs)"),
        ("Uploaded CSV", f"{sgd.MAX_UPLOAD_BYTES // 1000} kB and {sgd.MAX_UPLOAD_ROWS:,} rows; "
                         f"the server takes in at most {sgd.UPLOAD_MEGABYTES} MiB"),
        ("Typed formula", f"{formula.MAX_LENGTH} characters, {formula.MAX_DEPTH} levels of "
                          f"nesting, numbers up to {formula.MAX_CONSTANT:,.0f}, exponents up to "
                          f"{formula.MAX_EXPONENT}"),
        ("A message from the browser", f"{BROWSER_MESSAGE_MEGABYTES} MB (a larger one closes "
                                       "the connection)"),
    ]


def readme_section() -> str:
    """The README's "Limits" section, wrapped as the README is."""
    intro = ("One change can ask only so much of the server, whatever a link, a widget or a click "
             "on the chart sends: every value passes the same check as a link's before any work "
             "is done, and one out of range is refused (a link's or the chart's with a notice) "
             "and changes nothing else.")
    lines = ["## Limits", "", *textwrap.wrap(intro, _WIDTH), ""]
    for what, amount in limits():
        lines += textwrap.wrap(f"- {what}: {amount}.", _WIDTH, subsequent_indent="  ")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(readme_section(), end="")
