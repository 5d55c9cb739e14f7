// Descent Lab chart: plotly.js panels driven by a payload from ui/chart.py (documented there).
//
// Streamlit runs the default export again with the same parentElement whenever the payload
// changes, so the chart lives on that node: Plotly.newPlot once, then in-place updates. The
// animation clock, the iteration scrubber and the learning-rate fan scrub all run here, without
// a server round trip; only clicks and a released learning rate go back to Python.

const CHART = "__descentLabChart";
const SPEEDS = [5, 10, 25, 50, 100];
const DEFAULT_SPEED = 25;
const PLOTLY_CONFIG = {
  displaylogo: false,
  // A double click would also be two clicks, i.e. two new start points; the modebar resets zoom.
  doubleClick: false,
  // Few buttons, so that the modebar stays clear of the panel's title on a phone.
  modeBarButtonsToRemove: ["select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d",
    "toImage", "resetCameraLastSave3d", "hoverClosest3d", "sendChartToCloud"],
  responsive: false,
};
// A phone or tablet: no hover (a label would appear only after a tap, and stay over the new
// start), and a one-finger drag scrolls the page instead of zooming a 2D plot; a tap still
// adds a start.
const TOUCH_FIRST = window.matchMedia?.("(hover: none)").matches ?? false;
// 3D redraws (software-rendered on many machines: 50-200 ms) would stall the 2D animation: they
// happen once things rest, and at least this often while scrubbing or playing slowly.
const SLOW_REST_MS = 200;
const SLOW_MAX_LAG_MS = 1500;
const FAST_PLAYBACK = 25;  // steps per second
// A clicked point is marked at most this long while its run is on the way (see markPending).
const PENDING_MAX_MS = 3000;
// Base plots kept per panel (see Panel): a contour plot is some 1-2 MB of DOM.
const KEPT_BASES = 6;
// Typeset formulas kept (see Chart.renderFormula).
const KEPT_FORMULAS = 16;
// How long a 3D scene keeps redrawing after the viewer last dragged or wheeled over it (the
// camera eases out): see Panel.quietScene.
const TURN_SETTLE_MS = 1000;

// --- scripts served by the Streamlit server: plotly.js (from the installed plotly package) and
// KaTeX (vendored in katex/) ---------------------------------------------------------------------

async function cachedSource(url, cacheName) {
  // Streamlit's file route sends no caching validators, so the browser would download the file
  // (plotly.js: 4.8 MB) again on every visit; Cache Storage keeps one copy per version. Where
  // it is unavailable (plain http on a non-local address) the browser simply fetches the file.
  if (!window.caches) return url;
  try {
    const cache = await caches.open(cacheName);
    let response = await cache.match(url);
    if (!response) {
      response = await fetch(url);
      if (!response.ok) return url;
      await cache.put(url, response.clone());
      for (const old of await cache.keys()) if (!old.url.endsWith(url)) cache.delete(old);
    }
    return URL.createObjectURL(await response.blob());
  } catch {
    return url;
  }
}

// The script at `url`, run once per page; resolves to the global it defines (window[name]).
function loadScript(url, name) {
  if (window[name]) return Promise.resolve(window[name]);
  const pending = `__descentLab_${name}`;
  if (!window[pending]) {
    window[pending] = cachedSource(url, `descent-lab-${name.toLowerCase()}`).then((source) =>
      new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = source;
        script.async = true;
        script.onload = () => resolve(window[name]);
        script.onerror = () => {
          window[pending] = undefined;
          reject(new Error(`could not load ${name} from ${url}`));
        };
        document.head.appendChild(script);
      }));
  }
  return window[pending];
}

function loadKatex({ script, style }) {
  if (!document.querySelector("link[data-descent-lab-katex]")) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = style;
    link.dataset.descentLabKatex = "";
    document.head.appendChild(link);
  }
  return loadScript(script, "katex");
}

// `callback` once the next frame has been painted: what the viewer asked for is drawn first.
function afterPaint(callback) {
  requestAnimationFrame(() => setTimeout(callback, 0));
}

// `map` with `key` set to `value` as its most recently used entry, and only the `limit` most
// recent entries kept (a Map iterates in insertion order).
function keepRecent(map, key, value, limit) {
  map.delete(key);
  map.set(key, value);
  if (map.size > limit) map.delete(map.keys().next().value);
}

// --- arrays: {dtype, shape, bdata} with base64 little-endian data ------------------------------

const TYPED = {
  f4: Float32Array, f8: Float64Array, i1: Int8Array, u1: Uint8Array,
  i2: Int16Array, u2: Uint16Array, i4: Int32Array, u4: Uint32Array,
};
let HALF_TABLE = null;

function halfTable() {
  // Every float16 bit pattern decoded once: 256 KB, and decoding becomes one lookup per value.
  if (HALF_TABLE) return HALF_TABLE;
  HALF_TABLE = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const fraction = bits & 0x3ff;
    let value;
    if (exponent === 0) value = fraction * 2 ** -24;
    else if (exponent === 31) value = fraction ? NaN : Infinity;
    else value = (1 + fraction / 1024) * 2 ** (exponent - 15);
    HALF_TABLE[bits] = sign * value;
  }
  return HALF_TABLE;
}

function isEncoded(value) {
  return value !== null && typeof value === "object" && typeof value.bdata === "string";
}

function isReference(value) {
  return value !== null && typeof value === "object" && typeof value.ref === "string";
}

// --- inflate: zlib data (RFC 1950 around RFC 1951 deflate), decoded synchronously -----------
// DecompressionStream would do it too, but only asynchronously: the payload would then be drawn
// a task or more later, behind whatever else the page renders meanwhile.

const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67,
  83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5,
  5, 5, 5, 0];
const DISTANCE_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513,
  769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DISTANCE_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10,
  11, 11, 12, 12, 13, 13];
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

// A canonical Huffman code from the code length of every symbol: how many codes each length
// has, and the symbols in code order.
function huffmanCode(lengths) {
  const counts = new Uint16Array(16);
  for (const length of lengths) counts[length] += 1;
  counts[0] = 0;
  const next = new Uint16Array(16);
  for (let length = 1; length < 16; length++) next[length] = next[length - 1] + counts[length - 1];
  const symbols = new Uint16Array(lengths.length);
  lengths.forEach((length, symbol) => {
    if (length) symbols[next[length]++] = symbol;
  });
  return { counts, symbols };
}

let FIXED_CODES = null;

function fixedCodes() {
  if (!FIXED_CODES) {
    const literal = Array.from({ length: 288 }, (_, symbol) =>
      (symbol < 144 ? 8 : symbol < 256 ? 9 : symbol < 280 ? 7 : 8));
    FIXED_CODES = [huffmanCode(literal), huffmanCode(new Array(30).fill(5))];
  }
  return FIXED_CODES;
}

