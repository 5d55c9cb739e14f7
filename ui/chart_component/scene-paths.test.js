import assert from "node:assert/strict";
import test from "node:test";

import {
  clipSegment, clippedLine, pointsInside, projectedPixels, projector,
} from "./scene-paths.js";

const BOX = [[0, 1], [0, 1], [0, 1]];

test("a segment is cut where it crosses the box's faces", () => {
  assert.deepEqual(clipSegment([0.5, 0.5, 0.5], [0.6, 0.5, 0.5], BOX), [0, 1]);
  assert.deepEqual(clipSegment([-1, 0.5, 0.5], [3, 0.5, 0.5], BOX), [0.25, 0.5]);
  assert.deepEqual(clipSegment([0.5, 0.5, 0.5], [0.5, 0.5, 2.5], BOX), [0, 0.25]);
  assert.equal(clipSegment([2, 0.5, 0.5], [3, 0.5, 0.5], BOX), null, "wholly outside");
  assert.equal(clipSegment([-1, 2, 0.5], [2, 2, 0.5], BOX), null, "parallel to a face, beyond it");
  assert.equal(clipSegment([-1, 0.5, 0.5], [0.5, 2.5, 0.5], BOX), null, "passes a corner");
});

test("a line that leaves the box and comes back breaks there", () => {
  const line = clippedLine([[0.5, 0.5, 0.5], [1.5, 0.5, 0.5], [0.5, 0.5, 0.25]], BOX);
  assert.equal(line.length, 5);
  assert.deepEqual(line[0], [0.5, 0.5, 0.5]);
  assert.ok(Math.abs(line[1][0] - 1) < 1e-6, "out through x = 1");
  assert.equal(line[2], null);
  assert.ok(Math.abs(line[3][0] - 1) < 1e-6 && Math.abs(line[3][2] - 0.375) < 1e-6,
    "back in through x = 1, half way down");
  assert.deepEqual(line[4], [0.5, 0.5, 0.25]);
});

test("a runaway path ends on the box, and NaN points break the line", () => {
  const runaway = clippedLine([[0.5, 0.5, 0.5], [0.5, 0.5, 1e34], [0.5, 0.5, NaN]], BOX);
  assert.equal(runaway.length, 2);
  assert.ok(Math.abs(runaway[1][2] - 1) < 1e-6);
  const gap = clippedLine([[0.1, 0.1, 0.1], [0.2, 0.2, 0.2], [NaN, 0, 0], [0.3, 0.3, 0.3],
    [0.4, 0.4, 0.4]], BOX);
  assert.deepEqual(gap, [[0.1, 0.1, 0.1], [0.2, 0.2, 0.2], null, [0.3, 0.3, 0.3],
    [0.4, 0.4, 0.4]]);
  assert.deepEqual(clippedLine([[0.5, 0.5, 0.5]], BOX), [[0.5, 0.5, 0.5]], "a lone start point");
  assert.deepEqual(clippedLine([], BOX), []);
});

test("markers show only inside the box, a point on its face included", () => {
  assert.deepEqual(pointsInside([[0.5, 0.5, 0.5], [1, 0.5, 0.5], [1.01, 0.5, 0.5],
    [NaN, 0, 0]], BOX), [[0.5, 0.5, 0.5], [1, 0.5, 0.5], null, null]);
});

const IDENTITY = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];

test("points are projected as plotly places its 3D annotations", () => {
  const area = { x: 10, y: 20, width: 200, height: 100 };
  const flat = projector({ model: IDENTITY, view: IDENTITY, projection: IDENTITY,
    scale: [1, 1, 1], area });
  assert.deepEqual(flat([0, 0, 0]), [110, 70], "the origin at the area's centre");
  assert.deepEqual(flat([1, 1, 0]), [210, 20], "clip space's top right corner");
  // The data scale, then a model matrix (column-major) that moves x by 0.5.
  const moved = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0.5, 0, 0, 1];
  const scaled = projector({ model: moved, view: IDENTITY, projection: IDENTITY,
    scale: [0.25, 1, 1], area });
  assert.deepEqual(scaled([2, 0, 0]), [210, 70]);
  // A perspective divide by w = -z: the farther point is nearer the centre; behind: nothing.
  const perspective = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, -1, 0, 0, 0, 0];
  const seen = projector({ model: IDENTITY, view: IDENTITY, projection: perspective,
    scale: [1, 1, 1], area });
  assert.deepEqual(seen([1, 0, -2]), [160, 70]);
  assert.equal(seen([1, 0, 2]), null);
});

test("projected pixels: NaN where the line breaks or a marker is outside", () => {
  const area = { x: 0, y: 0, width: 2, height: 2 };
  const project = projector({ model: IDENTITY, view: IDENTITY, projection: IDENTITY,
    scale: [1, 1, 1], area });
  const points = [[0.5, 0.5, 0.5], [0.5, 0.5, 3]];
  assert.deepEqual(projectedPixels(points, BOX, project, false),
    { xs: [1.5, NaN], ys: [0.5, NaN] });
  assert.deepEqual(projectedPixels(points, BOX, project, true),
    { xs: [1.5, 1.5], ys: [0.5, 0.5] });
});
