/**
 * The real clock handed to the engine: `performance.now()` (monotonic) where it exists, else
 * `Date.now()`; timers from `setTimeout`.
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
  };
}
