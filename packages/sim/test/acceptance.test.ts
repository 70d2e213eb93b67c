/**
 * Cases of shared/ACCEPTANCE.md that the other files do not cover by name, on the simulator:
 * a pause shorter than the timeout (M6), duplicates and loss below the reliability layer (R4, R5),
 * a state larger than 10 MB under loss (S3), a channel closed under a blocked sender (F2), the
 * slow-consumer policy (F3), an indirectly connected member (P9) and two groups founded apart (P11).
 */
import { groupStats } from '@synchrony/core';
import { describe, expect, it } from 'vitest';
import { checkProperties } from '../src/checker.js';
import { Simulator } from '../src/simulator.js';
import { processName, startGroup } from './sim-group.js';

const names = (members: readonly string[] | undefined): string[] => (members ?? []).map(processName);

describe('membership', () => {
  it('M6: a member silent for less than the failure timeout is asked, answers, and is not excluded', async () => {
    const t = await startGroup(['a', 'b', 'c', 'd'], { seed: 6 });
    const before = t.app('a').group.view?.id;
    t.sim.partition(['a', 'b', 'c'], ['d']); // d falls silent: past half the timeout it is queried
    await t.sim.run(700);
    t.sim.heal();
    await t.sim.run(3000);
    for (const name of ['a', 'b', 'c', 'd']) expect(t.app(name).group.view?.id).toBe(before);
    t.check();
  });

  it('P9: A and B cannot reach each other but both reach the others: one primary view, and it stays', async () => {
    for (const [x, y] of [['a', 'b'], ['b', 'c'], ['d', 'e']] as const) {
      const t = await startGroup(['a', 'b', 'c', 'd', 'e'], { seed: 9 });
      t.sim.network.cutLink(x, y);
      await t.sim.run(6000);
      const settled = t.app('a').group.view ?? t.app('c').group.view;
      const excluded = [x, y].filter((n) => !names(settled?.members).includes(n));
      expect(excluded).toHaveLength(1); // one of the two goes, not both, not neither
      const id = settled?.id;
      await t.sim.run(10000); // no flapping: the excluded one asks to rejoin, but not everyone hears it
      for (const name of ['a', 'b', 'c', 'd', 'e'].filter((n) => !excluded.includes(n))) {
        expect(t.app(name).group.view?.id).toBe(id);
        expect(t.app(name).group.view?.primary).toBe(true);
      }
      t.sim.network.restoreLinks();
      await t.sim.run(4000); // healed: it comes back
      expect(names(t.app('c').group.view?.members).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
      t.check();
    }
  });

  it('P11: two groups of one name founded apart merge once they see each other: the smaller dissolves into the larger', async () => {
    const sim = new Simulator({ seed: 11 });
    const { Recorder } = await import('../src/recorder.js');
    const recorder = new Recorder(() => sim.now);
    const apps = ['a', 'b', 'c', 'd', 'e'].map((n) => recorder.attach(sim.spawn(n), 'g'));
    sim.network.splitDiscovery([['a', 'b', 'c'], ['d', 'e']]); // two signaling servers that do not share rooms
    for (const app of apps) void app.join();
    await sim.run(2000);
    expect(names(apps[0]!.group.view?.members).sort()).toEqual(['a', 'b', 'c']);
    expect(names(apps[3]!.group.view?.members)).toEqual(['d', 'e']);
    for (const app of apps) void app.send('total', false);
    await sim.run(500);
    sim.network.healDiscovery();
    await sim.run(5000);
    for (const app of apps) expect(names(app.group.view?.members).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    // The larger side's state wins: d and e were re-initialised from it.
    for (const app of apps) expect(app.state).toEqual(apps[0]!.state);
    expect(checkProperties(recorder.trace, { final: true })).toBeUndefined();
  });
});

describe('reliability', () => {
  it('R4, R5: 10% loss and 20% duplicates below the links: each message once, buffers freed, no endless retransmission', async () => {
    const t = await startGroup(['a', 'b', 'c', 'd'], { seed: 5 });
    t.sim.setDropRate(0.1, 0.2);
    for (let i = 0; i < 100; i++) for (const name of ['a', 'b', 'c', 'd']) t.send(name, (['fifo', 'causal', 'total'] as const)[i % 3]!, { safe: i % 10 === 0 });
    await t.sim.run(8000);
    for (const name of ['a', 'b', 'c', 'd']) expect(t.deliveries(name)).toHaveLength(400);
    for (const name of ['a', 'b', 'c', 'd']) expect(groupStats(t.app(name).group).retainedMessages).toBe(0);
    t.sim.setDropRate(0, 0);
    await t.sim.run(1000);
    const before = t.sim.network.framesSent;
    await t.sim.run(2000);
    // Idle: heartbeats and keepalives only (4 processes, 12 links: well under 100 frames a second).
    expect(t.sim.network.framesSent - before).toBeLessThan(200);
    t.check();
  });
});

describe('state transfer', () => {
  it('S3: a state over 10 MB reaches a joiner whole under 2% loss', async () => {
    const sim = new Simulator({ seed: 3, dropRate: 0.02 });
    const state = new Uint8Array(10.5 * 1024 * 1024);
    for (let i = 0; i < state.length; i += 4096) state[i] = (i / 4096) % 251;
    void sim.spawn('a').join('g', { getState: () => state });
    await sim.run(500);
    let received: Uint8Array | undefined;
    const joined = sim.spawn('b').join('g', { setState: (s) => { received = s as Uint8Array; } });
    await sim.run(30000);
    await joined;
    expect(received?.length).toBe(state.length);
    expect(Buffer.from(received!).equals(Buffer.from(state))).toBe(true);
  });
});

describe('flow control', () => {
  it('F3: a slow consumer holds its senders back (observable in groupStats), and they catch up once it does', async () => {
    const t = await startGroup(['a', 'b', 'c'], { seed: 3, config: { windowMessages: 16 } });
    t.sim.network.setLinkLatency('a', 'c', [400, 500]);
    for (let i = 0; i < 200; i++) t.send('a', 'fifo');
    await t.sim.run(300);
    const held = groupStats(t.app('a').group).queuedSends;
    expect(held).toBeGreaterThan(100); // the window waits for delivery everywhere, c included
    expect(groupStats(t.app('c').group).retainedMessages).toBeLessThanOrEqual(16);
    t.sim.network.setLinkLatency('a', 'c', undefined);
    await t.sim.run(3000);
    expect(groupStats(t.app('a').group).queuedSends).toBe(0);
    for (const name of ['a', 'b', 'c']) expect(t.deliveries(name)).toHaveLength(200);
    t.check();
  });

  it('F2: the process closes while its sender is blocked on a full window: every queued send settles', async () => {
    const t = await startGroup(['a', 'b', 'c'], { seed: 2, config: { windowMessages: 8 } });
    t.sim.network.setLinkLatency('a', 'c', [800, 900]);
    const sent = Array.from({ length: 60 }, () => t.send('a', 'total'));
    await t.sim.run(200);
    expect(groupStats(t.app('a').group).queuedSends).toBeGreaterThan(0);
    void t.app('a').close();
    await t.sim.run(6000);
    expect(sent.every((s) => s.settled !== undefined)).toBe(true);
    const refused = sent.filter((s) => s.settled?.ok === false);
    expect(refused.length).toBeGreaterThan(0);
    for (const s of refused) for (const name of ['b', 'c']) expect(t.delivered(name, s.id)).toBe(false);
    expect(names(t.app('b').group.view?.members)).toEqual(['b', 'c']);
    expect(checkProperties(t.recorder.trace, { final: true })).toBeUndefined();
  });
});
