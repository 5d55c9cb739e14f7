// Animated traces of a 3D panel drawn as SVG over its scene (svg-layer.js): each run's points
// clipped to the scene's box, as plotly clips its own 3D lines, and projected to the plot's
// pixels through the scene camera's matrices. The surface under them is then drawn only when
// it or the camera changes, not on every frame of a path. SVG lies over the whole scene, so
// what the surface hides from the eye is told apart (drawn faint), as a hidden line in a
// drawing is. Pure: data and matrices in, pixels out.

// Points exactly on the box (where a run left the map) count as inside it.
const BOX_SLACK = 1e-9;

function slackened(box) {
  return box.map(([low, high]) => {
    const slack = BOX_SLACK * (Math.abs(high - low) || 1);
    return [low - slack, high + slack];
  });
}

// The part of the segment from a to b inside `box` ([[x0, x1], [y0, y1], [z0, z1]]), as the
// fractions [t0, t1] of the way from a to b; null when none of it is (Liang-Barsky).
export function clipSegment(a, b, box) {
  let t0 = 0;
  let t1 = 1;
  for (let axis = 0; axis < 3; axis++) {
    const delta = b[axis] - a[axis];
    const [low, high] = box[axis];
    for (const [p, q] of [[-delta, a[axis] - low], [delta, high - a[axis]]]) {
      if (p === 0) {
        if (q < 0) return null;  // parallel to this face, outside it
        continue;
      }
      const t = q / p;
      if (p < 0) {
        if (t > t1) return null;
        if (t > t0) t0 = t;
      } else {
        if (t < t0) return null;
        if (t < t1) t1 = t;
      }
    }
  }
  return [t0, t1];
}

function finitePoint(point) {
  return point.every(Number.isFinite);
}

function along(a, b, t) {
  return a.map((value, axis) => value + t * (b[axis] - a[axis]));
}

// The polyline through `points` ([x, y, z] each) cut to the box: a list of points with null
// where the line breaks (it left the box, or a point is not finite).
export function clippedLine(points, box) {
  const inside = slackened(box);
  const line = [];
  let open = false;  // whether the last point pushed continues into the next segment
  if (points.length === 1 && finitePoint(points[0]) && clipSegment(points[0], points[0], inside)) {
    return [points[0]];
  }
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    const kept = finitePoint(a) && finitePoint(b) ? clipSegment(a, b, inside) : null;
    if (!kept) {
      open = false;
      continue;
    }
    const [t0, t1] = kept;
    if (!open || t0 > 0) {
      if (line.length) line.push(null);
      line.push(t0 > 0 ? along(a, b, t0) : a);
    }
    line.push(t1 < 1 ? along(a, b, t1) : b);
    open = t1 === 1;
  }
  return line;
}

// The points inside the box (markers), null for the others.
export function pointsInside(points, box) {
  const inside = slackened(box);
  return points.map((point) => (finitePoint(point) && clipSegment(point, point, inside)
    ? point : null));
}

// A column-major 4x4 matrix (gl-matrix's layout) times [x, y, z, w].
function transform(matrix, vector) {
  const out = [0, 0, 0, 0];
  for (let column = 0; column < 4; column++) {
    for (let row = 0; row < 4; row++) out[row] += matrix[4 * column + row] * vector[column];
  }
  return out;
}

// A function from a point in data coordinates to [x, y] pixels of the plot, or null behind the
// eye. `camera`: the scene's model, view and projection matrices, the data scale the scene
// multiplies coordinates by, and `area`, the pixels the scene's canvas covers ({x, y, width,
// height}), as plotly places its 3D annotations.
export function projector({ model, view, projection, scale, area }) {
  return ([x, y, z]) => {
    const clip = transform(projection, transform(view, transform(model,
      [x * scale[0], y * scale[1], z * scale[2], 1])));
    if (!(clip[3] > 0)) return null;
    return [area.x + 0.5 * (1 + clip[0] / clip[3]) * area.width,
      area.y + 0.5 * (1 - clip[1] / clip[3]) * area.height];
  };
}

// Where the eye is, in data coordinates. The view matrix is a rigid motion (a turn R, then a
// shift t): the eye sits at -R^T t in the scene's world, which the model matrix (a scale and a
// shift per axis) and the data scale map back to data.
export function eyeInData({ model, view, scale }) {
  return [0, 1, 2].map((axis) => {
    const world = -(view[4 * axis] * view[12] + view[4 * axis + 1] * view[13]
      + view[4 * axis + 2] * view[14]);
    return (world - model[12 + axis]) / model[5 * axis] / scale[axis];
  });
}

