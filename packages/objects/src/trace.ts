/**
 * A window for the tests on what the objects of a group apply, in the order they apply it: each
 * decoded operation with where it came from, each primary view, each reset to a checkpoint. The
 * model-based tests replay it into a plain sequential model. Tracing is set per group, before the
 * objects are opened, so that the backlog an object replays when it opens is traced too. Not
 * exported from the package: it is internal.
 */
import type { Group, View } from '@synchrony/core';

/** One step of an object's history at one member. */
export type TraceStep =
  | { readonly kind: 'op'; readonly op: unknown; readonly sender: string; readonly viewId: number; readonly n: number }
  | { readonly kind: 'view'; readonly view: View }
  | { readonly kind: 'load'; readonly state: unknown };

/** Receives the steps of every object of a group, with the object's name. */
export type Tracer = (object: { readonly name: string }, step: TraceStep) => void;

const tracers = new WeakMap<Group, Tracer>();

/** Calls `tracer` with every step of every object of `group` from now on (one tracer per group). */
export function traceObjects(group: Group, tracer: Tracer): void {
  tracers.set(group, tracer);
}

/** Called by the objects themselves: hands a step to their group's tracer, if any. */
export function traceStep(object: { readonly group: Group; readonly name: string }, step: () => TraceStep): void {
  const tracer = tracers.get(object.group);
  if (tracer !== undefined) tracer(object, step());
}
