/**
 * The simulator's persistence scenarios (packages/sim/test/persistence.test.ts) replayed with
 * idbStore on fake-indexeddb instead of memoryStore: one store name per "device" (its own
 * database), a new idbStore on the same name for a process that comes back (a reopened tab). Plus
 * the restart rule with replicated objects, and real storage failures reported by the core.
 *
 * The simulator runs on virtual time and IndexedDB on real tasks: `runWithDisk` advances virtual
 * time in slices and lets the database's tasks run between them, as a disk that takes a few
 * virtual milliseconds per operation.
 */
import type { Process, View } from '@synchrony/core';
import { Counter, ReplicatedMap } from '@synchrony/objects';
import { Simulator } from '@synchrony/sim';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { idbStore, type IdbGroupStore } from '../src/index.js';
import { freshIndexedDB } from './fake-indexeddb.js';
import { simulateQuota } from './quota.js';

const GROUP = 'counter';
const SLICE_MS = 5;

/** Advances virtual time by `ms`, letting IndexedDB's tasks run between slices of SLICE_MS. */
async function runWithDisk(sim: Simulator, ms: number): Promise<void> {
  for (let done = 0; done < ms; done += SLICE_MS) {
    await sim.run(Math.min(SLICE_MS, ms - done));
    for (let i = 0; i < 4; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The simulator scenario's counter application: the sum of what was sent, as the group's state. */
function counterApp(sim: Simulator, name: string, store: IdbGroupStore) {
  const app = { sum: 0, errors: [] as Error[] };
  const process = sim.spawn(name);
  process.on('error', (error) => app.errors.push(error));
  const group = process.group(GROUP, {
    store,
    getState: () => app.sum,
    setState: (state) => { app.sum = state as number; },
  });
  group.on('message', (m) => { app.sum += m.data as number; });
  return { app, process, group, store };
}

/** Waits (real time, bounded) for every write the stores were asked for so far. */
async function settled(stores: readonly IdbGroupStore[]): Promise<void> {
  await Promise.all(stores.map((s) => s.settled()));
}

let lift: (() => void) | undefined;

beforeEach(() => {
  freshIndexedDB();
});

afterEach(() => {
  lift?.();
  lift = undefined;
});

describe('persistence on the simulator with idbStore', () => {
  it('after a total failure, the processes that come back restart the group from the checkpoint with the most updates', async () => {
    const sim = new Simulator({ seed: 1 });
    const first = [0, 1, 2].map((i) => counterApp(sim, `a${i}`, idbStore(`device-${i}`)));
    for (const { group } of first) { void group.join(); await runWithDisk(sim, 400); }
    for (let i = 1; i <= 10; i++) void first[i % 3]!.group.send(i);
    await runWithDisk(sim, 6000); // a periodic checkpoint of every member
    expect(first.map(({ app }) => app.sum)).toEqual([55, 55, 55]);
    await settled(first.map((f) => f.store));
    const best = (await first[0]!.store.load(GROUP))!;
    expect(best.position).toBe(10);
    // The first device lags: its stored checkpoint is replaced by an older one (say, it was offline).
    await first[0]!.store.saveCheckpoint(GROUP, { ...best, viewId: 1, position: 0 });
    for (const { process } of first) sim.crash(process);
    for (const { store } of first) store.close();
    const second = [0, 1, 2].map((i) => counterApp(sim, `b${i}`, idbStore(`device-${i}`)));
    const joined = second.map(({ group }) => group.join());
    await runWithDisk(sim, 3000);
    await Promise.all(joined);
    expect(second.map(({ app }) => app.sum)).toEqual([55, 55, 55]);
    const view = second[0]!.group.view!;
    expect(view.members).toHaveLength(3);
    expect(view.id).toBeGreaterThan(first[0]!.group.view!.id); // view ids go on increasing across restarts
    void second[0]!.group.send(45);
    await runWithDisk(sim, 500);
    expect(second.map(({ app }) => app.sum)).toEqual([100, 100, 100]);
    // Every device now holds the restarted group's state, the lagging one included.
    await runWithDisk(sim, 5500);
    await settled(second.map((s) => s.store));
    for (const { store } of second) expect((await store.load(GROUP))?.viewId).toBe(view.id);
    expect(second.flatMap(({ app }) => app.errors).map(String)).toEqual([]);
    // The view log of each device holds the views it installed, in order.
    const log = await second[1]!.store.views(GROUP);
    expect(log.map((v) => v.id)).toEqual([...log.map((v) => v.id)].sort((x, y) => x - y));
    expect(log.at(-1)!.id).toBe(view.id);
  });

  it('a process with a store that finds the group alive joins it by state transfer', async () => {
    const sim = new Simulator({ seed: 2 });
    const a = counterApp(sim, 'a', idbStore('device-a'));
    void a.group.join();
    await runWithDisk(sim, 500);
    void a.group.send(7);
    await runWithDisk(sim, 200);
    const old = idbStore('device-b');
    await old.saveCheckpoint(GROUP, { viewId: 99, position: 5, state: new Uint8Array([0x2a]), member: 'x#1', savedAtMs: 0 });
    const b = counterApp(sim, 'b', old); // a stored checkpoint that ranks higher is not used: the group is alive
    await Promise.all([b.group.join(), runWithDisk(sim, 1500)]);
    expect(b.app.sum).toBe(7);
    await runWithDisk(sim, 200);
    await settled([old]);
    expect(await old.load(GROUP)).toMatchObject({ viewId: b.group.view!.id }); // its own stored state is dropped
  });

  it('a store that fails (no IndexedDB, a full disk) is reported and the live group goes on', async () => {
    const sim = new Simulator({ seed: 3 });
    const factory = globalThis.indexedDB;
    const scope = globalThis as { indexedDB?: IDBFactory };
    delete scope.indexedDB;
    const a = counterApp(sim, 'a', idbStore('device-a'));
    void a.group.join();
    await runWithDisk(sim, 500);
    scope.indexedDB = factory;
    lift = simulateQuota(0, 'request'); // even the smallest checkpoint does not fit
    const b = counterApp(sim, 'b', idbStore('device-b'));
    void b.group.join();
    await runWithDisk(sim, 800);
    void a.group.send(3);
    await runWithDisk(sim, 6000);
    await settled([a.store, b.store]);
    expect([a.app.sum, b.app.sum]).toEqual([3, 3]);
    const reported = (errors: Error[]) => errors.map((e) => [e.name, (e.cause as { reason?: string } | undefined)?.reason]);
    expect(reported(a.app.errors)).toContainEqual(['StoreError', 'unavailable']);
    expect(a.app.errors.some((e) => /IndexedDB is not available here/.test(e.message))).toBe(true);
    expect(reported(b.app.errors)).toContainEqual(['StoreError', 'quota']);
    expect(b.app.errors.every((e) => e.name === 'StoreError')).toBe(true);
    expect(await b.store.views(GROUP)).not.toEqual([]); // views are small: they were logged
  });

  it('a corrupt stored checkpoint is reported and ignored: the process joins as if nothing were stored', async () => {
    const sim = new Simulator({ seed: 4 });
    const store = idbStore('device-a');
    await store.saveCheckpoint(GROUP, { viewId: 3, position: 1, state: new Uint8Array([0x92, 0x01]), member: 'x#1', savedAtMs: 0 }); // an array of 2 with 1 item: cut short
    const a = counterApp(sim, 'a', store);
    await Promise.all([a.group.join(), runWithDisk(sim, 1000)]);
    expect(a.group.view?.id).toBe(1); // founded afresh
    expect(a.app.errors.map((e) => e.message)).toEqual([expect.stringMatching(/stored checkpoint does not decode; ignored/)]);
  });
});

describe('the restart rule with replicated objects', () => {
  const firstViews = new Map<string, View>();

  /** A process with a Counter and a ReplicatedMap on the group, on its device's store. */
  async function device(sim: Simulator, name: string, store: IdbGroupStore) {
    const process: Process = sim.spawn(name);
    const errors: Error[] = [];
    process.on('error', (error) => errors.push(error));
    const group = process.group('board', { store });
    group.on('view', (view) => { if (!firstViews.has(name)) firstViews.set(name, view); });
    const clicks = await Counter.open(group, 'clicks');
    const notes = await ReplicatedMap.open<string>(group, 'notes');
    return { process, group, clicks, notes, errors, store };
  }

  it('the best checkpoint wins among processes back within the joining window; one that comes later joins by state transfer, its stored state dropped', async () => {
    const sim = new Simulator({ seed: 5 });
    const names = ['a', 'b', 'c'];
    const before = await Promise.all(names.map((n) => device(sim, `${n}1`, idbStore(`device-${n}`))));
    for (const d of before) { void d.group.join(); await runWithDisk(sim, 400); }
    // c leaves the room first (crash), then b, then a: a saw the most.
    void before[0]!.clicks.add(1);
    void before[2]!.notes.set('c', 'was here');
    await runWithDisk(sim, 5200);
    sim.crash(before[2]!.process);
    await runWithDisk(sim, 2500);
    void before[1]!.clicks.add(10);
    void before[1]!.notes.set('b', 'was here');
    await runWithDisk(sim, 5200);
    sim.crash(before[1]!.process);
    await runWithDisk(sim, 2500);
    void before[0]!.clicks.add(100);
    await runWithDisk(sim, 5200);
    sim.crash(before[0]!.process);
    await settled(before.map((d) => d.store));
    const ranks = await Promise.all(before.map(async (d) => { const c = (await d.store.load('board'))!; return [c.viewId, c.position]; }));
    expect(ranks[0]).toEqual([expect.any(Number), 1]); // a: the last view, with 100 added in it
    expect(ranks[0]![0]).toBeGreaterThan(ranks[1]![0]!);
    expect(ranks[1]![0]).toBeGreaterThan(ranks[2]![0]!);
    for (const d of before) d.store.close();

    // b and c come back together: b's checkpoint is the best among them, so b's state wins (no 100).
    const back = await Promise.all(['b', 'c'].map((n) => device(sim, `${n}2`, idbStore(`device-${n}`))));
    const joined = back.map((d) => d.group.join());
    await runWithDisk(sim, 2000);
    await Promise.all(joined);
    for (const d of back) {
      expect(d.clicks.value).toBe(11);
      expect([...d.notes.entries()].sort()).toEqual([['b', 'was here'], ['c', 'was here']]);
    }
    expect(firstViews.get('b2')).toMatchObject({ id: ranks[1]![0]! + 1, members: [back[0]!.group.me] }); // b founded it, from its view
    // a comes later, the group alive: it joins by state transfer; its better stored state is dropped.
    const late = await device(sim, 'a2', idbStore('device-a'));
    await Promise.all([late.group.join(), runWithDisk(sim, 1500)]);
    expect(late.clicks.value).toBe(11);
    await runWithDisk(sim, 200);
    await settled([late.store]);
    expect((await late.store.load('board'))!.viewId).toBe(late.group.view!.id);
    expect([...back, late].flatMap((d) => d.errors)).toEqual([]);
  });
});
