/**
 * Cases of shared/ACCEPTANCE.md that the other files do not cover by name, on the simulator (the
 * README's tests section maps every case to its test). Each checks its outcome, then the checker.
 */
import { groupStats, type View } from '@synchrony/core';
import { isQuorum } from '../../core/src/membership/quorum.js';
import { Recorder } from '../src/recorder.js';
import { describe, expect, it } from 'vitest';
import { checkProperties } from '../src/checker.js';
import { Simulator } from '../src/simulator.js';
import { processName, startGroup } from './sim-group.js';

const names = (members: readonly string[] | undefined): string[] => (members ?? []).map(processName);

/** N processes that all join at once; the same view-id sequence everywhere. */
async function joinAtOnce(n: number, seed: number) {
  const sim = new Simulator({ seed, latencyMs: [1, 20] });
  const recorder = new Recorder(() => sim.now);
  const apps = Array.from({ length: n }, (_, i) => recorder.attach(sim.spawn(`n${i}`), 'g'));
  for (const app of apps) void app.join();
  return { sim, recorder, apps };
}

const viewSequence = (recorder: Recorder, process: string, from = 0): number[] =>
  recorder.trace.flatMap((e) => (e.k === 'view' && e.process === process && e.view.primary && e.view.id >= from ? [e.view.id] : []));

