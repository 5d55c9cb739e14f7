"""The basins page's chart payloads, pure (no Streamlit): the basin map (an image layer with
contour lines over it, the clicked start's path on top, the critical rates marked on the
learning-rate slider) and the stability map beside the path of the pair clicked in it."""

from __future__ import annotations

import dataclasses

import numpy as np

import gd_core
from ui import basins as logic
from ui.chart import encode_array, format_number
from ui.chart_payload import (
    FanMark,
    Head,
    ImageLayer,
    Legend,
    LegendItem,
    Panel,
    Path,
    Payload,
    PlotlyTrace,
    Readout,
    Series,
    Shade,
)
from ui.curve import fan_position
from ui.payloads import (
    GRID_REFS,
    RunStyle,
    SurfaceGrid,
    contour_panel,
    fan_spec,
    grid_arrays,
    run_readouts,
    run_series,
)
from ui.runs import LEARNING_RATES, FanRuns, badges, format_learning_rate

#: The clicked start's path: white over a black edge, readable on every basin colour.
PATH_STYLE = RunStyle("#FFFFFF", "circle", "●")
_FONT = {"family": "sans-serif", "size": 12}
BASIN_KEY = ("Each cell is a start, coloured by the minimum its run is at when the steps end "
             "(darker: more steps needed) · × a known minimum · ○ the clicked start · ● where "
             "its run is at this step")


def _axes_layout(surface: gd_core.Surface, title: str) -> dict:
    (xlo, xhi), (ylo, yhi) = surface.domain
    return {
        "uirevision": surface.name,
        "margin": {"l": 44, "r": 12, "t": 36, "b": 40},
        "title": {"text": title, "font": {"size": 14}, "x": 0.02, "xanchor": "left"},
        "xaxis": {"range": [xlo, xhi], "title": {"text": "x"}, "constrain": "domain",
                  "zeroline": False, "showgrid": False},
        "yaxis": {"range": [ylo, yhi], "title": {"text": "y"}, "scaleanchor": "x",
                  "constrain": "domain", "zeroline": False, "showgrid": False},
        "showlegend": False, "hovermode": "closest", "font": _FONT,
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "#ffffff",
    }


def _minima_marks(surface: gd_core.Surface) -> PlotlyTrace:
    minima = np.asarray(surface.minima)
    return PlotlyTrace(kind="marker", trace={
        "type": "scatter", "mode": "markers", "x": minima[:, 0].tolist(),
        "y": minima[:, 1].tolist(), "hoverinfo": "skip",
        "marker": {"symbol": "x-thin", "size": 10, "line": {"width": 2.5, "color": "#000000"}},
    })


def _path_traces(series: int) -> list:
    where = {"series": series, "map": {"x": "x", "y": "y"}}
    return [
        Path(**where, trace={"type": "scatter", "mode": "lines", "hoverinfo": "skip",
                             "line": {"color": "#000000", "width": 4.5}}),
        Path(**where, trace={"type": "scatter", "mode": "lines", "hoverinfo": "skip",
                             "line": {"color": "#FFFFFF", "width": 2}}),
        Head(**where, trace={"type": "scatter", "mode": "markers", "hoverinfo": "skip",
                             "marker": {"color": "#FFFFFF", "size": 12, "symbol": "circle",
                                        "line": {"color": "#000000", "width": 2}}}),
        Head(**where, frame=0, trace={"type": "scatter", "mode": "markers", "hoverinfo": "skip",
                                      "marker": {"color": "#FFFFFF", "opacity": 0, "size": 15,
                                                 "symbol": "circle",
                                                 "line": {"color": "#000000", "width": 2.5}}}),
    ]


def basin_arrays(basins: gd_core.BasinMap, minima: int) -> dict:
    """The map as shared arrays: labels (uint8) and the steps each labelled cell needed."""
    settled = np.where(basins.labels >= 0, basins.steps, 0)
    return {
        "basin_labels": encode_array(logic.image_labels(basins, minima), "u1", compress=True),
        "basin_steps": encode_array(np.minimum(settled, 65535), "u2", compress=True),
    }


