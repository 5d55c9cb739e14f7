import assert from "node:assert/strict";
import test from "node:test";

import { legendDescription, legendSwatch, needsEdge } from "./legend.js";
import { dashArray, markerPath } from "./svg-paths.js";

test("a named run's swatch is a line in its colour and dash with its marker in the middle", () => {
  const run = { label: "Adam", color: "#0072B2", swatch: "line", dash: "dash",
    symbol: "diamond" };
  assert.deepEqual(legendSwatch(run), { color: "#0072B2", line: "M1,7L29,7",
    dash: dashArray("dash", 2), marker: markerPath("diamond", 9, 15, 7, 0) });
  const plain = legendSwatch({ label: "SGD", color: "#D55E00", swatch: "line", symbol: null });
  assert.equal(plain.dash, null, "solid by default");
  assert.equal(plain.marker, null);
});

test("a palette colour's swatch is a box", () => {
  assert.deepEqual(legendSwatch({ label: "minimum A", color: "#009E73", swatch: "box" }),
    { color: "#009E73", box: { x: 9, y: 1, size: 12 } });
});

test("each swatch is also described in words", () => {
  assert.equal(legendDescription({ swatch: "line", dash: "dot", symbol: "x" }),
    "dotted line, x marker");
  assert.equal(legendDescription({ swatch: "line" }), "solid line");
  assert.equal(legendDescription({ swatch: "box" }), "colour box");
});

test("a white or nearly white swatch gets an edge; the palette's colours do not", () => {
  assert.equal(needsEdge("#FFFFFF"), true);
  assert.equal(needsEdge("#f4f4f4"), true);
  for (const color of ["#0072B2", "#D55E00", "#009E73", "#F0E442", "#CC79A7", "#000000"]) {
    assert.equal(needsEdge(color), false, color);
  }
  assert.equal(needsEdge("white"), false, "only #rrggbb is read");
  assert.equal(needsEdge(undefined), false);
});
