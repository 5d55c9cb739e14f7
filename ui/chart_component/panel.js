// One chart panel. A 2D panel with static traces is two stacked layers: the base plot draws the
// static traces (a contour is expensive to recompute), the transparent live plot on top draws
// the animated traces and takes the viewer's input; its zoom is mirrored onto the base. Every
// update then recomputes only a handful of small traces. With "live": "svg" the live layer is
// plain SVG (SvgLayer) drawn inside the base plot, in its axes, and the base takes the input. A
// 3D panel is a single plot; with "live": "svg" it draws only the static traces (the surface)
// and the animated ones are SVG projected through its camera, so a path moving on the surface
// costs no redraw of the scene.
// The bases of the last few static parts shown (surfaces, say) are kept, hidden: going back to
// one shows it again instead of computing its contours anew.

import { ANIMATED, animatedData, autoRanges } from "./animated.js";
import { showColorBar } from "./colorbar.js";
import { afterPaint, h } from "./dom.js";
import { imageCell, layoutImages } from "./image-layer.js";
import {
  PLOTLY_CONFIG, STATIC_CONFIG, baseLayout, legendMargin, overlayLayout, sizedLayout,
  tickLabelsAllowed, touchLayout,
} from "./layouts.js";
import {
  laidOutSize, legendRows, onSceneRender, plotArea, shownRange,
} from "./plotly-private.js";
import { QuietScene } from "./scene.js";
import { heightField } from "./scene-paths.js";
import { staticIdentity, staticTrace } from "./static-traces.js";
import { SvgLayer } from "./svg-layer.js";

// Base plots kept per panel: a contour plot is some 1-2 MB of DOM.
const KEPT_BASES = 6;
const CLICK_SLOP_PX = 5;
// A clicked point is marked at most this long while its run is on the way (see markPending).
const PENDING_MAX_MS = 3000;

export class Panel {
  // `chart` gives the animation state (series, frame, fan...), `shared` arrays and `report`.
  constructor(chart, spec) {
    this.chart = chart;
    this.Plotly = chart.Plotly;
    this.node = h("div", `dl-panel dl-panel-${spec.id}`);
    this.node.dataset.panel = spec.id;
    this.is3d = Boolean(spec.layout && spec.layout.scene);
    const svg = spec.live === "svg";
    // An SVG live layer is drawn in a base plot's axes, so such a panel always has a base,
    // even without static traces (the base then shows only axes).
    this.layered = !this.is3d && (svg || spec.traces.some((trace) => !ANIMATED.has(trace.kind)));
    // A 3D scene with its animated traces as SVG over it.
    this.projected = this.is3d && svg;
    // A 2D one takes the viewer's input on its base (chart.css); a 3D one on its scene.
    this.node.classList.toggle("dl-panel-svg", this.layered && svg);
    this.base = null;
    this.bases = new Map();  // static identity -> base plot, least recently shown first
    this.live = h("div", "dl-plot dl-live");
    this.node.appendChild(this.live);
    this.svgLayer = svg ? new SvgLayer({ withHidden: this.projected }) : null;
    this.scene = this.is3d ? new QuietScene(this.live, this.node) : null;
    this.staticKey = null;
    this.filled = new Set();
    this.stale = false;
    this.plotted = false;
    // Kept by the chart (IntersectionObserver); in sight until it first says otherwise.
    this.inSight = true;
  }

