/**
 * The last checkpoint when a tab goes away (`GroupStore.watch`): `pagehide`, and `visibilitychange`
 * to hidden (the reliable signal on mobile), call the core's `checkpointNow`; and the write it asks
 * for starts within the same task, beside any write under way, since the task of a page's exit
 * handler may be its last.
 */
import type { GroupStore, StoredCheckpoint } from '@synchrony/core';
import { Simulator } from '@synchrony/sim';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { idbStore } from '../src/index.js';
import { watchPageExit } from '../src/page-exit.js';
import { freshIndexedDB } from './fake-indexeddb.js';
import { installFakePage, type FakePage } from './fake-page.js';
import { checkpoint } from './group-store-contract.js';
import { countPuts } from './quota.js';

/** Lets every pending microtask run, and no task: what still happens inside the exit handler's task. */
async function microtasksOnly(): Promise<void> {
  for (let i = 0; i < 50; i += 1) await Promise.resolve();
}

let page: FakePage | undefined;

beforeEach(() => {
  freshIndexedDB();
  page = installFakePage();
});

afterEach(() => {
  page?.uninstall();
  page = undefined;
});

describe('watchPageExit', () => {
  it('pagehide and visibilitychange to hidden are exits; pageshow and visible are returns; unwatching stops both', () => {
    const seen: string[] = [];
    const stop = watchPageExit(() => seen.push('exit'), () => seen.push('return'));
    page!.hide();
    page!.show();
    page!.close();
    expect(seen).toEqual(['exit', 'return', 'return', 'exit', 'exit']);
    stop();
    page!.close();
    expect(seen).toHaveLength(5);
  });

  it('outside a page (no addEventListener, no document) watches nothing and does not throw', () => {
    page!.uninstall();
    const stop = watchPageExit(() => { throw new Error('no page, no exit'); }, () => {});
    stop();
  });
});

describe('idbStore.watch', () => {
  it('calls checkpointNow on each exit signal, for each group watched, until unwatched', () => {
    const store = idbStore('watch');
    const calls: string[] = [];
    const stopG = store.watch('g', () => calls.push('g'));
    const stopH = store.watch('h', () => calls.push('h'));
    page!.close();
    expect(calls).toEqual(['g', 'h', 'g', 'h']);
    stopG();
    stopH();
    page!.close();
    expect(calls).toHaveLength(4);
  });

  it('a checkpointNow that throws is reported to onError, not thrown into the page\'s event dispatch', () => {
    const reported: string[] = [];
    const store = idbStore('watch-throws', { onError: (e) => reported.push(`${e.name}: ${e.message}`) });
    store.watch('g', () => { throw new Error('getState failed'); });
    page!.pagehide();
    expect(reported).toEqual([expect.stringMatching(/^StoreError: .*checkpoint of group g at page exit failed: Error: getState failed/)]);
  });

  it('at exit, the checkpoint write starts within the exit task, beside the write under way; otherwise it waits for it', async () => {
    const store = idbStore('exit-write');
    await store.saveCheckpoint('g', checkpoint(1, 0)); // the database is open
    const puts = countPuts('checkpoints');
    try {
      // A visible page: a second write waits for the first to commit (a task later, at least).
      const first = store.saveCheckpoint('g', checkpoint(1, 1));
      await microtasksOnly();
      const second = store.saveCheckpoint('g', checkpoint(1, 2));
      await microtasksOnly();
      expect(puts.count()).toBe(1);
      await Promise.all([first, second]);
      expect(puts.count()).toBe(2);
      // The page goes away while a write is under way: the exit checkpoint does not wait for it.
      const underWay = store.saveCheckpoint('g', checkpoint(1, 3));
      await microtasksOnly();
      let exitWrite: Promise<void> | undefined;
      store.watch('g', () => { exitWrite ??= store.saveCheckpoint('g', checkpoint(1, 4)); });
      page!.pagehide();
      await microtasksOnly();
      expect(puts.count()).toBe(4);
      await Promise.all([underWay, exitWrite]);
    } finally {
      puts.stop();
    }
    expect(await store.load('g')).toMatchObject({ position: 4 }); // started last, committed last
    page!.show();
    // Back on the page: writes queue behind each other again.
    const again = store.saveCheckpoint('g', checkpoint(1, 5));
    await microtasksOnly();
    const puts2 = countPuts('checkpoints');
    try {
      const next = store.saveCheckpoint('g', checkpoint(1, 6));
      await microtasksOnly();
      expect(puts2.count()).toBe(0);
      await Promise.all([again, next]);
    } finally {
      puts2.stop();
    }
  });
});

describe('through the core', () => {
  it('a member\'s exit checkpoint, with no write under way, reaches IndexedDB within the exit task, with every delivery in it', async () => {
    const sim = new Simulator({ seed: 1 });
    const store = idbStore('device');
    const received: StoredCheckpoint[] = [];
    const spy: GroupStore = {
      load: (group) => store.load(group),
      saveView: (group, view) => store.saveView(group, view),
      saveCheckpoint: (group, checkpoint) => { received.push(checkpoint); return store.saveCheckpoint(group, checkpoint); },
      watch: (group, checkpointNow) => store.watch(group, checkpointNow),
    };
    const process = sim.spawn('a');
    let sum = 0;
    const group = process.group('g', { store: spy, getState: () => sum, setState: (s) => { sum = s as number; } });
    group.on('message', (m) => { sum += m.data as number; });
    void group.join();
    for (let i = 0; i < 20; i += 1) await sim.run(50);
    for (const n of [1, 2, 3]) void group.send(n);
    for (let i = 0; i < 10; i += 1) await sim.run(20);
    await store.settled();
    expect(received.map((c) => c.position)).toEqual([0]); // the view's checkpoint only: the periodic one is 5 s away
    const puts = countPuts('checkpoints');
    try {
      page!.close();
      await microtasksOnly();
      expect(received.at(-1)?.position).toBe(3);
      expect(puts.count()).toBeGreaterThanOrEqual(1);
    } finally {
      puts.stop();
    }
    await store.settled();
    expect(await store.load('g')).toMatchObject({ position: 3 });
  });
});
