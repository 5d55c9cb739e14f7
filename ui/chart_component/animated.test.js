import assert from "node:assert/strict";
import test from "node:test";

import { animatedData, autoRanges, boundedRuns } from "./animated.js";

const f4 = (...values) => ({ flat: Float32Array.from(values), shape: [values.length] });
const series = { channels: {
  x: f4(0, 1, 2, NaN), y: f4(4, 3, 2, NaN), dx: f4(3, 0, 1, 1), dy: f4(4, 0, 0, 0),
  side: { flat: Uint8Array.of(0, 1, 0, 0), shape: [4] },
} };
const state = (frame) => ({ series: [series], frame, frameCount: 4, fanIndex: 0,
  fan: { labels: ["0.1"] }, steps: Int32Array.of(0, 1, 2, 3) });

test("a path is the trail up to the frame; offsets and constants apply", () => {
  const trace = { kind: "path", series: 0, map: { x: "x", y: "y" }, offset: { y: 10 } };
  assert.deepEqual(animatedData(trace, state(1)), { x: [0, 1], y: [14, 13] });
  assert.deepEqual(animatedData({ ...trace, frames: "all" }, state(0)).x.length, 4);
  assert.deepEqual(animatedData({ kind: "path", series: 0, map: { x: "step", y: -3.5 } }, state(2)),
    { x: [0, 1, 2], y: [-3.5, -3.5, -3.5] });
});

test("clamped coordinates are held within their bounds, after the offset; NaN stays NaN", () => {
  const trace = { kind: "path", series: 0, map: { x: "x", y: "y" }, frames: "all",
    offset: { y: 10 }, clamp: { x: [0.5, 1.5], y: [-100, 13.5] } };
  assert.deepEqual(animatedData(trace, state(0)), { x: [0.5, 1, 1.5, NaN], y: [13.5, 13, 12, NaN] });
});

test("a head is the point at the frame, or at its own frame", () => {
  const head = { kind: "head", series: 0, map: { x: "x", y: "y" } };
  assert.deepEqual(animatedData(head, state(2)), { x: [2], y: [2] });
  assert.deepEqual(animatedData({ ...head, frame: 0 }, state(2)), { x: [0], y: [4] });
  assert.deepEqual(animatedData({ ...head, series: 1 }, state(2)), { x: [], y: [] });
});

test("an arrow is normalised or scaled along its direction, and empty when zero or NaN", () => {
  const arrow = { kind: "arrow", series: 0, map: { x: "x", y: "y" },
    direction: { x: "dx", y: "dy" } };
  assert.deepEqual(animatedData({ ...arrow, normalize: 10 }, state(0)), { x: [0, 6], y: [4, 12] });
  assert.deepEqual(animatedData({ ...arrow, scale: 2, span: [-1, 1] }, state(0)),
    { x: [-6, 6], y: [-4, 12] });
  assert.deepEqual(animatedData({ ...arrow, normalize: 1 }, state(1)), { x: [], y: [] });
  assert.deepEqual(animatedData(arrow, state(3)), { x: [], y: [] });
  const tangent = { ...arrow, direction: { x: 1, y: "dx" }, span: [-1, 1] };
  assert.deepEqual(animatedData(tangent, state(2)), { x: [1, 3], y: [1, 3] });
});

test("a text trace fills its template and picks its position per frame", () => {
  const text = { kind: "text", series: 0, map: { x: "x", y: "y" },
    text: "{step}: f = {y} at η {fan}",
    position: { channel: "side", options: ["top left", "bottom right"] } };
  assert.deepEqual(animatedData(text, state(1)),
    { x: [1], y: [3], text: ["1: f = 3 at η 0.1"], textposition: ["bottom right"] });
  assert.deepEqual(animatedData({ ...text, series: 2 }, state(1)), { x: [], y: [], text: [] });
});

