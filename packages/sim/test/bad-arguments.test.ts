/**
 * Careless input from the application (issue "Hardening", first table): each is refused at the
 * call with a TypeError or RangeError that names the argument and the value, nothing is sent, and
 * the group goes on. Errors with no 'error' listener are not dropped, and a listener that throws
 * does not stop delivery to the others.
 */
import type { Group } from '@synchrony/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Simulator } from '../src/simulator.js';

async function twoMembers(seed = 1): Promise<{ sim: Simulator; a: Group; b: Group; got: unknown[] }> {
  const sim = new Simulator({ seed });
  const a = sim.spawn('a').group('g');
  const b = sim.spawn('b').group('g');
  const got: unknown[] = [];
  b.on('message', (m) => got.push(m.data));
  void a.join();
  await sim.run(500);
  void b.join();
  await sim.run(800);
  return { sim, a, b, got };
}

afterEach(() => vi.restoreAllMocks());

describe('data that msgpack cannot carry is refused at send', () => {
  const cyclic: Record<string, unknown> = { name: 'loop' };
  cyclic.self = cyclic;
  const cases: Array<[string, unknown, RegExp]> = [
    ['a cyclic object', cyclic, /data\.self refers back to one of its parents/],
    ['a BigInt', { n: 10n }, /data\.n is 10n/],
    ['a Symbol', [Symbol('s')], /data\[0\] is Symbol\(s\)/],
    ['a function', { f: () => 1 }, /data\.f is function f/],
    ['a Map', new Map([[1, 2]]), /a Map object/],
  ];
  for (const [what, data, message] of cases) {
    it(`${what}: TypeError at the call, nothing sent, the group goes on`, async () => {
      const t = await twoMembers();
      await expect(t.a.send(data)).rejects.toThrow(TypeError);
      await expect(t.a.send(data)).rejects.toThrow(message);
      await expect(t.a.request(data)).rejects.toThrow(TypeError);
      void t.a.send('after');
      await t.sim.run(300);
      expect(t.got).toEqual(['after']);
    });
  }

  it('a message over maxMessageBytes (a 70 MB Uint8Array) is refused before it is sent; later sends go through', async () => {
    const t = await twoMembers();
    await expect(t.a.send(new Uint8Array(70 * 1024 * 1024))).rejects.toThrow(/over maxMessageBytes \(33554432\)/);
    await expect(t.a.send(new Uint8Array(70 * 1024 * 1024))).rejects.toBeInstanceOf(RangeError);
    void t.a.send('after');
    await t.sim.run(300);
    expect(t.got).toEqual(['after']);
  });

  it('large messages sent together are framed apart, so every frame arrives', async () => {
    const t = await twoMembers();
    const big = new Uint8Array(20 * 1024 * 1024);
    for (let i = 0; i < 3; i++) void t.a.send(big);
    void t.a.send('after');
    await t.sim.run(2000);
    expect(t.got).toHaveLength(4);
  });
});

describe('options out of range are refused at the call', () => {
  it('JoinOptions', () => {
    const sim = new Simulator({ seed: 1 });
    const p = sim.spawn('a');
    for (const failureTimeoutMs of [0, -5, Number.NaN, Infinity]) {
      expect(() => p.group(`g${String(failureTimeoutMs)}`, { failureTimeoutMs })).toThrow(RangeError);
    }
    expect(() => p.group('g1', { failureTimeoutMs: 0 })).toThrow(/options.failureTimeoutMs must be a number of ms from 50 to 600000, not 0/);
    expect(() => p.group('g2', { secret: 42 as unknown as string })).toThrow(/options.secret/);
    expect(() => p.group('g3', { getState: 'state' as unknown as () => unknown })).toThrow(/options.getState must be a function/);
    expect(() => p.group('g4', { store: {} as never })).toThrow(/options.store must be a GroupStore/);
    expect(() => p.group('')).toThrow(/group name/);
  });

  it('SendOptions and RequestOptions', async () => {
    const t = await twoMembers();
    await expect(t.a.send('x', { safe: 'yes' as unknown as boolean })).rejects.toThrow(/options.safe must be a boolean, not "yes"/);
    await expect(t.a.send('x', { order: 'random' as never })).rejects.toThrow(/options.order/);
    await expect(t.a.request('x', { timeoutMs: -5 })).rejects.toThrow(/options.timeoutMs must be a finite number of ms >= 0, not -5/);
    await expect(t.a.request('x', { replies: 1.5 })).rejects.toThrow(TypeError);
    expect(() => t.a.onRequest('handler' as never)).toThrow(TypeError);
  });

  it('the simulator: seed, latency, loss, run', async () => {
    expect(() => new (Simulator as unknown as new () => Simulator)()).toThrow(/new Simulator\(options\) takes an object/);
    expect(() => new Simulator({ seed: 1, dropRate: 1.5 })).toThrow(/options.dropRate is a probability from 0 to 1, not 1.5/);
    expect(() => new Simulator({ seed: 1, latencyMs: [-50, -10] })).toThrow(/options.latencyMs must be \[min, max\]/);
    expect(() => new Simulator({ seed: 1, latencyMs: [30, 10] })).toThrow(RangeError);
    expect(() => new Simulator({ seed: 1.5 })).toThrow(/options.seed must be an integer/);
    expect(() => new Simulator({ seed: 1, config: { failureTimeoutMs: -1 } }).spawn('a')).toThrow(/config.failureTimeoutMs must be a finite number above 0/);
    const sim = new Simulator({ seed: 1 });
    await expect(sim.run(Infinity)).rejects.toThrow(RangeError);
    await expect(sim.run(-1)).rejects.toThrow(RangeError);
  });
});

describe('errors are never dropped', () => {
  it('with no error listener, a warning once per kind (Node has no reportError)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const t = await twoMembers();
    t.b.on('message', () => { throw new Error('listener bug'); });
    for (let i = 0; i < 3; i++) void t.a.send(i);
    await t.sim.run(300);
    const shown = warn.mock.calls.map((c) => String(c[0])).filter((line) => line.includes('listener bug'));
    expect(shown).toHaveLength(1);
    expect(t.got).toEqual([0, 1, 2]); // the listener that threw did not stop the one before it
  });

  it("a listener that throws neither stops the others nor the group; it is reported on 'error'", async () => {
    const t = await twoMembers();
    const errors: Error[] = [];
    const b = t.b as Group;
    const after: unknown[] = [];
    b.on('message', () => { throw new Error('listener bug'); });
    b.on('message', (m) => after.push(m.data));
    (t.sim as unknown as { processes: Map<string, { on(e: 'error', l: (e: Error) => void): void }> }).processes.get('b')!.on('error', (e) => errors.push(e));
    void t.a.send('one');
    void t.a.send('two');
    await t.sim.run(300);
    expect(after).toEqual(['one', 'two']);
    expect(errors.map((e) => e.message)).toEqual(['listener bug', 'listener bug']);
  });
});
