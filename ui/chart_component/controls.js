// The chart's controls and its animation clock: play / pause / step, the iteration scrubber,
// the playback speed and the learning-rate fan slider with its marks.

import { button, h } from "./dom.js";

const SPEEDS = [5, 10, 25, 50, 100];
export const DEFAULT_SPEED = 25;

// Playback at `speed` frames per second, one requestAnimationFrame at a time: `show(frame)` on
// each new frame (`current()` is the frame shown, `last()` the last one), `stopped()` once it
// ends or is paused.
export class Clock {
  constructor({ show, stopped, current, last }) {
    Object.assign(this, { show, stopped, current, last });
    this.playing = false;
    this.request = null;
  }

  play(speed) {
    cancelAnimationFrame(this.request);
    this.playing = true;
    const startFrame = this.current();
    const startTime = performance.now();
    const tick = (now) => {
      if (!this.playing) return;
      // A frame's timestamp is when the frame began, which can be before play() was called:
      // never a frame before the start (-1 when playing from 0).
      const elapsed = Math.max(0, now - startTime);
      const frame = Math.min(this.last(), startFrame + Math.floor((elapsed / 1000) * speed));
      if (frame !== this.current()) this.show(frame);
      if (frame >= this.last()) {
        this.pause();
        return;
      }
      this.request = requestAnimationFrame(tick);
    };
    this.request = requestAnimationFrame(tick);
  }

  pause() {
    cancelAnimationFrame(this.request);
    if (!this.playing) return;
    this.playing = false;
    this.stopped();
  }
}

// The controls' nodes, calling `actions` (playPause, step(delta), hold(), scrub(frame),
// speed(value), fan(index), fanReleased()) on the viewer's input.
export class Controls {
  constructor(actions) {
    this.node = h("div", "dl-controls");
    const player = h("div", "dl-player");
    this.playButton = button("▶ Play", "Play or pause the descent", actions.playPause,
      "dl-button dl-play");
    const back = button("◀", "One step back", () => actions.step(-1), "dl-button dl-back");
    const forward = button("▶|", "One step forward", () => actions.step(1),
      "dl-button dl-forward");
    this.scrubber = h("input", "dl-range dl-scrubber");
    this.scrubber.type = "range";
    this.scrubber.min = "0";
    this.scrubber.title = "Scrub through the iterations";
    this.scrubber.setAttribute("aria-label", "Iteration");
    this.scrubber.oninput = () => actions.scrub(Number(this.scrubber.value));
    // Taking hold of the scrubber stops playback even where the value does not change (a press
    // on the frame showing fires no input event).
    this.scrubber.addEventListener("pointerdown", () => actions.hold());
    this.counter = h("span", "dl-counter");
    this.counter.setAttribute("aria-live", "off");
    const speedSelect = h("select", "dl-speed");
    speedSelect.title = "Playback speed in steps per second";
    speedSelect.setAttribute("aria-label", "Playback speed");
    for (const speed of SPEEDS) {
      const option = h("option", "", `${speed} steps/s`);
      option.value = String(speed);
      option.selected = speed === DEFAULT_SPEED;
      speedSelect.appendChild(option);
    }
    speedSelect.onchange = () => actions.speed(Number(speedSelect.value));
    player.append(this.playButton, back, forward, this.scrubber, this.counter, speedSelect);
    this.playerInputs = [this.playButton, back, forward, this.scrubber];

    this.fanRow = h("label", "dl-fan");
    // Shown by the first payload with a fan: until then its slider would have no name.
    this.fanRow.hidden = true;
    this.fanLabel = h("span", "dl-fan-label");
    this.fanSlider = h("input", "dl-range dl-fan-slider");
    this.fanSlider.type = "range";
    this.fanSlider.min = "0";
    this.fanValue = h("span", "dl-fan-value");
    this.fanSlider.oninput = () => actions.fan(Number(this.fanSlider.value));
    this.fanSlider.onchange = () => actions.fanReleased();
    // The slider and the marks under it (a critical learning rate) share one box.
    const fanTrack = h("span", "dl-fan-track");
    this.fanMarks = h("span", "dl-fan-marks");
    fanTrack.append(this.fanSlider, this.fanMarks);
    // The lowest and highest learning rate, at the slider's two ends.
    this.fanLow = h("span", "dl-fan-end dl-fan-low");
    this.fanHigh = h("span", "dl-fan-end dl-fan-high");
    this.fanRow.append(this.fanLabel, this.fanLow, fanTrack, this.fanHigh, this.fanValue);
    this.node.append(player, this.fanRow);
  }

  // A new fan (payload): its labels, ends and marks.
  showFan(fan, index) {
    this.fanRow.hidden = fan.labels.length < 2;
    this.fanLabel.textContent = fan.label || "";
    this.fanLow.textContent = fan.labels[0] ?? "";
    this.fanHigh.textContent = fan.labels[fan.labels.length - 1] ?? "";
    this.fanSlider.max = String(fan.labels.length - 1);
    this.fanSlider.value = String(index);
    this.fanSlider.title = fan.help || "";
    const last = Math.max(1, fan.labels.length - 1);
    this.fanMarks.replaceChildren(...(fan.marks || []).map((mark) => {
      const node = h("span", "dl-fan-mark", mark.label);
      node.style.setProperty("--at", String(Math.min(1, Math.max(0, mark.position / last))));
      if (mark.help) node.title = mark.help;
      return node;
    }));
    this.fanMarks.hidden = !(fan.marks || []).length;
  }

  // The state of `chart` (frame, frameCount, series, fan, fanIndex, playing) shown.
  show(chart) {
    this.scrubber.max = String(chart.frameCount - 1);
    this.scrubber.value = String(chart.frame);
    // Without a run (every start cleared) there is nothing to play.
    const empty = !chart.series.length;
    for (const input of this.playerInputs) input.disabled = empty;
    this.counter.textContent = empty ? "no runs yet"
      : `step ${chart.frame} / ${chart.frameCount - 1}`;
    const label = chart.fan.labels[chart.fanIndex] ?? "";
    this.fanValue.textContent = label;
    this.fanSlider.value = String(chart.fanIndex);
    this.fanSlider.setAttribute("aria-valuetext", label);
    this.fanSlider.setAttribute("aria-label", chart.fan.label || "");
    this.playButton.textContent = chart.playing ? "❚❚ Pause" : "▶ Play";
    this.playButton.setAttribute("aria-pressed", String(chart.playing));
  }
}
