// Static traces (contour, surface, line, marker: ui/chart.py) as plotly takes them: payload
// arrays decoded, shared ones looked up, shading transformed, grids thinned by a stride. Each
// derived array is made once per source array, so plotly sees the same objects again.

import { decoded } from "./caches.js";
import { isEncoded } from "./decode.js";

export function isReference(value) {
  return value !== null && typeof value === "object" && typeof value.ref === "string";
}

// 2D data as an array of row views (what plotly expects for z), created once per array.
function rows(array) {
  if (!array.rows) {
    const [count, width] = array.shape;
    array.rows = Array.from({ length: count }, (_, i) =>
      array.flat.subarray(i * width, (i + 1) * width));
  }
  return array.rows;
}

// A payload array (encoded, shared by name, or a plain list of numbers) as {flat, shape}.
export function payloadArray(value, shared) {
  if (isReference(value)) return payloadArray(shared[value.ref], shared);
  if (isEncoded(value)) return decoded(value);
  if (Array.isArray(value)) return { flat: value, shape: [value.length] };
  throw new Error(`expected an array, got ${JSON.stringify(value)}`);
}

// The names of the shared arrays ({"ref": name}) anywhere inside `value`, added to `names`.
function referencedNames(value, names) {
  if (isReference(value)) names.add(value.ref);
  else if (Array.isArray(value)) for (const item of value) referencedNames(item, names);
  else if (value !== null && typeof value === "object" && !isEncoded(value)) {
    for (const item of Object.values(value)) referencedNames(item, names);
  }
  return names;
}

// What identifies a panel's static part: the payload's static_key (its layout and static
// traces, ui/chart.py) and the digests of the shared arrays those traces use, since a payload
// may send another map or grid under the same name.
export function staticIdentity(staticKey, traces, shared) {
  const names = [...referencedNames(traces, new Set())].sort();
  return [staticKey, ...names.map((name) => `${name}:${shared[name]?.digest ?? ""}`)].join(" ");
}

// Replace every encoded or shared array inside a static trace by a typed array (rows for 2D).
function resolveArrays(value, shared) {
  if (isReference(value)) return resolveArrays(shared[value.ref], shared);
  if (isEncoded(value)) {
    const array = decoded(value);
    return array.shape.length === 2 ? rows(array) : array.flat;
  }
  if (Array.isArray(value)) return value.map((item) => resolveArrays(item, shared));
  if (value !== null && typeof value === "object") {
    const out = {};
    for (const [key, item] of Object.entries(value)) out[key] = resolveArrays(item, shared);
    return out;
  }
  return value;
}

const TRANSFORMS = {
  // Shading for surfaces whose values span decades: equal steps of log(1 + f - min f).
  log1p_above_min: (values) => {
    let low = Infinity;
    for (const value of values) if (value < low) low = value;
    return values.map((value) => Math.log1p(value - low));
  },
};
const transformed = new WeakMap();

// Every stride-th value of a 1D array, or every stride-th row and column of a 2D one (an
// array of rows), the same object each time for the same source.
const stridedCache = new WeakMap();

function strided(source, stride) {
  let byStride = stridedCache.get(source);
  if (!byStride) {
    byStride = new Map();
    stridedCache.set(source, byStride);
  }
  if (!byStride.has(stride)) {
    const every = (values) => Float32Array.from(
      { length: Math.ceil(values.length / stride) }, (_, i) => values[i * stride]);
    byStride.set(stride, Array.isArray(source)
      ? source.filter((_, i) => i % stride === 0).map(every) : every(source));
  }
  return byStride.get(stride);
}

export function staticTrace(trace, shared) {
  const resolved = resolveArrays(trace.trace, shared);
  for (const [axis, name] of Object.entries(trace.transform || {})) {
    const source = resolved[axis];
    const key = Array.isArray(source) ? source[0] : source;
    let cached = transformed.get(key);
    if (!cached || cached.name !== name) {
      // Transform the flat data once; rows of a 2D array share one buffer.
      const flat = Array.isArray(source)
        ? new Float32Array(source[0].buffer, source[0].byteOffset,
          source.length * source[0].length) : source;
      const out = TRANSFORMS[name](flat);
      const value = Array.isArray(source)
        ? source.map((row, i) => out.subarray(i * row.length, (i + 1) * row.length)) : out;
      cached = { name, value };
      transformed.set(key, cached);
    }
    resolved[axis] = cached.value;
  }
  if (trace.stride > 1) {
    for (const axis of ["x", "y", "z"]) {
      if (resolved[axis]) resolved[axis] = strided(resolved[axis], trace.stride);
    }
  }
  return resolved;
}
