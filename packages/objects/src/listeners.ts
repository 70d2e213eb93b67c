/**
 * The 'change' listeners of an object, and where their failures go. A listener that throws must
 * break neither the others nor the object: every listener runs, the update is applied in full,
 * and the failures are reported afterwards, once the object is consistent again.
 *
 * Reported where: on the live path (an operation or a view arriving from the group) the object
 * throws them back to the core once it is done, and the core reports them on the process's
 * 'error' event, as it does for a 'message' listener that throws. While a checkpoint is loaded or
 * a backlog replayed, throwing would cut that replay short, so they are rethrown asynchronously
 * instead (queueMicrotask: the runtime's uncaught-error path, as for an EventTarget listener).
 */

/** A listener of 'change' events. */
export type Listener<E> = (event: E) => void;

const asError = (x: unknown): Error => (x instanceof Error ? x : new Error(String(x)));

/** One error for several failures (the first one's message, and how many more). */
export function combine(failures: readonly Error[]): Error {
  if (failures.length === 1) return failures[0]!;
  const error = new Error(`${failures.length} change listeners failed; the first: ${failures[0]!.message}`);
  (error as Error & { errors: readonly Error[] }).errors = failures;
  return error;
}

/** Rethrows an error outside of any caller: the runtime reports it as uncaught. */
export function rethrowLater(error: Error): void {
  (globalThis as unknown as { queueMicrotask(callback: () => void): void }).queueMicrotask(() => {
    throw error;
  });
}

/** A set of listeners that collects, instead of propagating, what they throw. */
export class Listeners<E> {
  private readonly set = new Set<Listener<E>>();

  /** Adds a listener; returns the function that removes it. */
  add(listener: Listener<E>): () => void {
    if (typeof listener !== 'function') throw new TypeError('a change listener must be a function');
    this.set.add(listener);
    return () => void this.set.delete(listener);
  }

  /** Calls every listener with `event`; what they throw goes to `failures`. */
  emit(event: E, failures: Error[]): void {
    if (this.set.size === 0) return;
    for (const listener of [...this.set]) {
      try {
        listener(event);
      } catch (error) {
        failures.push(asError(error));
      }
    }
  }
}
