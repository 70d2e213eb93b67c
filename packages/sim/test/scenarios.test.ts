/**
 * The lecture's runs as named scenarios (Birman, "Reliable Distributed Systems", ch. on
 * virtual synchrony): each builds a small group on the simulator, provokes one situation,
 * and checks both the specific outcome and every property of the checker.
 */
import { describe, expect, it } from 'vitest';
import { checkProperties } from '../src/checker.js';
import { Recorder, type RecordedMember } from '../src/recorder.js';
import { Simulator } from '../src/simulator.js';

async function group(names: string[], options: { seed?: number; dropRate?: number; latencyMs?: [number, number] } = {}) {
  const sim = new Simulator({ seed: options.seed ?? 1, latencyMs: options.latencyMs ?? [1, 10], dropRate: options.dropRate ?? 0 });
  const recorder = new Recorder(() => sim.now);
  const apps = new Map<string, RecordedMember>();
  const add = async (name: string, settleMs = 400): Promise<RecordedMember> => {
    const app = recorder.attach(sim.spawn(name), 'g');
    apps.set(name, app);
    void app.group.join();
    await sim.run(settleMs);
    return app;
  };
  for (const name of names) await add(name);
  const check = (final = false): void => {
    const violation = checkProperties(recorder.trace, { final: false }) ;
    expect(violation).toBeUndefined();
    if (final) {
      const states = [...apps.values()].filter((a) => !sim.network.isCrashed(a.process.id)).map((a) => JSON.stringify(a.state));
      expect(new Set(states).size).toBe(1);
    }
  };
  const delivered = (name: string, id: string): boolean =>
    recorder.trace.some((e) => e.k === 'deliver' && e.process === name && e.id === id);
  return { sim, recorder, apps, add, check, delivered, app: (n: string) => apps.get(n)! };
}

