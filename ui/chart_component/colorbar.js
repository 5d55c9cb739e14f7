// A 2D panel's colour bar (payload "colorbar", ui/chart_payload.py ColorBar): a CSS gradient
// with its labels and title, in the panel's right margin. plotly's own colour bar lays out an
// axis of its own and pushes the margins, some 10 ms of every new plot (a new surface or
// dataset); this is a few DOM nodes.

import { h } from "./dom.js";

// The middle share of the plot area's height the bar spans, as plotly's colorbar.len.
const LENGTH = 0.85;
// The bar's left edge this far right of the plot area (ui/payloads.py _BAR_PX["gap"]).
const GAP_PX = 8;

// The colour scale [[at, colour], ...] (0 the bottom) as a CSS gradient from the bottom up.
export function barGradient(colors) {
  const stops = colors.map(([at, color]) => `${color} ${+(at * 100).toFixed(3)}%`);
  return `linear-gradient(to top, ${stops.join(", ")})`;
}

// Where the bar sits in a panel `height` px high whose plotly layout is `layout`: px from the
// panel's top, bottom and right edges.
export function barBox(layout, height) {
  const margin = { t: 100, b: 80, r: 100, ...(layout.margin || {}) };
  const inset = ((height - margin.t - margin.b) * (1 - LENGTH)) / 2;
  return { top: margin.t + inset, bottom: margin.b + inset, right: margin.r - GAP_PX };
}

// Shows `bar` (null: none) in `node`, a panel's element, for its spec's layout and height.
export function showColorBar(node, bar, layout, height) {
  let shown = node.querySelector(":scope > .dl-colorbar");
  const key = bar ? JSON.stringify([bar, layout.margin, height]) : "";
  if (shown && shown.dataset.key === key) return;
  if (shown) shown.remove();
  if (!bar) return;
  shown = h("div", "dl-colorbar");
  shown.dataset.key = key;
  const box = barBox(layout, height);
  Object.assign(shown.style, { top: `${box.top}px`, bottom: `${box.bottom}px`,
    width: `${box.right}px` });
  const strip = h("div", "dl-colorbar-strip");
  strip.style.background = barGradient(bar.colors);
  const labels = h("div", "dl-colorbar-labels");
  // The labels are placed absolutely, so their column is given the longest one's width (a
  // digit is 1ch) and the title follows it, as in plotly's.
  labels.style.width = `${Math.max(0, ...bar.ticks.map(([, text]) => text.length))}ch`;
  for (const [at, text] of bar.ticks) {
    const label = h("span", "dl-colorbar-label", text);
    label.style.bottom = `${+(at * 100).toFixed(3)}%`;
    labels.appendChild(label);
  }
  shown.append(strip, labels, h("span", "dl-colorbar-title", bar.title));
  node.appendChild(shown);
}