// A surface on an evenly spaced grid (plotly's surface x, y and z[row y][column x]) as the
// occlusion test reads it: heights above `top` (the box's) are cut to it, as the scene cuts them.
export function heightField(x, y, z, top = Infinity) {
  const columns = x.length;
  const rows = y.length;
  const heights = new Float64Array(columns * rows);
  let highest = -Infinity;
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const raw = z[row]?.[column];  // null where f is undefined (JSON has no NaN)
      const value = raw === null || raw === undefined ? NaN : Number(raw);
      const height = Number.isFinite(value) ? Math.min(value, top) : NaN;
      heights[row * columns + column] = height;
      if (height > highest) highest = height;
    }
  }
  return {
    x0: x[0], dx: (x[columns - 1] - x[0]) / Math.max(columns - 1, 1), columns,
    y0: y[0], dy: (y[rows - 1] - y[0]) / Math.max(rows - 1, 1), rows, heights, highest,
  };
}

// The surface's height at (x, y), bilinear between grid points; NaN off the grid or at a gap.
export function heightAt(field, x, y) {
  const u = (x - field.x0) / field.dx;
  const v = (y - field.y0) / field.dy;
  return inGrid(field, u, v) ? heightInGrid(field, u, v) : NaN;
}

// Whether grid coordinates (u, v: columns and rows from the first point) fall on the grid.
function inGrid(field, u, v) {
  return u >= 0 && v >= 0 && u <= field.columns - 1 && v <= field.rows - 1;
}

function heightInGrid(field, u, v) {
  const i = Math.min(Math.floor(u), field.columns - 2);
  const j = Math.min(Math.floor(v), field.rows - 2);
  const fu = u - i;
  const fv = v - j;
  const at = (column, row) => field.heights[row * field.columns + column];
  return (1 - fv) * ((1 - fu) * at(i, j) + fu * at(i + 1, j))
    + fv * ((1 - fu) * at(i, j + 1) + fu * at(i + 1, j + 1));
}

// Whether the surface hides `point` from `eye`: somewhere on the line of sight between them,
// over the grid, the surface is above it. Sampled a grid cell apart from one cell out (a path
// lies just above the surface, which must not hide its own point).
export function hidden(field, eye, point) {
  const along = eye.map((value, axis) => value - point[axis]);
  const cell = Math.min(Math.abs(field.dx), Math.abs(field.dy));
  const reach = Math.hypot(along[0], along[1]);
  if (!(cell > 0) || !(reach > cell)) return false;  // seen from (almost) straight above
  const step = cell / reach;
  for (let t = step; t < 1; t += step) {
    const z = point[2] + t * along[2];
    if (z > field.highest) return false;  // above everything, and rising to the eye
    const u = (point[0] + t * along[0] - field.x0) / field.dx;
    const v = (point[1] + t * along[1] - field.y0) / field.dy;
    if (!inGrid(field, u, v)) return false;  // off the grid, for good (it is convex)
    if (heightInGrid(field, u, v) > z) return true;
  }
  return false;
}

// `hidden` for a slot (a segment's or a marker's index), remembered in `memo` while the eye,
// the surface and the slot's point stay the same: a playing path is the same segments frame
// after frame, and one more.
export function rememberedOcclusion(field, eye, memo) {
  if (memo.field !== field || !memo.eye?.every((value, axis) => value === eye[axis])) {
    Object.assign(memo, { field, eye, points: [], flags: [] });
  }
  return (point, slot) => {
    const known = memo.points[slot];
    if (known && known[0] === point[0] && known[1] === point[1] && known[2] === point[2]) {
      return memo.flags[slot];
    }
    const flag = hidden(field, eye, point);
    memo.points[slot] = point;
    memo.flags[slot] = flag;
    return flag;
  };
}

// Pixel columns (xs, ys; NaN where nothing is drawn) of a trace's points: as a line clipped to
// the box, or as markers inside it; `seen` the part in sight, `hidden` the part that
// `isHidden(point, slot)` (optional) says the surface hides. A segment goes with its middle.
export function projectedPixels(points, box, project, asLine, isHidden = () => false) {
  const kept = asLine ? clippedLine(points, box) : pointsInside(points, box);
  const pixels = kept.map((point) => (point && project(point)) || null);
  const seen = { xs: [], ys: [] };
  const behind = { xs: [], ys: [] };
  const push = (part, pixel) => {
    part.xs.push(pixel ? pixel[0] : NaN);
    part.ys.push(pixel ? pixel[1] : NaN);
  };
  if (!asLine) {
    kept.forEach((point, i) => {
      const out = point && isHidden(point, i);
      push(seen, out ? null : pixels[i]);
      push(behind, out ? pixels[i] : null);
    });
    return { seen, hidden: behind };
  }
  if (kept.length === 1) push(seen, pixels[0]);
  for (let i = 1; i < kept.length; i++) {
    const [a, b] = [kept[i - 1], kept[i]];
    if (!a || !b || !pixels[i - 1] || !pixels[i]) continue;
    const part = isHidden(along(a, b, 0.5), i) ? behind : seen;
    // A segment that does not continue the part's last one starts a new piece.
    const last = part.xs.length - 1;
    if (last < 0 || part.xs[last] !== pixels[i - 1][0] || part.ys[last] !== pixels[i - 1][1]) {
      if (last >= 0) push(part, null);
      push(part, pixels[i - 1]);
    }
    push(part, pixels[i]);
  }
  return { seen, hidden: behind };
}
