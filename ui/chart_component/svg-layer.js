// Animated traces drawn as plain SVG inside a plotly plot: in its axes (2D), or projected
// through its 3D scene's camera. A panel whose spec says "live": "svg" uses this: updating a
// few SVG paths costs a fraction of what plotly spends on any update (its defaults and calc
// pass over the whole figure; a 3D scene redraws its surface). Covers what the contour map and
// the 3D view use: lines (solid, dot, dash), markers (the symbols of ui/figures.py, per-point
// sizes, an outline, angleref "previous"), opacity; no hover, no text.

import { plotArea, sceneCamera, topLayer } from "./plotly-private.js";
import {
  eyeInData, projectedPixels, projector, rememberedOcclusion,
} from "./scene-paths.js";
import { dashArray, linePath, markersPath } from "./svg-paths.js";

const SVG_NS = "http://www.w3.org/2000/svg";
// Pixel coordinates are clamped: an escaping run reaches 1e30 and SVG would drop the path.
const PIXEL_LIMIT = 1e5;
// What a 3D scene's surface hides is drawn this faint.
const HIDDEN_OPACITY = 0.3;
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
  // `withHidden`: each trace also has a faint part (what a 3D scene's surface hides).
  constructor({ withHidden = false } = {}) {
    this.withHidden = withHidden;
    this.occlusionMemos = [];  // per trace: what its line's and markers' slots hide
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
    this.drawPixels(axesPlot, {
      width: area.width, height: area.height,
      clip: { x: area.x.offset, y: area.y.offset, width: area.x.length, height: area.y.length },
      pixels: (trace) => {
        const seen = { xs: pixels(trace.x, area.x), ys: pixels(trace.y, area.y) };
        return { line: { seen }, markers: { seen } };
      },
    }, traces);
  }

  // Draw `traces` (with x, y and z) over the 3D scene of `plot`, clipped to its box as plotly
  // clips its own 3D lines; what the surface `field` (scene-paths.js heightField; null: none)
  // hides from the eye is drawn faint. Returns whether the scene was there to draw them in.
  drawProjected(plot, traces, field) {
    const camera = sceneCamera(plot);
    if (!camera) return false;
    const project = projector(camera);
    const eye = field ? eyeInData(camera) : null;
    this.drawPixels(plot, {
      width: camera.width, height: camera.height, clip: camera.area,
      pixels: (trace, index) => {
        const points = Array.from(trace.x || [], (x, i) => [x, trace.y[i], trace.z[i]]);
        const mode = trace.mode || "lines+markers";
        const none = { seen: { xs: [], ys: [] }, hidden: { xs: [], ys: [] } };
        const memo = this.occlusionMemos[index] ??= { line: {}, markers: {} };
        const occlusion = (part) => (field ? rememberedOcclusion(field, eye, memo[part])
          : undefined);
        return {
          line: mode.includes("lines")
            ? projectedPixels(points, camera.box, project, true, occlusion("line")) : none,
          markers: mode.includes("markers")
            ? projectedPixels(points, camera.box, project, false, occlusion("markers")) : none,
        };
      },
    }, traces);
    return true;
  }

  drawPixels(plot, { width, height, clip, pixels: pixelsOf }, traces) {
    const top = topLayer(plot);
    if (top && this.svg.nextSibling !== top) top.parentNode.insertBefore(this.svg, top);
    this.svg.setAttribute("width", width);
    this.svg.setAttribute("height", height);
    this.clipRect.setAttribute("x", clip.x);
    this.clipRect.setAttribute("y", clip.y);
    this.clipRect.setAttribute("width", clip.width);
    this.clipRect.setAttribute("height", clip.height);
    while (this.items.length < traces.length) {
      const group = svgNode("g", { class: "dl-svg-trace" });
      const paths = () => [svgNode("path", { fill: "none", "stroke-linejoin": "round" }),
        svgNode("path")];
      const [line, markers] = paths();
      group.append(line, markers);
      const item = { group, line, markers };
      if (this.withHidden) {
        const behind = svgNode("g", { class: "dl-svg-hidden", opacity: HIDDEN_OPACITY });
        [item.hiddenLine, item.hiddenMarkers] = paths();
        behind.append(item.hiddenLine, item.hiddenMarkers);
        group.appendChild(behind);
      }
      this.clipped.appendChild(group);
      this.items.push(item);
    }
    this.items.forEach((item, index) => {
      const trace = traces[index];
      item.group.setAttribute("display", trace ? "inline" : "none");
      if (!trace) return;
      const { line, markers } = pixelsOf(trace, index);
      const mode = trace.mode || "lines+markers";
      item.group.setAttribute("opacity", trace.opacity ?? 1);
      const lineStyle = mode.includes("lines") ? trace.line || {} : null;
      const markerStyle = mode.includes("markers") ? trace.marker || {} : null;
      drawLine(item.line, lineStyle, line.seen.xs, line.seen.ys);
      drawMarkers(item.markers, markerStyle, markers.seen.xs, markers.seen.ys);
      if (!this.withHidden) return;
      drawLine(item.hiddenLine, lineStyle, line.hidden.xs, line.hidden.ys);
      drawMarkers(item.hiddenMarkers, markerStyle, markers.hidden.xs, markers.hidden.ys);
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
