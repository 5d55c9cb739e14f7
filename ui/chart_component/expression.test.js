import assert from "node:assert/strict";
import test from "node:test";

import { evaluate, namesIn } from "./expression.js";

const line = ["+", ["*", "w", "x"], "b"];
const unit = ["*", "v", ["tanh", ["*", "w", "x"]]];

test("a fitted line and a one-unit network evaluate at x", () => {
  assert.equal(evaluate(line, { w: 2, b: -1, x: 3 }), 5);
  assert.equal(evaluate(unit, { v: 2, w: 0.5, x: 2 }), 2 * Math.tanh(1));
});

test("every operator: + - * / neg tanh exp, and plain numbers and names", () => {
  const values = { x: 2, a: 8 };
  assert.equal(evaluate(["-", "a", "x"], values), 6);
  assert.equal(evaluate(["/", "a", "x"], values), 4);
  assert.equal(evaluate(["neg", "a"], values), -8);
  assert.equal(evaluate(["exp", 0], values), 1);
  assert.equal(evaluate(1.5, values), 1.5);
  assert.equal(evaluate("x", values), 2);
});

test("a NaN parameter gives NaN", () => {
  assert.ok(Number.isNaN(evaluate(line, { w: NaN, b: 0, x: 1 })));
});

test("unknown names, operators and arities are errors in the payload", () => {
  assert.throws(() => evaluate(line, { w: 1, x: 1 }), /unknown name "b"/);
  assert.throws(() => evaluate(["sin", "x"], { x: 1 }), /"sin" with 1 arguments/);
  assert.throws(() => evaluate(["+", "x"], { x: 1 }), /"\+" with 1 arguments/);
  assert.throws(() => evaluate({ x: 1 }, { x: 1 }), /not a term/);
});

test("the names an expression reads, without the variable x", () => {
  assert.deepEqual([...namesIn(unit)], ["v", "w"]);
  assert.deepEqual([...namesIn(["exp", 2])], []);
});
