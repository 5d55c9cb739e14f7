import assert from "node:assert/strict";
import { test } from "node:test";

import {
  baseLayout, glPixelRatio, legendMargin, sizedLayout, tickLabelsAllowed,
} from "./layouts.js";

const scene = { camera: { eye: { x: 1.5, y: -1.5, z: 1.1 }, up: { x: 0, y: 0, z: 1 } } };

test("a narrow 3D plot sees its scene from further back, along the same line", () => {
  const layout = { title: "t", scene };
  const narrow = sizedLayout(layout, 358);
  const { x, y, z } = narrow.scene.camera.eye;
  assert.ok(Math.hypot(x, y, z) > Math.hypot(1.5, -1.5, 1.1) * 1.1);
  assert.ok(Math.abs(x / 1.5 - z / 1.1) < 1e-12 && Math.abs(y / -1.5 - x / 1.5) < 1e-12);
  assert.deepEqual(narrow.scene.camera.up, scene.camera.up);
  assert.equal(narrow.title, "t");
  assert.deepEqual(layout.scene.camera.eye, { x: 1.5, y: -1.5, z: 1.1 }, "payload unchanged");
});

test("a wide plot, a plot not yet laid out and a 2D layout are left as they are", () => {
  const layout = { scene };
  assert.equal(sizedLayout(layout, 900), layout);
  assert.equal(sizedLayout(layout, 0), layout);
  const flat = { xaxis: { range: [0, 1] } };
  assert.equal(sizedLayout(flat, 300), flat);
});

test("2D axes let plotly draw their tick labels unmeasured; the payload is left as it was", () => {
  const layout = { xaxis: { range: [0, 1] }, yaxis2: { title: { text: "J" } }, scene };
  const allowed = tickLabelsAllowed(layout);
  assert.equal(allowed.xaxis.ticklabeloverflow, "allow");
  assert.equal(allowed.yaxis2.ticklabeloverflow, "allow");
  assert.deepEqual(allowed.yaxis2.title, { text: "J" });
  assert.equal(allowed.scene, scene);
  assert.equal(layout.xaxis.ticklabeloverflow, undefined);
  const base = baseLayout(layout);
  assert.equal(base.xaxis.ticklabeloverflow, "allow");
  assert.equal(base.xaxis.automargin, false);
});

test("a 3D scene draws the screen's pixels: none on a plain screen beyond its own, at most 2", () => {
  assert.equal(glPixelRatio(1), 1);
  assert.equal(glPixelRatio(1.5), 1.5);
  assert.equal(glPixelRatio(3), 2);
  assert.equal(glPixelRatio(undefined), 1);
  assert.equal(glPixelRatio(0.5), 1);
});

test("a bottom legend's rows beyond the first lift the plot: the bottom margin grows by each", () => {
  const layout = { margin: { l: 60, b: 64 },
    legend: { orientation: "h", x: 1, xanchor: "right", yref: "container", y: 0 } };
  assert.equal(legendMargin(layout, 1), null);
  assert.equal(legendMargin(layout, 0), null);
  assert.deepEqual(legendMargin(layout, 2), { l: 60, b: 83 });
  assert.deepEqual(legendMargin(layout, 3), { l: 60, b: 102 });
  assert.equal(layout.margin.b, 64, "payload unchanged");
  assert.equal(legendMargin({ ...layout, showlegend: false }, 3), null);
  assert.equal(legendMargin({ ...layout, legend: { x: 0.01, y: 0.99 } }, 3), null, "inside");
});