def basin_panel(surface: gd_core.Surface, basins: gd_core.BasinMap, *, shade: bool) -> Panel:
    """The basin map with contour lines and the known minima over it, and the clicked start's
    path (series 0) on top; a click reports the cell."""
    xs, ys = basins.xs, basins.ys
    settled = basins.steps[basins.labels >= 0]
    # Full shade at the 95th percentile: a few very slow cells would otherwise pale the rest.
    slowest = int(np.percentile(settled, 95)) if settled.size else 0
    image = ImageLayer(
        labels={"ref": "basin_labels"}, x0=float(xs[0]), dx=float(xs[1] - xs[0]),
        y0=float(ys[0]), dy=float(ys[1] - ys[0]), palette=logic.palette(len(surface.minima)),
        shade=Shade(steps={"ref": "basin_steps"}, max=max(slowest, 1),
                    strength=logic.SHADE_STRENGTH) if shade and slowest else None)
    contour_lines = PlotlyTrace(kind="contour", transform={"z": "log1p_above_min"}, trace={
        "type": "contour", **GRID_REFS, "showscale": False, "ncontours": 20,
        "contours": {"coloring": "none", "showlines": True},
        "line": {"color": "rgba(20, 20, 20, 0.45)", "width": 0.8},
        "hovertemplate": "x = %{x:.3f}<br>y = %{y:.3f}<extra>click to play this start</extra>",
    })
    return Panel(id="basins", layout=_axes_layout(
                     surface, "Basin map — click a cell to play its path"),
                 height=520, click=True, live="svg",
                 traces=[image, contour_lines, _minima_marks(surface), *_path_traces(0)])


#: Critical rates closer than this (in slider positions) share one ▲.
_SAME_MARK = 0.5
#: A shared ▲'s tooltip names at most this many minima.
_NAMED_PER_MARK = 4


def critical_fan_marks(surface: gd_core.Surface,
                       marks: list[logic.CriticalMark]) -> list[FanMark]:
    """A ▲ on the learning-rate slider at each minimum's critical rate; rates that fall
    together share one (Rastrigin's 121 minima make a handful)."""
    groups: list[tuple[float, list[logic.CriticalMark]]] = []
    for mark in marks:  # lowest rate first
        position = fan_position(LEARNING_RATES, mark.rate)
        if position is None:
            continue
        if groups and position - groups[-1][0] < _SAME_MARK:
            groups[-1][1].append(mark)
        else:
            groups.append((position, [mark]))
    ticks = []
    for position, members in groups:
        # The ▲ alone: labels would overlap; the tooltip and ``critical_rates_text`` name them.
        named = "; ".join(f"{format_number(mark.rate, 4)} at the minimum "
                          f"{logic.minimum_name(surface, mark.minimum)}"
                          for mark in members[:_NAMED_PER_MARK])
        more = (f"; and {len(members) - _NAMED_PER_MARK} more minima"
                if len(members) > _NAMED_PER_MARK else "")
        ticks.append(FanMark(
            position=position, label="",
            help=f"The critical learning rate: {named}{more}. Past it that minimum is "
                 "unstable and its basin vanishes."))
    return ticks


def basin_legend(surface: gd_core.Surface, basin_shares: np.ndarray, steps: int) -> Legend:
    return Legend(title="Where each start ends (share of the map)", items=[
        LegendItem(label=label, color=color, swatch="box")
        for label, color in logic.legend_entries(surface, basin_shares, steps)])


def path_series(surface: gd_core.Surface, runs: FanRuns, name: str) -> list[Series]:
    """The clicked start's runs (one per fan member) as the chart's series 0."""
    return run_series(surface, runs, badges(surface, runs), [name], [PATH_STYLE],
                      gradients=False)


def basin_map_payload(surface: gd_core.Surface, grid: SurfaceGrid, basins: gd_core.BasinMap,
                      *, shade: bool, marks: list[logic.CriticalMark], steps: int) -> Payload:
    """The basin map view without its path (``with_path`` adds it): the map, its legend and
    the learning-rate slider with the critical rates marked (the map is for the slider's rate
    when it was let go)."""
    minima = len(surface.minima)
    return Payload(
        arrays={**grid_arrays(grid), **basin_arrays(basins, minima)},
        panels=[basin_panel(surface, basins, shade=shade)],
        fan=fan_spec(LEARNING_RATES, [format_learning_rate(lr) for lr in LEARNING_RATES], 0,
                     critical_fan_marks(surface, marks)),
        legend=basin_legend(surface, logic.shares(basins, minima), steps),
        badges_first=True,
    )


def with_path(payload: Payload, surface: gd_core.Surface, runs: FanRuns,
              lr_index: int) -> Payload:
    """``payload`` with the clicked start's path at every learning rate of the slider (``runs``
    over ``LEARNING_RATES``), the slider at ``lr_index``."""
    start = runs.starts[0]
    name = f"start ({format_number(float(start[0]))}, {format_number(float(start[1]))})"
    return dataclasses.replace(
        payload, series=path_series(surface, runs, name),
        fan=dataclasses.replace(payload.fan, index=lr_index),
        readouts=[Readout(series=0, text=BASIN_KEY),
                  *run_readouts([name], [PATH_STYLE], key="", gradients=False)[1:]])


# --- the stability map ----------------------------------------------------------------------------


