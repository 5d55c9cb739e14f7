import assert from "node:assert/strict";
import test from "node:test";
import zlib from "node:zlib";

import { decodeArray, fromBase64, fromHalf, inflate, undelta, unpackPayload } from "./decode.js";

test("float16 bit patterns decode exactly, subnormals, infinities and NaN included", () => {
  const cases = [
    [0x0000, 0], [0x8000, -0], [0x3c00, 1], [0xc000, -2], [0x3555, 0.333251953125],
    [0x7bff, 65504], [0x0400, 2 ** -14], [0x0001, 2 ** -24], [0x03ff, 1023 * 2 ** -24],
    [0x8001, -(2 ** -24)], [0x7c00, Infinity], [0xfc00, -Infinity],
  ];
  const out = fromHalf(Uint16Array.from(cases, ([bits]) => bits));
  cases.forEach(([bits, value], i) => {
    assert.ok(Object.is(out[i], value), `0x${bits.toString(16)}`);
  });
  assert.ok(fromHalf(Uint16Array.of(0x7e00, 0xfc01)).every(Number.isNaN));
});

test("base64 decodes to the bytes it encodes", () => {
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.deepEqual(fromBase64(Buffer.from(bytes).toString("base64")), bytes);
  assert.deepEqual(fromBase64(""), new Uint8Array(0));
});

const random = (size) => {
  let seed = 7;
  return Uint8Array.from({ length: size }, () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed >> 16;
  });
};
const SAMPLES = {
  empty: new Uint8Array(0),
  "short text (fixed Huffman codes)": Buffer.from("descent lab ".repeat(3)),
  "random bytes (stored blocks)": random(70_000),
  "long repeats": Buffer.from("abc".repeat(20_000)),
  "a path that settles": new Uint8Array(Float32Array.from({ length: 20_000 },
    (_, i) => Math.floor(i / 40)).buffer),
};

for (const [name, raw] of Object.entries(SAMPLES)) {
  for (const level of [0, 1, 6, 9]) {
    test(`inflate reads zlib level ${level}: ${name}`, () => {
      const compressed = zlib.deflateSync(raw, { level });
      assert.deepEqual(Buffer.from(inflate(compressed, raw.length)), Buffer.from(raw));
      assert.deepEqual(Buffer.from(inflate(compressed)), Buffer.from(raw));
    });
  }
}

test("inflate refuses truncated data", () => {
  const compressed = zlib.deflateSync(SAMPLES["random bytes (stored blocks)"]);
  assert.throws(() => inflate(compressed.subarray(0, -200), 70_000), /invalid compressed data/);
});

// What ui/chart.py encode_array writes (Python's zlib at level 1) for
// [[nan, -1.5, 3.25, 100], [7, 2, 0.5, 1e5]] as "f2" and np.repeat(np.arange(50.0), 8) as "f4".
const FROM_PYTHON_F2 = { dtype: "f2", shape: [2, 4], codec: "deflate",
  bdata: "eAFjqGPY1+DkEMbgzuDAYMFQAwAjyQPQ" };
const FROM_PYTHON_F4 = { dtype: "f4", shape: [400], codec: "deflate",
  bdata: "eAGF0pESAmEUR/ELQRAsBEGwEATBQhA007dND9Aj9Ag9wodhGC6GYbgYhuFiuBh2XqDTnfnRmfnTjfh3eRNhIrEgE"
    + "s1kumnopqWbjm6ijjAF3ZR0U9FNops93Rzo5kg3mW5OdHOmmwvdNHRzpZsb3dzppqWbB9086eZFNx3dvOmmp5sP3cSW"
    + "/xcDmhnSzYhuCroZ082EbqZ0U9LNjG7mdLOgm4pulnSzops13SS62dF/+wLIqP75" };

