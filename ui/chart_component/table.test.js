import assert from "node:assert/strict";
import test from "node:test";

import { nextSort, shownNumber, sortedRows } from "./table.js";

const columns = [{ label: "Place", numeric: true }, { label: "Optimizer" },
  { label: "Final f", numeric: true }];
const rows = [
  { cells: ["1", "Nesterov", "0"] },
  { cells: ["1", "Gradient descent", "6.31e-30"] },
  { cells: ["3", "Adam", "11.8"] },
  { cells: ["4", "AdaGrad", "—"] },
  { cells: ["5", "RMSProp", "−2.5"] },
];
const names = (list) => list.map((row) => row.cells[1]);

test("numbers are read as the chart prints them; no number reads NaN", () => {
  assert.equal(shownNumber("6.31e-30"), 6.31e-30);
  assert.equal(shownNumber("−2.5"), -2.5);
  assert.equal(shownNumber("1.2e+3"), 1200);
  assert.equal(shownNumber("0.01"), 0.01);
  for (const text of ["—", "", "(3, 2) global", "1,5"]) assert.ok(Number.isNaN(shownNumber(text)));
});

test("no sort keeps the ranking", () => {
  assert.deepEqual(sortedRows(rows, columns, null), rows);
});

test("a numeric column sorts by value, no number last either way, ties in ranking order", () => {
  assert.deepEqual(names(sortedRows(rows, columns, { column: 2, descending: false })),
    ["RMSProp", "Nesterov", "Gradient descent", "Adam", "AdaGrad"]);
  assert.deepEqual(names(sortedRows(rows, columns, { column: 2, descending: true })),
    ["Adam", "Gradient descent", "Nesterov", "RMSProp", "AdaGrad"]);
  assert.deepEqual(names(sortedRows(rows, columns, { column: 0, descending: true })),
    ["RMSProp", "AdaGrad", "Adam", "Nesterov", "Gradient descent"]);
});

test("a text column sorts alphabetically", () => {
  assert.deepEqual(names(sortedRows(rows, columns, { column: 1, descending: false })),
    ["AdaGrad", "Adam", "Gradient descent", "Nesterov", "RMSProp"]);
});

test("clicking a header sorts ascending, then descending, then back to the ranking", () => {
  let sort = nextSort(null, 2);
  assert.deepEqual(sort, { column: 2, descending: false });
  sort = nextSort(sort, 2);
  assert.deepEqual(sort, { column: 2, descending: true });
  assert.equal(nextSort(sort, 2), null);
  assert.deepEqual(nextSort(sort, 1), { column: 1, descending: false });
});
