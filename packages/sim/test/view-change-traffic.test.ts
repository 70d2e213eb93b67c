/**
 * What a view change costs on the wire. Over WebRTC in Node every `send` blocks on the network
 * thread, so a message that tells a member nothing new still delays the change for everyone.
 */
import { decodeFrame } from '@synchrony/core';
import { describe, expect, it } from 'vitest';
import { processName, startGroup } from './sim-group.js';

describe('view change traffic', () => {
  it('a graceful leave at 8 members: the coordinator tells each member of the decision once', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    // Spread latencies: some ACCEPTs reach the coordinator only after a majority decided the view,
    // as the last of a broadcast does over WebRTC.
    const t = await startGroup(names, { seed: 11, latencyMs: [1, 12] });
    for (let i = 0; i < 20 && t.app('a').group.view?.members.length !== 8; i++) await t.sim.run(100);
    expect(t.app('a').group.view?.members.length).toBe(8);
    const decisions = new Map<string, string[]>();
    t.sim.network.tamper('a', (bytes, to) => {
      const decoded = decodeFrame(bytes, Infinity);
      if (typeof decoded === 'string') return bytes;
      for (const m of decoded.frame.m) {
        if (m.t === 'c' || m.t === 'i') decisions.set(to, [...(decisions.get(to) ?? []), m.t]);
      }
      return bytes;
    });
    const survivors = names.slice(0, 7);
    let left = false;
    void t.app('h').group.leave().then(() => { left = true; });
    const installed = (): boolean => survivors.every((n) => t.app(n).group.view?.members.map(processName).join() === survivors.join());
    expect(await t.runUntil(() => left && installed(), 3000)).toBe(true);
    await t.sim.run(1000); // the late ACCEPTs and stability reports of the old view arrive meanwhile
    expect(decisions.size).toBe(7); // b..h, h included (it leaves once it hears the decision)
    for (const [to, kinds] of decisions) expect({ to, kinds: kinds.length }).toEqual({ to, kinds: 1 });
    t.check();
  });
});
