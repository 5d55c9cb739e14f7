// Descent Lab chart: plotly.js panels driven by a payload from ui/chart.py (documented there).
// This entry wires the modules beside it: payload units and arrays (caches.js, decode.js),
// channels and text (channels.js, templates.js, animated.js), panels (panel.js), controls and
// the clock (controls.js), text around the panels (texts.js, legend.js).
//
// Streamlit runs the default export again with the same parentElement whenever the payload
// changes, so the chart lives with that node: Plotly.newPlot once, then in-place updates. The
// animation clock, the iteration scrubber and the learning-rate fan scrub all run here, without
// a server round trip; only clicks and a released learning rate go back to Python.

import { decoded, resolveUnits } from "./caches.js";
import { unpackPayload } from "./decode.js";
import { withDerived } from "./channels.js";
import { Clock, Controls, DEFAULT_SPEED } from "./controls.js";
import { afterPaint, h } from "./dom.js";
import { Legend } from "./legend.js";
import { Panel } from "./panel.js";
import { PathTable } from "./path-table.js";
import { loadChartStyles, loadPlotly } from "./scripts.js";
import { Table } from "./table.js";
import { Formula, Notes, showBadges, showReadouts } from "./texts.js";

// 3D redraws (software-rendered on many machines: 50-200 ms) would stall the 2D animation: they
// happen once things rest, and at least this often while scrubbing or playing slowly.
const SLOW_REST_MS = 200;
const SLOW_MAX_LAG_MS = 1500;
const FAST_PLAYBACK = 25;  // steps per second
// A change redraws the panels in sight first. One out of sight (the page scrolled, or stacked
// below on a phone) is redrawn when the browser is next idle, at the latest after UNSEEN_WAIT_MS
// if 2D; a 3D one only once it comes this near the viewport (its redraw is the costly one).
const SIGHT_MARGIN = "200px";
const UNSEEN_WAIT_MS = 1000;

// The chart of each Streamlit node.
const charts = new WeakMap();
// Requested as soon as the chart's code runs: it is in by the time plotly.js is.
const stylesLoaded = loadChartStyles();

