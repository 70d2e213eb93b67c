/**
 * @synchrony/store-idb: persistence of Synchrony groups' views and checkpoints in IndexedDB,
 * through idb, for `JoinOptions.store`: after a total failure (every tab closed), the processes
 * that come back restart the group from the stored checkpoint that reflects the most updates.
 */
export { idbStore, DATABASE_PREFIX, type IdbGroupStore } from './idb-store.js';
export { DEFAULT_MAX_VIEWS, DEFAULT_OPEN_TIMEOUT_MS, type IdbStoreOptions } from './options.js';
export { StoreError, type StoreErrorReason } from './store-error.js';
export { SCHEMA_VERSION } from './schema.js';
