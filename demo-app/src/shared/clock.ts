/**
 * One clock for the diagram: milliseconds since the Unix epoch that only move forward. Tabs of one
 * machine read the same clock, so their events line up exactly; tabs of other machines line up only
 * as well as the machines' clocks agree.
 */

/** Now, on the epoch. */
export function epochNowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** A time of the library's clock (`performance.now()` in browsers, as `tapGroup` reports it), on the epoch. */
export function epochOfPerformanceMs(atMs: number): number {
  return performance.timeOrigin + atMs;
}
