import assert from "node:assert/strict";
import test from "node:test";

import { channelAt, deriveChannel, withDerived } from "./channels.js";

const channel = (rows) => ({
  flat: Float32Array.from(rows.flat()), shape: [rows.length, rows[0].length],
});
const values = (array) => Array.from(array.flat);

test("derived channels shift, subtract, add, clip and mask per fan member", () => {
  // The same case as ui/chart.py's derive() in tests/test_chart_component.py.
  const out = withDerived({
    x: channel([[0, 1, 3], [5, NaN, NaN]]),
    out: { flat: Uint8Array.of(0, 2, 0, 0, 0, 1), shape: [2, 3] },
  }, {
    next: { op: "shift", of: "x" },
    move: { op: "sub", of: ["next", "x"] },
    shown: { op: "clip", of: "x", range: [0.5, 2.0] },
    inside: { op: "where", of: "x", if: "out", equals: 0 },
    raised: { op: "add", of: "x", value: -2.5 },
  });
  assert.deepEqual(values(out.next), [1, 3, NaN, NaN, NaN, NaN]);
  assert.deepEqual(values(out.move).slice(0, 3), [1, 2, NaN]);
  assert.deepEqual(values(out.shown), [0.5, 1, 2, 2, NaN, NaN]);
  assert.deepEqual(values(out.inside), [0, NaN, 3, 5, NaN, NaN]);
  assert.deepEqual(values(out.raised), [-2.5, -1.5, 0.5, 2.5, NaN, NaN]);
  assert.deepEqual(out.next.shape, [2, 3]);
  assert.throws(() => deriveChannel({ op: "cube", of: "x" }, out), /unknown derived channel op/);
});

test("a channel is read at the fan member, the last one for a channel with fewer", () => {
  const series = { channels: {
    x: channel([[1, 2], [3, 4]]), f: { flat: Float32Array.of(9, 8), shape: [2] },
  } };
  const state = { fanIndex: 1, steps: Int32Array.of(0, 1) };
  assert.deepEqual(Array.from(channelAt(series, "x", state)), [3, 4]);
  assert.deepEqual(Array.from(channelAt(series, "x", { ...state, fanIndex: 5 })), [3, 4]);
  assert.deepEqual(Array.from(channelAt(series, "f", state)), [9, 8]);
  assert.equal(channelAt(series, "step", state), state.steps);
});
