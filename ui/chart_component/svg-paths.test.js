import assert from "node:assert/strict";
import test from "node:test";

import { dashArray, linePath, markerPath, markersPath } from "./svg-paths.js";

test("a line breaks where a point is not finite", () => {
  assert.equal(linePath([0, 10, NaN, 30, 40], [0, 5, 1, 7, Infinity]),
    "M0.0,0.0L10.0,5.0M30.0,7.0");
  assert.equal(linePath([], []), "");
});

test("markers: a circle by default, polygons turned by the angle", () => {
  assert.equal(markerPath("circle", 4, 10, 20, 0), "M12.0,20.0a2,2 0 1,1 -4,0a2,2 0 1,1 4,0Z");
  assert.equal(markerPath("square", 2, 0, 0, 0), "M1.0,-1.0L1.0,1.0L-1.0,1.0L-1.0,-1.0Z");
  assert.equal(markerPath("arrow", 2, 5, 5, Math.PI), "M5.0,5.0L4.4,3.1L5.6,3.1Z");
});

test("markers skip points without a size or position, and follow the path when asked", () => {
  const xs = [0, 10, NaN, 10];
  const ys = [0, 0, 3, 10];
  const sized = markersPath({ symbol: "square", size: [2, 0, 2, 2] }, xs, ys);
  assert.equal(sized, "M1.0,-1.0L1.0,1.0L-1.0,1.0L-1.0,-1.0ZM11.0,9.0L11.0,11.0L9.0,11.0L9.0,9.0Z");
  // Pointing along the way from the previous point: rightwards is a quarter turn clockwise.
  const turned = markersPath({ symbol: "arrow", size: 2, angleref: "previous" }, [0, 10], [0, 0]);
  assert.equal(turned,
    `${markerPath("arrow", 2, 0, 0, 0)}${markerPath("arrow", 2, 10, 0, Math.PI / 2)}`);
  assert.ok(turned.endsWith("M10.0,0.0L8.1,0.6L8.1,-0.6Z"), "the head trails behind the tip");
});

test("dash patterns scale with the line width", () => {
  assert.equal(dashArray("dot", 3), "3,4.5");
  assert.equal(dashArray("dash", 1), "6,4");
  assert.equal(dashArray("dashdot", 2), "6,3,2,3");
  assert.equal(dashArray("solid", 2), null);
});
