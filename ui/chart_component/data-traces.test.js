import assert from "node:assert/strict";
import test from "node:test";

import { NO_SAMPLE, curveData, subsetData } from "./data-traces.js";

// What ui/chart.py encode_array writes (uncompressed).
const encoded = (Typed, dtype, shape, values) => ({
  dtype, shape, bdata: Buffer.from(Typed.from(values).buffer).toString("base64") });
const f4 = (...values) => ({ flat: Float32Array.from(values), shape: [values.length] });
// Two fan members, three frames.
const fan = (...values) => ({ flat: Float32Array.from(values), shape: [2, 3] });
const series = { channels: { w: fan(1, 2, 3, -1, -2, -3), b: f4(0, 10, NaN) } };
const state = (frame, fanIndex = 0) => ({ series: [series], frame, frameCount: 3, fanIndex,
  fan: { labels: ["a", "b"] }, steps: Int32Array.of(0, 1, 2),
  shared: { xs: encoded(Float32Array, "f4", [3], [0, 1, 2]) } });

test("a curve is the expression at each x, with the channels at the member and frame", () => {
  const curve = { kind: "curve", series: 0, x: [0, 1, 2], y: ["+", ["*", "w", "x"], "b"] };
  assert.deepEqual(curveData(curve, state(0)), { x: [0, 1, 2], y: [0, 1, 2] });
  assert.deepEqual(curveData(curve, state(1)), { x: [0, 1, 2], y: [10, 12, 14] });
  assert.deepEqual(curveData(curve, state(1, 1)).y, [10, 8, 6], "the second fan member");
  assert.deepEqual(curveData({ ...curve, x: { ref: "xs" } }, state(0)).x, [0, 1, 2]);
  assert.deepEqual(curveData({ ...curve, x: [2], y: ["*", "step", "x"] }, state(2)).y, [4]);
});

test("a curve with a NaN parameter, or without its series, draws nothing", () => {
  const curve = { kind: "curve", series: 0, x: [0, 1], y: ["+", "w", "b"] };
  assert.deepEqual(curveData(curve, state(2)), { x: [], y: [] });
  assert.deepEqual(curveData({ ...curve, series: 3 }, state(0)), { x: [], y: [] });
  assert.throws(() => curveData({ ...curve, y: "v" }, state(0)), /no channel "v"/);
});

const samples = {
  x: encoded(Float32Array, "f4", [5], [10, 11, 12, 13, 14]),
  y: encoded(Float32Array, "f4", [5], [20, 21, 22, 23, 24]),
};

test("a subset is the samples the frame's row lists; padding and later frames draw nothing", () => {
  // Frames 0 and 1 only; frame 1 is a shorter batch.
  const indices = encoded(Uint16Array, "u2", [2, 2], [4, 0, 2, NO_SAMPLE]);
  const subset = { kind: "subset", series: 0, ...samples, indices };
  assert.deepEqual(subsetData(subset, state(0)), { x: [14, 10], y: [24, 20] });
  assert.deepEqual(subsetData(subset, state(1)), { x: [12], y: [22] });
  assert.deepEqual(subsetData(subset, state(2)), { x: [], y: [] });
  assert.deepEqual(subsetData({ ...subset, series: 1 }, state(0)), { x: [], y: [] });
});

test("subset indices per fan member pick the member's row", () => {
  const indices = encoded(Uint16Array, "u2", [2, 3, 1], [0, 1, 2, 3, 4, 0]);
  const subset = { kind: "subset", series: 0, ...samples, indices };
  assert.deepEqual(subsetData(subset, state(1, 0)).x, [11]);
  assert.deepEqual(subsetData(subset, state(1, 1)).x, [14]);
  assert.deepEqual(subsetData(subset, state(1, 5)).x, [14], "beyond the members: the last");
});
