import assert from "node:assert/strict";
import test from "node:test";

import { PATH_TABLE_ROWS, pathTable } from "./path-table.js";

const channel = (values, members = 1) => ({
  flat: Float32Array.from(values), shape: members > 1 ? [members, values.length / members]
    : [values.length] });
const state = { fanIndex: 0, fan: { labels: [""] }, steps: Int32Array.from([0, 1, 2]) };

test("a row per step up to the frame shown, a column per run and quantity it has", () => {
  const series = [
    { name: "start A", channels: { x: channel([1, 0.5, 0.25]), y: channel([2, 1, 0.5]),
      f: channel([5, 1.25, 0.3125]), gap: channel([9, 9, 9]) } },
    { name: "start B", channels: { x: channel([-1, -2, NaN]) } },
  ];
  const table = pathTable(series, state, 2);
  assert.deepEqual(table.columns,
    ["step", "start A: x", "start A: y", "start A: f", "start B: x"]);
  assert.deepEqual(table.rows, [
    ["0", "1", "2", "5", "−1"],
    ["1", "0.5", "1", "1.25", "−2"],
    ["2", "0.25", "0.5", "0.3125", "—"],
  ]);
  assert.equal(table.first, 0);
  assert.deepEqual(pathTable(series, state, 1).rows.map((row) => row[0]), ["0", "1"]);
});

test("the values are the fan member's, and a long path keeps its last rows", () => {
  const fanned = { name: "run", channels: { x: channel([0, 1, 2, 10, 11, 12], 2) } };
  assert.deepEqual(pathTable([fanned], { ...state, fanIndex: 1 }, 2).rows.map((row) => row[1]),
    ["10", "11", "12"]);
  const long = { name: "run", channels: { x: channel(Array.from({ length: 500 }, (_, i) => i)) } };
  const table = pathTable([long], state, 499);
  assert.equal(table.rows.length, PATH_TABLE_ROWS);
  assert.equal(table.first, 500 - PATH_TABLE_ROWS);
  assert.deepEqual(table.rows.at(-1), ["499", "499"]);
});
