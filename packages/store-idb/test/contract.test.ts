/**
 * The GroupStore contract run against the core's memoryStore (the reference) and idbStore on
 * fake-indexeddb.
 */
import { memoryStore } from '@synchrony/core';
import { beforeEach } from 'vitest';
import { idbStore } from '../src/index.js';
import { freshIndexedDB } from './fake-indexeddb.js';
import { describeGroupStoreContract, type ContractSubject } from './group-store-contract.js';

beforeEach(() => {
  freshIndexedDB();
});

describeGroupStoreContract('memoryStore', (options) => {
  const subject = (store: ReturnType<typeof memoryStore>): ContractSubject => ({
    store,
    views: (group) => Promise.resolve(store.views(group)),
    reopen: () => subject(store), // memory lives as long as the JavaScript process: the same store
  });
  return subject(memoryStore(options));
});

let next = 0;

describeGroupStoreContract('idbStore (fake-indexeddb)', (options) => {
  const name = `contract-${next++}`;
  const subject = (): ContractSubject => {
    const store = idbStore(name, options);
    return { store, views: (group) => store.views(group), reopen: subject };
  };
  return subject();
});