  apply(spec) {
    this.spec = spec;
    for (const mark of this.node.querySelectorAll(".dl-pending")) mark.remove();
    const height = spec.height || 420;
    this.node.style.height = `${height}px`;
    this.node.classList.toggle("dl-wide", Boolean(spec.wide));
    if (!this.is3d) showColorBar(this.node, spec.colorbar || null, spec.layout, height);
    const indexed = spec.traces.map((trace, index) => ({ trace, index }));
    if (this.layered || this.projected) {
      this.staticTraces = indexed.filter(({ trace }) => !ANIMATED.has(trace.kind));
      this.animated = indexed.filter(({ trace }) => ANIMATED.has(trace.kind))
        .map(({ trace }, index) => ({ trace, index }));
    } else {
      this.staticTraces = [];
      this.animated = indexed.filter(({ trace }) => ANIMATED.has(trace.kind));
    }
    const staticKey = staticIdentity(spec.static_key,
      spec.traces.filter((trace) => !ANIMATED.has(trace.kind)), this.chart.shared);
    const staticChanged = staticKey !== this.staticKey;
    this.staticKey = staticKey;
    if (this.layered && (staticChanged || !this.plotted)) this.showBase(spec);
    if (this.projected) {
      // The scene itself is drawn after the 2D panels (see Chart.scheduleSlow): a 3D redraw is
      // the slowest part. The paths over it are drawn now, or with the new scene.
      if (staticChanged || !this.plotted) this.needsDraw = true;
      else this.drawSvg();
      return Promise.resolve();
    }
    if (this.svgLayer) {
      if (!this.plotted && spec.click) this.listenForClicks();
      this.plotted = true;
      const scaled = this.scaleBase();
      if (scaled) return scaled.then(() => this.drawSvg());
      this.drawSvg();
      return Promise.resolve();
    }
    // Same layout and the animated traces drawn so far (new data only, as after an optimizer
    // change): the fast path. More traces after those (a start added: a spare run's traces
    // were drawn empty and are filled now, and the payload brings the next spare) take the
    // fast path too, and the new ones are added once that has been painted. Anything else is
    // a full redraw of the live plot.
    const structure = this.animated.map(({ trace }) => JSON.stringify(trace));
    this.structure = structure;
    const drawn = this.drawnStructure;
    const extendsDrawn = !staticChanged && this.plotted && drawn && drawn.length <= structure.length
      && drawn.every((item, i) => item === structure[i]);
    const grows = extendsDrawn && structure.length > drawn.length;
    if (this.is3d) {
      // Drawn after the 2D panels (see Chart.scheduleSlow): a 3D redraw is the slowest part.
      if (extendsDrawn && !grows) this.stale = true;
      else this.needsDraw = true;
      return Promise.resolve();
    }
    this.scaledFor = null;
    if (!extendsDrawn) return this.drawLive(!this.plotted);
    if (grows) this.addTracesLater();
    return this.update();
  }

  // A full redraw that adds the traces the payload has beyond those drawn, after the next paint.
  addTracesLater() {
    const token = {};
    this.growToken = token;
    afterPaint(() => {
      if (this.growToken === token && this.node.isConnected) this.drawLive(false);
    });
  }

  showBase(spec) {
    let base = this.bases.get(this.staticKey);
    if (base) {
      this.bases.delete(this.staticKey);
      base.hidden = false;
      // It may have been zoomed, or the panel resized, while it was away.
      const size = laidOutSize(base);
      if (!size || size.width !== base.clientWidth || size.height !== base.clientHeight) {
        this.Plotly.Plots.resize(base).then(() => {
          if (base === this.base && this.svgLayer) this.drawSvg();
        });
      }
      const ranges = {};
      for (const axis of ["xaxis", "yaxis"]) {
        const wanted = (spec.layout[axis] || {}).range;
        const shown = shownRange(base, axis);
        if (wanted && (!shown || wanted.some((value, i) => Math.abs(value - shown[i]) > 1e-9))) {
          ranges[`${axis}.range`] = wanted;
        }
      }
      if (Object.keys(ranges).length) this.Plotly.relayout(base, ranges);
    } else {
      base = h("div", "dl-plot dl-base");
      this.node.insertBefore(base, this.live);
      const traces = this.staticTraces.filter(({ trace }) => trace.kind !== "image")
        .map(({ trace }) => staticTrace(trace, this.chart.shared));
      const interactive = Boolean(this.svgLayer);
      const layout = baseLayout(spec.layout, interactive);
      if (interactive) {
        for (const [key, { range }] of Object.entries(this.autoRanges())) {
          layout[key] = { ...layout[key], range, autorange: false };
        }
      }
      const images = this.imageLayers();
      if (images.length) {
        layout.images = [...(layout.images || []), ...layoutImages(images, this.chart.shared)];
      }
      this.Plotly.newPlot(base, traces, layout, interactive ? PLOTLY_CONFIG : STATIC_CONFIG);
      if (interactive) {
        // Zooming or panning moves the axes the SVG layer is drawn in.
        const follow = () => {
          if (base === this.base) this.drawSvg();
        };
        base.on("plotly_relayout", follow);
        base.on("plotly_relayouting", follow);
      }
    }
    this.bases.set(this.staticKey, base);
    if (this.base && this.base !== base) this.base.hidden = true;
    this.base = base;
    for (const [key, old] of this.bases) {
      if (this.bases.size <= KEPT_BASES) break;
      this.Plotly.purge(old);
      old.remove();
      this.bases.delete(key);
    }
  }

  // An SVG panel's autoscaled axes (the loss against the step, say) take the range of this
  // payload's runs: the base has no data of its own to autoscale on. A promise when the base
  // had to be relaid out, else null (nothing to wait for).
  scaleBase() {
    const base = this.base;
    const ranges = {};
    for (const [key, { range }] of Object.entries(this.autoRanges())) {
      const shown = shownRange(base, key);
      if (!shown || range.some((value, i) => Math.abs(value - shown[i]) > 1e-9)) {
        ranges[`${key}.range`] = range;
        ranges[`${key}.autorange`] = false;
      }
    }
    if (!Object.keys(ranges).length) return null;
    return Promise.resolve(this.Plotly.relayout(base, ranges)).catch(() => undefined);
  }