class Chart {
  constructor(parent) {
    this.root = h("div", "dl-chart");
    this.formula = new Formula();
    this.message = h("div", "dl-message", "Loading the chart…");
    this.panelsNode = h("div", "dl-panels");
    this.badgesNode = h("ul", "dl-badges");
    this.readoutsNode = h("div", "dl-readouts");
    this.pathTable = new PathTable();
    this.notes = new Notes();
    this.table = new Table();
    this.legend = new Legend();
    this.controls = new Controls({
      playPause: () => (this.playing ? this.pause() : this.play()),
      step: (delta) => this.stepBy(delta),
      hold: () => this.pause(),
      scrub: (frame) => {
        this.pause();
        this.setFrame(frame);
      },
      speed: (speed) => {
        this.speed = speed;
        if (this.playing) this.play();
      },
      fan: (index) => this.setFanIndex(index),
      fanReleased: () => this.commitFanIndex(),
    });
    this.clock = new Clock({
      show: (frame) => {
        this.frame = frame;
        this.render();
      },
      stopped: () => {
        this.renderControls();
        this.pathTable.show(this);
      },
      current: () => this.frame,
      last: () => this.frameCount - 1,
    });
    this.root.append(this.formula.node, this.controls.node, this.legend.node, this.message,
      this.panelsNode,
      this.readoutsNode, this.pathTable.node, this.badgesNode, this.table.node, this.notes.node);
    parent.appendChild(this.root);

    this.panels = new Map();
    this.series = [];
    this.steps = new Int32Array(1);
    this.frameCount = 1;
    this.frame = 0;
    this.fan = { labels: [""], index: 0 };
    this.readouts = [];
    this.fanIndex = 0;
    this.pendingFanIndex = null;
    this.speed = DEFAULT_SPEED;
    this.slowTimer = null;
    this.slowSince = null;
    // Each panel follows its own box: the grid may reflow panels without the chart resizing.
    this.resizeObserver = new ResizeObserver((entries) => {
      for (const entry of entries) this.panels.get(entry.target.dataset.panel)?.resize();
    });
    this.sightObserver = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const panel = this.panels.get(entry.target.dataset.panel);
        if (!panel) continue;
        const cameIntoSight = entry.isIntersecting && !panel.inSight;
        panel.inSight = entry.isIntersecting;
        // A 3D panel waits for the chart to rest, as after any change.
        if (cameIntoSight && panel.is3d) this.scheduleSlow();
        else if (cameIntoSight) this.catchUp(panel);
      }
    }, { rootMargin: SIGHT_MARGIN });
    this.idleRequest = null;
  }

  get playing() {
    return this.clock.playing;
  }

  // --- payload ------------------------------------------------------------------------------

  async update(sent, setTriggerValue) {
    const start = performance.now();
    const data = unpackPayload(sent);
    const sequence = (this.sequence || 0) + 1;
    this.sequence = sequence;
    this.setTriggerValue = setTriggerValue;
    // Drawn in the same task once plotly.js is there: nothing else gets to run in between.
    // Before plotly.js is awaited: KaTeX loads meanwhile.
    this.formula.show(data.formula, data.katex);
    if (!this.Plotly) [this.Plotly] = await Promise.all([loadPlotly(data.plotly_url), stylesLoaded]);
    // A newer payload may have arrived while plotly.js was loading: it wins.
    if (sequence !== this.sequence) return;
    const { data: full, missing } = resolveUnits(data);
    if (missing.length) {
      // Keep showing the last view; the server sends everything again.
      this.report("missing", missing);
      return;
    }
    this.applyPayload(full, start);
  }

  applyPayload(data, start) {
    this.payloadCount = (this.payloadCount || 0) + 1;  // autoscaled axes follow each payload
    this.message.hidden = true;
    this.shared = data.arrays || {};
    this.series = (data.series || []).map((series) => {
      const channels = Object.fromEntries(
        Object.entries(series.channels).map(([name, spec]) => [name, decoded(spec)]));
      return { ...series, channels: withDerived(channels, series.derived) };
    });
    const first = this.series.length ? Object.values(this.series[0].channels)[0] : null;
    const oldCount = this.frameCount;
    this.frameCount = first ? first.shape[first.shape.length - 1] : 1;
    if (this.steps.length !== this.frameCount) {
      this.steps = Int32Array.from({ length: this.frameCount }, (_, i) => i);
    }
    // Every chart opens on its last frame, the whole path drawn (the lesson at once; Play
    // replays it), and keeps the viewer's place unless they were looking at the whole path.
    if (this.frame >= oldCount - 1 || this.frame >= this.frameCount) {
      this.frame = this.frameCount - 1;
    }
    this.applyFan(data.fan || { labels: [""], index: 0 });
    this.readouts = data.readouts || [];
    this.tableData = data.table || null;
    // Badges right under the controls (next to the learning-rate slider that changes them)
    // instead of under the panels.
    this.root.classList.toggle("dl-badges-first", Boolean(data.badges_first));
    if (data.columns) {
      this.panelsNode.style.setProperty("--dl-columns",
        data.columns.map((weight) => `minmax(0, ${weight}fr)`).join(" "));
    } else this.panelsNode.style.removeProperty("--dl-columns");
    const drawn = this.applyPanels(data.panels || []);
    this.renderControls();
    this.renderBadges();
    showReadouts(this.readoutsNode, this);
    this.pathTable.show(this);
    this.notes.show(data.notes);
    this.legend.show(data.legend);
    this.scheduleSlow();
    // Read by benchmarks/bench_surface_page.py: payload in to every plot drawn.
    Promise.all(drawn).then(() => performance.measure("dl-payload", { start }));
  }

  // The payload's panels made, ordered and drawn; promises of their drawing.
  applyPanels(specs) {
    const wanted = new Set(specs.map((spec) => spec.id));
    for (const [id, panel] of this.panels) {
      if (!wanted.has(id)) {
        this.resizeObserver.unobserve(panel.node);
        this.sightObserver.unobserve(panel.node);
        panel.destroy();
        this.panels.delete(id);
      }
    }
    // Every panel in the payload's order before any is drawn: plotly sizes a new plot by its
    // panel's grid cell, and a panel moved to the end for a moment would sit in another column.
    const ordered = specs.map((spec) => {
      let panel = this.panels.get(spec.id);
      if (!panel) {
        panel = new Panel(this, spec);
        this.panels.set(spec.id, panel);
        this.resizeObserver.observe(panel.node);
        this.sightObserver.observe(panel.node);
      }
      return panel;
    });
    ordered.forEach((panel, index) => {
      const there = this.panelsNode.children[index];
      if (there !== panel.node) this.panelsNode.insertBefore(panel.node, there || null);
    });
    // The grid's columns follow the count: set before drawing, or a lone panel is first drawn
    // at the width of one of two columns and then again at full width.
    this.panelsNode.dataset.count = String(this.panels.size);
    const drawn = [];
    const later = [];
    let unseen = false;
    // The panel the viewer clicks (else the first) is redrawn now and painted on its own; the
    // other 2D panels in sight follow right after that paint, those out of sight later.
    const lead = Math.max(0, specs.findIndex((spec) => spec.click));
    for (const [index, spec] of specs.entries()) {
      const panel = ordered[index];
      panel.pendingSpec = null;
      if (index !== lead && panel.plotted && !panel.is3d) {
        panel.pendingSpec = spec;
        if (panel.inSight) later.push(panel);
        else unseen = true;
      } else drawn.push(panel.apply(spec));
    }
    if (unseen) this.catchUpWhenIdle();
    if (later.length) {
      const sequence = this.sequence;
      drawn.push(new Promise((resolve) => afterPaint(() => {
        const redrawn = [];
        if (sequence === this.sequence) {
          for (const panel of later) {
            const spec = panel.pendingSpec;
            panel.pendingSpec = null;
            if (spec) redrawn.push(panel.apply(spec));
          }
        }
        resolve(Promise.all(redrawn));
      })));
    }
    return drawn;
  }

  applyFan(fan) {
    const key = JSON.stringify(fan.labels);
    if (key !== this.fanKey || this.pendingFanIndex === null
      || this.pendingFanIndex === fan.index) {
      // Python is the source of truth, unless the viewer has just released the slider and
      // this payload was computed before that reached the server.
      this.pendingFanIndex = null;
      this.fanIndex = Math.min(fan.index, fan.labels.length - 1);
    }
    this.fanKey = key;
    this.fan = fan;
    this.controls.showFan(fan, this.fanIndex);
  }

  report(event, value) {
    if (this.setTriggerValue) this.setTriggerValue(event, value);
  }

  // Draw the current (learning rate, frame): 2D panels now, 3D ones throttled, with a final
  // draw once things come to rest.
  render() {
    const start = performance.now();
    const drawn = [];
    let unseen = false;
    for (const panel of this.panels.values()) {
      if (panel.is3d && !panel.projected) panel.stale = true;
      else if (!panel.inSight) {
        panel.stale = true;
        unseen = true;
      } else if (!panel.pendingSpec) drawn.push(panel.update());
    }
    if (unseen) this.catchUpWhenIdle();
    this.scheduleSlow();
    this.renderControls();
    showReadouts(this.readoutsNode, this);
    this.pathTable.show(this);
    if (this.badgeFan !== this.fanIndex) this.renderBadges();
    // Read by benchmarks/bench_surface_page.py: input to every 2D plot redrawn.
    Promise.all(drawn).then(() => performance.measure("dl-render", { start }));
  }

  // 3D panels wait until things rest for SLOW_REST_MS, and never lag more than SLOW_MAX_LAG_MS
  // behind while scrubbing or playing slowly. Fast playback is left alone until it stops: a 3D
  // redraw mid-way would visibly stall it.
  scheduleSlow() {
    const now = performance.now();
    if (!this.slowSince) this.slowSince = now;
    clearTimeout(this.slowTimer);
    const lag = this.playing && this.speed >= FAST_PLAYBACK ? Infinity : SLOW_MAX_LAG_MS;
    const wait = Math.min(SLOW_REST_MS, Math.max(0, this.slowSince + lag - now));
    this.slowTimer = setTimeout(() => {
      this.slowSince = null;
      for (const panel of this.panels.values()) {
        if (panel.pendingSpec) continue;
        if (!panel.inSight) {
          // Read by tests: this 3D view is drawn once it comes into sight.
          if (panel.is3d && (panel.needsDraw || panel.stale)) panel.node.dataset.waiting = "sight";
          continue;
        }
        delete panel.node.dataset.waiting;
        this.catchUp(panel);
      }
    }, wait);
  }

  // A panel brought up to date: its newest payload, or the current frame.
  catchUp(panel) {
    if (panel.pendingSpec) {
      const spec = panel.pendingSpec;
      panel.pendingSpec = null;
      panel.apply(spec);
    }
    if (panel.needsDraw) panel.drawLive(!panel.plotted);
    else if (panel.stale) panel.update();
  }

  // The 2D panels out of sight caught up once the browser has nothing else to do.
  catchUpWhenIdle() {
    if (this.idleRequest !== null) return;
    this.idleRequest = requestIdleCallback(() => {
      this.idleRequest = null;
      for (const panel of this.panels.values()) {
        if (!panel.inSight && !panel.is3d) this.catchUp(panel);
      }
    }, { timeout: UNSEEN_WAIT_MS });
  }

  renderControls() {
    this.controls.show(this);
    this.root.dataset.frame = String(this.frame);
    this.root.dataset.fanIndex = String(this.fanIndex);
  }

  // The badges and the table: both say how the runs at the current fan member ended.
  renderBadges() {
    this.badgeFan = this.fanIndex;
    showBadges(this.badgesNode, this.series, this.fanIndex);
    this.table.show(this.tableData, this.fanIndex);
  }

  // --- clock, scrubber and fan --------------------------------------------------------------

  setFrame(frame) {
    this.frame = Math.max(0, Math.min(this.frameCount - 1, frame));
    this.render();
  }

  stepBy(delta) {
    this.pause();
    this.setFrame(this.frame + delta);
  }

  play() {
    if (this.frame >= this.frameCount - 1) this.frame = 0;
    this.clock.play(this.speed);
    this.renderControls();
  }

  pause() {
    this.clock.pause();
  }

  setFanIndex(index) {
    this.fanIndex = index;
    this.render();
  }

  commitFanIndex() {
    this.pendingFanIndex = this.fanIndex;
    const values = this.fan.values || [];
    this.report("fan", { index: this.fanIndex, value: values[this.fanIndex] ?? null });
  }

  destroy() {
    this.pause();
    clearTimeout(this.slowTimer);
    if (this.idleRequest !== null) cancelIdleCallback(this.idleRequest);
    this.resizeObserver.disconnect();
    this.sightObserver.disconnect();
    for (const panel of this.panels.values()) panel.destroy();
    this.root.remove();
  }
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let chart = charts.get(parentElement);
  if (!chart) {
    chart = new Chart(parentElement);
    charts.set(parentElement, chart);
  }
  chart.update(data, setTriggerValue).catch((error) => {
    chart.message.hidden = false;
    chart.message.textContent = `The chart could not be drawn: ${error.message}`;
  });
  return () => {
    // Streamlit also calls this when a newer payload supersedes this one; only a node that has
    // really left the page is torn down.
    setTimeout(() => {
      if (!parentElement.isConnected && charts.get(parentElement) === chart) {
        chart.destroy();
        charts.delete(parentElement);
      }
    }, 0);
  };
}
