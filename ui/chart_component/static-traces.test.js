import assert from "node:assert/strict";
import test from "node:test";

import { staticIdentity, staticTrace } from "./static-traces.js";

const grid = (digest) => ({ dtype: "f4", shape: [1, 2], digest,
  bdata: Buffer.from(Float32Array.of(1, 2).buffer).toString("base64") });

test("a static part is identified by its key and the shared arrays its traces use", () => {
  const traces = [{ kind: "contour", trace: { z: { ref: "z" }, x: [0, 1] } },
    { kind: "image", labels: { ref: "labels" }, shade: { steps: { ref: "steps" } } }];
  const shared = { z: grid("a"), labels: grid("b"), steps: grid("c"), unused: grid("d") };
  const same = staticIdentity("k", traces, shared);
  assert.equal(same, "k labels:b steps:c z:a");
  assert.equal(staticIdentity("k", traces, { ...shared, unused: grid("e") }), same);
  assert.notEqual(staticIdentity("k", traces, { ...shared, labels: grid("f") }), same,
    "another map under the same name");
  assert.equal(staticIdentity("k", [{ kind: "line", trace: { x: [1] } }], shared), "k");
});

test("a static trace's shared and encoded arrays are decoded, 2D ones as rows", () => {
  const resolved = staticTrace({ kind: "contour", trace: { type: "contour", z: { ref: "z" } } },
    { z: grid("a") });
  assert.deepEqual(resolved.z.map((row) => Array.from(row)), [[1, 2]]);
});
