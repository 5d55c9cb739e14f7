// SVG path data for the animated traces the chart draws itself (svg-layer.js): lines with
// gaps, dash patterns, and markers in the shapes of plotly's symbols. Pure: pixels in, text out.

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

// One marker of `size` (plotly's: the diameter of a circle) centred at (x, y), turned by `angle`
// radians clockwise; a circle for a symbol without a polygon.
export function markerPath(symbol, size, x, y, angle) {
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

// A polyline through the points (pixels), broken where a coordinate is not finite.
export function linePath(xs, ys) {
  let path = "";
  let open = false;
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) {
      open = false;
      continue;
    }
    path += `${open ? "L" : "M"}${xs[i].toFixed(1)},${ys[i].toFixed(1)}`;
    open = true;
  }
  return path;
}

// A marker at every point with finite coordinates and a size (per point when `style.size` is
// an array), turned along the way from the previous point for angleref "previous".
export function markersPath(style, xs, ys) {
  let path = "";
  for (let i = 0; i < xs.length; i++) {
    const size = Array.isArray(style.size) ? style.size[i] : style.size ?? 6;
    if (!size || !Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) continue;
    const angle = style.angleref === "previous" && i > 0
      ? Math.atan2(ys[i] - ys[i - 1], xs[i] - xs[i - 1]) + Math.PI / 2 : 0;
    path += markerPath(style.symbol, size, xs[i], ys[i], angle);
  }
  return path;
}

// stroke-dasharray for plotly's line.dash "dot", "dash" and "dashdot" (null: solid).
export function dashArray(dash, width) {
  const unit = Math.max(width, 2);
  if (dash === "dot") return `${unit},${unit * 1.5}`;
  if (dash === "dash") return `${unit * 3},${unit * 2}`;
  if (dash === "dashdot") return `${unit * 3},${unit * 1.5},${unit},${unit * 1.5}`;
  return null;
}
