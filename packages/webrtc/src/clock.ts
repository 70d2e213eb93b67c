/**
 * The real clock handed to the engine: `performance.now()` (monotonic) where it exists, else
 * `Date.now()`; timers from `setTimeout`; `soon` from `setImmediate` in Node and a
 * MessageChannel in browsers, which (unlike a zero timer) a hidden tab does not throttle.
 */
import type { Clock } from '@synchrony/core';

/** A `Clock` on real time. */
export function realClock(): Clock {
  const perf = (globalThis as { performance?: { now(): number } }).performance;
  const now = typeof perf?.now === 'function' ? () => perf.now() : () => Date.now();
  return {
    now,
    setTimer(callback: () => void, delayMs: number): () => void {
      const timer = setTimeout(callback, Math.max(0, delayMs));
      return () => clearTimeout(timer);
    },
    soon: soonFunction(),
  };
}

/** Runs callbacks after the current task, without a timer. */
function soonFunction(): (callback: () => void) => void {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  if (typeof immediate === 'function') return (callback) => void immediate(callback);
  if (typeof MessageChannel !== 'function') return (callback) => void setTimeout(callback, 0);
  const channel = new MessageChannel();
  const queue: Array<() => void> = [];
  channel.port1.onmessage = () => {
    for (const callback of queue.splice(0)) callback();
  };
  return (callback) => {
    queue.push(callback);
    if (queue.length === 1) channel.port2.postMessage(null);
  };
}