test("autoranged axes cover every frame of the runs, padded; no run gives a plain axis", () => {
  const traces = [{ series: 0, map: { x: "step", y: "y" } }];
  const layout = { xaxis: { autorange: true }, yaxis: { autorange: true, type: "log" }, x2: {} };
  const ranges = autoRanges(layout, traces, state(0));
  assert.deepEqual(ranges.xaxis.range.map((v) => +v.toFixed(6)), [-0.15, 3.15]);
  const [low, high] = ranges.yaxis.range;
  const pad = (Math.log10(4) - Math.log10(2)) * 0.05;
  assert.ok(Math.abs(low - (Math.log10(2) - pad)) < 1e-9);
  assert.ok(Math.abs(high - (Math.log10(4) + pad)) < 1e-9);
  assert.deepEqual(autoRanges(layout, traces, { ...state(0), series: [] }),
    { xaxis: { range: [0, 1] }, yaxis: { range: [-1, 1] } });
});

test("autoranged axes fit the fan members that stay bounded, not a runaway", () => {
  const fan = { channels: {
    gap: { flat: Float64Array.of(5, 1, 0.5, 5, 40, 1e30), shape: [2, 3] },
    diverged: { flat: Float32Array.of(NaN, NaN, NaN, 2, 2, 2), shape: [2, 3] },
  } };
  const at = (fanIndex) => ({ ...state(0), series: [fan], fanIndex });
  assert.deepEqual(boundedRuns(fan, "gap", at(1)).map((run) => Array.from(run)), [[5, 1, 0.5]]);
  const layout = { yaxis: { autorange: true } };
  const traces = [{ series: 0, map: { y: "gap" } }];
  assert.deepEqual(autoRanges(layout, traces, at(1)), autoRanges(layout, traces, at(0)),
    "one range whichever member is shown");
  const allDiverge = { channels: { ...fan.channels,
    diverged: { flat: Float32Array.of(1, 1, 1, 2, 2, 2), shape: [2, 3] } } };
  assert.deepEqual(boundedRuns(allDiverge, "gap", { ...at(1), series: [allDiverge] })
    .map((run) => Array.from(run)), [[5, 40, 1e30]]);
});

test("curves and subsets yield x and y like a path, and leave autoranges to the others", () => {
  const withFit = { channels: { ...series.channels, w: f4(1, 2, 3, 4) } };
  const at = (frame) => ({ ...state(frame), series: [withFit], shared: {} });
  const curve = { kind: "curve", series: 0, x: [0, 1], y: ["*", "w", "x"] };
  assert.deepEqual(animatedData(curve, at(2)), { x: [0, 1], y: [0, 3] });
  const subset = { kind: "subset", series: 0, x: [5, 6], y: [7, 8],
    indices: { dtype: "u2", shape: [4, 1], bdata: Buffer.from(Uint16Array.of(1, 0, 1, 0).buffer)
      .toString("base64") } };
  assert.deepEqual(animatedData(subset, at(0)), { x: [6], y: [8] });
  const layout = { xaxis: { autorange: true } };
  const traces = [{ series: 0, map: { x: "x", y: "y" } }, curve, subset];
  assert.deepEqual(autoRanges(layout, traces, at(0)), autoRanges(layout, traces.slice(0, 1), at(0)));
});

test("an axis's maxallowed caps its autorange: a run that climbs above leaves at the top", () => {
  const traces = [{ series: 0, map: { x: "step", y: "y" } }];
  const capped = autoRanges({ yaxis: { autorange: true, type: "log",
    autorangeoptions: { maxallowed: 3 } } }, traces, state(0));
  const [low, high] = capped.yaxis.range;
  const pad = (Math.log10(3) - Math.log10(2)) * 0.05;
  assert.ok(Math.abs(low - (Math.log10(2) - pad)) < 1e-9);
  assert.ok(Math.abs(high - (Math.log10(3) + pad)) < 1e-9);
  const above = autoRanges({ yaxis: { autorange: true, autorangeoptions: { maxallowed: 100 } } },
    traces, state(0));
  assert.deepEqual(above, autoRanges({ yaxis: { autorange: true } }, traces, state(0)),
    "a cap above every value changes nothing");
});
