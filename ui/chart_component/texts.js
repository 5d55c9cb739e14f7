// The chart's text around the panels: the typeset formula, the readouts that follow the
// animation, the badges per run and the notes ("What to try").

import { keepRecent } from "./caches.js";
import { afterPaint, h } from "./dom.js";
import { needsEdge } from "./legend.js";
import { loadKatex } from "./scripts.js";
import { fillTemplate } from "./templates.js";

// Typeset formulas kept per chart.
const KEPT_FORMULAS = 16;
// A formula wider than the chart is shrunk to fit, down to this share of its size (a phone
// then sees Adam's whole update rule at once); beyond that it scrolls.
const SMALLEST_FORMULA = 0.5;

// The payload's LaTeX, typeset by KaTeX once the panels have been painted (the chart comes
// first); the formula shown stays until the new one is ready.
export class Formula {
  constructor() {
    this.node = h("div", "dl-formula");
    this.node.hidden = true;
    this.typeset = new Map();  // LaTeX -> typeset HTML, least recently used first
    this.wanted = null;
    this.shown = null;
    this.fittedWidth = null;
    new ResizeObserver(() => {
      if (this.node.clientWidth !== this.fittedWidth) this.fit();
    }).observe(this.node);
  }

  fit() {
    const formula = this.node.querySelector(".katex-display > .katex");
    this.fittedWidth = this.node.clientWidth;
    if (!formula) return;
    formula.style.fontSize = "";
    const room = this.node.clientWidth;
    const needed = formula.scrollWidth;
    if (room > 0 && needed > room) {
      // Two pixels to spare: widths round to whole pixels.
      const scale = Math.max(SMALLEST_FORMULA, (room - 2) / needed);
      formula.style.fontSize = `${scale * parseFloat(getComputedStyle(formula).fontSize)}px`;
    }
  }

  show(latex, urls) {
    this.wanted = latex;
    if (!latex) {
      this.node.hidden = true;
      this.node.replaceChildren();
      this.shown = null;
      return;
    }
    if (latex === this.shown) return;
    loadKatex(urls).then((katex) => afterPaint(() => {
      if (this.wanted !== latex || this.shown === latex) return;
      const html = this.typeset.get(latex)
        ?? katex.renderToString(latex, { displayMode: true, throwOnError: false });
      keepRecent(this.typeset, latex, html, KEPT_FORMULAS);
      this.node.innerHTML = html;
      this.node.hidden = false;
      this.shown = latex;
      this.fit();
      // Measured again once KaTeX's fonts are in: the fallback font's widths differ.
      document.fonts.ready.then(() => {
        if (this.shown === latex) this.fit();
      });
    })).catch((error) => {
      this.node.hidden = false;
      this.node.textContent = `The formula could not be shown: ${error.message}`;
    });
  }
}

// Lines of text about the current iterate, filled from the series' channels at the chart's
// frame (`chart` as animated.js's state, with readouts and playing); empty lines are hidden.
export function showReadouts(node, chart) {
  const frame = Math.min(chart.frame, chart.frameCount - 1);
  const lines = chart.readouts.map((readout) => {
    const series = chart.series[readout.series || 0];
    return series ? fillTemplate(readout.text, readout, series, frame, chart) : "";
  });
  const nodes = node.children;
  if (nodes.length !== lines.length) {
    node.replaceChildren(...lines.map(() => h("p", "dl-readout")));
  }
  lines.forEach((line, i) => {
    if (nodes[i].textContent !== line) nodes[i].textContent = line;
    nodes[i].hidden = !line;
  });
  // Announced when stepping by hand, not 25 times a second while playing.
  node.setAttribute("aria-live", chart.playing ? "off" : "polite");
}

// One badge per series: its glyph in its colour, its name and its verdict at the fan member.
export function showBadges(node, series, fanIndex) {
  // A series without badges (say, one that only feeds a panel) has no run to report on.
  node.replaceChildren(...series.filter((run) => run.badges?.length).map((run) => {
    const badges = run.badges;
    const badge = badges[Math.min(fanIndex, badges.length - 1)];
    const item = h("li", "dl-badge");
    item.dataset.tone = badge ? badge.tone : "neutral";
    const swatch = h("span", "dl-swatch", run.glyph || "●");
    swatch.style.color = run.color;
    swatch.classList.toggle("dl-swatch-edged", needsEdge(run.color));
    swatch.setAttribute("aria-hidden", "true");
    item.append(swatch, h("span", "dl-badge-name", run.name),
      h("span", "dl-badge-text", badge ? badge.text : ""));
    return item;
  }));
}

// A titled list under the chart, rebuilt only when its text changes; the viewer's open or
// closed choice stays.
export class Notes {
  constructor() {
    this.node = h("details", "dl-notes");
    this.node.open = true;
    this.node.hidden = true;
    this.key = undefined;
  }

  show(notes) {
    const key = JSON.stringify(notes || null);
    if (key === this.key) return;
    this.key = key;
    this.node.hidden = !notes;
    if (!notes) return;
    const list = h("ul", "dl-notes-items");
    list.append(...(notes.items || []).map((item) => h("li", "", item)));
    const parts = [h("summary", "dl-notes-title", notes.title || ""), list];
    if (notes.caption) parts.push(h("p", "dl-notes-caption", notes.caption));
    this.node.replaceChildren(...parts);
  }
}
