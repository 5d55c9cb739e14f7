// Animated traces drawn as plain SVG inside a plotly plot, in its axes. A panel whose spec says
// "live": "svg" uses this: updating a few SVG paths costs a fraction of what plotly spends on
// any update (its defaults and calc pass over the whole figure). Covers what the contour map
// uses: lines (solid, dot, dash), markers (the symbols of ui/figures.py, per-point sizes, an
// outline, angleref "previous"), opacity; no hover, no text.

import { plotArea, topLayer } from "./plotly-private.js";
import { dashArray, linePath, markersPath } from "./svg-paths.js";

const SVG_NS = "http://www.w3.org/2000/svg";
// Pixel coordinates are clamped: an escaping run reaches 1e30 and SVG would drop the path.
const PIXEL_LIMIT = 1e5;
let layers = 0;

function svgNode(tag, attributes = {}) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function pixels(values, axis) {
  return Array.from(values || [], (value) => Math.max(-PIXEL_LIMIT, Math.min(PIXEL_LIMIT,
    axis.toPixel(value))));
}

export class SvgLayer {
  constructor() {
    layers += 1;
    const clipId = `dl-clip-${layers}`;
    this.svg = svgNode("svg", { class: "dl-svg" });
    const clip = svgNode("clipPath", { id: clipId });
    this.clipRect = svgNode("rect");
    clip.appendChild(this.clipRect);
    this.clipped = svgNode("g", { "clip-path": `url(#${clipId})` });
    this.svg.append(svgNode("defs"), this.clipped);
    this.svg.firstChild.appendChild(clip);
    this.items = [];
  }

  // Draw `traces` (plotly-style scatter traces with x and y) in the axes of the plot `axesPlot`,
  // inside it: above its data, under its hover labels.
  draw(axesPlot, traces) {
    const area = plotArea(axesPlot);
    if (!area) return;
    const top = topLayer(axesPlot);
    if (top && this.svg.nextSibling !== top) top.parentNode.insertBefore(this.svg, top);
    this.svg.setAttribute("width", area.width);
    this.svg.setAttribute("height", area.height);
    this.clipRect.setAttribute("x", area.x.offset);
    this.clipRect.setAttribute("y", area.y.offset);
    this.clipRect.setAttribute("width", area.x.length);
    this.clipRect.setAttribute("height", area.y.length);
    while (this.items.length < traces.length) {
      const group = svgNode("g", { class: "dl-svg-trace" });
      const line = svgNode("path", { fill: "none", "stroke-linejoin": "round" });
      const markers = svgNode("path");
      group.append(line, markers);
      this.clipped.appendChild(group);
      this.items.push({ group, line, markers });
    }
    this.items.forEach((item, index) => {
      const trace = traces[index];
      item.group.setAttribute("display", trace ? "inline" : "none");
      if (!trace) return;
      const xs = pixels(trace.x, area.x);
      const ys = pixels(trace.y, area.y);
      const mode = trace.mode || "lines+markers";
      item.group.setAttribute("opacity", trace.opacity ?? 1);
      drawLine(item.line, mode.includes("lines") ? trace.line || {} : null, xs, ys);
      drawMarkers(item.markers, mode.includes("markers") ? trace.marker || {} : null, xs, ys);
    });
  }
}

function drawLine(node, style, xs, ys) {
  node.setAttribute("d", style ? linePath(xs, ys) : "");
  if (!style) return;
  const width = style.width ?? 2;
  node.setAttribute("stroke", style.color || "#444");
  node.setAttribute("stroke-width", width);
  const dash = dashArray(style.dash, width);
  if (dash) node.setAttribute("stroke-dasharray", dash);
  else node.removeAttribute("stroke-dasharray");
}

function drawMarkers(node, style, xs, ys) {
  node.setAttribute("d", style ? markersPath(style, xs, ys) : "");
  if (!style) return;
  const outline = style.line || {};
  node.setAttribute("fill", style.color || "#444");
  node.setAttribute("fill-opacity", style.opacity ?? 1);
  node.setAttribute("stroke", outline.width ? outline.color || "#444" : "none");
  node.setAttribute("stroke-width", outline.width || 0);
}
