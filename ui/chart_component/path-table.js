// The runs' paths so far as a table for screen readers (visually hidden): one row per step up
// to the frame shown, per run its coordinates and f, as the readouts write numbers. Rebuilt a
// moment after the view comes to rest, never per animation frame.

import { channelAt } from "./channels.js";
import { h } from "./dom.js";
import { formatNumber } from "./templates.js";

// The last this many steps up to the frame shown: a path of thousands of steps is no table.
export const PATH_TABLE_ROWS = 100;
const QUANTITIES = ["x", "y", "f"];
const REST_MS = 300;

// {columns, rows, first}: a header per (run, quantity) the run has, and per step from `first`
// to `frame` the step and those values. Pure: `state` holds steps, fanIndex and the fan.
export function pathTable(series, state, frame, limit = PATH_TABLE_ROWS) {
  const parts = series.flatMap((run) => QUANTITIES.filter((name) => run.channels[name])
    .map((name) => ({ run, name, values: channelAt(run, name, state) })));
  const columns = ["step", ...parts.map(({ run, name }) => `${run.name}: ${name}`)];
  const first = Math.max(0, frame - limit + 1);
  const rows = [];
  for (let step = first; step <= frame; step++) {
    rows.push([String(step), ...parts.map(({ values }) => formatNumber(values[step], 4))]);
  }
  return { columns, rows, first };
}

export class PathTable {
  constructor() {
    this.node = h("div", "dl-sr-only");
    this.timer = null;
  }

  // `chart` as animated.js's state, with series, frame, frameCount and playing.
  show(chart) {
    clearTimeout(this.timer);
    if (chart.playing) return;
    this.timer = setTimeout(() => this.build(chart), REST_MS);
  }

  build(chart) {
    if (!chart.series.length) {
      this.node.replaceChildren();
      return;
    }
    const frame = Math.min(chart.frame, chart.frameCount - 1);
    const { columns, rows, first } = pathTable(chart.series, chart, frame);
    const table = h("table", "dl-path-table");
    table.appendChild(h("caption", "", first > 0
      ? `The paths, steps ${first} to ${frame} (the last ${rows.length} up to the step shown)`
      : `The paths, step by step, up to step ${frame}`));
    const head = h("tr");
    for (const column of columns) {
      const cell = h("th", "", column);
      cell.scope = "col";
      head.appendChild(cell);
    }
    table.appendChild(h("thead")).appendChild(head);
    const body = table.appendChild(h("tbody"));
    for (const row of rows) {
      const line = body.appendChild(h("tr"));
      row.forEach((value, i) => {
        const cell = line.appendChild(h(i ? "td" : "th", "", value));
        if (!i) cell.scope = "row";
      });
    }
    this.node.replaceChildren(table);
  }
}
