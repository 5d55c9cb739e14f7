// What an animated trace (kinds path, head, arrow, text, curve, subset: ui/chart.py) shows at
// the chart's state: `state` holds series, frame, frameCount, fanIndex, fan.labels, steps and
// shared arrays.

import { channelAt } from "./channels.js";
import { curveData, subsetData } from "./data-traces.js";
import { fillTemplate, phrase } from "./templates.js";

export const ANIMATED = new Set(["path", "head", "arrow", "text", "curve", "subset"]);

// The trace's coordinates (and text) at the current frame and fan member.
export function animatedData(trace, state) {
  if (trace.kind === "curve") return curveData(trace, state);
  if (trace.kind === "subset") return subsetData(trace, state);
  const axes = Object.keys(trace.map);
  const series = state.series[trace.series];
  if (!series) {
    const empty = Object.fromEntries(axes.map((axis) => [axis, []]));
    return trace.kind === "text" ? { ...empty, text: [] } : empty;
  }
  const frame = Math.min(state.frame, state.frameCount - 1);
  const offset = trace.offset || {};
  const clamp = trace.clamp || {};
  const values = (axis, from, to) => {
    const source = trace.map[axis];
    // A number in "map" is a constant coordinate (an arrow drawn along an axis line).
    if (typeof source === "number") return new Array(to - from).fill(source);
    const column = channelAt(series, source, state).subarray(from, to);
    const add = offset[axis] || 0;
    const list = add ? Array.from(column, (value) => value + add) : Array.from(column);
    const [low, high] = clamp[axis] || [];
    // NaN compares false both ways: it stays NaN.
    return low === undefined ? list
      : list.map((value) => (value < low ? low : value > high ? high : value));
  };
  if (trace.kind === "path") {
    const end = trace.frames === "all" ? state.frameCount : frame + 1;
    return Object.fromEntries(axes.map((axis) => [axis, values(axis, 0, end)]));
  }
  if (trace.kind === "head" || trace.kind === "text") {
    // A head with its own "frame" stays there (a run's start point).
    const at = trace.frame ?? frame;
    const point = Object.fromEntries(axes.map((axis) => [axis, values(axis, at, at + 1)]));
    if (trace.kind === "text") {
      point.text = [fillTemplate(trace.text || "", trace, series, frame, state)];
      if (trace.position) point.textposition = [phrase(trace.position, series, frame, state)];
    }
    return point;
  }
  // An arrow from the point at this frame, along an angle channel or direction channels
  // (a number in "direction" is a constant component).
  let direction;
  if (trace.angle) {
    const angle = channelAt(series, trace.angle, state)[frame];
    direction = { [axes[0]]: Math.cos(angle), [axes[1]]: Math.sin(angle) };
  } else {
    direction = Object.fromEntries(Object.entries(trace.direction).map(([axis, source]) =>
      [axis, typeof source === "number" ? source : channelAt(series, source, state)[frame]]));
  }
  let factor = trace.scale || 1;
  if (trace.normalize) factor = trace.normalize / Math.hypot(...Object.values(direction));
  // "span" [a, b]: from the point plus a times the direction to plus b times it ([-1, 1]
  // centres the segment on the point, as a tangent line).
  const [from, to] = trace.span || [0, 1];
  const ends = axes.map((axis) => {
    const at = values(axis, frame, frame + 1)[0];
    const along = factor * (axis in direction ? direction[axis] : 0);
    return [at + from * along, at + to * along];
  });
  const drawn = ends.every(([a, b]) => Number.isFinite(a) && Number.isFinite(b))
    && ends.some(([a, b]) => a !== b);
  return Object.fromEntries(axes.map((axis, i) => [axis, drawn ? ends[i] : []]));
}

// The values of channel `source` over the fan members that never diverge (those whose
// "diverged" channel is NaN), or at the current member when every member diverges: a list of
// runs (views into the channel, not copies: a fan holds some 10^5 values).
export function boundedRuns(series, source, state) {
  if (typeof source === "number") return [[source]];
  const array = series.channels[source];
  const diverged = series.channels.diverged;
  if (source === "step" || !array || array.shape.length !== 2 || !diverged) {
    return [channelAt(series, source, state)];
  }
  const [members, width] = array.shape;
  const divergedWidth = diverged.shape[diverged.shape.length - 1];
  const bounded = [];
  for (let member = 0; member < members; member += 1) {
    if (Number.isNaN(diverged.flat[member * divergedWidth])) {
      bounded.push(array.flat.subarray(member * width, (member + 1) * width));
    }
  }
  return bounded.length ? bounded : [channelAt(series, source, state)];
}

// The range plotly's autorange would give the axes of `layout` set to autorange, over the whole
// runs of `traces` at every fan member that stays bounded (every frame, not only those played
// so far): one range while the learning rate is dragged, so the runs compare on one scale, and
// a runaway leaves the chart at its edge instead of flattening the others. An axis's
// autorangeoptions.maxallowed (plotly's name, in data units) caps the range: runs that climb
// above it leave the chart at the top. Curves and subsets (no "map") lie among a data panel's
// samples and leave the range alone.
export function autoRanges(layout, traces, state) {
  const ranges = {};
  for (const [key, axisLayout] of Object.entries(layout)) {
    const axis = key.match(/^([xy])axis$/);
    if (!axis || !axisLayout.autorange) continue;
    const log = axisLayout.type === "log";
    let low = Infinity;
    let high = -Infinity;
    for (const trace of traces) {
      const series = state.series[trace.series];
      const source = trace.map?.[axis[1]];
      if (!series || source === undefined) continue;
      const add = (trace.offset || {})[axis[1]] || 0;
      for (const run of boundedRuns(series, source, state)) {
        for (let i = 0; i < run.length; i += 1) {
          const value = log ? Math.log10(run[i] + add) : run[i] + add;
          if (Number.isFinite(value)) {
            if (value < low) low = value;
            if (value > high) high = value;
          }
        }
      }
    }
    const ceiling = axisLayout.autorangeoptions?.maxallowed;
    if (Number.isFinite(ceiling)) high = Math.min(high, log ? Math.log10(ceiling) : ceiling);
    // No run to show: a plain axis rather than the last runs' range.
    if (low > high) {
      ranges[key] = { range: log ? [-1, 1] : [0, 1] };
      continue;
    }
    const pad = (high - low || Math.abs(high) || 1) * 0.05;
    ranges[key] = { range: [low - pad, high + pad] };
  }
  return ranges;
}
