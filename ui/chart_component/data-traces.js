// The animated kinds of a data panel (ui/chart.py): "curve", a polyline through x and an
// expression of the series' channels at the current fan member and frame (a fitted line); and
// "subset", the samples whose indices the current frame lists (a minibatch). `state` as in
// animated.js, with `shared` arrays for {"ref": name}.

import { channelAt } from "./channels.js";
import { evaluate, namesIn } from "./expression.js";
import { payloadArray } from "./static-traces.js";

// Marks a padding slot in a row of subset indices (a shorter last batch).
export const NO_SAMPLE = 65535;
const NOTHING = Object.freeze({ x: [], y: [] });

function currentFrame(state) {
  return Math.min(state.frame, state.frameCount - 1);
}

export function curveData(trace, state) {
  const series = state.series[trace.series];
  if (!series) return NOTHING;
  const frame = currentFrame(state);
  const values = {};
  for (const name of namesIn(trace.y)) {
    if (!series.channels[name] && name !== "step") {
      throw new Error(`curve expression: the series has no channel "${name}"`);
    }
    values[name] = channelAt(series, name, state)[frame];
    if (Number.isNaN(values[name])) return NOTHING;
  }
  const xs = payloadArray(trace.x, state.shared).flat;
  const x = new Array(xs.length);
  const y = new Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    values.x = xs[i];
    x[i] = xs[i];
    y[i] = evaluate(trace.y, values);
  }
  return { x, y };
}

export function subsetData(trace, state) {
  if (!state.series[trace.series]) return NOTHING;
  const indices = payloadArray(trace.indices, state.shared);
  const [frames, width] = indices.shape.slice(-2);
  const frame = currentFrame(state);
  if (frame >= frames) return NOTHING;
  const members = indices.shape.length === 3 ? indices.shape[0] : 1;
  const member = Math.min(state.fanIndex, members - 1);
  const start = (member * frames + frame) * width;
  const xs = payloadArray(trace.x, state.shared).flat;
  const ys = payloadArray(trace.y, state.shared).flat;
  const x = [];
  const y = [];
  for (const index of indices.flat.subarray(start, start + width)) {
    if (index === NO_SAMPLE || index >= xs.length) continue;
    x.push(xs[index]);
    y.push(ys[index]);
  }
  return { x, y };
}
