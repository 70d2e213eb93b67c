/**
 * One trace from several pages' traces, for the property checker.
 */
import type { Trace, TraceEvent } from '@synchrony/sim';

/**
 * Merges per-page traces by time. Every page stamps its events on one epoch with a clock that only
 * moves forward, and the sort is stable, so each page's own order (all the checker relies on:
 * views and deliveries per member) is kept, and the merged trace reads in real time order.
 */
export function mergeTraces(traces: ReadonlyArray<readonly TraceEvent[]>): Trace {
  return traces.flat().sort((a, b) => a.at - b.at);
}