test("arrays Python compressed decode to their values", () => {
  const half = decodeArray(FROM_PYTHON_F2);
  assert.deepEqual(half.shape, [2, 4]);
  assert.ok(Number.isNaN(half.flat[0]));
  assert.deepEqual(Array.from(half.flat.subarray(1)), [-1.5, 3.25, 100, 7, 2, 0.5, Infinity]);
  const path = decodeArray(FROM_PYTHON_F4);
  assert.ok(path.flat instanceof Float32Array);
  assert.deepEqual(Array.from(path.flat), Array.from({ length: 400 }, (_, i) => Math.floor(i / 8)));
});

// The same arrays as encode_array writes them compressed today ("delta+deflate"): bit-pattern
// differences along each row, bytes grouped by significance, then deflate.
const DELTA_F2 = { dtype: "f2", shape: [2, 4], codec: "delta+deflate",
  bdata: "eAFjYGg4wAAEdQ4twu4/f7gAACAyBRI=" };
// [[1, 1.001, 1.002, inf], [-3, nan, 1e-30, 1e30]] as "f4".
const DELTA_F4 = { dtype: "f4", shape: [2, 4], codec: "delta+deflate",
  bdata: "eAFjOHqknIEhIYtBQWEfA4PThgYGhv8ODY+W2zMw2B/Y35sMAKwlC3A=" };

test("delta-filtered arrays decode to the values Python sent, row by row", () => {
  const half = decodeArray(DELTA_F2);
  assert.ok(Number.isNaN(half.flat[0]));
  assert.deepEqual(Array.from(half.flat.subarray(1)), [-1.5, 3.25, 100, 7, 2, 0.5, Infinity]);
  const single = decodeArray(DELTA_F4).flat;
  const expected = Float32Array.of(1, 1.001, 1.002, Infinity, -3, NaN, 1e-30, 1e30);
  assert.deepEqual(Array.from(single), Array.from(expected));
});

test("the delta filter wraps around, as the differences Python took did", () => {
  // Two rows of uint16 patterns 0xFFFF, 0x0001 (difference 2, mod 2^16) and 5, 3.
  const planes = Uint8Array.of(0xff, 0x02, 0x05, 0xfe, 0xff, 0x00, 0x00, 0xff);
  const bits = new Uint16Array(undelta(planes, 2, 2).buffer);
  assert.deepEqual(Array.from(bits), [0xffff, 0x0001, 5, 3]);
});

test("every dtype decodes from little-endian bytes", () => {
  const values = [0, 1, 2, 100];
  for (const [dtype, Typed] of [["f4", Float32Array], ["f8", Float64Array], ["i1", Int8Array],
    ["u1", Uint8Array], ["i2", Int16Array], ["u2", Uint16Array], ["i4", Int32Array],
    ["u4", Uint32Array]]) {
    const bdata = Buffer.from(Typed.from(values).buffer).toString("base64");
    const array = decodeArray({ dtype, shape: [4], bdata });
    assert.ok(array.flat instanceof Typed, dtype);
    assert.deepEqual(Array.from(array.flat), values, dtype);
  }
});

test("data that does not match its shape is refused, compressed or not", () => {
  const bdata = Buffer.from(Float32Array.of(1, 2, 3).buffer).toString("base64");
  assert.throws(() => decodeArray({ dtype: "f4", shape: [4], bdata }), /does not match/);
  const longer = zlib.deflateSync(Buffer.from(Float32Array.of(1, 2, 3, 4, 5).buffer));
  assert.throws(() => decodeArray({ dtype: "f4", shape: [4], codec: "deflate",
    bdata: longer.toString("base64") }), /does not match/);
});

test("a packed payload is its deflated JSON merged with the members sent as they are", () => {
  const rest = { panels: [{ id: "contour", layout: { title: "η = 0.01 — “x”" } }],
    table: { columns: [{ label: "Final f", numeric: true }] } };
  const packed = zlib.deflateSync(Buffer.from(JSON.stringify(rest), "utf8"), { level: 1 })
    .toString("base64");
  const series = [{ same_as: "abc" }];
  assert.deepEqual(unpackPayload([{ series, plotly_url: "/p.js", packed }]),
    { series, plotly_url: "/p.js", ...rest });
});