  imageLayers() {
    return this.staticTraces.filter(({ trace }) => trace.kind === "image")
      .map(({ trace }) => trace);
  }

  animatedTraces() {
    return this.animated.map(({ trace }) => ({
      ...trace.trace, ...animatedData(trace, this.chart),
    }));
  }

  // The animated traces as SVG, and on the live node as plotly keeps a plot's traces on its node
  // (what tests and benchmarks read): `data`, or in a 3D panel (whose plotly plot has the
  // node's `data`) `svgData`.
  drawSvg() {
    this.stale = false;
    // A new scene on the way: the paths of its payload are drawn with it (the hook in drawLive).
    if (this.projected && this.needsDraw) return;
    const traces = this.animatedTraces();
    if (this.projected) {
      if (this.svgLayer.drawProjected(this.live, traces, this.surfaceField())) {
        this.live.svgData = traces;
      }
      return;
    }
    this.svgLayer.draw(this.base, traces);
    this.live.data = traces;
  }

  // The heights of the scene's surface, which hides parts of the paths (null: no surface).
  surfaceField() {
    const surface = this.live.data?.find((trace) => trace.type === "surface");
    if (!surface) return null;
    if (this.field?.surface !== surface) {
      const top = this.spec.layout.scene?.zaxis?.range?.[1] ?? Infinity;
      this.field = { surface, heights: heightField(surface.x, surface.y, surface.z, top) };
    }
    return this.field.heights;
  }

  liveLayout() {
    if (this.layered) return overlayLayout(baseLayout(this.spec.layout));
    // The ranges the fast path gives (see autoRanges), also where plotly has no data to scale.
    const layout = sizedLayout(touchLayout(tickLabelsAllowed(this.spec.layout)),
      this.node.clientWidth);
    const margin = legendMargin(layout, this.legendRows);
    if (margin) layout.margin = margin;
    for (const [key, { range }] of Object.entries(this.autoRanges())) {
      layout[key] = { ...layout[key], range, autorange: false };
    }
    return layout;
  }

  // Asked for by several steps of one redraw; a fan holds some 10^5 values to range over.
  autoRanges() {
    const key = `${this.chart.payloadCount}:${this.chart.fanIndex}`;
    if (this.ranged?.spec !== this.spec || this.ranged.key !== key) {
      this.ranged = { spec: this.spec, key, ranges: autoRanges(this.spec.layout,
        this.animated.map(({ trace }) => trace), this.chart) };
    }
    // Copies: plotly keeps the arrays it is given in its layout.
    return Object.fromEntries(Object.entries(this.ranged.ranges)
      .map(([key, { range }]) => [key, { range: [...range] }]));
  }

  drawLive(first) {
    const traces = this.layered ? this.animatedTraces()
      : this.projected ? this.staticTraces.map(({ trace }) => staticTrace(trace, this.chart.shared))
      : this.spec.traces.map((trace) => (ANIMATED.has(trace.kind)
        ? { ...trace.trace, ...animatedData(trace, this.chart) }
        : staticTrace(trace, this.chart.shared)));
    this.filled = new Set(this.animated.filter(({ trace }) => this.chart.series[trace.series])
      .map(({ index }) => index));
    this.drawnStructure = this.structure;
    this.drawnTraces = traces.length;
    this.growToken = null;
    this.stale = false;
    this.needsDraw = false;
    this.scaledFor = this.chart.payloadCount;
    const done = first
      ? this.Plotly.newPlot(this.live, traces, this.liveLayout(), PLOTLY_CONFIG)
      : this.Plotly.react(this.live, traces, this.liveLayout(), PLOTLY_CONFIG);
    if (first) {
      this.plotted = true;
      if (this.layered) this.live.on("plotly_relayout", (change) => this.mirrorZoom(change));
      if (this.spec.click) this.listenForClicks();
    }
    if (!this.scene) return done.then(() => this.fitLegend());
    return done.then(() => {
      // Each render of the scene (a turn of the camera, a resize, this redraw) projects the
      // paths anew.
      if (this.projected) onSceneRender(this.live, () => this.drawSvg());
      this.scene.quiet();
    });
  }

  // Once plotly has wrapped the legend (more runs, a narrower plot), its rows get their room.
  fitLegend() {
    if (this.layered || !this.live.isConnected) return undefined;
    const rows = legendRows(this.live);
    if (rows === this.legendRows) return undefined;
    const before = legendMargin(this.spec.layout, this.legendRows);
    this.legendRows = rows;
    const after = legendMargin(this.spec.layout, rows);
    if ((before?.b ?? null) === (after?.b ?? null)) return undefined;
    return this.Plotly.relayout(this.live, { margin: after || this.spec.layout.margin });
  }