def stability_panel(stability: gd_core.StabilityMap, chosen: tuple[float, float] | None) -> Panel:
    """(learning rate, momentum) cells coloured by the measured rate, the theory's edge, the
    optimum and the chosen pair."""
    lrs, momenta = stability.lrs, stability.momenta
    edge_x, edge_y = logic.theory_boundary(stability.eigenvalues, momenta)
    lr_best, mu_best = stability.best
    traces = [
        ImageLayer(labels={"ref": "rate_classes"}, x0=float(lrs[0]), dx=float(lrs[1] - lrs[0]),
                   y0=float(momenta[0]), dy=float(momenta[1] - momenta[0]),
                   palette=list(logic.RATE_COLORS)),
        PlotlyTrace(kind="line", trace={
            "type": "scatter", "mode": "lines", "x": edge_x, "y": edge_y,
            "line": {"color": "#000000", "width": 2.5, "dash": "dash"},
            "hovertemplate": "theory's edge: η = (2 + 2μ)/λmax<extra></extra>"}),
        PlotlyTrace(kind="marker", trace={
            "type": "scatter", "mode": "markers", "x": [lr_best], "y": [mu_best],
            "marker": {"symbol": "star", "size": 18, "color": "#F0E442",
                       "line": {"color": "#000000", "width": 1.5}},
            "hovertemplate": (f"optimum: η* = {format_number(lr_best)}, μ* = "
                              f"{format_number(mu_best)}<extra></extra>")}),
    ]
    if chosen is not None:
        traces += [PlotlyTrace(kind="marker", trace={
            "type": "scatter", "mode": "markers", "x": [chosen[0]], "y": [chosen[1]],
            "hoverinfo": "skip",
            # An open symbol is stroked in the marker's colour.
            "marker": {"symbol": "circle-open", "size": 16, "color": color,
                       "line": {"width": width}}})
            for color, width in (("#000000", 4), ("#FFFFFF", 2))]
    half_x, half_y = (lrs[1] - lrs[0]) / 2, (momenta[1] - momenta[0]) / 2
    layout = {
        "uirevision": f"stability|{float(lrs[-1])}",
        "margin": {"l": 52, "r": 12, "t": 36, "b": 44},
        "title": {"text": "Stability map — click a cell to run that pair", "font": {"size": 14},
                  "x": 0.02, "xanchor": "left"},
        "xaxis": {"range": [float(lrs[0] - half_x), float(lrs[-1] + half_x)],
                  "title": {"text": "learning rate η"}, "zeroline": False, "showgrid": False},
        "yaxis": {"range": [float(momenta[0] - half_y), float(momenta[-1] + half_y)],
                  "title": {"text": "momentum μ"}, "zeroline": False, "showgrid": False},
        "showlegend": False, "hovermode": "closest", "font": _FONT,
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "#ffffff",
    }
    return Panel(id="stability", layout=layout, height=460, click=True, traces=traces)


def stability_legend(stability: gd_core.StabilityMap) -> Legend:
    lr_best, mu_best = stability.best
    return Legend(title="Measured convergence rate: each step multiplies |θ − θ*| by it",
                  items=[
                      *(LegendItem(label=label, color=color, swatch="box")
                        for label, color in logic.rate_legend()),
                      LegendItem(label="the theory's edge: η = (2 + 2μ)/λmax", color="#000000",
                                 swatch="line", dash="dash"),
                      LegendItem(label=f"the optimum η* = {format_number(lr_best)}, μ* = "
                                       f"{format_number(mu_best)}", color="#F0E442",
                                 swatch="line", symbol="star"),
                  ])


def stability_payload(surface: gd_core.Surface, grid: SurfaceGrid,
                      stability: gd_core.StabilityMap, run: FanRuns | None,
                      chosen: tuple[float, float] | None) -> Payload:
    """The stability view: the map, and beside it the chosen pair's run on the surface."""
    style = RunStyle("#D55E00", "circle", "●")
    series, readouts = [], []
    if run is not None:
        name = (f"momentum η = {format_number(chosen[0])}, μ = {format_number(chosen[1])}")
        series = run_series(surface, run, badges(surface, run), [name], [style],
                            gradients=False)
        readouts = run_readouts([name], [style], gradients=False)[1:]
    return Payload(
        arrays={**grid_arrays(grid),
                "rate_classes": encode_array(logic.rate_classes(stability.rate), "u1",
                                             compress=True)},
        panels=[stability_panel(stability, chosen),
                contour_panel(surface, grid, [style] if run is not None else [],
                              title="The chosen pair's run — click to move its start",
                              arrows=False)],
        series=series, readouts=readouts, legend=stability_legend(stability),
        badges_first=True,
    )
