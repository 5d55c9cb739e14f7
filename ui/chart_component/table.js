// The payload's "table" (ui/chart_payload.py Table): a sortable HTML table under the panels,
// one version per fan member, so it follows the learning-rate slider live as the badges do. A
// click on a column's header sorts by it (again: the other way); the viewer's sort survives new
// payloads and fan changes.

import { h } from "./dom.js";

// A number as the chart prints it ("6.31e-30", "−0.5", "1.2e+3"); "—" (none) and any other
// text give NaN.
export function shownNumber(text) {
  const plain = String(text).trim().replace(/\u2212/g, "-");
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(plain) ? Number(plain) : NaN;
}

// The rows in the order `sort` ({column, descending}) asks for; no sort: as given. A numeric
// column sorts by value, with cells that hold no number ("—") last either way; ties keep the
// given order (the ranking).
export function sortedRows(rows, columns, sort) {
  if (!sort || !columns[sort.column]) return rows;
  const { column, descending } = sort;
  const sign = descending ? -1 : 1;
  const numeric = columns[column].numeric;
  const keyed = rows.map((row, index) => ({
    row, index, key: numeric ? shownNumber(row.cells[column]) : row.cells[column],
  }));
  keyed.sort((a, b) => {
    if (numeric) {
      const aNone = Number.isNaN(a.key);
      const bNone = Number.isNaN(b.key);
      if (aNone || bNone) return aNone === bNone ? a.index - b.index : (aNone ? 1 : -1);
      return a.key === b.key ? a.index - b.index : sign * (a.key - b.key);
    }
    const order = a.key.localeCompare(b.key);
    return order === 0 ? a.index - b.index : sign * order;
  });
  return keyed.map((item) => item.row);
}

// The sort after a click on `column`'s header: by it ascending, then descending, then as given.
export function nextSort(sort, column) {
  if (!sort || sort.column !== column) return { column, descending: false };
  return sort.descending ? null : { column, descending: true };
}

export class Table {
  constructor() {
    this.node = h("div", "dl-table");
    this.node.hidden = true;
    this.sort = null;
    this.table = null;
    this.member = null;
  }

  show(table, fanIndex) {
    if (!table) {
      this.node.hidden = true;
      this.node.replaceChildren();
      this.table = null;
      return;
    }
    const member = table.members[Math.min(fanIndex, table.members.length - 1)];
    if (table === this.table && member === this.member) return;
    if (!this.table || JSON.stringify(this.table.columns) !== JSON.stringify(table.columns)) {
      this.sort = null;
    }
    this.table = table;
    this.member = member;
    this.draw();
  }

  draw() {
    const { table, member } = this;
    this.node.hidden = false;
    const parts = [];
    if (member.title) parts.push(h("h3", "dl-table-title", member.title));
    if (member.summary) parts.push(h("p", "dl-table-summary", member.summary));
    const grid = h("table", "dl-table-grid");
    const head = h("tr");
    table.columns.forEach((column, index) => {
      const cell = h("th", column.numeric ? "dl-numeric" : "");
      cell.scope = "col";
      const sorted = this.sort?.column === index;
      cell.setAttribute("aria-sort", sorted ? (this.sort.descending ? "descending"
        : "ascending") : "none");
      const arrow = sorted ? (this.sort.descending ? " ▼" : " ▲") : "";
      const sortButton = h("button", "dl-table-sort", column.label + arrow);
      sortButton.type = "button";
      sortButton.title = `Sort by ${column.label}`;
      sortButton.onclick = () => {
        this.sort = nextSort(this.sort, index);
        this.draw();
      };
      cell.append(sortButton);
      head.append(cell);
    });
    const body = h("tbody");
    for (const row of sortedRows(member.rows, table.columns, this.sort)) {
      const line = h("tr", row.strong ? "dl-table-strong" : "");
      row.cells.forEach((text, index) => {
        line.append(h("td", table.columns[index]?.numeric ? "dl-numeric" : "", text));
      });
      body.append(line);
    }
    const thead = h("thead");
    thead.append(head);
    grid.append(thead, body);
    const scroller = h("div", "dl-table-scroll");
    scroller.append(grid);
    parts.push(scroller);
    if (table.caption) parts.push(h("p", "dl-table-caption", table.caption));
    this.node.replaceChildren(...parts);
  }
}
