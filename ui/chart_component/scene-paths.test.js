import assert from "node:assert/strict";
import test from "node:test";

import {
  clipSegment, clippedLine, eyeInData, heightAt, heightField, hidden, pointsInside,
  projectedPixels, projector, rememberedOcclusion,
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
  const none = { xs: [], ys: [] };
  assert.deepEqual(projectedPixels(points, BOX, project, false),
    { seen: { xs: [1.5, NaN], ys: [0.5, NaN] }, hidden: { xs: [NaN, NaN], ys: [NaN, NaN] } });
  assert.deepEqual(projectedPixels(points, BOX, project, true),
    { seen: { xs: [1.5, 1.5], ys: [0.5, 0.5] }, hidden: none });
});

// Without negative zeros, which deepEqual tells from zeros.
const eye = (camera) => eyeInData(camera).map((value) => value + 0);

test("the eye is found from a rigid view matrix, the model's scale and the data scale", () => {
  // The eye at (0, 0, 5) in the world, looking down -z: view = a shift by -5 along z.
  const view = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, -5, 1];
  assert.deepEqual(eye({ model: IDENTITY, view, scale: [1, 1, 1] }), [0, 0, 5]);
  // Turned a quarter about z (x -> y): the eye stays on the axis it looks along.
  const turned = [0, 1, 0, 0, -1, 0, 0, 0, 0, 0, 1, 0, 0, 0, -5, 1];
  assert.deepEqual(eye({ model: IDENTITY, view: turned, scale: [1, 1, 1] }), [0, 0, 5]);
  // The model halves z and shifts it by 1; the data scale doubles it: (5 - 1) / 0.5 / 2 = 4.
  const model = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0.5, 0, 0, 0, 1, 1];
  assert.deepEqual(eye({ model, view, scale: [1, 1, 2] }), [0, 0, 4]);
});

// A ridge along y at x = 0.5, 10 high, on a flat floor at 0 (x and y from 0 to 1).
const xs = [0, 0.25, 0.5, 0.75, 1];
const RIDGE = heightField(xs, xs, xs.map(() => xs.map((x) => (x === 0.5 ? 10 : 0))));

test("heights between grid points are bilinear, off the grid NaN, cut at the box", () => {
  assert.equal(heightAt(RIDGE, 0.5, 0.3), 10);
  assert.equal(heightAt(RIDGE, 0.375, 0.3), 5);
  assert.ok(Number.isNaN(heightAt(RIDGE, 1.1, 0.3)));
  assert.equal(heightField(xs, xs, xs.map(() => xs.map(() => 7)), 4).highest, 4);
  const gaps = heightField([0, 1], [0, 1], [[null, 1], [1, 1]]);
  assert.ok(Number.isNaN(heightAt(gaps, 0.1, 0.1)), "no height where f is undefined");
});

test("a point behind the ridge is hidden from an eye on the other side, not from above", () => {
  const behind = [0.9, 0.5, 0.1];
  assert.equal(hidden(RIDGE, [-2, 0.5, 1], behind), true);
  assert.equal(hidden(RIDGE, [3, 0.5, 1], behind), false, "the eye on its own side");
  assert.equal(hidden(RIDGE, [-2, 0.5, 100], behind), false, "high enough to look over it");
  assert.equal(hidden(RIDGE, [0.9, 0.5, 5], behind), false, "straight above");
});

test("a line is split into its seen and hidden parts, each segment by its middle", () => {
  const area = { x: 0, y: 0, width: 2, height: 2 };
  const project = projector({ model: IDENTITY, view: IDENTITY, projection: IDENTITY,
    scale: [1, 1, 1], area });
  const box = [[0, 1], [0, 1], [0, 20]];
  const occlusion = (point) => hidden(RIDGE, [-2, 0.5, 1], point);
  const points = [[0.1, 0.5, 0.1], [0.2, 0.5, 0.1], [0.9, 0.5, 0.1], [0.95, 0.5, 0.1]];
  const { seen, hidden: behind } = projectedPixels(points, box, project, true, occlusion);
  assert.deepEqual(seen.xs, [1.1, 1.2]);
  assert.deepEqual(behind.xs, [1.2, 1.9, 1.95], "across the ridge: its middle is behind it");
  const heads = projectedPixels([points[0], points[3]], box, project, false, occlusion);
  assert.deepEqual(heads.seen.xs, [1.1, NaN]);
  assert.deepEqual(heads.hidden.xs, [NaN, 1.95]);
});

test("what is hidden is remembered per slot until the eye, the surface or the point moves", () => {
  const memo = {};
  const behind = [0.9, 0.5, 0.1];
  const low = rememberedOcclusion(RIDGE, [-2, 0.5, 1], memo);
  assert.equal(low(behind, 0), true);
  memo.flags[0] = "remembered";
  assert.equal(low([...behind], 0), "remembered", "the same point in the slot: not asked again");
  assert.equal(low([0.1, 0.5, 0.1], 0), false, "another point in the slot: asked");
  const high = rememberedOcclusion(RIDGE, [-2, 0.5, 100], memo);
  assert.equal(high(behind, 0), false, "a new eye forgets everything");
});
