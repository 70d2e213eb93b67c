/**
 * The examples of packages/store-idb/README.md, as code that a test runs (readme.test.ts runs
 * each on the simulator with fake-indexeddb, and checks that the README quotes each region exactly
 * as it is here). `peer` is a process, as `await connect({ signaling })` gives one.
 */
import type { Process } from '@synchrony/core';
import { Counter } from '@synchrony/objects';
import { idbStore, type StoreError } from '@synchrony/store-idb';

export async function quickStart(peer: Process): Promise<Counter> {
  // #region quick-start
  const store = idbStore('my-app');                 // the IndexedDB database 'synchrony:my-app'
  const group = peer.group('board', { store });
  const clicks = await Counter.open(group, 'clicks');
  await group.join(); // if every member had gone, the group restarts from the best stored checkpoint
  await clicks.add(1);
  // #endregion quick-start
  return clicks;
}

export function storageErrors(peer: Process, showBanner: (text: string) => void): void {
  // #region errors
  peer.on('error', (error) => {
    if (error.name !== 'StoreError') return;          // storage trouble: the group itself goes on
    const reason = (error.cause as StoreError | undefined)?.reason; // the store's own error, with its reason
    if (reason === 'quota') showBanner('Storage is full: this device keeps an older copy of the board');
    if (reason === 'blocked') showBanner('Close the other tabs of this app to finish its update');
  });
  // #endregion errors
}

export async function inspect(): Promise<[number | undefined, number]> {
  // #region inspect
  const store = idbStore('my-app');
  const checkpoint = await store.load('board');     // { viewId, position, state, member, savedAtMs }, or undefined
  const log = await store.views('board');           // the views this device installed, oldest first (the last 1000)
  // #endregion inspect
  store.close();
  return [checkpoint?.viewId, log.length];
}
