/**
 * `idbStore(name)`: a `GroupStore` of @synchrony/core (runtime/persistence.ts) in IndexedDB, one
 * database per name, through idb. The core asks it to log each primary view its member installs
 * and to replace the group's checkpoint now and then; when every member of a group has failed and
 * processes come back, it reads the checkpoint back to rank it against theirs.
 *
 * Persistence is best effort, never in the way of the group: every method settles (within
 * `openTimeoutMs` for an open, one transaction otherwise), every failure is a rejected StoreError
 * that the core reports on `process.on('error')`, and writes are coalesced so a slow or failing
 * disk holds at most one waiting checkpoint per group.
 */
import type { GroupStore, StoredCheckpoint, StoredView } from '@synchrony/core';
import { CoalescingWriter } from './coalescing-writer.js';
import { Connection } from './connection.js';
import { resolveOptions, type IdbStoreOptions } from './options.js';
import { watchPageExit } from './page-exit.js';
import { checkCheckpoint, checkView, ownBytes } from './records.js';
import { SCHEMA, type Schema, type StoreDatabase } from './schema.js';
import { asStoreError, StoreError } from './store-error.js';
import { appendViews, putCheckpoints, readCheckpoint, readViews } from './transactions.js';

/** The GroupStore that {@link idbStore} returns, with what a page or a test may also want. */
export interface IdbGroupStore extends GroupStore {
  /** The IndexedDB database: `synchrony:` and the store's name. */
  readonly databaseName: string;
  /** The view log of `group`, oldest first (corrupt records are skipped and reported to `onError`). */
  views(group: string): Promise<StoredView[]>;
  /** Resolves once every write asked for so far has been committed or has failed. */
  settled(): Promise<void>;
  /** Calls `checkpointNow` when the tab is hidden or goes away (`pagehide`); returns the function that stops. */
  watch(group: string, checkpointNow: () => void): () => void;
  /** Closes the database; every later call rejects with a StoreError whose reason is `closed`. */
  close(): void;
}

/** The prefix of the IndexedDB database of each store name, so that it never meets the application's own. */
export const DATABASE_PREFIX = 'synchrony:';

/** Transactions that may run together: one, and one more started at page exit. */
const MAX_RUNNING = 2;

/**
 * A GroupStore in IndexedDB, for `JoinOptions.store`:
 *
 * ```ts
 * const group = peer.group('board', { store: idbStore('my-app') });
 * ```
 *
 * Throws a TypeError for an empty name and a RangeError for an option out of range; every other
 * failure is a rejection of the method that met it.
 */
export function idbStore(name: string, options: IdbStoreOptions = {}): IdbGroupStore {
  return createIdbStore(name, options, SCHEMA);
}

/** {@link idbStore} with a schema of its own (the tests' newer versions, to exercise upgrades). */
export function createIdbStore(name: string, options: IdbStoreOptions, schema: Schema): IdbGroupStore {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('the store needs a name (a non-empty string)');
  const resolved = resolveOptions(options);
  const databaseName = DATABASE_PREFIX + name;
  const connection = new Connection(databaseName, schema, resolved);
  /** Between the page going away and coming back: checkpoint writes start at once, not after the one under way. */
  let exiting = false;

  /** Runs `action` on the open database; retries once if another tab's upgrade closed it meanwhile. */
  const withDatabase = async <T>(what: string, action: (database: StoreDatabase) => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      const database = await connection.get();
      try {
        return await action(database);
      } catch (error) {
        const closedUnderUs = (error as { name?: unknown }).name === 'InvalidStateError' && connection.current !== database;
        if (!closedUnderUs || attempt === 2) throw asStoreError(error, `store ${databaseName}: ${what}`);
      }
    }
  };

  const views = new CoalescingWriter<StoredView>(resolved.maxViews, 1, (batch) =>
    withDatabase('could not log a view', (database) => appendViews(database, batch, resolved.maxViews)));
  const checkpoints = new CoalescingWriter<StoredCheckpoint>(1, MAX_RUNNING, (batch) =>
    withDatabase('could not store a checkpoint', (database) => putCheckpoints(database, batch)));

  return {
    databaseName,

    async load(group) {
      checkGroup(group);
      await checkpoints.idle(); // this process reads its own last write
      const record = await withDatabase(`could not read the checkpoint of group ${group}`, (database) => readCheckpoint(database, group));
      if (record === undefined) return undefined;
      const checked = checkCheckpoint(record);
      if (!checked.ok) throw new StoreError('corrupt', `store ${databaseName}: the stored checkpoint of group ${group} is corrupt (${checked.problem}); ignored`);
      return checked.value;
    },

    async saveView(group, view) {
      checkGroup(group);
      const checked = checkView(view);
      if (!checked.ok) throw new TypeError(`not a view to log: ${checked.problem}`);
      await views.submit(group, { ...checked.value, members: [...checked.value.members] });
    },

    async saveCheckpoint(group, checkpoint) {
      checkGroup(group);
      const checked = checkCheckpoint(checkpoint);
      if (!checked.ok) throw new TypeError(`not a checkpoint to store: ${checked.problem}`);
      await checkpoints.submit(group, { ...checked.value, state: ownBytes(checked.value.state) }, exiting);
    },

    async views(group) {
      checkGroup(group);
      await views.idle();
      const records = await withDatabase(`could not read the view log of group ${group}`, (database) => readViews(database, group));
      const valid: StoredView[] = [];
      for (const record of records) {
        const checked = checkView(record);
        if (checked.ok) valid.push(checked.value);
        else resolved.onError(new StoreError('corrupt', `store ${databaseName}: a logged view of group ${group} is corrupt (${checked.problem}); skipped`));
      }
      return valid;
    },

    async settled() {
      await Promise.all([views.idle(), checkpoints.idle()]);
    },

    watch(group, checkpointNow) {
      checkGroup(group);
      return watchPageExit(() => {
        exiting = true;
        try {
          checkpointNow();
        } catch (error) {
          resolved.onError(asStoreError(error, `store ${databaseName}: the checkpoint of group ${group} at page exit failed`));
        }
      }, () => {
        exiting = false;
      });
    },

    close() {
      connection.close();
    },
  };
}

function checkGroup(group: unknown): void {
  if (typeof group !== 'string' || group.length === 0) throw new TypeError('a group name is a non-empty string');
}
