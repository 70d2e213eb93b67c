/**
 * Every storage failure ends in a rejected StoreError (with IndexedDB's error as its cause), and
 * none loses what is stored already or leaves a call hanging: no IndexedDB, an open that throws
 * (private mode), a full disk (two ways), corrupt records, a closed store, bad arguments.
 * Upgrades and the blocked ones are in upgrade.test.ts.
 */
import { forceCloseDatabase } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { idbStore, StoreError, type StoreErrorReason } from '../src/index.js';
import { freshIndexedDB, rawGet, rawOpen, rawPut } from './fake-indexeddb.js';
import { checkpoint, view } from './group-store-contract.js';
import { simulateQuota } from './quota.js';

/** Awaits `promise` and returns its rejection, which must be a StoreError for `reason`. */
async function storeError(promise: Promise<unknown>, reason: StoreErrorReason): Promise<StoreError> {
  const error: unknown = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(StoreError);
  const failure = error as StoreError;
  expect(failure.name).toBe('StoreError');
  expect(failure.reason).toBe(reason);
  return failure;
}

let lift: (() => void) | undefined;

beforeEach(() => {
  freshIndexedDB();
});

afterEach(() => {
  lift?.();
  lift = undefined;
});

describe('no IndexedDB at all', () => {
  it('every method rejects with a StoreError that says so; watch still works; a later call tries again', async () => {
    const factory = globalThis.indexedDB;
    const scope = globalThis as { indexedDB?: IDBFactory };
    delete scope.indexedDB;
    try {
      const store = idbStore('nowhere');
      const failures = [
        await storeError(store.load('g'), 'unavailable'),
        await storeError(store.saveView('g', view(1)), 'unavailable'),
        await storeError(store.saveCheckpoint('g', checkpoint(1, 0)), 'unavailable'),
        await storeError(store.views('g'), 'unavailable'),
      ];
      for (const failure of failures) expect(failure.message).toMatch(/IndexedDB is not available here/);
      const unwatch = store.watch('g', () => {});
      unwatch();
      scope.indexedDB = factory; // say, a polyfill installed later
      await store.saveCheckpoint('g', checkpoint(2, 1));
      expect((await store.load('g'))?.position).toBe(1);
    } finally {
      scope.indexedDB = factory;
    }
  });

  it('an open that throws (a private mode that refuses IndexedDB) rejects with the DOMException as cause', async () => {
    const denied = new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError');
    const factory = globalThis.indexedDB;
    globalThis.indexedDB = { open: () => { throw denied; } } as unknown as IDBFactory;
    try {
      const failure = await storeError(idbStore('private').saveCheckpoint('g', checkpoint(1, 0)), 'unavailable');
      expect(failure.cause).toBe(denied);
      expect(failure.message).toMatch(/refused to open .*InvalidStateError/);
    } finally {
      globalThis.indexedDB = factory;
    }
  });
});

describe('a full disk', () => {
  for (const mode of ['throw', 'request'] as const) {
    it(`a checkpoint over the quota (put ${mode === 'throw' ? 'throws' : 'request fails'}) rejects with reason quota; the previous one stays, views go on`, async () => {
      const store = idbStore(`full-${mode}`);
      await store.saveCheckpoint('g', checkpoint(3, 2, [1, 2, 3]));
      lift = simulateQuota(1024, mode);
      const failure = await storeError(store.saveCheckpoint('g', checkpoint(3, 9, new Array<number>(4096).fill(7))), 'quota');
      expect((failure.cause as DOMException).name).toBe('QuotaExceededError');
      expect(failure.message).toMatch(/storage quota exceeded/);
      await store.saveView('g', view(4)); // small records still fit
      expect(await store.load('g')).toMatchObject({ viewId: 3, position: 2 });
      lift();
      lift = undefined;
      await store.saveCheckpoint('g', checkpoint(4, 1, new Array<number>(4096).fill(7)));
      expect(await store.load('g')).toMatchObject({ viewId: 4, position: 1 });
      expect((await store.views('g')).map((v) => v.id)).toEqual([4]);
    });
  }

  it('every write coalesced into a batch that fails rejects with its error', async () => {
    const store = idbStore('full-batch');
    lift = simulateQuota(10, 'request');
    const writes = Array.from({ length: 5 }, (_, i) => store.saveCheckpoint('g', checkpoint(1, i, new Array<number>(64).fill(i))));
    const outcomes = await Promise.allSettled(writes);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
    expect(await store.load('g')).toBeUndefined();
  });
});