export function inflate(data, expectedSize = 0) {
  let position = 2;  // the zlib header: zlib.compress never sets a preset dictionary
  let bitBuffer = 0;
  let bitCount = 0;
  let out = new Uint8Array(Math.max(expectedSize, 64));
  let size = 0;

  const bits = (count) => {
    while (bitCount < count) {
      if (position >= data.length) throw new Error("compressed data ends early");
      bitBuffer |= data[position++] << bitCount;
      bitCount += 8;
    }
    const value = bitBuffer & ((1 << count) - 1);
    bitBuffer >>>= count;
    bitCount -= count;
    return value;
  };
  const reserve = (count) => {
    if (size + count <= out.length) return;
    let capacity = out.length * 2;
    while (capacity < size + count) capacity *= 2;
    const larger = new Uint8Array(capacity);
    larger.set(out.subarray(0, size));
    out = larger;
  };
  // Huffman codes are read bit by bit, most significant bit first.
  const decodeSymbol = ({ counts, symbols }) => {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let length = 1; length < 16; length++) {
      code |= bits(1);
      const count = counts[length];
      if (code - count < first) return symbols[index + (code - first)];
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    throw new Error("invalid compressed data");
  };
  const dynamicCodes = () => {
    const literalCount = bits(5) + 257;
    const distanceCount = bits(5) + 1;
    const lengthCount = bits(4) + 4;
    const codeLengths = new Array(19).fill(0);
    for (let i = 0; i < lengthCount; i++) codeLengths[CODE_LENGTH_ORDER[i]] = bits(3);
    const lengthCode = huffmanCode(codeLengths);
    const lengths = [];
    while (lengths.length < literalCount + distanceCount) {
      const symbol = decodeSymbol(lengthCode);
      if (symbol < 16) lengths.push(symbol);
      else if (symbol === 16) {
        if (!lengths.length) throw new Error("invalid compressed data");
        lengths.push(...new Array(bits(2) + 3).fill(lengths[lengths.length - 1]));
      } else lengths.push(...new Array(symbol === 17 ? bits(3) + 3 : bits(7) + 11).fill(0));
    }
    return [huffmanCode(lengths.slice(0, literalCount)),
      huffmanCode(lengths.slice(literalCount, literalCount + distanceCount))];
  };

  let last = 0;
  while (!last) {
    last = bits(1);
    const type = bits(2);
    if (type === 0) {
      // Stored: byte-aligned, after the 3 header bits (fewer than 8 bits are ever buffered).
      bitBuffer = 0;
      bitCount = 0;
      const length = data[position] | (data[position + 1] << 8);
      position += 4;
      if (position + length > data.length) throw new Error("compressed data ends early");
      reserve(length);
      out.set(data.subarray(position, position + length), size);
      position += length;
      size += length;
      continue;
    }
    if (type === 3) throw new Error("invalid compressed data");
    const [literals, distances] = type === 1 ? fixedCodes() : dynamicCodes();
    for (;;) {
      const symbol = decodeSymbol(literals);
      if (symbol < 256) {
        reserve(1);
        out[size++] = symbol;
      } else if (symbol === 256) break;
      else {
        const code = symbol - 257;
        const length = LENGTH_BASE[code] + bits(LENGTH_EXTRA[code]);
        const distanceCode = decodeSymbol(distances);
        const distance = DISTANCE_BASE[distanceCode] + bits(DISTANCE_EXTRA[distanceCode]);
        if (distance > size) throw new Error("invalid compressed data");
        reserve(length);
        for (let i = 0; i < length; i++, size++) out[size] = out[size - distance];
      }
    }
  }
  return out.subarray(0, size);
}

// --- decoding payload arrays -----------------------------------------------------------------

// Identical data decodes to the identical array object: plotly compares arrays by identity, so
// an unchanged surface grid is not recomputed when the paths change. Arrays are decoded when
// first drawn (a surface shown again from its kept base plot needs no grid), and the most
// recently used ones are kept by content.
const KEPT_ARRAYS = 64;
const decodedArrays = new Map();
const decodedSpecs = new WeakMap();

function specKey(spec) {
  return `${spec.dtype}|${spec.codec}|${spec.shape}|${spec.bdata}`;
}

export function decodeArray(spec) {
  const binary = atob(spec.bdata);
  let bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const count = spec.shape.reduce((product, size) => product * size, 1);
  const width = spec.dtype === "f2" ? 2 : (TYPED[spec.dtype] || Uint8Array).BYTES_PER_ELEMENT;
  if (spec.codec === "deflate") bytes = inflate(bytes, count * width);
  // Both start a buffer of their own (offset 0), so every typed view below is aligned.
  if (bytes.length !== count * width) throw new Error("array data does not match its shape");
  let flat;
  if (spec.dtype === "f2") {
    const half = new Uint16Array(bytes.buffer, bytes.byteOffset, count);
    const table = halfTable();
    flat = new Float32Array(half.length);
    for (let i = 0; i < half.length; i++) flat[i] = table[half[i]];
  } else {
    const Typed = TYPED[spec.dtype];
    flat = new Typed(bytes.buffer, bytes.byteOffset, count);
  }
  return { flat, shape: spec.shape };
}

// Series and shared arrays the server sent before arrive as {"same_as": digest} (ui/chart.py
// pack_units): the newest units are kept here by digest. Content-addressed, so every chart on
// the page may share them.
const KEPT_UNITS = 64;
const units = new Map();

function keepUnit(unit) {
  keepRecent(units, unit.digest, unit, KEPT_UNITS);
}

