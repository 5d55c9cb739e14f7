// Animated traces of a 3D panel drawn as SVG over its scene (svg-layer.js): each run's points
// clipped to the scene's box, as plotly clips its own 3D lines, and projected to the plot's
// pixels through the scene camera's matrices. The surface under them is then drawn only when
// it or the camera changes, not on every frame of a path. Pure: data and matrices in, pixels out.

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

// Pixel columns (xs, ys; NaN where nothing is drawn) of a trace's points: as a line clipped to
// the box, or as markers inside it.
export function projectedPixels(points, box, project, asLine) {
  const kept = asLine ? clippedLine(points, box) : pointsInside(points, box);
  const xs = new Array(kept.length);
  const ys = new Array(kept.length);
  kept.forEach((point, i) => {
    const pixel = point && project(point);
    xs[i] = pixel ? pixel[0] : NaN;
    ys[i] = pixel ? pixel[1] : NaN;
  });
  return { xs, ys };
}
