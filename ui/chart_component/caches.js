// What the page keeps between payloads: units the server sent before, and decoded arrays.

import { decodeArray } from "./decode.js";

// `map` with `key` set to `value` as its most recently used entry, and only the `limit` most
// recent entries kept (a Map iterates in insertion order).
export function keepRecent(map, key, value, limit) {
  map.delete(key);
  map.set(key, value);
  if (map.size > limit) map.delete(map.keys().next().value);
}

// Series and shared arrays the server sent before arrive as {"same_as": digest} (ui/chart.py
// pack_units): the newest units are kept by digest. Content-addressed, so every chart on the
// page may share them.
const KEPT_UNITS = 64;
export const pageUnits = new Map();

// The payload with every {"same_as"} replaced by the unit it names; `missing` lists the
// digests `units` does not have.
export function resolveUnits(data, units = pageUnits) {
  const missing = [];
  const resolve = (unit) => {
    if (!unit || typeof unit.same_as !== "string") {
      if (unit && typeof unit.digest === "string") keepRecent(units, unit.digest, unit, KEPT_UNITS);
      return unit;
    }
    const known = units.get(unit.same_as);
    if (!known) missing.push(unit.same_as);
    else keepRecent(units, known.digest, known, KEPT_UNITS);
    return known || unit;
  };
  const out = { ...data };
  if (data.series) out.series = data.series.map(resolve);
  if (data.arrays) {
    out.arrays = Object.fromEntries(Object.entries(data.arrays).map(([name, unit]) =>
      [name, resolve(unit)]));
  }
  return { data: out, missing };
}

// Identical data decodes to the identical array object: plotly compares arrays by identity, so
// an unchanged surface grid is not recomputed when the paths change. Arrays are decoded when
// first drawn (a surface shown again from its kept base plot needs no grid), and the most
// recently used ones are kept by content.
const KEPT_ARRAYS = 64;
const decodedArrays = new Map();
const decodedSpecs = new WeakMap();

export function decoded(spec) {
  let array = decodedSpecs.get(spec);
  if (array) return array;
  const key = `${spec.dtype}|${spec.codec}|${spec.shape}|${spec.bdata}`;
  array = decodedArrays.get(key) || decodeArray(spec);
  keepRecent(decodedArrays, key, array, KEPT_ARRAYS);
  decodedSpecs.set(spec, array);
  return array;
}
