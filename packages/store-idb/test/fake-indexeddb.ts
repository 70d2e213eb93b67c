/**
 * fake-indexeddb for the Node tests: its globals (`indexedDB`, `IDBKeyRange`, the classes idb
 * checks with instanceof) installed once, and a fresh, empty `indexedDB` per test. idb reads the
 * global `indexedDB` at each open, so replacing it is a new "browser profile".
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';

/** Replaces `globalThis.indexedDB` with an empty factory: nothing stored, no connection open. */
export function freshIndexedDB(): IDBFactory {
  const factory = new IDBFactory();
  globalThis.indexedDB = factory;
  return factory;
}

/** Opens `name` at `version` with the raw API, creating the given object stores if they are missing. */
export function rawOpen(name: string, version: number, stores: readonly string[] = []): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, version);
    request.onupgradeneeded = () => {
      for (const store of stores) if (!request.result.objectStoreNames.contains(store)) request.result.createObjectStore(store);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('open failed'));
    request.onblocked = () => {};
  });
}

/** Writes `value` under `key` in `store` with the raw API, bypassing every check of the store. */
export function rawPut(database: IDBDatabase, store: string, key: IDBValidKey, value: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const transaction = database.transaction(store, 'readwrite');
    transaction.objectStore(store).put(value, key);
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error ?? new Error('put failed'));
  });
}

/** Reads `key` of `store` with the raw API. */
export function rawGet(database: IDBDatabase, store: string, key: IDBValidKey): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = database.transaction(store).objectStore(store).get(key);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('get failed'));
  });
}
