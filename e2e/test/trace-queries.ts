/**
 * Questions the test asks of one page's trace, beyond what the property checker judges, so that a
 * failure says plainly which page missed what.
 */
import type { TraceEvent } from '@synchrony/sim';

type DeliverEvent = Extract<TraceEvent, { k: 'deliver' }>;

function deliveries(trace: readonly TraceEvent[]): DeliverEvent[] {
  return trace.filter((e): e is DeliverEvent => e.k === 'deliver');
}

/** Ids of every message the page delivered, sorted (a set, comparable between pages). */
export function deliveredIdSet(trace: readonly TraceEvent[]): string[] {
  return deliveries(trace).map((e) => e.id).sort();
}

/** Ids of the total-order messages the page delivered, in delivery order. */
export function totalOrderSequence(trace: readonly TraceEvent[]): string[] {
  return deliveries(trace).filter((e) => e.order === 'total').map((e) => e.id);
}

/** Ids of every message the page sent, sorted. */
export function sentIds(trace: readonly TraceEvent[]): string[] {
  return trace.flatMap((e) => (e.k === 'send' ? [e.id] : [])).sort();
}

/** The id of the first view the page installed: 1 only at the page that founded the group. */
export function firstViewId(trace: readonly TraceEvent[]): number | undefined {
  const first = trace.find((e) => e.k === 'view');
  return first?.k === 'view' ? first.view.id : undefined;
}

/** The time (on the pages' common epoch) at which the page installed view `viewId`, if it did. */
export function viewInstalledAt(trace: readonly TraceEvent[], viewId: number): number | undefined {
  return trace.find((e) => e.k === 'view' && e.view.id === viewId)?.at;
}

/** The states the page received by state transfer. */
export function transferredStates(trace: readonly TraceEvent[]): Array<Extract<TraceEvent, { k: 'setState' }>['state']> {
  return trace.flatMap((e) => (e.k === 'setState' ? [e.state] : []));
}