  // Fast path: new data for the animated traces only (those with a run, or still showing one
  // that has gone).
  update() {
    if (this.svgLayer) {
      this.drawSvg();
      return Promise.resolve();
    }
    this.stale = false;
    const live = this.animated.filter(({ trace, index }) => index < this.drawnTraces
      && (this.chart.series[trace.series] || this.filled.has(index)));
    if (!live.length || !this.plotted) return Promise.resolve();
    // An animation to an empty array leaves the old line drawn: a lone NaN point clears it.
    const updates = live.map(({ trace }) => Object.fromEntries(
      Object.entries(animatedData(trace, this.chart)).map(([key, value]) =>
        [key, value.length || key === "text" || key === "textposition" ? value : [NaN]])));
    const columns = {};
    for (const update of updates) {
      for (const axis of Object.keys(update)) columns[axis] = updates.map((u) => u[axis] || []);
    }
    this.filled = new Set(live.filter(({ trace }) => this.chart.series[trace.series])
      .map(({ index }) => index));
    const indices = live.map(({ index }) => index);
    if (this.scene) {
      return this.Plotly.restyle(this.live, columns, indices).then(() => this.scene.quiet());
    }
    // A transition without redraw moves the scatter traces and skips the axes and the rest of
    // the figure. It does not autoscale, so autoscaled axes get their range here, once per
    // fan member or payload.
    const frame = { data: updates, traces: indices };
    if (this.scaledFor !== this.chart.payloadCount) {
      this.scaledFor = this.chart.payloadCount;
      const layout = this.autoRanges();
      if (Object.keys(layout).length) frame.layout = layout;
    }
    return this.Plotly.animate(this.live, frame, {
      transition: { duration: 0 }, frame: { duration: 0, redraw: false }, mode: "immediate",
    }).catch(() => undefined);  // a newer frame interrupted this one
  }

  mirrorZoom(change) {
    const axes = {};
    for (const [key, value] of Object.entries(change)) {
      if (/^[xy]axis\d*\.(range|autorange)/.test(key)) axes[key] = value;
    }
    if (Object.keys(axes).length) this.Plotly.relayout(this.base, axes);
  }

  listenForClicks() {
    // Pointer events rather than plotly_click: plotly reports a click only on a data point,
    // and the contour lives on the base plot underneath. A press that moves is a zoom drag.
    // plotly covers the page while a button is down, so the release is caught on the window.
    this.node.addEventListener("pointerdown", (down) => {
      if (!down.isPrimary || down.target.closest(".modebar")) return;
      window.addEventListener("pointerup", (up) => {
        if (Math.hypot(up.clientX - down.clientX, up.clientY - down.clientY) > CLICK_SLOP_PX) {
          return;
        }
        const axesPlot = this.svgLayer ? this.base : this.live;
        const area = plotArea(axesPlot);
        const box = axesPlot.getBoundingClientRect();
        const left = up.clientX - box.left;
        const top = up.clientY - box.top;
        const { x, y } = area;
        if (left < x.offset || left > x.offset + x.length
          || top < y.offset || top > y.offset + y.length) return;
        const point = { panel: this.spec.id, x: x.fromPixel(left), y: y.fromPixel(top) };
        const cell = imageCell(this.imageLayers(), this.chart.shared, point.x, point.y);
        this.chart.report("click", cell ? { ...point, cell } : point);
        this.markPending(left, top);
      }, { capture: true, once: true });
    }, true);
  }

  // A ring where the viewer clicked, in the colour the next run will have, until the payload
  // with that run arrives (a server round trip): the click shows at once.
  markPending(left, top) {
    const spare = this.animated.find(({ trace }) => trace.kind === "head"
      && !this.chart.series[trace.series]);
    const mark = h("span", "dl-pending");
    mark.style.left = `${left}px`;
    mark.style.top = `${top}px`;
    const color = spare && spare.trace.trace.marker && spare.trace.trace.marker.color;
    if (typeof color === "string") mark.style.borderColor = color;
    this.node.appendChild(mark);
    setTimeout(() => mark.remove(), PENDING_MAX_MS);
  }

  resize() {
    if (!this.plotted || !this.node.isConnected) return;
    if (this.svgLayer && !this.projected) {
      const base = this.base;
      this.Plotly.Plots.resize(base).then(() => {
        if (base === this.base) this.drawSvg();
      });
      return;
    }
    if (this.base) this.Plotly.Plots.resize(this.base);
    const resized = this.Plotly.Plots.resize(this.live);
    if (this.scene) resized.then(() => this.scene.quiet(true));
    else resized.then(() => this.fitLegend());
  }

  destroy() {
    for (const base of this.bases.values()) this.Plotly.purge(base);
    // A 2D SVG panel's live node is no plot.
    if (this.projected || !this.svgLayer) this.Plotly.purge(this.live);
    this.node.remove();
  }
}
