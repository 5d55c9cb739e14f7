// The chart-level legend (payload "legend", ui/chart.py): one entry per named run (a line
// sample in its colour and dash, with its marker) or per palette colour (a filled box), each
// with its text label, so no entry is told apart by colour alone.

import { h } from "./dom.js";
import { dashArray, markerPath } from "./svg-paths.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const SWATCH = { width: 30, height: 14, lineWidth: 2, marker: 9, box: 12 };
const DASH_WORDS = { solid: "solid", dot: "dotted", dash: "dashed", dashdot: "dash-dotted" };

// What an item's swatch draws: {box} for a palette colour, else {line, dash, marker} paths
// (marker null without a symbol), all in a SWATCH-sized box.
export function legendSwatch(item) {
  const { width, height, lineWidth } = SWATCH;
  if (item.swatch === "box") {
    const { box } = SWATCH;
    return { color: item.color,
      box: { x: (width - box) / 2, y: (height - box) / 2, size: box } };
  }
  const middle = height / 2;
  return {
    color: item.color,
    line: `M1,${middle}L${width - 1},${middle}`,
    dash: dashArray(item.dash || "solid", lineWidth),
    marker: item.symbol ? markerPath(item.symbol, SWATCH.marker, width / 2, middle, 0) : null,
  };
}

// Whether a swatch in `color` (#rrggbb) would vanish on the page's light background: white, as
// the basin map's path is (drawn over a black edge there), or nearly.
export function needsEdge(color) {
  const match = /^#([0-9a-f]{6})$/i.exec(color || "");
  if (!match) return false;
  // WCAG's relative luminance: white 1, the palette's yellow #F0E442 0.74.
  const [r, g, b] = [0, 2, 4].map((at) => {
    const channel = parseInt(match[1].slice(at, at + 2), 16) / 255;
    return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.85;
}

// An item's look in words, for a tooltip: "dashed line, diamond marker" or "colour box".
export function legendDescription(item) {
  if (item.swatch === "box") return "colour box";
  const line = `${DASH_WORDS[item.dash || "solid"] || item.dash} line`;
  return item.symbol ? `${line}, ${item.symbol} marker` : line;
}

function svgNode(tag, attributes) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function swatchNode(item) {
  const drawn = legendSwatch(item);
  const svg = svgNode("svg", { class: "dl-legend-swatch", width: SWATCH.width,
    height: SWATCH.height, viewBox: `0 0 ${SWATCH.width} ${SWATCH.height}`,
    "aria-hidden": "true" });
  if (drawn.box) {
    const { x, y, size } = drawn.box;
    svg.appendChild(svgNode("rect", { class: "dl-legend-box", x, y, width: size,
      height: size, rx: 2, fill: drawn.color }));
    return svg;
  }
  const line = svgNode("path", { class: "dl-legend-line", d: drawn.line, fill: "none",
    stroke: drawn.color, "stroke-width": SWATCH.lineWidth });
  if (drawn.dash) line.setAttribute("stroke-dasharray", drawn.dash);
  svg.appendChild(line);
  if (drawn.marker) {
    svg.appendChild(svgNode("path", { class: "dl-legend-marker", d: drawn.marker,
      fill: drawn.color }));
  }
  return svg;
}

// The legend's node, rebuilt only when the legend changes.
export class Legend {
  constructor() {
    this.node = h("figure", "dl-legend");
    this.node.hidden = true;
    this.key = undefined;
  }

  show(legend) {
    const key = JSON.stringify(legend || null);
    if (key === this.key) return;
    this.key = key;
    this.node.hidden = !legend;
    if (!legend) return;
    const list = h("ul", "dl-legend-items");
    list.append(...(legend.items || []).map((item) => {
      const entry = h("li", "dl-legend-item");
      entry.title = legendDescription(item);
      entry.append(swatchNode(item), h("span", "dl-legend-label", item.label));
      return entry;
    }));
    const parts = [list];
    if (legend.title) parts.unshift(h("figcaption", "dl-legend-title", legend.title));
    this.node.replaceChildren(...parts);
  }
}
