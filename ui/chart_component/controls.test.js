import assert from "node:assert/strict";
import test from "node:test";

import { Clock } from "./controls.js";

// A display whose frames run when the test says, at the timestamps it gives.
function fakeFrames() {
  const queue = new Map();
  let next = 1;
  globalThis.requestAnimationFrame = (callback) => {
    queue.set(next, callback);
    return next++;
  };
  globalThis.cancelAnimationFrame = (id) => queue.delete(id);
  return (timestamp) => {
    const callbacks = [...queue.values()];
    queue.clear();
    for (const callback of callbacks) callback(timestamp);
  };
}

function clockOver(frames) {
  const shown = [];
  let current = 0;
  let stopped = 0;
  const clock = new Clock({
    show: (frame) => {
      shown.push(frame);
      current = frame;
    },
    stopped: () => {
      stopped += 1;
    },
    current: () => current,
    last: () => frames - 1,
  });
  return { clock, shown, stopped: () => stopped };
}

test("a display frame that began before play never shows a frame before the start", () => {
  const frame = fakeFrames();
  const { clock, shown } = clockOver(10);
  clock.play(100);
  frame(performance.now() - 30);  // the frame began 30 ms before play()
  assert.deepEqual(shown, []);
  assert.ok(clock.playing);
});

test("frames follow the time played at the speed, and playback stops at the last", () => {
  const frame = fakeFrames();
  const { clock, shown, stopped } = clockOver(10);
  const start = performance.now();
  clock.play(100);  // a frame per 10 ms
  frame(start + 25);
  frame(start + 61);
  assert.deepEqual(shown, [2, 6]);
  frame(start + 500);
  assert.deepEqual(shown, [2, 6, 9]);
  assert.equal(clock.playing, false);
  assert.equal(stopped(), 1);
});