describe('membership', () => {
  for (const n of [10, 25]) {
    it(`M1: ${n} processes that join at once converge to one view, with one view-id sequence everywhere`, async () => {
      const { sim, recorder, apps } = await joinAtOnce(n, n);
      await sim.run(8000);
      const last = apps[0]!.group.view!;
      expect(last.members).toHaveLength(n);
      for (const app of apps) expect(app.group.view?.id).toBe(last.id);
      // Each member's views from the one it joined in are the group's views from there on.
      const founder = viewSequence(recorder, apps.find((a) => a.group.view?.members[0] === a.group.me)!.process.id);
      for (const app of apps) {
        const mine = viewSequence(recorder, app.process.id);
        expect(founder.slice(founder.indexOf(mine[0]!))).toEqual(mine);
      }
      expect(checkProperties(recorder.trace, { final: true })).toBeUndefined();
    });
  }

  it('M10: a burst of joins larger than the group does not break it', async () => {
    const t = await startGroup(['a', 'b'], { seed: 10 });
    const joiners = ['j1', 'j2', 'j3', 'j4', 'j5', 'j6', 'j7', 'j8'];
    for (const name of joiners) void t.add(name, 0);
    for (let i = 0; i < 20; i++) t.send(i % 2 === 0 ? 'a' : 'b', 'total');
    await t.sim.run(6000);
    expect(names(t.app('a').group.view?.members).sort()).toEqual(['a', 'b', ...joiners].sort());
    t.check();
  });

  it('M4: the coordinator crashes while a join is pending: the joiner still gets in', async () => {
    for (const seed of [1, 2, 3]) {
      const t = await startGroup(['a', 'b', 'c', 'd'], { seed });
      void t.add('e', 0);
      await t.sim.run(seed * 4);
      t.crash('a');
      await t.sim.run(5000);
      expect(names(t.app('b').group.view?.members).sort()).toEqual(['b', 'c', 'd', 'e']);
      expect(t.app('e').group.view?.id).toBe(t.app('b').group.view?.id);
      t.check();
    }
  });

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
      const reference = ['a', 'b', 'c', 'd', 'e'].find((n) => n !== x && n !== y)!;
      const settled = t.app(reference).group.view;
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

  it('P2: the coordinator alone on one side: the rest go on, it rejoins after the heal', async () => {
    const t = await startGroup(['a', 'b', 'c', 'd', 'e'], { seed: 2 });
    t.sim.partition(['a'], ['b', 'c', 'd', 'e']);
    for (const name of ['a', 'b', 'c']) t.send(name, 'total');
    await t.sim.run(3000);
    expect(names(t.app('b').group.view?.members)).toEqual(['b', 'c', 'd', 'e']);
    expect(t.app('a').group.view?.primary).toBe(false);
    t.sim.heal();
    await t.sim.run(3000);
    expect(names(t.app('b').group.view?.members)).toEqual(['b', 'c', 'd', 'e', 'a']);
    t.check();
  });

  it('P6: ten members in four partitions heal into one view', async () => {
    const all = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    const t = await startGroup(all, { seed: 6 });
    t.sim.partition(['a', 'b', 'c'], ['d', 'e', 'f'], ['g', 'h'], ['i', 'j']);
    await t.sim.run(3000);
    for (const name of all) expect(t.app(name).group.view?.primary).toBe(false); // no side has a majority
    t.sim.heal();
    await t.sim.run(5000);
    const id = t.app('a').group.view?.id;
    for (const name of all) {
      expect(t.app(name).group.view?.id).toBe(id);
      expect(names(t.app(name).group.view?.members).sort()).toEqual(all);
    }
    t.check();
  });

  it('P7: the quorum flips exactly at floor(n/2)+1; equal halves go to the half with the most senior member', () => {
    for (let n = 1; n <= 9; n++) {
      const members = Array.from({ length: n }, (_, i) => `m${i}`);
      for (let alive = 0; alive <= n; alive++) {
        const fromJunior = new Set(members.slice(n - alive)); // the most senior go first
        expect(isQuorum(members, fromJunior)).toBe(alive >= Math.floor(n / 2) + 1);
      }
    }
    expect(isQuorum(['a', 'b', 'c', 'd'], new Set(['a', 'b']))).toBe(true);
    expect(isQuorum(['a', 'b', 'c', 'd'], new Set(['c', 'd']))).toBe(false);
  });

  it('P11: two groups of one name founded apart merge once they see each other: the smaller dissolves into the larger', async () => {
    const sim = new Simulator({ seed: 11 });
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
  it('R2, R3: the first and the last frame of a burst are lost, and still delivered without further traffic', async () => {
    const t = await startGroup(['a', 'b', 'c'], { seed: 3 });
    t.sim.network.dropNext('a', 'b'); // the first
    const sent = [t.send('a', 'fifo')];
    for (let i = 0; i < 8; i++) {
      await t.sim.run(5);
      if (i === 7) t.sim.network.dropNext('a', 'b'); // the last
      sent.push(t.send('a', 'fifo'));
    }
    await t.sim.run(1500); // nothing else is sent: the retransmission timer alone repairs it
    expect(t.deliveries('b').map((d) => d.id)).toEqual(sent.map((s) => s.id));
    t.check();
  });

  it('R8: thousands of messages missed behind a cut link are retransmitted, in order', async () => {
    const t = await startGroup(['a', 'b', 'c'], { seed: 8 });
    t.sim.network.cutLink('a', 'c', true);
    for (let i = 0; i < 3000; i++) t.send('a', 'fifo');
    await t.sim.run(600); // under the failure timeout: c is queried, but it is a's frames that are lost
    t.sim.network.restoreLinks();
    await t.sim.run(6000);
    expect(t.deliveries('c')).toHaveLength(3000);
    t.check();
  });

  it('R9: every member blasts 3,000 total-order messages (9,000 in all): the i-th delivery is the same everywhere', async () => {
    const t = await startGroup(['a', 'b', 'c'], { seed: 9 });
    for (let i = 0; i < 3000; i++) for (const name of ['a', 'b', 'c']) t.send(name, 'total');
    await t.sim.run(20000);
    const orders = ['a', 'b', 'c'].map((name) => t.deliveries(name).map((d) => d.id));
    expect(orders[0]).toHaveLength(9000);
    expect(orders[1]).toEqual(orders[0]);
    expect(orders[2]).toEqual(orders[0]);
  }, 120_000);

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

describe('virtual synchrony', () => {
  for (const then of ['d joins', 'c crashes', 'c flushes'] as const) {
    it(`V1: b hears nothing from c; c multicasts 5; then ${then}: b delivers all 5 before its next view`, async () => {
      const t = await startGroup(['a', 'b', 'c'], { seed: 1 });
      t.sim.network.cutLink('c', 'b', true);
      const sent = Array.from({ length: 5 }, () => t.send('c', 'fifo'));
      await t.sim.run(50);
      const before = t.app('b').group.view!.id;
      if (then === 'd joins') void t.add('d', 0);
      if (then === 'c crashes') t.crash('c');
      const flushed = then === 'c flushes' ? t.app('c').flush() : undefined;
      await t.sim.run(4000);
      await flushed;
      const next = t.recorder.trace.find((e) => e.k === 'view' && e.process === 'b' && e.view.primary && e.view.id > before)?.at;
      expect(next).toBeDefined();
      expect(t.app('b').group.view!.id).toBeGreaterThan(before);
      for (const s of sent) {
        expect(t.deliveries('b', s.id)[0]?.viewId).toBe(before);
        expect(t.deliveredAt('b', s.id)).toBeLessThanOrEqual(next!);
      }
      t.check();
    });
  }
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

  it('F1: a sender blocked on a full window unblocks when a view change removes the slow member', async () => {
    const t = await startGroup(['a', 'b', 'c'], { seed: 1, config: { windowMessages: 8 } });
    t.sim.network.cutLink('a', 'c', true); // c never gets a's messages: a's window fills
    const sent = Array.from({ length: 40 }, () => t.send('a', 'fifo'));
    await t.sim.run(300);
    expect(groupStats(t.app('a').group).queuedSends).toBeGreaterThan(20);
    t.crash('c');
    await t.sim.run(4000);
    expect(sent.every((s) => s.settled?.ok === true)).toBe(true);
    expect(t.deliveries('b')).toHaveLength(40);
    t.check();
  });

  it('F5: a cold start where everyone sends at once: the sends wait for the first view, none fails', async () => {
    const sim = new Simulator({ seed: 5 });
    const recorder = new Recorder(() => sim.now);
    const apps = Array.from({ length: 8 }, (_, i) => recorder.attach(sim.spawn(`s${i}`), 'g'));
    const outcomes: Array<Promise<void>> = [];
    for (const app of apps) {
      void app.join();
      for (let i = 0; i < 5; i++) outcomes.push(app.send('total', false));
    }
    await sim.run(6000);
    const sent = recorder.trace.filter((e) => e.k === 'sent');
    expect(sent).toHaveLength(40);
    expect(sent.every((e) => e.k === 'sent' && e.ok)).toBe(true);
    expect(checkProperties(recorder.trace, { final: true })).toBeUndefined();
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
