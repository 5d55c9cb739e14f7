// A series' channels: each {flat, shape} with shape (fan members, frames) or (frames,).

// A channel computed from others (ui/chart.py's derive() is the reference): the payload then
// carries only what the browser cannot work out itself.
export function deriveChannel(spec, channels) {
  const source = channels[Array.isArray(spec.of) ? spec.of[0] : spec.of];
  const { flat, shape } = source;
  const out = new Float32Array(flat.length);
  if (spec.op === "shift") {
    const width = shape[shape.length - 1];
    for (let i = 0; i < flat.length; i++) out[i] = (i + 1) % width ? flat[i + 1] : NaN;
  } else if (spec.op === "sub") {
    const other = channels[spec.of[1]].flat;
    for (let i = 0; i < flat.length; i++) out[i] = flat[i] - other[i];
  } else if (spec.op === "add") {
    for (let i = 0; i < flat.length; i++) out[i] = flat[i] + spec.value;
  } else if (spec.op === "clip") {
    const [low, high] = spec.range;
    for (let i = 0; i < flat.length; i++) out[i] = Math.min(high, Math.max(low, flat[i]));
  } else if (spec.op === "where") {
    const codes = channels[spec.if].flat;
    for (let i = 0; i < flat.length; i++) out[i] = codes[i] === spec.equals ? flat[i] : NaN;
  } else {
    throw new Error(`unknown derived channel op ${spec.op}`);
  }
  return { flat: out, shape };
}

// `channels` with the `derived` ones added, in order (a later one may use an earlier one).
export function withDerived(channels, derived = {}) {
  const out = { ...channels };
  for (const [name, spec] of Object.entries(derived)) out[name] = deriveChannel(spec, out);
  return out;
}

// The frames of channel `name` at the state's fan member (the last member for a channel with
// fewer); "step" is built in: `state.steps`, 0, 1, ..., frames - 1.
export function channelAt(series, name, state) {
  if (name === "step") return state.steps;
  const array = series.channels[name];
  const width = array.shape[array.shape.length - 1];
  const member = array.shape.length === 2 ? Math.min(state.fanIndex, array.shape[0] - 1) : 0;
  return array.flat.subarray(member * width, (member + 1) * width);
}
