/**
 * The store's reads and writes, each one IndexedDB transaction. Whatever a transaction does
 * wrong (a request that fails, a put that throws, an abort for lack of space) ends in one rejected
 * promise and an aborted transaction, never an unhandled rejection: an aborted transaction leaves
 * the database as it was, so a failed checkpoint write keeps the previous checkpoint.
 */
import type { StoredCheckpoint, StoredView } from '@synchrony/core';
import type { IDBPTransaction, StoreNames } from 'idb';
import type { Batch } from './coalescing-writer.js';
import { groupRange, type StoreDatabase, type StoreSchema } from './schema.js';

type WriteTransaction<S extends StoreNames<StoreSchema>> = IDBPTransaction<StoreSchema, [S], 'readwrite'>;

/**
 * Runs `work` in `transaction` and resolves once it committed. `work` issues its requests and
 * returns their promises; the transaction is committed as soon as they are issued (`commit()`,
 * where the browser has it), rather than at the end of the task: at page exit that task may be the
 * page's last.
 */
async function commitAfter<S extends StoreNames<StoreSchema>>(
  transaction: WriteTransaction<S>,
  work: () => Promise<Array<Promise<unknown>>>,
): Promise<void> {
  const done = transaction.done;
  done.catch(() => {}); // awaited below; this only keeps an early abort from going unhandled
  try {
    const requests = await work();
    requests.forEach((request) => request.catch(() => {})); // each is awaited below, all together
    commit(transaction);
    await Promise.all([...requests, done]);
  } catch (error) {
    abort(transaction);
    throw error;
  }
}

function commit(transaction: { commit?: () => void }): void {
  try {
    transaction.commit?.();
  } catch {
    // Already committing or finished (it auto-committed while work awaited): nothing to do.
  }
}

function abort(transaction: { abort(): void }): void {
  try {
    transaction.abort();
  } catch {
    // Already aborted or finished: what it did is already decided.
  }
}

/**
 * Appends each group's views at the end of its log and trims the log to its last `maxViews`, in
 * one transaction.
 */
export function appendViews(database: StoreDatabase, batch: Batch<StoredView>, maxViews: number): Promise<void> {
  const transaction = database.transaction('views', 'readwrite');
  return commitAfter(transaction, async () => {
    const requests: Array<Promise<unknown>> = [];
    for (const [group, views] of batch) {
      const last = await transaction.store.openKeyCursor(groupRange(group), 'prev');
      let seq = last === null ? 0 : last.key[1];
      for (const view of views) {
        seq += 1;
        requests.push(transaction.store.put(view, [group, seq]));
      }
      if (seq > maxViews) requests.push(transaction.store.delete(IDBKeyRange.bound([group, -Infinity], [group, seq - maxViews])));
    }
    return requests;
  });
}

/** Replaces the checkpoint of each group of the batch with its latest, in one transaction. */
export function putCheckpoints(database: StoreDatabase, batch: Batch<StoredCheckpoint>): Promise<void> {
  const transaction = database.transaction('checkpoints', 'readwrite');
  return commitAfter(transaction, () => {
    const requests: Array<Promise<unknown>> = [];
    for (const [group, checkpoints] of batch) {
      const latest = checkpoints.at(-1);
      if (latest !== undefined) requests.push(transaction.store.put(latest, group));
    }
    return Promise.resolve(requests);
  });
}

/** The stored checkpoint record of `group`, unchecked (records.ts checks it). */
export function readCheckpoint(database: StoreDatabase, group: string): Promise<unknown> {
  return read(database, 'checkpoints', (store) => store.get(group));
}

/** The view log of `group`, oldest first, unchecked. */
export function readViews(database: StoreDatabase, group: string): Promise<unknown[]> {
  return read(database, 'views', (store) => store.getAll(groupRange(group)));
}

/**
 * One read in a transaction of its own. Not idb's `database.get` shortcut: that leaves the
 * transaction's `done` promise unobserved, an unhandled rejection if the read is aborted (the
 * browser closing the connection under it).
 */
async function read<S extends StoreNames<StoreSchema>, T>(
  database: StoreDatabase,
  store: S,
  request: (store: IDBPTransaction<StoreSchema, [S], 'readonly'>['store']) => Promise<T>,
): Promise<T> {
  const transaction = database.transaction(store, 'readonly');
  transaction.done.catch(() => {}); // the request's own rejection says what went wrong
  return await request(transaction.store);
}
