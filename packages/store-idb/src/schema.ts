/**
 * The database's layout and how it gets there. One IndexedDB database per store name, at version
 * {@link SCHEMA_VERSION}, with two object stores:
 *
 * - `views`: the log of installed views, key `[group, seq]` (seq counts up from 1 per group), so a
 *   group's log is one key range: appended at its end, trimmed at its start.
 * - `checkpoints`: the last checkpoint of each group, key `group`.
 *
 * The records are the core's `StoredView` and `StoredCheckpoint` as they are (structured clone keeps
 * the state's bytes as a Uint8Array); records.ts checks them on the way back in.
 *
 * Upgrades: `migrations[v]` takes a database from version v to v + 1, inside the upgrade
 * transaction, so a database at any older version (0: it does not exist yet) is brought up to date
 * by running the ones it has not had, in order. A layout change appends a migration and bumps the
 * version; it never edits an old one.
 */
import type { DBSchema, IDBPDatabase, IDBPTransaction } from 'idb';
import type { StoredCheckpoint, StoredView } from '@synchrony/core';

/** The object stores and their keys, for idb's typed API. */
export interface StoreSchema extends DBSchema {
  views: { key: [string, number]; value: StoredView };
  checkpoints: { key: string; value: StoredCheckpoint };
}

/** The open database. */
export type StoreDatabase = IDBPDatabase<StoreSchema>;

/** One step of the upgrade path: from version `index` to `index + 1`. */
export type Migration = (database: IDBPDatabase<unknown>, transaction: IDBPTransaction<unknown, string[], 'versionchange'>) => void;

/** A layout: its version and the migrations that lead to it (exactly `version` of them). */
export interface Schema {
  readonly version: number;
  readonly migrations: readonly Migration[];
}

/** Version 1: the two object stores. */
const createStores: Migration = (database) => {
  database.createObjectStore('views');
  database.createObjectStore('checkpoints');
};

/** The layout this code writes and reads. */
export const SCHEMA: Schema = { version: 1, migrations: [createStores] };

/** The IndexedDB version of the databases this code writes: a tab with older code is asked to let go of them. */
export const SCHEMA_VERSION = SCHEMA.version;

/** Runs the migrations from `oldVersion` up to the schema's version (idb's `upgrade` callback). */
export function upgrade(
  schema: Schema,
  database: IDBPDatabase<unknown>,
  oldVersion: number,
  transaction: IDBPTransaction<unknown, string[], 'versionchange'>,
): void {
  if (schema.migrations.length !== schema.version) {
    throw new Error(`schema version ${schema.version} needs ${schema.version} migrations, not ${schema.migrations.length}`);
  }
  for (let version = oldVersion; version < schema.version; version += 1) schema.migrations[version]!(database, transaction);
}

/** The key range of one group's view log: `[group, anything]` (arrays sort after numbers). */
export function groupRange(group: string): IDBKeyRange {
  return IDBKeyRange.bound([group], [group, []]);
}