describe('virtual synchrony scenarios', () => {
  it('forms one view from concurrent joins', async () => {
    const t = await group(['a', 'b', 'c', 'd'], {});
    await t.sim.run(2000);
    const views = [...t.apps.values()].map((a) => a.group.view);
    expect(new Set(views.map((v) => v?.id)).size).toBe(1);
    expect(views[0]?.members).toHaveLength(4);
    t.check(true);
  });

  it('a member multicasts and crashes at once: delivered by all survivors or by none', async () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const t = await group(['a', 'b', 'c', 'd'], { seed, latencyMs: [1, 30] });
      await t.sim.run(1500);
      const d = t.app('d');
      const id = `${d.group.me}/1`;
      void d.send('fifo', false);
      await t.sim.run(seed * 3);
      t.sim.crash('d');
      await t.sim.run(4000);
      const got = ['a', 'b', 'c'].map((n) => t.delivered(n, id));
      expect(new Set(got).size).toBe(1);
      expect(t.app('a').group.view?.members).toHaveLength(3);
      t.check();
    }
  });

  it('a member that missed a message of view V gets it by the flush before V+1', async () => {
    const t = await group(['a', 'b', 'c']);
    await t.sim.run(1500);
    // c's link to b is cut: b misses c's message; then c crashes; a forwards it in the cut.
    t.sim.partition(['a', 'c'], ['b']);
    const c = t.app('c');
    const id = `${c.group.me}/1`;
    void c.send('fifo', false);
    await t.sim.run(50);
    t.sim.crash('c');
    t.sim.heal();
    await t.sim.run(4000);
    expect(t.delivered('a', id)).toBe(true);
    expect(t.delivered('b', id)).toBe(true);
    t.check(true);
  });

  it('the coordinator crashes in the middle of a view change; the next member completes it', async () => {
    for (const delay of [0, 5, 10, 20, 40]) {
      const t = await group(['a', 'b', 'c', 'd', 'e'], { latencyMs: [2, 12] });
      await t.sim.run(1500);
      void t.app('e').group.leave();
      await t.sim.run(delay);
      t.sim.crash('a');
      await t.sim.run(5000);
      const survivors = ['b', 'c', 'd'].map((n) => t.app(n).group.view);
      expect(new Set(survivors.map((v) => v?.id)).size).toBe(1);
      expect(survivors[0]?.members.map((m) => m.split('#')[0])).toEqual(['b', 'c', 'd']);
      t.check(true);
    }
  });

  it('two joins and a crash at once are batched into agreed views', async () => {
    const t = await group(['a', 'b', 'c']);
    await t.sim.run(1500);
    void t.add('d', 0);
    void t.add('e', 0);
    t.sim.crash('c');
    await t.sim.run(5000);
    const views = ['a', 'b', 'd', 'e'].map((n) => t.app(n).group.view);
    expect(new Set(views.map((v) => v?.id)).size).toBe(1);
    expect([...views[0]!.members].map((m) => m.split('#')[0]).sort()).toEqual(['a', 'b', 'd', 'e']);
    t.check(true);
  });

  it('a 2|3 partition: the minority is not primary and rejects sends, then rejoins after the heal', async () => {
    const t = await group(['a', 'b', 'c', 'd', 'e']);
    await t.sim.run(1500);
    const oldMe = t.app('a').group.me;
    t.sim.partition(['a', 'b'], ['c', 'd', 'e']);
    await t.sim.run(2500);
    expect(t.app('a').group.view?.primary).toBe(false);
    await expect(t.app('a').group.send('x')).rejects.toMatchObject({ name: 'NotPrimaryError' });
    expect(t.app('c').group.view?.primary).toBe(true);
    expect(t.app('c').group.view?.members).toHaveLength(3);
    for (let i = 0; i < 5; i++) void t.app('d').send('total', false);
    t.sim.heal();
    await t.sim.run(5000);
    expect(t.app('a').group.me).not.toBe(oldMe);
    expect(t.app('a').group.view?.primary).toBe(true);
    expect(t.app('a').group.view?.members).toHaveLength(5);
    t.check(true);
  });

  it('a partition races a view change and leaves no side a majority: the heal completes the change', async () => {
    const t = await group(['a', 'b', 'c', 'd', 'e']);
    await t.sim.run(1500);
    const before = ['a', 'b', 'c', 'd'].map((n) => t.app(n).group.me);
    const viewId = t.app('a').group.view!.id;
    t.sim.crash('e'); // a view change is due...
    t.sim.partition(['a', 'b'], ['c', 'd']); // ...and each side holds 2 of the 5
    await t.sim.run(2500);
    for (const n of ['a', 'b', 'c', 'd']) expect(t.app(n).group.view?.primary).toBe(false);
    await expect(t.app('c').group.send('x')).rejects.toMatchObject({ name: 'NotPrimaryError' });
    t.sim.heal();
    await t.sim.run(3000);
    const views = ['a', 'b', 'c', 'd'].map((n) => t.app(n).group.view);
    expect(views.every((v) => v?.primary && v.id === viewId + 1)).toBe(true);
    // Nobody was excluded: the four complete the change they began, under their member ids.
    expect(views[0]?.members).toEqual(before);
    t.check(true);
  });

  it('a three-way partition leaves no primary side; after the heal the group is whole again', async () => {
    const t = await group(['a', 'b', 'c', 'd', 'e', 'f']);
    await t.sim.run(1500);
    for (const n of ['a', 'd', 'f']) void t.app(n).send('total', false);
    t.sim.partition(['a', 'b'], ['c', 'd'], ['e', 'f']);
    await t.sim.run(2500);
    for (const app of t.apps.values()) expect(app.group.view?.primary).toBe(false);
    t.sim.heal();
    await t.sim.run(4000);
    const views = [...t.apps.values()].map((a) => a.group.view);
    expect(new Set(views.map((v) => v?.id)).size).toBe(1);
    expect(views[0]?.primary).toBe(true);
    expect(views[0]?.members).toHaveLength(6);
    t.check(true);
  });

  it('a slow member is falsely suspected, excluded, and rejoins as a new member', async () => {
    const t = await group(['a', 'b', 'c']);
    await t.sim.run(1500);
    const oldMe = t.app('c').group.me;
    t.sim.partition(['a', 'b'], ['c']);
    await t.sim.run(1300);
    t.sim.heal();
    await t.sim.run(5000);
    expect(t.app('c').group.me).not.toBe(oldMe);
    expect(t.app('a').group.view?.members).toContain(t.app('c').group.me);
    t.check(true);
  });

  it('a joiner arriving under heavy traffic gets exactly the state at the cut', async () => {
    const t = await group(['a', 'b', 'c'], { latencyMs: [1, 25] });
    await t.sim.run(1500);
    for (let i = 0; i < 40; i++) {
      for (const n of ['a', 'b', 'c']) void t.app(n).send(i % 2 ? 'total' : 'causal', false);
      if (i === 20) void t.add('d', 0);
      await t.sim.run(15);
    }
    await t.sim.run(3000);
    expect(t.recorder.trace.some((e) => e.k === 'setState' && e.process === 'd')).toBe(true);
    t.check(true);
  });

  it('the state provider crashes during the transfer; the joiner gets the state in the next view', async () => {
    const t = await group(['a', 'b', 'c'], { latencyMs: [5, 10] });
    await t.sim.run(1500);
    for (const n of ['a', 'b', 'c']) void t.app(n).send('total', false);
    await t.sim.run(200);
    void t.add('d', 0);
    // crash the provider (a, the coordinator) as soon as it installs the view with d
    for (let i = 0; i < 400 && !(t.app('a').group.view?.members.length === 4); i++) await t.sim.run(1);
    t.sim.crash('a');
    await t.sim.run(5000);
    expect(t.app('d').group.view?.primary).toBe(true);
    expect(t.app('d').state).toEqual(t.app('b').state);
    t.check(true);
  });
});