// The payload with every {"same_as"} replaced by the unit it names; `missing` lists the
// digests this page does not have.
export function resolveUnits(data) {
  const missing = [];
  const resolve = (unit) => {
    if (!unit || typeof unit.same_as !== "string") {
      if (unit && typeof unit.digest === "string") keepUnit(unit);
      return unit;
    }
    const known = units.get(unit.same_as);
    if (!known) missing.push(unit.same_as);
    else keepUnit(known);
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

function decoded(spec) {
  let array = decodedSpecs.get(spec);
  if (array) return array;
  const key = specKey(spec);
  array = decodedArrays.get(key) || decodeArray(spec);
  keepRecent(decodedArrays, key, array, KEPT_ARRAYS);
  decodedSpecs.set(spec, array);
  return array;
}

function rows(array) {
  // 2D data as an array of row views (what plotly expects for z), created once per array.
  if (!array.rows) {
    const [count, width] = array.shape;
    array.rows = Array.from({ length: count }, (_, i) =>
      array.flat.subarray(i * width, (i + 1) * width));
  }
  return array.rows;
}

function resolveArrays(value, shared) {
  // Replace every encoded or shared array inside a static trace by a typed array (rows for 2D).
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

function h(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(text, title, onclick, className = "dl-button") {
  const node = h("button", className, text);
  node.type = "button";
  node.title = title;
  node.setAttribute("aria-label", title);
  node.onclick = onclick;
  return node;
}

// A channel computed from others (ui/chart.py's derive() is the reference): the payload then
// carries only what the browser cannot work out itself.
function deriveChannel(spec, channels) {
  const source = channels[Array.isArray(spec.of) ? spec.of[0] : spec.of];
  const { flat, shape } = source;
  const out = new Float32Array(flat.length);
  if (spec.op === "shift") {
    const width = shape[shape.length - 1];
    for (let i = 0; i < flat.length; i++) out[i] = (i + 1) % width ? flat[i + 1] : NaN;
  } else if (spec.op === "sub") {
    const other = channels[spec.of[1]].flat;
    for (let i = 0; i < flat.length; i++) out[i] = flat[i] - other[i];
  } else if (spec.op === "add") {
    for (let i = 0; i < flat.length; i++) out[i] = flat[i] + spec.value;
  } else if (spec.op === "clip") {
    const [low, high] = spec.range;
    for (let i = 0; i < flat.length; i++) out[i] = Math.min(high, Math.max(low, flat[i]));
  } else if (spec.op === "where") {
    const codes = channels[spec.if].flat;
    for (let i = 0; i < flat.length; i++) out[i] = codes[i] === spec.equals ? flat[i] : NaN;
  } else {
    throw new Error(`unknown derived channel op ${spec.op}`);
  }
  return { flat: out, shape };
}

// A number as a learner reads it: 3 significant digits, a real minus sign, whole numbers whole,
// powers of ten for the very large or small (an escaping run).
function formatNumber(value, digits) {
  if (Number.isNaN(value)) return "—";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  const size = Math.abs(value);
  let text;
  if (Number.isInteger(value) && size < 1e5) text = String(size);
  else if (size !== 0 && (size >= 1e5 || size < 1e-3)) {
    const [mantissa, exponent] = size.toExponential(digits - 1).split("e");
    text = `${Number(mantissa)}e${Number(exponent)}`;
  } else text = String(Number(size.toPrecision(digits)));
  return value < 0 && text !== "0" ? `−${text}` : text;
}

// --- animated traces drawn as plain SVG ------------------------------------------------------
// A panel whose spec says "live": "svg" draws its animated traces itself, over its base plot
// and in the base's axes: updating a few SVG paths costs a fraction of what plotly spends on
// any update (its defaults and calc pass over the whole figure). Covers what the contour map
// uses: lines (solid, dot, dash), markers (the symbols of ui/figures.py, per-point sizes, an
// outline, angleref "previous"), opacity; no hover, no text.

const SVG_NS = "http://www.w3.org/2000/svg";
// Pixel coordinates are clamped: an escaping run reaches 1e30 and SVG would drop the path.
const PIXEL_LIMIT = 1e5;
let svgLayers = 0;

// Marker outlines as polygons of unit size (a circle of radius 1 covers about as much), pointing
// up (screen y grows downwards), in the proportions of plotly's symbols of the same names.
function regular(corners, radius, turn = 0) {
  return Array.from({ length: corners }, (_, i) => {
    const angle = turn + (2 * Math.PI * i) / corners - Math.PI / 2;
    return [radius * Math.cos(angle), radius * Math.sin(angle)];
  });
}

function starPolygon(points, outer, inner) {
  return regular(2 * points, 1).map(([x, y], i) => {
    const radius = i % 2 ? inner : outer;
    return [x * radius, y * radius];
  });
}

function crossPolygon(arm, half) {
  // A plus sign: arms reaching `arm` from the centre, `half` wide on either side.
  return [[half, -arm], [half, -half], [arm, -half], [arm, half], [half, half], [half, arm],
    [-half, arm], [-half, half], [-arm, half], [-arm, -half], [-half, -half], [-half, -arm]];
}

const SYMBOL_POLYGONS = {
  square: [[1, -1], [1, 1], [-1, 1], [-1, -1]],
  diamond: regular(4, 1.3),
  "triangle-up": regular(3, 1.15),
  pentagon: regular(5, 1.05),
  star: starPolygon(5, 1.4, 0.56),
  cross: crossPolygon(1.2, 0.4),
  x: crossPolygon(1.2, 0.4).map(([x, y]) => [(x - y) * Math.SQRT1_2, (x + y) * Math.SQRT1_2]),
  // The tip on the point itself, the head trailing behind it.
  arrow: [[0, 0], [0.62, 1.9], [-0.62, 1.9]],
};

// SVG path data for one marker of `size` (plotly's: the diameter of a circle) centred at (x, y),
// turned by `angle` radians clockwise.
function markerPath(symbol, size, x, y, angle) {
  const r = size / 2;
  const polygon = SYMBOL_POLYGONS[symbol];
  if (!polygon) {
    return `M${(x + r).toFixed(1)},${y.toFixed(1)}a${r},${r} 0 1,1 ${-2 * r},0`
      + `a${r},${r} 0 1,1 ${2 * r},0Z`;
  }
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  return `${polygon.map(([px, py], i) => `${i ? "L" : "M"}${(x + r * (px * cos - py * sin))
    .toFixed(1)},${(y + r * (px * sin + py * cos)).toFixed(1)}`).join("")}Z`;
}

function dashArray(dash, width) {
  const unit = Math.max(width, 2);
  if (dash === "dot") return `${unit},${unit * 1.5}`;
  if (dash === "dash") return `${unit * 3},${unit * 2}`;
  return null;
}

function svgNode(tag, attributes = {}) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

class SvgLayer {
  constructor() {
    svgLayers += 1;
    const clipId = `dl-clip-${svgLayers}`;
    this.svg = svgNode("svg", { class: "dl-svg" });
    const clip = svgNode("clipPath", { id: clipId });
    this.clipRect = svgNode("rect");
    clip.appendChild(this.clipRect);
    this.clipped = svgNode("g", { "clip-path": `url(#${clipId})` });
    this.svg.append(svgNode("defs"), this.clipped);
    this.svg.firstChild.appendChild(clip);
    this.items = [];
  }

  // Draw `traces` (plotly-style scatter traces with x and y) in the axes of the plot `axesPlot`,
  // inside it: above its data, under its hover labels.
  draw(axesPlot, traces) {
    const layout = axesPlot._fullLayout;
    if (!layout) return;
    const top = layout._toppaper && layout._toppaper.node();
    if (top && this.svg.nextSibling !== top) top.parentNode.insertBefore(this.svg, top);
    const { xaxis, yaxis } = layout;
    this.svg.setAttribute("width", layout.width);
    this.svg.setAttribute("height", layout.height);
    this.clipRect.setAttribute("x", xaxis._offset);
    this.clipRect.setAttribute("y", yaxis._offset);
    this.clipRect.setAttribute("width", xaxis._length);
    this.clipRect.setAttribute("height", yaxis._length);
    const toPixel = (axis, value) => Math.max(-PIXEL_LIMIT, Math.min(PIXEL_LIMIT,
      axis._offset + axis.l2p(value)));
    while (this.items.length < traces.length) {
      const group = svgNode("g", { class: "dl-svg-trace" });
      const line = svgNode("path", { fill: "none", "stroke-linejoin": "round" });
      const markers = svgNode("path");
      group.append(line, markers);
      this.clipped.appendChild(group);
      this.items.push({ group, line, markers });
    }
    this.items.forEach((item, index) => {
      const trace = traces[index];
      item.group.setAttribute("display", trace ? "inline" : "none");
      if (!trace) return;
      const xs = Array.from(trace.x || [], (value) => toPixel(xaxis, value));
      const ys = Array.from(trace.y || [], (value) => toPixel(yaxis, value));
      const mode = trace.mode || "lines+markers";
      item.group.setAttribute("opacity", trace.opacity ?? 1);
      this.drawLine(item.line, mode.includes("lines") ? trace.line || {} : null, xs, ys);
      this.drawMarkers(item.markers, mode.includes("markers") ? trace.marker || {} : null, xs,
        ys);
    });
  }

  drawLine(node, style, xs, ys) {
    let path = "";
    if (style) {
      let open = false;
      for (let i = 0; i < xs.length; i++) {
        if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) {
          open = false;
          continue;
        }
        path += `${open ? "L" : "M"}${xs[i].toFixed(1)},${ys[i].toFixed(1)}`;
        open = true;
      }
    }
    node.setAttribute("d", path);
    if (!style) return;
    const width = style.width ?? 2;
    node.setAttribute("stroke", style.color || "#444");
    node.setAttribute("stroke-width", width);
    const dash = dashArray(style.dash, width);
    if (dash) node.setAttribute("stroke-dasharray", dash);
    else node.removeAttribute("stroke-dasharray");
  }

  drawMarkers(node, style, xs, ys) {
    let path = "";
    if (style) {
      for (let i = 0; i < xs.length; i++) {
        const size = Array.isArray(style.size) ? style.size[i] : style.size ?? 6;
        if (!size || !Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) continue;
        // Turned to point along the way from the previous point (plotly's angleref "previous").
        const angle = style.angleref === "previous" && i > 0
          ? Math.atan2(ys[i] - ys[i - 1], xs[i] - xs[i - 1]) + Math.PI / 2 : 0;
        path += markerPath(style.symbol, size, xs[i], ys[i], angle);
      }
    }
    node.setAttribute("d", path);
    if (!style) return;
    const outline = style.line || {};
    node.setAttribute("fill", style.color || "#444");
    node.setAttribute("fill-opacity", style.opacity ?? 1);
    node.setAttribute("stroke", outline.width ? outline.color || "#444" : "none");
    node.setAttribute("stroke-width", outline.width || 0);
  }
}

const ANIMATED = new Set(["path", "head", "arrow", "text"]);
const CLICK_SLOP_PX = 5;

// The animated layer of a 2D panel: the base layout with its decorations made invisible, so
// the two plots share exactly the same plot area and axes.
function overlayLayout(layout) {
  const out = { ...layout, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)" };
  out.title = { ...(layout.title || {}), text: "" };
  for (const key of Object.keys(layout)) {
    if (!/^[xy]axis\d*$/.test(key)) continue;
    out[key] = {
      ...layout[key], showgrid: false, showticklabels: false, showline: false, ticks: "",
      zeroline: false, title: { text: "" }, automargin: false,
    };
  }
  return out;
}

function touchLayout(layout) {
  return TOUCH_FIRST && !layout.scene ? { ...layout, hovermode: false, dragmode: false } : layout;
}

function baseLayout(layout, interactive = false) {
  // Automatic margins would differ between base and overlay and shift one plot area.
  const out = interactive ? touchLayout(layout) : { ...layout, hovermode: false, dragmode: false };
  for (const key of Object.keys(layout)) {
    if (/^[xy]axis\d*$/.test(key)) out[key] = { ...layout[key], automargin: false };
  }
  return out;
}

// One chart panel. A 2D panel with static traces is two stacked layers: the base plot draws the
// static traces (a contour is expensive to recompute), the transparent live plot on top draws
// the animated traces and takes the viewer's input; its zoom is mirrored onto the base. Every
// update then recomputes only a handful of small traces. With "live": "svg" the live layer is
// plain SVG (SvgLayer) drawn inside the base plot, in its axes, and the base takes the input. A
// 3D panel is a single plot.
// The bases of the last few static parts shown (surfaces, say) are kept, hidden: going back to
// one shows it again instead of computing its contours anew.
class Panel {
  constructor(chart, spec) {
    this.chart = chart;
    this.Plotly = chart.Plotly;
    this.node = h("div", `dl-panel dl-panel-${spec.id}`);
    this.node.dataset.panel = spec.id;
    this.is3d = Boolean(spec.layout && spec.layout.scene);
    this.layered = !this.is3d && spec.traces.some((trace) => !ANIMATED.has(trace.kind));
    this.node.classList.toggle("dl-panel-svg", this.layered && spec.live === "svg");
    this.base = null;
    this.bases = new Map();  // static_key -> base plot, least recently shown first
    this.live = h("div", "dl-plot dl-live");
    this.node.appendChild(this.live);
    this.svgLayer = this.node.classList.contains("dl-panel-svg") ? new SvgLayer() : null;
    this.staticKey = null;
    this.filled = new Set();
    if (this.is3d) {
      for (const type of ["pointerdown", "pointermove", "wheel"]) {
        this.node.addEventListener(type, () => this.turning(), { passive: true });
      }
    }
    this.stale = false;
    this.plotted = false;
  }

  apply(spec) {
    this.spec = spec;
    for (const mark of this.node.querySelectorAll(".dl-pending")) mark.remove();
    this.node.style.height = `${spec.height || 420}px`;
    this.node.classList.toggle("dl-wide", Boolean(spec.wide));
    const indexed = spec.traces.map((trace, index) => ({ trace, index }));
    if (this.layered) {
      this.staticTraces = indexed.filter(({ trace }) => !ANIMATED.has(trace.kind));
      this.animated = indexed.filter(({ trace }) => ANIMATED.has(trace.kind))
        .map(({ trace }, index) => ({ trace, index }));
    } else {
      this.staticTraces = [];
      this.animated = indexed.filter(({ trace }) => ANIMATED.has(trace.kind));
    }
    const staticChanged = spec.static_key !== this.staticKey;
    this.staticKey = spec.static_key;
    if (this.layered && (staticChanged || !this.plotted)) this.showBase(spec);
    if (this.svgLayer) {
      if (!this.plotted && spec.click) this.listenForClicks();
      this.plotted = true;
      this.drawSvg();
      return Promise.resolve();
    }
    // Same layout and the animated traces drawn so far (new data only, as after an optimizer
    // change): the fast path. More traces after those (a start added: a spare run's traces
    // were drawn empty and are filled now, and the payload brings the next spare) take the
    // fast path too, and the new ones are added once that has been painted. Anything else is
    // a full redraw of the live plot.
    const structure = this.animated.map(({ trace }) => JSON.stringify(trace));
    this.structure = structure;
    const drawn = this.drawnStructure;
    const extendsDrawn = !staticChanged && this.plotted && drawn && drawn.length <= structure.length
      && drawn.every((item, i) => item === structure[i]);
    const grows = extendsDrawn && structure.length > drawn.length;
    if (this.is3d) {
      // Drawn after the 2D panels (see Chart.scheduleSlow): a 3D redraw is the slowest part.
      if (extendsDrawn && !grows) this.stale = true;
      else this.needsDraw = true;
      return Promise.resolve();
    }
    this.scaledFor = null;
    if (!extendsDrawn) return this.drawLive(!this.plotted);
    if (grows) this.addTracesLater();
    return this.update();
  }

  // A full redraw that adds the traces the payload has beyond those drawn, after the next paint.
  addTracesLater() {
    const token = {};
    this.growToken = token;
    afterPaint(() => {
      if (this.growToken === token && this.node.isConnected) this.drawLive(false);
    });
  }

  showBase(spec) {
    let base = this.bases.get(spec.static_key);
    if (base) {
      this.bases.delete(spec.static_key);
      base.hidden = false;
      // It may have been zoomed, or the panel resized, while it was away.
      const layout = base._fullLayout;
      if (layout.width !== base.clientWidth || layout.height !== base.clientHeight) {
        this.Plotly.Plots.resize(base).then(() => {
          if (base === this.base && this.svgLayer) this.drawSvg();
        });
      }
      const ranges = {};
      for (const axis of ["xaxis", "yaxis"]) {
        const wanted = (spec.layout[axis] || {}).range;
        const shown = layout[axis].range;
        if (wanted && wanted.some((value, i) => Math.abs(value - shown[i]) > 1e-9)) {
          ranges[`${axis}.range`] = wanted;
        }
      }
      if (Object.keys(ranges).length) this.Plotly.relayout(base, ranges);
    } else {
      base = h("div", "dl-plot dl-base");
      this.node.insertBefore(base, this.live);
      const traces = this.staticTraces.map(({ trace }) => staticTrace(trace, this.chart.shared));
      const interactive = Boolean(this.svgLayer);
      const config = interactive ? PLOTLY_CONFIG
        : { ...PLOTLY_CONFIG, displayModeBar: false, staticPlot: true };
      this.Plotly.newPlot(base, traces, baseLayout(spec.layout, interactive), config);
      if (interactive) {
        // Zooming or panning moves the axes the SVG layer is drawn in.
        const follow = () => {
          if (base === this.base) this.drawSvg();
        };
        base.on("plotly_relayout", follow);
        base.on("plotly_relayouting", follow);
      }
    }
    this.bases.set(spec.static_key, base);
    if (this.base && this.base !== base) this.base.hidden = true;
    this.base = base;
    for (const [key, old] of this.bases) {
      if (this.bases.size <= KEPT_BASES) break;
      this.Plotly.purge(old);
      old.remove();
      this.bases.delete(key);
    }
  }

  // The animated traces as SVG, and on the live node as plotly keeps a plot's traces on its node
  // (what tests and benchmarks read).
  drawSvg() {
    this.stale = false;
    const traces = this.animated.map(({ trace }) => ({
      ...trace.trace, ...this.chart.animatedData(trace),
    }));
    this.svgLayer.draw(this.base, traces);
    this.live.data = traces;
  }

  liveLayout() {
    if (this.layered) return overlayLayout(baseLayout(this.spec.layout));
    // The ranges the fast path gives (see autoRanges), also where plotly has no data to scale.
    const layout = { ...touchLayout(this.spec.layout) };
    for (const [key, { range }] of Object.entries(this.autoRanges())) {
      layout[key] = { ...layout[key], range, autorange: false };
    }
    return layout;
  }

  drawLive(first) {
    const traces = this.layered
      ? this.animated.map(({ trace }) => ({ ...trace.trace, ...this.chart.animatedData(trace) }))
      : this.spec.traces.map((trace) => (ANIMATED.has(trace.kind)
        ? { ...trace.trace, ...this.chart.animatedData(trace) }
        : staticTrace(trace, this.chart.shared)));
    this.filled = new Set(this.animated.filter(({ trace }) => this.chart.series[trace.series])
      .map(({ index }) => index));
    this.drawnStructure = this.structure;
    this.drawnTraces = traces.length;
    this.growToken = null;
    this.stale = false;
    this.needsDraw = false;
    this.scaledFor = this.chart.payloadCount;
    const done = first
      ? this.Plotly.newPlot(this.live, traces, this.liveLayout(), PLOTLY_CONFIG)
      : this.Plotly.react(this.live, traces, this.liveLayout(), PLOTLY_CONFIG);
    if (first) {
      this.plotted = true;
      if (this.layered) this.live.on("plotly_relayout", (change) => this.mirrorZoom(change));
      if (this.spec.click) this.listenForClicks();
    }
    return this.is3d ? done.then(() => this.quietScene()) : done;
  }

  // plotly's 3D scene redraws from a requestAnimationFrame loop that never ends: some 8 % of a
  // core (software GL) while nothing moves, taken from everything else the page and the server
  // do. A 3D panel ends that loop; plotly still redraws the scene on each update, the panel
  // after a resize (`redraw`) and while the viewer turns or zooms it (turning). A scene not as
  // expected keeps its loop.
  quietScene(redraw = false) {
    const glplot = this.live._fullLayout?.scene?._scene?.glplot;
    if (!glplot || typeof glplot.redraw !== "function" || typeof glplot.camera?.tick !== "function"
      || glplot._stopped !== false) return;
    if (glplot === this.quietPlot) {
      if (redraw) glplot.redraw();
      return;
    }
    this.quietPlot = glplot;
    glplot._stopped = true;  // the loop's next frame ends it; redraw() works again after that
    requestAnimationFrame(() => requestAnimationFrame(() => {
      glplot._stopped = false;
      glplot.redraw();
    }));
  }

  turning() {
    this.turnedAt = performance.now();
    if (this.turnLoop || !this.quietPlot) return;
    const tick = () => {
      const glplot = this.quietPlot;
      if (glplot !== this.live._fullLayout?.scene?._scene?.glplot
        || performance.now() - this.turnedAt > TURN_SETTLE_MS) {
        this.turnLoop = null;
        return;
      }
      // tick() moves the camera to where the viewer's input has taken it: redraw if it moved.
      if (!glplot._stopped && glplot.camera.tick()) glplot.redraw();
      this.turnLoop = requestAnimationFrame(tick);
    };
    this.turnLoop = requestAnimationFrame(tick);
  }

  // Fast path: new data for the animated traces only (those with a run, or still showing one
  // that has gone).
  update() {
    if (this.svgLayer) {
      this.drawSvg();
      return Promise.resolve();
    }
    this.stale = false;
    const live = this.animated.filter(({ trace, index }) => index < this.drawnTraces
      && (this.chart.series[trace.series] || this.filled.has(index)));
    if (!live.length || !this.plotted) return Promise.resolve();
    // An animation to an empty array leaves the old line drawn: a lone NaN point clears it.
    const updates = live.map(({ trace }) => Object.fromEntries(
      Object.entries(this.chart.animatedData(trace)).map(([key, value]) =>
        [key, value.length || key === "text" || key === "textposition" ? value : [NaN]])));
    const columns = {};
    for (const update of updates) {
      for (const axis of Object.keys(update)) columns[axis] = updates.map((u) => u[axis] || []);
    }
    this.filled = new Set(live.filter(({ trace }) => this.chart.series[trace.series])
      .map(({ index }) => index));
    const indices = live.map(({ index }) => index);
    if (this.is3d) {
      return this.Plotly.restyle(this.live, columns, indices).then(() => this.quietScene());
    }
    // A transition without redraw moves the scatter traces and skips the axes and the rest of
    // the figure. It does not autoscale, so autoscaled axes get their range here, once per
    // fan member or payload.
    const frame = { data: updates, traces: indices };
    if (this.scaledFor !== this.chart.payloadCount) {
      this.scaledFor = this.chart.payloadCount;
      const layout = this.autoRanges();
      if (Object.keys(layout).length) frame.layout = layout;
    }
    return this.Plotly.animate(this.live, frame, {
      transition: { duration: 0 }, frame: { duration: 0, redraw: false }, mode: "immediate",
    }).catch(() => undefined);  // a newer frame interrupted this one
  }

  // The values of channel ``source`` over the fan members that never diverge (those with a
  // "diverged" channel of NaN), or over the current member when every member diverges.
  boundedValues(series, source) {
    if (typeof source === "number") return [source];
    const array = series.channels[source];
    const diverged = series.channels.diverged;
    if (source === "step" || array.shape.length !== 2 || !diverged) {
      return this.chart.channel(series, source);
    }
    const [members, width] = array.shape;
    const divergedWidth = diverged.shape[diverged.shape.length - 1];
    const bounded = [];
    for (let member = 0; member < members; member += 1) {
      if (Number.isNaN(diverged.flat[member * divergedWidth])) {
        bounded.push(array.flat.subarray(member * width, (member + 1) * width));
      }
    }
    return bounded.length ? bounded.flatMap((row) => Array.from(row))
      : this.chart.channel(series, source);
  }

  // The range plotly's autorange would give the axes set to autorange, over the whole runs of
  // every fan member that stays bounded (every frame, not only those played so far): one
  // range while the learning rate is dragged, so runs compare on one scale, and a runaway
  // leaves the chart at its edge instead of flattening the others.
  autoRanges() {
    const layout = {};
    for (const [key, axisLayout] of Object.entries(this.spec.layout)) {
      const axis = key.match(/^([xy])axis$/);
      if (!axis || !axisLayout.autorange) continue;
      const log = axisLayout.type === "log";
      let low = Infinity;
      let high = -Infinity;
      for (const { trace } of this.animated) {
        const series = this.chart.series[trace.series];
        const source = trace.map[axis[1]];
        if (!series || source === undefined) continue;
        const add = (trace.offset || {})[axis[1]] || 0;
        for (const raw of this.boundedValues(series, source)) {
          const value = log ? Math.log10(raw + add) : raw + add;
          if (Number.isFinite(value)) {
            if (value < low) low = value;
            if (value > high) high = value;
          }
        }
      }
      // No run to show: a plain axis rather than the last runs' range.
      if (low > high) {
        layout[key] = { range: log ? [-1, 1] : [0, 1] };
        continue;
      }
      const pad = (high - low || Math.abs(high) || 1) * 0.05;
      layout[key] = { range: [low - pad, high + pad] };
    }
    return layout;
  }

  mirrorZoom(change) {
    const axes = {};
    for (const [key, value] of Object.entries(change)) {
      if (/^[xy]axis\d*\.(range|autorange)/.test(key)) axes[key] = value;
    }
    if (Object.keys(axes).length) this.Plotly.relayout(this.base, axes);
  }

  listenForClicks() {
    // Pointer events rather than plotly_click: plotly reports a click only on a data point,
    // and the contour lives on the base plot underneath. A press that moves is a zoom drag.
    // plotly covers the page while a button is down, so the release is caught on the window.
    this.node.addEventListener("pointerdown", (down) => {
      if (!down.isPrimary || down.target.closest(".modebar")) return;
      window.addEventListener("pointerup", (up) => {
        if (Math.hypot(up.clientX - down.clientX, up.clientY - down.clientY) > CLICK_SLOP_PX) {
          return;
        }
        const axesPlot = this.svgLayer ? this.base : this.live;
        const layout = axesPlot._fullLayout;
        const box = axesPlot.getBoundingClientRect();
        const xaxis = layout.xaxis;
        const yaxis = layout.yaxis;
        const px = up.clientX - box.left - xaxis._offset;
        const py = up.clientY - box.top - yaxis._offset;
        if (px < 0 || px > xaxis._length || py < 0 || py > yaxis._length) return;
        this.chart.report("click", { panel: this.spec.id, x: xaxis.p2l(px), y: yaxis.p2l(py) });
        this.markPending(up.clientX - box.left, up.clientY - box.top);
      }, { capture: true, once: true });
    }, true);
  }

  // A ring where the viewer clicked, in the colour the next run will have, until the payload
  // with that run arrives (a server round trip): the click shows at once.
  markPending(left, top) {
    const spare = this.animated.find(({ trace }) => trace.kind === "head"
      && !this.chart.series[trace.series]);
    const mark = h("span", "dl-pending");
    mark.style.left = `${left}px`;
    mark.style.top = `${top}px`;
    const color = spare && spare.trace.trace.marker && spare.trace.trace.marker.color;
    if (typeof color === "string") mark.style.borderColor = color;
    this.node.appendChild(mark);
    setTimeout(() => mark.remove(), PENDING_MAX_MS);
  }

  resize() {
    if (!this.plotted || !this.node.isConnected) return;
    if (this.svgLayer) {
      const base = this.base;
      this.Plotly.Plots.resize(base).then(() => {
        if (base === this.base) this.drawSvg();
      });
      return;
    }
    if (this.base) this.Plotly.Plots.resize(this.base);
    const resized = this.Plotly.Plots.resize(this.live);
    if (this.is3d) resized.then(() => this.quietScene(true));
  }

  destroy() {
    for (const base of this.bases.values()) this.Plotly.purge(base);
    if (!this.svgLayer) this.Plotly.purge(this.live);
    this.node.remove();
  }
}

class Chart {
  constructor(parent) {
    this.root = h("div", "dl-chart");
    this.formulaNode = h("div", "dl-formula");
    this.formulaNode.hidden = true;
    this.formulas = new Map();  // LaTeX -> typeset HTML, least recently used first
    this.message = h("div", "dl-message", "Loading the chart…");
    this.panelsNode = h("div", "dl-panels");
    this.badgesNode = h("ul", "dl-badges");
    this.readoutsNode = h("div", "dl-readouts");
    this.notesNode = h("details", "dl-notes");
    this.notesNode.open = true;
    this.notesNode.hidden = true;
    this.buildControls();
    this.root.append(this.formulaNode, this.controls, this.message, this.panelsNode, this.readoutsNode,
      this.badgesNode, this.notesNode);
    parent.appendChild(this.root);

    this.panels = new Map();
    this.series = [];
    this.steps = new Int32Array(1);
    this.frameCount = 1;
    this.frame = 0;
    this.fan = { labels: [""], index: 0 };
    this.readouts = [];
    this.fanIndex = 0;
    this.pendingFanIndex = null;
    this.playing = false;
    this.speed = DEFAULT_SPEED;
    this.slowTimer = null;
    this.slowSince = null;
    // Each panel follows its own box: the grid may reflow panels without the chart resizing.
    this.resizeObserver = new ResizeObserver((entries) => {
      for (const entry of entries) this.panels.get(entry.target.dataset.panel)?.resize();
    });
  }

  buildControls() {
    this.controls = h("div", "dl-controls");
    const player = h("div", "dl-player");
    this.playButton = button("▶ Play", "Play or pause the descent",
      () => (this.playing ? this.pause() : this.play()), "dl-button dl-play");
    const back = button("◀", "One step back", () => this.stepBy(-1), "dl-button dl-back");
    const forward = button("▶|", "One step forward", () => this.stepBy(1),
      "dl-button dl-forward");
    this.scrubber = h("input", "dl-range dl-scrubber");
    this.scrubber.type = "range";
    this.scrubber.min = "0";
    this.scrubber.title = "Scrub through the iterations";
    this.scrubber.setAttribute("aria-label", "Iteration");
    this.scrubber.oninput = () => {
      // Read first: pausing redraws the controls, the scrubber at the frame playback was on.
      const frame = Number(this.scrubber.value);
      this.pause();
      this.setFrame(frame);
    };
    this.counter = h("span", "dl-counter");
    this.counter.setAttribute("aria-live", "off");
    this.speedSelect = h("select", "dl-speed");
    this.speedSelect.title = "Playback speed in steps per second";
    this.speedSelect.setAttribute("aria-label", "Playback speed");
    for (const speed of SPEEDS) {
      const option = h("option", "", `${speed} steps/s`);
      option.value = String(speed);
      option.selected = speed === DEFAULT_SPEED;
      this.speedSelect.appendChild(option);
    }
    this.speedSelect.onchange = () => {
      this.speed = Number(this.speedSelect.value);
      if (this.playing) this.play();
    };
    player.append(this.playButton, back, forward, this.scrubber, this.counter, this.speedSelect);
    this.playerInputs = [this.playButton, back, forward, this.scrubber];

    this.fanRow = h("label", "dl-fan");
    this.fanLabel = h("span", "dl-fan-label");
    this.fanSlider = h("input", "dl-range dl-fan-slider");
    this.fanSlider.type = "range";
    this.fanSlider.min = "0";
    this.fanValue = h("span", "dl-fan-value");
    this.fanSlider.oninput = () => this.setFanIndex(Number(this.fanSlider.value));
    this.fanSlider.onchange = () => this.commitFanIndex();
    // The slider and the marks under it (a critical learning rate) share one box.
    this.fanTrack = h("span", "dl-fan-track");
    this.fanMarks = h("span", "dl-fan-marks");
    this.fanTrack.append(this.fanSlider, this.fanMarks);
    // The lowest and highest learning rate, at the slider's two ends.
    this.fanLow = h("span", "dl-fan-end dl-fan-low");
    this.fanHigh = h("span", "dl-fan-end dl-fan-high");
    this.fanRow.append(this.fanLabel, this.fanLow, this.fanTrack, this.fanHigh, this.fanValue);
    this.controls.append(player, this.fanRow);
  }

  // --- payload ------------------------------------------------------------------------------

  async update(data, setTriggerValue) {
    const start = performance.now();
    const sequence = (this.sequence || 0) + 1;
    this.sequence = sequence;
    this.setTriggerValue = setTriggerValue;
    // Drawn in the same task once plotly.js is there: nothing else gets to run in between.
    // Before plotly.js is awaited: KaTeX loads meanwhile.
    this.renderFormula(data.formula, data.katex);
    if (!this.Plotly) this.Plotly = await loadScript(data.plotly_url, "Plotly");
    // A newer payload may have arrived while plotly.js was loading: it wins.
    if (sequence !== this.sequence) return;
    const { data: full, missing } = resolveUnits(data);
    if (missing.length) {
      // Keep showing the last view; the server sends everything again.
      this.report("missing", missing);
      return;
    }
    this.applyPayload(full, start);
  }

  applyPayload(data, start) {
    this.payloadCount = (this.payloadCount || 0) + 1;  // autoscaled axes follow each payload
    this.message.hidden = true;
    this.shared = data.arrays || {};
    this.series = (data.series || []).map((series) => {
      const channels = Object.fromEntries(
        Object.entries(series.channels).map(([name, spec]) => [name, decoded(spec)]));
      for (const [name, spec] of Object.entries(series.derived || {})) {
        channels[name] = deriveChannel(spec, channels);
      }
      return { ...series, channels };
    });
    const first = this.series.length ? Object.values(this.series[0].channels)[0] : null;
    const oldCount = this.frameCount;
    this.frameCount = first ? first.shape[first.shape.length - 1] : 1;
    if (this.steps.length !== this.frameCount) {
      this.steps = Int32Array.from({ length: this.frameCount }, (_, i) => i);
    }
    // Every chart opens on its last frame, the whole path drawn (the lesson at once; Play
    // replays it), and keeps the viewer's place unless they were looking at the whole path.
    if (this.frame >= oldCount - 1 || this.frame >= this.frameCount) {
      this.frame = this.frameCount - 1;
    }
    this.applyFan(data.fan || { labels: [""], index: 0 });
    this.scrubber.max = String(this.frameCount - 1);
    this.readouts = data.readouts || [];
    // Badges right under the controls (next to the learning-rate slider that changes them)
    // instead of under the panels.
    this.root.classList.toggle("dl-badges-first", Boolean(data.badges_first));
    if (data.columns) {
      this.panelsNode.style.setProperty("--dl-columns",
        data.columns.map((weight) => `minmax(0, ${weight}fr)`).join(" "));
    } else this.panelsNode.style.removeProperty("--dl-columns");

    const wanted = new Set((data.panels || []).map((spec) => spec.id));
    for (const [id, panel] of this.panels) {
      if (!wanted.has(id)) {
        this.resizeObserver.unobserve(panel.node);
        panel.destroy();
        this.panels.delete(id);
      }
    }
    // Every panel in the payload's order before any is drawn: plotly sizes a new plot by its
    // panel's grid cell, and a panel moved to the end for a moment would sit in another column.
    const ordered = (data.panels || []).map((spec) => {
      let panel = this.panels.get(spec.id);
      if (!panel) {
        panel = new Panel(this, spec);
        this.panels.set(spec.id, panel);
        this.resizeObserver.observe(panel.node);
      }
      return panel;
    });
    ordered.forEach((panel, index) => {
      const there = this.panelsNode.children[index];
      if (there !== panel.node) this.panelsNode.insertBefore(panel.node, there || null);
    });
    const drawn = [];
    const later = [];
    for (const [index, spec] of (data.panels || []).entries()) {
      const panel = ordered[index];
      // The first panel (the one the viewer clicks) is redrawn now and painted on its own;
      // the other 2D panels already on screen follow right after that paint.
      panel.pendingSpec = null;
      if (index > 0 && panel.plotted && !panel.is3d) {
        panel.pendingSpec = spec;
        later.push(panel);
      } else drawn.push(panel.apply(spec));
    }
    if (later.length) {
      const sequence = this.sequence;
      drawn.push(new Promise((resolve) => afterPaint(() => {
        const redrawn = [];
        if (sequence === this.sequence) {
          for (const panel of later) {
            const spec = panel.pendingSpec;
            panel.pendingSpec = null;
            if (spec) redrawn.push(panel.apply(spec));
          }
        }
        resolve(Promise.all(redrawn));
      })));
    }
    this.panelsNode.dataset.count = String(this.panels.size);
    this.renderControls();
    this.renderBadges();
    this.renderReadouts();
    this.renderNotes(data.notes);
    this.scheduleSlow();
    // Read by benchmarks/bench_surface_page.py: payload in to every plot drawn.
    Promise.all(drawn).then(() => performance.measure("dl-payload", { start }));
  }

  applyFan(fan) {
    const key = JSON.stringify(fan.labels);
    if (key !== this.fanKey || this.pendingFanIndex === null
      || this.pendingFanIndex === fan.index) {
      // Python is the source of truth, unless the viewer has just released the slider and
      // this payload was computed before that reached the server.
      this.pendingFanIndex = null;
      this.fanIndex = Math.min(fan.index, fan.labels.length - 1);
    }
    this.fanKey = key;
    this.fan = fan;
    this.fanRow.hidden = fan.labels.length < 2;
    this.fanLabel.textContent = fan.label || "";
    this.fanLow.textContent = fan.labels[0] ?? "";
    this.fanHigh.textContent = fan.labels[fan.labels.length - 1] ?? "";
    this.fanSlider.max = String(fan.labels.length - 1);
    this.fanSlider.value = String(this.fanIndex);
    this.fanSlider.title = fan.help || "";
    const last = Math.max(1, fan.labels.length - 1);
    this.fanMarks.replaceChildren(...(fan.marks || []).map((mark) => {
      const node = h("span", "dl-fan-mark", mark.label);
      node.style.setProperty("--at", String(Math.min(1, Math.max(0, mark.position / last))));
      if (mark.help) node.title = mark.help;
      return node;
    }));
    this.fanMarks.hidden = !(fan.marks || []).length;
  }

  report(event, value) {
    if (this.setTriggerValue) this.setTriggerValue(event, value);
  }

  // --- animated traces ----------------------------------------------------------------------

  channel(series, name) {
    if (name === "step") return this.steps;
    const array = series.channels[name];
    const width = array.shape[array.shape.length - 1];
    const member = array.shape.length === 2 ? Math.min(this.fanIndex, array.shape[0] - 1) : 0;
    return array.flat.subarray(member * width, (member + 1) * width);
  }

  animatedData(trace) {
    const axes = Object.keys(trace.map);
    const series = this.series[trace.series];
    if (!series) {
      const empty = Object.fromEntries(axes.map((axis) => [axis, []]));
      return trace.kind === "text" ? { ...empty, text: [] } : empty;
    }
    const frame = Math.min(this.frame, this.frameCount - 1);
    const offset = trace.offset || {};
    const values = (axis, from, to) => {
      const source = trace.map[axis];
      // A number in "map" is a constant coordinate (an arrow drawn along an axis line).
      if (typeof source === "number") return new Array(to - from).fill(source);
      const column = this.channel(series, source).subarray(from, to);
      const add = offset[axis] || 0;
      return add ? Array.from(column, (value) => value + add) : Array.from(column);
    };
    if (trace.kind === "path") {
      const end = trace.frames === "all" ? this.frameCount : frame + 1;
      return Object.fromEntries(axes.map((axis) => [axis, values(axis, 0, end)]));
    }
    if (trace.kind === "head" || trace.kind === "text") {
      // A head with its own "frame" stays there (a run's start point).
      const at = trace.frame ?? frame;
      const point = Object.fromEntries(axes.map((axis) => [axis, values(axis, at, at + 1)]));
      if (trace.kind === "text") {
        point.text = [this.expand(trace.text || "", trace, series, frame)];
        if (trace.position) point.textposition = [this.phrase(trace.position, series, frame)];
      }
      return point;
    }
    // An arrow from the point at this frame, along an angle channel or direction channels
    // (a number in "direction" is a constant component).
    let direction;
    if (trace.angle) {
      const angle = this.channel(series, trace.angle)[frame];
      direction = { [axes[0]]: Math.cos(angle), [axes[1]]: Math.sin(angle) };
    } else {
      direction = Object.fromEntries(Object.entries(trace.direction).map(([axis, source]) =>
        [axis, typeof source === "number" ? source : this.channel(series, source)[frame]]));
    }
    let factor = trace.scale || 1;
    if (trace.normalize) factor = trace.normalize / Math.hypot(...Object.values(direction));
    // "span" [a, b]: from the point plus a times the direction to plus b times it ([-1, 1]
    // centres the segment on the point, as a tangent line).
    const [from, to] = trace.span || [0, 1];
    const ends = axes.map((axis) => {
      const at = values(axis, frame, frame + 1)[0];
      const along = factor * (axis in direction ? direction[axis] : 0);
      return [at + from * along, at + to * along];
    });
    const drawn = ends.every(([a, b]) => Number.isFinite(a) && Number.isFinite(b))
      && ends.some(([a, b]) => a !== b);
    return Object.fromEntries(axes.map((axis, i) => [axis, drawn ? ends[i] : []]));
  }

  // A phrase chosen per frame: {"channel": name, "options": [...]}, indexed by the channel.
  phrase(choice, series, frame) {
    const code = this.channel(series, choice.channel)[frame];
    return Number.isInteger(code) ? (choice.options[code] ?? "") : "";
  }

  // Fill a text template at a frame: {step} is the frame, {fan} the learning-rate label,
  // {name} a phrase of spec.phrases (itself a template) or a channel's value.
  expand(template, spec, series, frame, depth = 0) {
    return template.replace(/\{(\w+)\}/g, (whole, name) => {
      if (name === "step") return String(frame);
      if (name === "fan") return this.fan.labels[this.fanIndex] ?? "";
      const choice = (spec.phrases || {})[name];
      if (choice) {
        const text = this.phrase(choice, series, frame);
        return depth < 3 ? this.expand(text, spec, series, frame, depth + 1) : text;
      }
      if (!series.channels[name]) return whole;
      return formatNumber(this.channel(series, name)[frame], spec.digits || 3);
    });
  }

  // Draw the current (learning rate, frame): 2D panels now, 3D ones throttled, with a final
  // draw once things come to rest.
  render() {
    const start = performance.now();
    const drawn = [];
    for (const panel of this.panels.values()) {
      if (panel.is3d) panel.stale = true;
      else if (!panel.pendingSpec) drawn.push(panel.update());
    }
    this.scheduleSlow();
    this.renderControls();
    this.renderReadouts();
    if (this.badgeFan !== this.fanIndex) this.renderBadges();
    // Read by benchmarks/bench_surface_page.py: input to every 2D plot redrawn.
    Promise.all(drawn).then(() => performance.measure("dl-render", { start }));
  }

  // 3D panels wait until things rest for SLOW_REST_MS, and never lag more than SLOW_MAX_LAG_MS
  // behind while scrubbing or playing slowly. Fast playback is left alone until it stops: a 3D
  // redraw mid-way would visibly stall it.
  scheduleSlow() {
    const now = performance.now();
    if (!this.slowSince) this.slowSince = now;
    clearTimeout(this.slowTimer);
    const lag = this.playing && this.speed >= FAST_PLAYBACK ? Infinity : SLOW_MAX_LAG_MS;
    const wait = Math.min(SLOW_REST_MS, Math.max(0, this.slowSince + lag - now));
    this.slowTimer = setTimeout(() => {
      this.slowSince = null;
      for (const panel of this.panels.values()) {
        if (panel.needsDraw) panel.drawLive(!panel.plotted);
        else if (panel.stale) panel.update();
      }
    }, wait);
  }

  renderControls() {
    this.scrubber.value = String(this.frame);
    // Without a run (every start cleared) there is nothing to play.
    const empty = !this.series.length;
    for (const input of this.playerInputs) input.disabled = empty;
    this.counter.textContent = empty ? "no runs yet" : `step ${this.frame} / ${this.frameCount - 1}`;
    this.root.dataset.frame = String(this.frame);
    this.root.dataset.fanIndex = String(this.fanIndex);
    const label = this.fan.labels[this.fanIndex] ?? "";
    this.fanValue.textContent = label;
    this.fanSlider.value = String(this.fanIndex);
    this.fanSlider.setAttribute("aria-valuetext", label);
    this.fanSlider.setAttribute("aria-label", this.fan.label || "");
    this.playButton.textContent = this.playing ? "❚❚ Pause" : "▶ Play";
    this.playButton.setAttribute("aria-pressed", String(this.playing));
  }

  // Lines of text about the current iterate, filled from the series' channels at this frame.
  renderReadouts() {
    const lines = this.readouts.map((readout) => {
      const series = this.series[readout.series || 0];
      const frame = Math.min(this.frame, this.frameCount - 1);
      return series ? this.expand(readout.text, readout, series, frame) : "";
    });
    const nodes = this.readoutsNode.children;
    if (nodes.length !== lines.length) {
      this.readoutsNode.replaceChildren(...lines.map(() => h("p", "dl-readout")));
    }
    lines.forEach((line, i) => {
      if (nodes[i].textContent !== line) nodes[i].textContent = line;
      nodes[i].hidden = !line;
    });
    // Announced when stepping by hand, not 25 times a second while playing.
    this.readoutsNode.setAttribute("aria-live", this.playing ? "off" : "polite");
  }

  // The payload's LaTeX above the controls, typeset by KaTeX once the panels have been painted
  // (the chart comes first); the formula shown stays until the new one is ready.
  renderFormula(latex, urls) {
    this.formulaWanted = latex;
    if (!latex) {
      this.formulaNode.hidden = true;
      this.formulaNode.replaceChildren();
      this.formulaShown = null;
      return;
    }
    if (latex === this.formulaShown) return;
    loadKatex(urls).then((katex) => afterPaint(() => {
      if (this.formulaWanted !== latex || this.formulaShown === latex) return;
      const html = this.formulas.get(latex)
        ?? katex.renderToString(latex, { displayMode: true, throwOnError: false });
      keepRecent(this.formulas, latex, html, KEPT_FORMULAS);
      this.formulaNode.innerHTML = html;
      this.formulaNode.hidden = false;
      this.formulaShown = latex;
    })).catch((error) => {
      this.formulaNode.hidden = false;
      this.formulaNode.textContent = `The formula could not be shown: ${error.message}`;
    });
  }

  // A titled list under the chart ("What to try"), rebuilt only when its text changes; the
  // viewer's open or closed choice stays.
  renderNotes(notes) {
    const key = JSON.stringify(notes || null);
    if (key === this.notesKey) return;
    this.notesKey = key;
    this.notesNode.hidden = !notes;
    if (!notes) return;
    const list = h("ul", "dl-notes-items");
    list.append(...(notes.items || []).map((item) => h("li", "", item)));
    const parts = [h("summary", "dl-notes-title", notes.title || ""), list];
    if (notes.caption) parts.push(h("p", "dl-notes-caption", notes.caption));
    this.notesNode.replaceChildren(...parts);
  }

  renderBadges() {
    this.badgeFan = this.fanIndex;
    this.badgesNode.replaceChildren(...this.series.map((series) => {
      const badges = series.badges || [];
      const badge = badges[Math.min(this.fanIndex, badges.length - 1)];
      const item = h("li", "dl-badge");
      item.dataset.tone = badge ? badge.tone : "neutral";
      const swatch = h("span", "dl-swatch", series.glyph || "●");
      swatch.style.color = series.color;
      swatch.setAttribute("aria-hidden", "true");
      item.append(swatch, h("span", "dl-badge-name", series.name),
        h("span", "dl-badge-text", badge ? badge.text : ""));
      return item;
    }));
  }

  // --- clock, scrubber and fan --------------------------------------------------------------

  setFrame(frame) {
    this.frame = Math.max(0, Math.min(this.frameCount - 1, frame));
    this.render();
  }

  stepBy(delta) {
    this.pause();
    this.setFrame(this.frame + delta);
  }

  play() {
    cancelAnimationFrame(this.clock);
    if (this.frame >= this.frameCount - 1) this.frame = 0;
    this.playing = true;
    const startFrame = this.frame;
    const startTime = performance.now();
    const tick = (now) => {
      if (!this.playing) return;
      const frame = Math.min(this.frameCount - 1,
        startFrame + Math.floor(((now - startTime) / 1000) * this.speed));
      if (frame !== this.frame) {
        this.frame = frame;
        this.render();
      }
      if (frame >= this.frameCount - 1) {
        this.pause();
        return;
      }
      this.clock = requestAnimationFrame(tick);
    };
    this.renderControls();
    this.clock = requestAnimationFrame(tick);
  }

  pause() {
    cancelAnimationFrame(this.clock);
    if (!this.playing) return;
    this.playing = false;
    this.renderControls();
  }

  setFanIndex(index) {
    this.fanIndex = index;
    this.render();
  }

  commitFanIndex() {
    this.pendingFanIndex = this.fanIndex;
    const values = this.fan.values || [];
    this.report("fan", { index: this.fanIndex, value: values[this.fanIndex] ?? null });
  }

  destroy() {
    this.pause();
    clearTimeout(this.slowTimer);
    this.resizeObserver.disconnect();
    for (const panel of this.panels.values()) panel.destroy();
    this.root.remove();
  }
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

function staticTrace(trace, shared) {
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

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let chart = parentElement[CHART];
  if (!chart) {
    chart = new Chart(parentElement);
    parentElement[CHART] = chart;
  }
  chart.update(data, setTriggerValue).catch((error) => {
    chart.message.hidden = false;
    chart.message.textContent = `The chart could not be drawn: ${error.message}`;
  });
  return () => {
    // Streamlit also calls this when a newer payload supersedes this one; only a node that has
    // really left the page is torn down.
    setTimeout(() => {
      if (!parentElement.isConnected && parentElement[CHART] === chart) {
        chart.destroy();
        delete parentElement[CHART];
      }
    }, 0);
  };
}
