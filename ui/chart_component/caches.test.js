import assert from "node:assert/strict";
import test from "node:test";

import { decoded, keepRecent, resolveUnits } from "./caches.js";

test("keepRecent keeps the most recently used entries", () => {
  const map = new Map();
  for (const key of ["a", "b", "c"]) keepRecent(map, key, key.toUpperCase(), 3);
  keepRecent(map, "a", "A", 3);
  keepRecent(map, "d", "D", 3);
  assert.deepEqual([...map.keys()], ["c", "a", "d"]);
});

test("units sent before are resolved and unknown ones reported", () => {
  const units = new Map();
  const grid = { dtype: "f4", shape: [1], bdata: "AACAPw==", digest: "g1" };
  const first = resolveUnits({ arrays: { grid_z: grid },
    series: [{ name: "start 1", digest: "s1" }] }, units);
  const second = resolveUnits({ arrays: { grid_z: { same_as: "g1" } },
    series: [{ same_as: "s1" }, { name: "start 2", digest: "s2" }] }, units);
  const third = resolveUnits({ series: [{ same_as: "never sent" }] }, units);
  assert.deepEqual(first.missing, []);
  assert.deepEqual(second.data.series.map((series) => series.name), ["start 1", "start 2"]);
  assert.equal(second.data.arrays.grid_z, grid);
  assert.deepEqual(second.missing, []);
  assert.deepEqual(third.missing, ["never sent"]);
});

test("identical data decodes to the identical array", () => {
  const spec = { dtype: "f4", shape: [1], bdata: "AACAPw==" };
  const array = decoded(spec);
  assert.deepEqual(Array.from(array.flat), [1]);
  assert.equal(decoded({ ...spec }), array);
});
