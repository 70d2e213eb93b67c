/**
 * A window for the tests on what an object applies, in the order it applies it: each decoded
 * operation with where it came from, each primary view, each reset to a checkpoint. The model-based
 * tests replay it into a plain sequential model. Not exported from the package: it is internal.
 */
import type { View } from '@synchrony/core';

/** One step of an object's history at one member. */
export type TraceStep =
  | { readonly kind: 'op'; readonly op: unknown; readonly sender: string; readonly viewId: number; readonly n: number }
  | { readonly kind: 'view'; readonly view: View }
  | { readonly kind: 'load'; readonly state: unknown };

const tracers = new WeakMap<object, (step: TraceStep) => void>();

/** Calls `tracer` with every step of `object` from now on (one tracer per object). */
export function traceObject(object: object, tracer: (step: TraceStep) => void): void {
  tracers.set(object, tracer);
}

/** Called by the objects themselves: hands a step to the object's tracer, if any. */
export function traceStep(object: object, step: () => TraceStep): void {
  const tracer = tracers.get(object);
  if (tracer !== undefined) tracer(step());
}
