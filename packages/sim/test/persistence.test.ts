/**
 * Persistence on the simulator (core runtime/persistence.ts) with in-memory stores, one per
 * "device": a total failure and a restart from the stored checkpoint that reflects the most
 * updates; a process that finds the group alive joins by state transfer; a failing store is
 * reported and changes nothing for the live group.
 */
import { memoryStore, type GroupStore } from '@synchrony/core';
import { describe, expect, it } from 'vitest';
import { Simulator } from '../src/simulator.js';

/** A counter application: the sum of what was sent, kept in the group's state. */
function counterApp(sim: Simulator, name: string, store: GroupStore) {
  const app = { sum: 0, errors: [] as Error[] };
  const process = sim.spawn(name);
  process.on('error', (error) => app.errors.push(error));
  const group = process.group('counter', {
    store,
    getState: () => app.sum,
    setState: (state) => { app.sum = state as number; },
  });
  group.on('message', (m) => { app.sum += m.data as number; });
  return { app, process, group };
}

describe('persistence', () => {
  it('after a total failure, the processes that come back restart the group from the checkpoint with the most updates', async () => {
    const sim = new Simulator({ seed: 1 });
    const stores = [memoryStore(), memoryStore(), memoryStore()];
    const first = stores.map((store, i) => counterApp(sim, `a${i}`, store));
    for (const { group } of first) { void group.join(); await sim.run(400); }
    for (let i = 1; i <= 10; i++) void first[i % 3]!.group.send(i);
    await sim.run(6000); // a periodic checkpoint of every member
    expect(first.map(({ app }) => app.sum)).toEqual([55, 55, 55]);
    // The third device lags: its store is replaced by an older one (say, it was offline).
    const stale = memoryStore();
    await stale.saveCheckpoint('counter', { ...(await stores[0]!.load('counter'))!, viewId: 1, position: 0 });
    for (const { process } of first) sim.crash(process);
    const second = [stale, stores[1]!, stores[2]!].map((store, i) => counterApp(sim, `b${i}`, store));
    const joined = second.map(({ group }) => group.join());
    await sim.run(3000);
    await Promise.all(joined);
    expect(second.map(({ app }) => app.sum)).toEqual([55, 55, 55]);
    const view = second[0]!.group.view!;
    expect(view.members).toHaveLength(3);
    expect(view.id).toBeGreaterThan(first[0]!.group.view!.id); // view ids go on increasing across restarts
    void second[0]!.group.send(45);
    await sim.run(500);
    expect(second.map(({ app }) => app.sum)).toEqual([100, 100, 100]);
  });

  it('a process with a store that finds the group alive joins it by state transfer', async () => {
    const sim = new Simulator({ seed: 2 });
    const a = counterApp(sim, 'a', memoryStore());
    void a.group.join();
    await sim.run(500);
    void a.group.send(7);
    await sim.run(200);
    const old = memoryStore();
    await old.saveCheckpoint('counter', { viewId: 99, position: 5, state: new Uint8Array([0x2a]), member: 'x#1', savedAtMs: 0 });
    const b = counterApp(sim, 'b', old); // a stored checkpoint that ranks higher is not used: the group is alive
    await Promise.all([b.group.join(), sim.run(1500)]);
    expect(b.app.sum).toBe(7);
  });

  it('a store that fails is reported and the live group goes on', async () => {
    const sim = new Simulator({ seed: 3 });
    const broken: GroupStore = {
      load: () => Promise.reject(new Error('blocked upgrade')),
      saveView: () => Promise.reject(new Error('quota exceeded')),
      saveCheckpoint: () => Promise.reject(new Error('quota exceeded')),
    };
    const a = counterApp(sim, 'a', broken);
    const b = counterApp(sim, 'b', memoryStore());
    void a.group.join();
    await sim.run(500);
    void b.group.join();
    await sim.run(800);
    void a.group.send(3);
    await sim.run(6000);
    expect([a.app.sum, b.app.sum]).toEqual([3, 3]);
    expect(a.app.errors.map((e) => e.name)).toContain('StoreError');
    expect(a.app.errors.some((e) => /blocked upgrade/.test(e.message))).toBe(true);
    expect(a.app.errors.some((e) => /quota exceeded/.test(e.message))).toBe(true);
  });
});
