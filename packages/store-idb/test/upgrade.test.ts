/**
 * The versioned schema: a database at any older version is brought up to date by the migrations it
 * has not had, keeping its records; an upgrade that another tab blocks ends in a StoreError within
 * openTimeoutMs and completes once that tab lets go; this store lets go at once when another
 * tab's newer code asks (versionchange), and from then on says its code is too old.
 *
 * "Another tab" is a second connection in the same JavaScript process: IndexedDB's version rules
 * are per database, whichever page holds the connection. Version 2 is a test layout (version 1
 * plus an index), standing for the next release's.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../src/index.js';
import { createIdbStore } from '../src/idb-store.js';
import { SCHEMA, type Schema } from '../src/schema.js';
import { freshIndexedDB, rawOpen } from './fake-indexeddb.js';
import { checkpoint, view } from './group-store-contract.js';

/** The next release's layout: version 1's stores, plus an index of checkpoints by view. */
const NEXT: Schema = {
  version: 2,
  migrations: [...SCHEMA.migrations, (_database, transaction) => transaction.objectStore('checkpoints').createIndex('by-view', 'viewId')],
};

const OPEN_TIMEOUT_MS = 200;

beforeEach(() => {
  freshIndexedDB();
});

describe('upgrades', () => {
  it('a new database runs every migration; a version-1 database runs the rest and keeps its records', async () => {
    const fresh = createIdbStore('fresh', {}, NEXT);
    await fresh.saveCheckpoint('g', checkpoint(1, 0));
    const old = createIdbStore('old', {}, SCHEMA);
    await old.saveCheckpoint('g', checkpoint(7, 4));
    await old.saveView('g', view(7));
    old.close();
    const upgraded = createIdbStore('old', {}, NEXT);
    expect(await upgraded.load('g')).toMatchObject({ viewId: 7, position: 4 });
    expect(await upgraded.views('g')).toEqual([view(7)]);
    for (const name of ['synchrony:fresh', 'synchrony:old']) {
      const raw = await rawOpen(name, 2);
      expect(raw.version).toBe(2);
      expect(Array.from(raw.transaction('checkpoints').objectStore('checkpoints').indexNames)).toEqual(['by-view']);
      raw.close();
    }
  });

  it('a schema whose migrations do not add up to its version fails the open with a StoreError', async () => {
    const broken = createIdbStore('broken', {}, { version: 3, migrations: SCHEMA.migrations });
    const error: unknown = await broken.load('g').then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).reason).toBe('failed');
    expect((error as StoreError).message).toMatch(/could not upgrade the database to version 3: .*needs 3 migrations, not 1/);
  });

  it('a migration that throws leaves the database at its old version, records intact', async () => {
    const old = createIdbStore('half', {}, SCHEMA);
    await old.saveCheckpoint('g', checkpoint(6, 1));
    old.close();
    const failing: Schema = { version: 2, migrations: [...SCHEMA.migrations, () => { throw new Error('disk on fire'); }] };
    const error: unknown = await createIdbStore('half', {}, failing).load('g').then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ name: 'StoreError', message: expect.stringMatching(/disk on fire/) });
    expect(await createIdbStore('half', {}, SCHEMA).load('g')).toMatchObject({ viewId: 6, position: 1 });
  });
});

describe('a blocked upgrade', () => {
  it('another tab that holds version 1 open and ignores versionchange blocks it: calls reject within openTimeoutMs, and succeed once it closes', async () => {
    const old = createIdbStore('shared', {}, SCHEMA);
    await old.saveCheckpoint('g', checkpoint(3, 1));
    old.close();
    const stubborn = await rawOpen('synchrony:shared', 1); // no onversionchange: it never lets go
    const next = createIdbStore('shared', { openTimeoutMs: OPEN_TIMEOUT_MS }, NEXT);
    const startedMs = Date.now();
    const error: unknown = await next.load('g').then(() => undefined, (e: unknown) => e);
    const waitedMs = Date.now() - startedMs;
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).reason).toBe('blocked');
    expect((error as StoreError).message).toMatch(/another tab holds the database open at version 1 and blocks the upgrade to version 2/);
    expect(waitedMs).toBeGreaterThanOrEqual(OPEN_TIMEOUT_MS - 5);
    expect(waitedMs).toBeLessThan(OPEN_TIMEOUT_MS + 500);
    await expect(next.saveView('g', view(3))).rejects.toMatchObject({ name: 'StoreError', reason: 'blocked' });
    stubborn.close(); // the user closes the old tab: the open under way completes
    expect(await next.load('g')).toMatchObject({ viewId: 3, position: 1 });
  });

  it('this store, holding version 1, lets go on versionchange: the newer tab upgrades at once, and this one then reports that its code is too old', async () => {
    const reported: StoreError[] = [];
    const old = createIdbStore('polite', { onError: (e) => reported.push(e) }, SCHEMA);
    await old.saveCheckpoint('g', checkpoint(2, 2));
    const next = createIdbStore('polite', { openTimeoutMs: OPEN_TIMEOUT_MS }, NEXT);
    const startedMs = Date.now();
    expect(await next.load('g')).toMatchObject({ viewId: 2, position: 2 });
    expect(Date.now() - startedMs).toBeLessThan(OPEN_TIMEOUT_MS);
    for (let i = 0; i < 2; i += 1) { // for good, and at once: it does not retry an open that cannot work
      const error: unknown = await old.saveCheckpoint('g', checkpoint(2, 3)).then(() => undefined, (e: unknown) => e);
      expect(error).toMatchObject({ name: 'StoreError', reason: 'version' });
      expect((error as StoreError).message).toMatch(/newer version than this code/);
      expect(((error as StoreError).cause as DOMException).name).toBe('VersionError');
    }
    expect(await next.load('g')).toMatchObject({ position: 2 }); // the old tab's write never landed
    expect(reported).toEqual([]);
  });

  it('a deletion by another tab (clearing site data) is not blocked by this store, which then starts afresh', async () => {
    const store = createIdbStore('cleared', {}, SCHEMA);
    await store.saveCheckpoint('g', checkpoint(4, 0));
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.deleteDatabase('synchrony:cleared');
      request.onsuccess = () => resolve();
      request.onerror = () => reject(request.error ?? new Error('delete failed'));
    });
    expect(await store.load('g')).toBeUndefined();
    await store.saveCheckpoint('g', checkpoint(5, 0));
    expect(await store.load('g')).toMatchObject({ viewId: 5 });
  });
});
