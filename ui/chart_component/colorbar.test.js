import assert from "node:assert/strict";
import test from "node:test";

import { barBox, barGradient } from "./colorbar.js";

test("the colour scale becomes a gradient from the bottom up, stop for stop", () => {
  assert.equal(barGradient([[0, "#fbfcfd"], [0.35, "#dfe7ef"], [1, "#7f93a8"]]),
    "linear-gradient(to top, #fbfcfd 0%, #dfe7ef 35%, #7f93a8 100%)");
});

test("the bar spans the middle 85% of the plot area, in the right margin", () => {
  const box = barBox({ margin: { l: 44, r: 100, t: 36, b: 40 } }, 460);
  // The plot area is 460 - 36 - 40 = 384 px high; 7.5% of it above and below the bar.
  assert.ok(Math.abs(box.top - (36 + 28.8)) < 1e-9);
  assert.ok(Math.abs(box.bottom - (40 + 28.8)) < 1e-9);
  assert.equal(box.right, 92, "it starts 8 px right of the plot area");
});

test("plotly's default margins stand in for missing ones", () => {
  const box = barBox({}, 450);
  assert.equal(box.right, 92);
  assert.ok(box.top > 100 && box.bottom > 80);
});
