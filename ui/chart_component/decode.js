// Payload arrays ({dtype, shape, bdata[, codec]}, written by ui/chart.py encode_array) decoded to
// typed arrays: base64, then zlib's deflate (fflate) and the delta filter, then little-endian
// values.

import { unzlibSync } from "./vendor/fflate/browser.js";

const TYPED = {
  f4: Float32Array, f8: Float64Array, i1: Int8Array, u1: Uint8Array,
  i2: Int16Array, u2: Uint16Array, i4: Int32Array, u4: Uint32Array,
};
let halfTable = null;

// Every float16 bit pattern decoded once: 256 KB, and decoding becomes one lookup per value.
function halfValues() {
  if (halfTable) return halfTable;
  halfTable = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const fraction = bits & 0x3ff;
    let value;
    if (exponent === 0) value = fraction * 2 ** -24;
    else if (exponent === 31) value = fraction ? NaN : Infinity;
    else value = (1 + fraction / 1024) * 2 ** (exponent - 15);
    halfTable[bits] = sign * value;
  }
  return halfTable;
}

// float16 bit patterns (a Uint16Array) as float32 values.
export function fromHalf(half) {
  const table = halfValues();
  const out = new Float32Array(half.length);
  for (let i = 0; i < half.length; i++) out[i] = table[half[i]];
  return out;
}

export function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// zlib data (as Python's zlib.compress writes it) inflated synchronously (fflate: the
// browser's DecompressionStream is asynchronous, and slower on these arrays). `size`, the
// inflated length when known, saves growing the output; fflate fills a given buffer without
// growing it, so one byte more shows data longer than expected.
export function inflate(data, size = 0) {
  try {
    return unzlibSync(data, size ? { out: new Uint8Array(size + 1) } : undefined);
  } catch (error) {
    throw new Error(`invalid compressed data (${error.message})`);
  }
}

// Undoes encode_array's delta filter (ui/chart.py _delta_planes): `bytes` hold the bit patterns
// differences along rows of `rowLength` values, lowest bytes of all values first; the result is
// the values' own little-endian bytes.
export function undelta(bytes, width, rowLength) {
  const count = bytes.length / width;
  const out = new Uint8Array(bytes.length);
  for (let plane = 0; plane < width; plane++) {
    const from = plane * count;
    for (let i = 0; i < count; i++) out[i * width + plane] = bytes[from + i];
  }
  // Typed-array stores wrap modulo 2^16 / 2^32, as the differences did.
  const bits = width === 2 ? new Uint16Array(out.buffer) : new Uint32Array(out.buffer);
  for (let start = 0; start < count; start += rowLength) {
    for (let i = start + 1; i < start + rowLength; i++) bits[i] += bits[i - 1];
  }
  return out;
}

// The payload ui/chart.py `packed` sent (alone in a list), whole: its "packed" member (base64
// of deflated JSON) parsed and merged with the members sent as they are.
export function unpackPayload(sent) {
  const [{ packed, ...rest }] = sent;
  const text = new TextDecoder().decode(inflate(fromBase64(packed)));
  return { ...rest, ...JSON.parse(text) };
}

export function isEncoded(value) {
  return value !== null && typeof value === "object" && typeof value.bdata === "string";
}

export function decodeArray(spec) {
  let bytes = fromBase64(spec.bdata);
  const count = spec.shape.reduce((product, size) => product * size, 1);
  const width = spec.dtype === "f2" ? 2 : (TYPED[spec.dtype] || Uint8Array).BYTES_PER_ELEMENT;
  if (spec.codec === "deflate") bytes = inflate(bytes, count * width);
  if (spec.codec === "delta+deflate") {
    if (width !== 2 && width !== 4) throw new Error(`no delta filter for ${spec.dtype}`);
    bytes = inflate(bytes, count * width);
    if (bytes.length !== count * width) throw new Error("array data does not match its shape");
    bytes = undelta(bytes, width, spec.shape[spec.shape.length - 1] || 1);
  }
  // Both start a buffer of their own (offset 0), so every typed view below is aligned.
  if (bytes.length !== count * width) throw new Error("array data does not match its shape");
  const flat = spec.dtype === "f2"
    ? fromHalf(new Uint16Array(bytes.buffer, bytes.byteOffset, count))
    : new TYPED[spec.dtype](bytes.buffer, bytes.byteOffset, count);
  return { flat, shape: spec.shape };
}
