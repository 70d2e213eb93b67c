/**
 * A 'change' listener that throws breaks neither the other listeners nor the object: the update
 * is applied in full, every listener runs, and the failure is reported: on the process's 'error'
 * event when the change comes live from the group, rethrown asynchronously (queueMicrotask) while a
 * checkpoint is loaded, where throwing back to the core would cut its replay short.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Counter, ReplicatedMap } from '../src/index.js';
import { startGroup } from './fixture.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('change listeners', () => {
  it('a listener that throws on a live update is reported on process error; the others and the object go on', async () => {
    const f = await startGroup(['a', 'b']);
    const ma = await ReplicatedMap.open<number>(f.member('a').group, 'm');
    const mb = await ReplicatedMap.open<number>(f.member('b').group, 'm');
    const calls: string[] = [];
    ma.on('change', () => { calls.push('first'); throw new Error('listener one broke'); });
    ma.on('change', () => { calls.push('second'); throw new Error('listener two broke'); });
    ma.on('change', () => calls.push('third'));
    void mb.set('k', 1);
    void mb.set('k', 2);
    await f.sim.run(200);
    expect(calls).toEqual(['first', 'second', 'third', 'first', 'second', 'third']);
    expect(ma.get('k')).toBe(2);
    expect(f.member('a').errors.map((e) => e.message)).toEqual([
      expect.stringContaining('2 change listeners failed; the first: listener one broke'),
      expect.stringContaining('2 change listeners failed; the first: listener one broke'),
    ]);
  });

  it('a listener that throws while a checkpoint loads is rethrown asynchronously, and the checkpoint loads in full', async () => {
    const rethrown: unknown[] = [];
    const real = globalThis.queueMicrotask.bind(globalThis);
    vi.stubGlobal('queueMicrotask', (callback: () => void) => real(() => {
      try {
        callback();
      } catch (error) {
        rethrown.push(error);
      }
    }));
    const f = await startGroup(['a']);
    const ca = await Counter.open(f.member('a').group, 'n');
    const ma = await ReplicatedMap.open<number>(f.member('a').group, 'm');
    void ca.add(3);
    void ma.set('k', 1);
    await f.sim.run(100);
    const joiner = f.spawn('b', { join: false });
    const cb = await Counter.open(joiner.group, 'n');
    const mb = await ReplicatedMap.open<number>(joiner.group, 'm');
    cb.on('change', (c) => { if (c.type === 'reset') throw new Error('reset listener broke'); });
    void joiner.group.join();
    expect(await f.until(() => joiner.group.view?.primary === true)).toBe(true);
    await f.sim.run(10);
    expect([cb.value, mb.get('k')]).toEqual([3, 1]);
    expect(rethrown.map((e) => (e as Error).message)).toContain('reset listener broke');
    expect(joiner.errors).toEqual([]);
  });

  it('refuses a listener that is not a function, and an unknown event', async () => {
    const f = await startGroup(['a']);
    const m = await ReplicatedMap.open<number>(f.member('a').group, 'm');
    expect(() => m.on('change', 5 as never)).toThrow(TypeError);
    expect(() => m.on('message' as 'change', () => {})).toThrow(/unknown event message/);
    const off = m.on('change', () => { throw new Error('never called'); });
    off();
    void m.set('k', 1);
    await f.sim.run(50);
    expect(f.errors()).toEqual([]);
  });
});
