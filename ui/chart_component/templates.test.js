import assert from "node:assert/strict";
import test from "node:test";

import { fillTemplate, formatNumber } from "./templates.js";

test("numbers read as gd_core.formatting.format_number writes them", () => {
  // The table of tests/test_chart_component.py.
  const cases = [
    [-0.216, "−0.216"], [-22.8, "−22.8"], [0.9, "0.9"], [14.0, "14"], [12345.6, "12300"],
    [123456.0, "1.23e5"], [1.2e-7, "1.2e-7"], [-1e30, "−1e30"], [0.0, "0"], [-0.0, "0"],
    [1 / 6, "0.167"], [NaN, "—"], [Infinity, "∞"], [-Infinity, "−∞"],
  ];
  for (const [value, text] of cases) assert.equal(formatNumber(value, 3), text, String(value));
});

const series = { channels: {
  x: { flat: Float32Array.of(-0.9, -0.216), shape: [1, 2] },
  code: { flat: Uint8Array.of(1, 0), shape: [1, 2] },
} };
const state = { fanIndex: 0, fan: { labels: ["0.03"] }, steps: Int32Array.of(0, 1) };

test("templates fill channels, phrases, the step and the fan label", () => {
  const spec = { phrases: { side: { channel: "code", options: ["", "x = {x}, left"] } } };
  const template = "Step {step} at η = {fan}: {side}{unknown}";
  // Float32 -0.9 reads as -0.9 at three digits: the same line as fill_template's.
  assert.equal(fillTemplate(template, spec, series, 0, state),
    "Step 0 at η = 0.03: x = −0.9, left{unknown}");
  assert.equal(fillTemplate(template, spec, series, 1, state), "Step 1 at η = 0.03: {unknown}");
});

test("digits, and phrases nested at most three deep", () => {
  assert.equal(fillTemplate("{x}", { digits: 1 }, series, 1, state), "−0.2");
  const loop = { phrases: { again: { channel: "code", options: ["", "<{again}>"] } } };
  assert.equal(fillTemplate("{again}", loop, series, 0, state), "<<<<{again}>>>>");
});
