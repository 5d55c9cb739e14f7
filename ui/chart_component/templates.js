// Text that follows the animation: TEMPLATEs filled at a fan member and frame (ui/chart.py
// documents them; its fill_template is the reference).

import { channelAt } from "./channels.js";

// A number as a learner reads it: 3 significant digits, a real minus sign, whole numbers whole,
// powers of ten for the very large or small (an escaping run). gd_core/formatting.py's
// format_number writes the same.
export function formatNumber(value, digits) {
  if (Number.isNaN(value)) return "—";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  const size = Math.abs(value);
  let text;
  if (Number.isInteger(value) && size < 1e5) text = String(size);
  else if (size !== 0 && (size >= 1e5 || size < 1e-3)) {
    const [mantissa, exponent] = size.toExponential(digits - 1).split("e");
    text = `${Number(mantissa)}e${Number(exponent)}`;
  } else text = String(Number(size.toPrecision(digits)));
  return value < 0 && text !== "0" ? `−${text}` : text;
}

// A phrase chosen per frame: {"channel": name, "options": [...]}, indexed by the channel.
export function phrase(choice, series, frame, state) {
  const code = channelAt(series, choice.channel, state)[frame];
  return Number.isInteger(code) ? (choice.options[code] ?? "") : "";
}

// A template filled at a frame of `series`: {step} is the frame, {fan} the fan label, {name} a
// phrase of spec.phrases (itself a template) or a channel's value. `state` holds fanIndex,
// fan.labels and steps.
export function fillTemplate(template, spec, series, frame, state, depth = 0) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => {
    if (name === "step") return String(frame);
    if (name === "fan") return state.fan.labels[state.fanIndex] ?? "";
    const choice = (spec.phrases || {})[name];
    if (choice) {
      const text = phrase(choice, series, frame, state);
      return depth < 3 ? fillTemplate(text, spec, series, frame, state, depth + 1) : text;
    }
    if (!series.channels[name]) return whole;
    return formatNumber(channelAt(series, name, state)[frame], spec.digits || 3);
  });
}
