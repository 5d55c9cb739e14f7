import assert from "node:assert/strict";
import test from "node:test";

import { cellAt, imageBounds, imagePixels, parseColor } from "./image-pixels.js";

const pixel = (pixels, cols, top, col) => Array.from(pixels.subarray(
  (top * cols + col) * 4, (top * cols + col) * 4 + 4));

test("palette colours are #RRGGBB", () => {
  assert.deepEqual(parseColor("#0072B2"), [0, 114, 178]);
  assert.throws(() => parseColor("red"), /#RRGGBB/);
});

test("labels become palette colours, row 0 at the bottom, unknown labels transparent", () => {
  // rows x cols = 2 x 3; row 0 (bottom) = 0 1 2, row 1 (top) = 1 1 0.
  const labels = Uint8Array.of(0, 1, 2, 1, 1, 0);
  const pixels = imagePixels(labels, [2, 3], ["#ff0000", "#00ff00"]);
  assert.equal(pixels.length, 2 * 3 * 4);
  assert.deepEqual(pixel(pixels, 3, 1, 0), [255, 0, 0, 255], "bottom-left is row 0, col 0");
  assert.deepEqual(pixel(pixels, 3, 1, 1), [0, 255, 0, 255]);
  assert.deepEqual(pixel(pixels, 3, 1, 2), [0, 0, 0, 0], "label 2 has no colour");
  assert.deepEqual(pixel(pixels, 3, 0, 2), [255, 0, 0, 255], "top-right is row 1, col 2");
});

test("shading darkens by the steps needed, clipped at max, times the strength", () => {
  const labels = Uint8Array.of(0, 0, 0);
  const steps = Uint16Array.of(0, 50, 400);
  const pixels = imagePixels(labels, [1, 3], ["#c86400"], { steps, max: 100, strength: 0.5 });
  assert.deepEqual(pixel(pixels, 3, 0, 0), [200, 100, 0, 255]);
  assert.deepEqual(pixel(pixels, 3, 0, 1), [150, 75, 0, 255]);
  assert.deepEqual(pixel(pixels, 3, 0, 2), [100, 50, 0, 255], "beyond max shades as max");
});

test("the image reaches half a cell beyond the outer cell centres", () => {
  assert.deepEqual(imageBounds({ x0: 0, dx: 1, y0: 10, dy: 2 }, [3, 4]),
    { left: -0.5, right: 3.5, bottom: 9, top: 15 });
});

test("a data point falls in the cell whose centre is nearest; outside the image, none", () => {
  const layer = { x0: -2, dx: 0.5, y0: 1, dy: 0.25 };
  assert.deepEqual(cellAt(layer, [4, 9], -2, 1), { row: 0, col: 0 });
  assert.deepEqual(cellAt(layer, [4, 9], -0.76, 1.62), { row: 2, col: 2 });
  assert.deepEqual(cellAt(layer, [4, 9], 2.2, 1.87), { row: 3, col: 8 });
  assert.equal(cellAt(layer, [4, 9], 2.3, 1.5), null, "right of the last column");
  assert.equal(cellAt(layer, [4, 9], 0, 0.87), null, "below the first row");
  assert.equal(cellAt(layer, [4, 9], NaN, 1), null);
});