describe('corrupt records', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['not an object', 'garbage', /not an object/],
    ['an array', [1, 2], /not an object/],
    ['a view id that is a string', { ...checkpoint(2, 1), viewId: '2' }, /viewId is not a view id/],
    ['a view id of 0', { ...checkpoint(2, 1), viewId: 0 }, /viewId/],
    ['a negative position', { ...checkpoint(2, 1), position: -1 }, /position is not a position/],
    ['a fractional position', { ...checkpoint(2, 1), position: 1.5 }, /position/],
    ['a state that is an array of numbers', { ...checkpoint(2, 1), state: [1, 2] }, /state is not bytes/],
    ['a state that is an ArrayBuffer', { ...checkpoint(2, 1), state: new ArrayBuffer(4) }, /state is not bytes/],
    ['no member', { ...checkpoint(2, 1), member: undefined }, /member is not a member id/],
    ['a time that is not a number', { ...checkpoint(2, 1), savedAtMs: 'yesterday' }, /savedAtMs/],
  ];
  for (const [what, record, problem] of bad) {
    it(`a checkpoint record with ${what} is reported (reason corrupt) and a new checkpoint replaces it`, async () => {
      const store = idbStore('corrupt');
      await store.saveCheckpoint('other', checkpoint(1, 0)); // creates the database
      const raw = await rawOpen(store.databaseName, 1);
      await rawPut(raw, 'checkpoints', 'g', record);
      raw.close();
      const failure = await storeError(store.load('g'), 'corrupt');
      expect(failure.message).toMatch(problem);
      expect(failure.message).toMatch(/group g .*ignored/);
      await store.saveCheckpoint('g', checkpoint(5, 5));
      expect(await store.load('g')).toMatchObject({ viewId: 5, position: 5 });
    });
  }

  it('a corrupt logged view is skipped by views() and reported to onError', async () => {
    const reported: StoreError[] = [];
    const store = idbStore('corrupt-log', { onError: (error) => reported.push(error) });
    await store.saveView('g', view(1));
    await store.saveView('g', view(2));
    const raw = await rawOpen(store.databaseName, 1);
    await rawPut(raw, 'views', ['g', 2], { id: 2, members: 'a#1', member: 'a#1', savedAtMs: 0 });
    raw.close();
    await store.saveView('g', view(3));
    expect((await store.views('g')).map((v) => v.id)).toEqual([1, 3]);
    expect(reported.map((e) => [e.reason, e.message])).toEqual([['corrupt', expect.stringMatching(/members is not a list of member ids/)]]);
  });
});

describe('what is stored', () => {
  it('the state is stored as its own bytes: not the shared buffer it was a view of, and not the caller\'s array', async () => {
    const store = idbStore('bytes');
    const shared = new Uint8Array(8192).fill(9);
    const state = shared.subarray(100, 110); // as msgpackr hands them out
    await store.saveCheckpoint('g', { ...checkpoint(1, 0), state });
    shared.fill(0);
    const raw = await rawOpen(store.databaseName, 1);
    const record = (await rawGet(raw, 'checkpoints', 'g')) as { state: Uint8Array };
    raw.close();
    expect(record.state.byteLength).toBe(10);
    expect(record.state.buffer.byteLength).toBe(10);
    expect([...record.state]).toEqual(new Array<number>(10).fill(9));
  });
});

describe('misuse', () => {
  it('bad arguments: a TypeError or RangeError at the call, or a rejection', async () => {
    expect(() => idbStore('')).toThrow(TypeError);
    expect(() => idbStore('x', { maxViews: 0 })).toThrow(RangeError);
    expect(() => idbStore('x', { openTimeoutMs: -1 })).toThrow(RangeError);
    const store = idbStore('x');
    await expect(store.load('')).rejects.toThrow(TypeError);
    await expect(store.saveCheckpoint('g', { ...checkpoint(1, 0), state: 'abc' as unknown as Uint8Array })).rejects.toThrow(/not a checkpoint to store: state/);
    await expect(store.saveView('g', { ...view(1), members: [] })).rejects.toThrow(/not a view to log/);
  });

  it('after close(), every call rejects with reason closed; what was written stays', async () => {
    const store = idbStore('closing');
    await store.saveCheckpoint('g', checkpoint(1, 3));
    store.close();
    await storeError(store.load('g'), 'closed');
    await storeError(store.saveCheckpoint('g', checkpoint(1, 4)), 'closed');
    expect(await idbStore('closing').load('g')).toMatchObject({ position: 3 });
  });
});

describe('the browser closes the connection', () => {
  it('(storage cleared, a disk error) is reported to onError, and the next call opens it again', async () => {
    const factory = globalThis.indexedDB;
    const opened: IDBOpenDBRequest[] = [];
    const open = factory.open.bind(factory);
    factory.open = (name: string, version?: number) => {
      const request = open(name, version);
      opened.push(request);
      return request;
    };
    const reported: StoreError[] = [];
    const store = idbStore('terminated', { onError: (error) => reported.push(error) });
    await store.saveCheckpoint('g', checkpoint(1, 1));
    // fake-indexeddb's types declare the parameter as the class, not an instance
    forceCloseDatabase(opened[0]!.result as unknown as Parameters<typeof forceCloseDatabase>[0]);
    expect(reported.map((e) => e.reason)).toEqual(['failed']);
    expect(reported[0]!.message).toMatch(/the browser closed the database connection/);
    await store.saveCheckpoint('g', checkpoint(1, 2));
    expect(await store.load('g')).toMatchObject({ position: 2 });
    expect(opened).toHaveLength(2);
  });
});
