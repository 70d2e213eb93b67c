/** The machine meter of the WebRTC benchmarks (machine-cpu.ts) counts busy time and bounds its share. */
import { describe, expect, it } from 'vitest';
import { cpuMeter } from '../src/machine-cpu.js';

describe('cpuMeter', () => {
  it('counts a busy loop as busy time, and its share of the machine as at most all of it', () => {
    const stop = cpuMeter();
    const until = performance.now() + 200;
    let spins = 0;
    while (performance.now() < until) spins += 1;
    const span = stop();
    expect(spins).toBeGreaterThan(0);
    expect(span.cores).toBeGreaterThanOrEqual(1);
    expect(span.wallSeconds).toBeGreaterThanOrEqual(0.2);
    // At least most of one core for most of the loop (the kernel counts in 10 ms ticks), never more than every core.
    expect(span.busyCoreSeconds).toBeGreaterThan(0.1);
    expect(span.busyShare).toBeGreaterThan(0);
    expect(span.busyShare).toBeLessThanOrEqual(1);
  });
});
