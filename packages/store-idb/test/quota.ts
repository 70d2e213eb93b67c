/**
 * A disk that is full, on fake-indexeddb (which has no quota): puts of records larger than a
 * budget fail with a QuotaExceededError DOMException, in one of two ways.
 *
 * - `throw`: `put` itself throws, at the call (the fake the tests' brief names; some engines throw
 *   synchronously for what they can tell at once, DataCloneError for one).
 * - `request`: the put's request fails and the failure aborts the transaction with that error, as
 *   Chromium and Firefox report a full disk. This reaches into fake-indexeddb's internals
 *   (`_execRequestAsync`, the function every request goes through), pinned by the lock file.
 */
import './fake-indexeddb.js'; // IDBObjectStore below is fake-indexeddb's class

type Put = (this: IDBObjectStore, value: unknown, key?: IDBValidKey) => IDBRequest;
interface Internals { transaction: { _execRequestAsync(request: { operation: () => never; source: unknown }): IDBRequest } }

/** The size a record takes against the budget: its state's bytes, or 0. */
function sizeOf(value: unknown): number {
  const state = (value as { state?: unknown } | null)?.state;
  return state instanceof Uint8Array ? state.byteLength : 0;
}

/** Makes puts of records over `budgetBytes` fail; returns the function that lifts the quota. */
export function simulateQuota(budgetBytes: number, mode: 'throw' | 'request'): () => void {
  const prototype = IDBObjectStore.prototype as unknown as { put: Put };
  const original = prototype.put;
  prototype.put = function put(this: IDBObjectStore, value: unknown, key?: IDBValidKey): IDBRequest {
    if (sizeOf(value) <= budgetBytes) return original.call(this, value, key);
    const full = new DOMException(`the quota of ${budgetBytes} bytes is exceeded`, 'QuotaExceededError');
    if (mode === 'throw') throw full;
    return (this as unknown as Internals).transaction._execRequestAsync({ operation: () => { throw full; }, source: this });
  };
  return () => {
    prototype.put = original;
  };
}

/** Counts the puts into object store `store` until the returned `stop` is called. */
export function countPuts(store: string): { readonly count: () => number; stop(): void } {
  const prototype = IDBObjectStore.prototype as unknown as { put: Put };
  const original = prototype.put;
  let count = 0;
  prototype.put = function put(this: IDBObjectStore, value: unknown, key?: IDBValidKey): IDBRequest {
    if (this.name === store) count += 1;
    return original.call(this, value, key);
  };
  return { count: () => count, stop: () => { prototype.put = original; } };
}
