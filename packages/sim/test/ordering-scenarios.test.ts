/**
 * Ordering and delivery under faults (issue 3), as named scenarios on the simulator: the
 * sequencer of the total order crashes with positions issued to some members only; a safe
 * message whose sender crashes; causal chains over a slow link and across view changes; a
 * request while a member crashes; a 10 MB message during a view change; FIFO within each order.
 * Each run is seeded, checks its specific outcome, and checks every property of the checker.
 */
import type { Reply } from '@synchrony/core';
import { describe, expect, it } from 'vitest';
import { checkProperties } from '../src/checker.js';
import type { Trace } from '../src/recorder.js';
import { processName, startGroup, type Sent } from './sim-group.js';

/** The total-order messages a process delivered in a trace, in delivery order. */
const totalOrder = (trace: Trace, name: string): string[] =>
  trace.flatMap((e) => (e.k === 'deliver' && e.process === name && e.order === 'total' ? [e.id] : []));

/** Which of `ids` a process delivered, in the order it delivered them. */
const deliveredOf = (t: { deliveries(name: string): Array<{ id: string }> }, name: string, ids: readonly string[]): string[] =>
  t.deliveries(name).map((e) => e.id).filter((id) => ids.includes(id));

/** The trace without the deliveries of one process. */
const withoutDeliveriesOf = (trace: Trace, name: string): Trace =>
  trace.filter((e) => e.k !== 'deliver' || e.process !== name);

describe('total order when the sequencer crashes', () => {
  const survivors = ['b', 'c', 'd'];

  /** b, c and d multicast in total order; the sequencer a crashes `delay` ms after the last send. */
  async function sequencerCrash(seed: number, delay: number) {
    const t = await startGroup(['a', 'b', 'c', 'd'], { seed, latencyMs: [1, 40] });
    const sent: Sent[] = [];
    for (let round = 0; round < 4; round++) {
      for (const name of survivors) sent.push(t.send(name, 'total'));
      await t.sim.run(4);
    }
    await t.sim.run(delay);
    const beforeCrash = t.recorder.trace.slice();
    t.crash('a');
    await t.sim.run(4000);
    return { t, sent, beforeCrash };
  }

  it('survivors that had delivered different prefixes complete one total order, nothing lost or duplicated', async () => {
    let partialRuns = 0;
    for (const seed of [1, 2, 3, 4]) {
      for (const delay of [0, 15, 30]) {
        const { t, sent, beforeCrash } = await sequencerCrash(seed, delay);
        const early = survivors.map((name) => totalOrder(beforeCrash, name));
        // Positions had reached some survivors only: one delivered a message that another had not.
        if (early.some((mine) => mine.some((id) => early.some((other) => !other.includes(id))))) partialRuns += 1;
        const final = survivors.map((name) => totalOrder(t.recorder.trace, name));
        for (const order of final) expect(order).toEqual(final[0]);
        for (const prefix of early) expect(final[0]!.slice(0, prefix.length)).toEqual(prefix);
        expect([...final[0]!].sort()).toEqual(sent.map((s) => s.id).sort());
        for (const name of survivors) expect(t.app(name).group.view?.members.map(processName)).toEqual(survivors);
        // Every property among the survivors; the crashed sequencer's own deliveries: see the next test.
        expect(checkProperties(withoutDeliveriesOf(t.recorder.trace, 'a'))).toBeUndefined();
      }
    }
    expect(partialRuns).toBeGreaterThan(0);
  });

  // Total order is uniform for safe messages only (as Isis' abcast): the sequencer delivers a plain
  // total-order message as soon as it gives it a position, so if it crashes before anyone hears of
  // the position, the survivors may complete another order. A safe message also waits until every
  // member holds its position, so the order holds at every member, the crashed one included.
  // Setup: a, b, c; slow links b→a, a→b, a→c; b and c multicast in total order at once; a receives
  // c's first and positions it first.
  async function racingSequencer(safe: boolean) {
    const t = await startGroup(['a', 'b', 'c']);
    t.sim.network.setLinkLatency('b', 'a', [30, 30]);
    t.sim.network.setLinkLatency('a', 'b', [100, 100]);
    t.sim.network.setLinkLatency('a', 'c', [100, 100]);
    const fromB = t.send('b', 'total', { safe });
    const fromC = t.send('c', 'total', { safe });
    return { t, fromB, fromC };
  }

  it('a plain total-order message: the survivors agree; a sequencer that crashed may not have', async () => {
    const { t, fromB, fromC } = await racingSequencer(false);
    expect(await t.runUntil(() => t.delivered('a', fromB.id))).toBe(true);
    t.crash('a');
    await t.sim.run(3000);
    expect(totalOrder(t.recorder.trace, 'a')).toEqual([fromC.id, fromB.id]);
    expect(totalOrder(t.recorder.trace, 'b')).toEqual([fromB.id, fromC.id]);
    expect(totalOrder(t.recorder.trace, 'c')).toEqual([fromB.id, fromC.id]);
    t.check();
  });

  it('a safe total-order message: the crashed sequencer delivered it in the order the survivors complete', async () => {
    const { t, fromB, fromC } = await racingSequencer(true);
    // The sequencer cannot deliver before b and c hold its positions; crash it as soon as it does.
    expect(await t.runUntil(() => t.delivered('a', fromC.id))).toBe(true);
    t.crash('a');
    await t.sim.run(3000);
    const order = totalOrder(t.recorder.trace, 'b');
    expect(order).toHaveLength(2);
    expect(totalOrder(t.recorder.trace, 'c')).toEqual(order);
    const atSequencer = totalOrder(t.recorder.trace, 'a');
    expect(atSequencer.length).toBeGreaterThan(0);
    expect(order.slice(0, atSequencer.length)).toEqual(atSequencer);
    t.check();
  });
});

describe('safe delivery when the sender crashes', () => {
  it('a safe message whose sender crashes right after sending: every survivor delivers it or none, never before it is stable', async () => {
    // d's link to c is slow: c, and so stability, lags every other member by `slowMs`.
    const slowMs = 200;
    const survivors = ['a', 'b', 'c'];
    const outcomes = new Set<boolean>();
    for (const delay of [0, 1, 2, 5, 10, 20, 50, 100, 150, 199, 201, 203, 205, 210, 230, 300]) {
      const t = await startGroup(['a', 'b', 'c', 'd'], { seed: delay + 1 });
      t.sim.network.setLinkLatency('d', 'c', [slowMs, slowMs]);
      const message = t.send('d', 'fifo', { safe: true });
      await t.sim.run(delay);
      const crashAt = t.sim.now;
      t.crash('d');
      await t.sim.run(4000);

      const got = survivors.map((name) => t.delivered(name, message.id));
      expect(new Set(got).size).toBe(1);
      outcomes.add(got[0]!);
      for (const name of survivors) {
        const at = t.deliveredAt(name, message.id);
        if (at === undefined) continue;
        // Stable means c holds it too: not before d's frame reached c (and, elsewhere, c told the others).
        if (name === 'c') expect(at).toBeGreaterThanOrEqual(message.at + slowMs);
        else expect(at).toBeGreaterThan(message.at + slowMs);
        // Crashed before its frame reached c: only the view change (its cut) makes it stable.
        if (delay < slowMs) expect(at).toBe(t.viewAt(name, (members) => members.length === 3, crashAt));
      }
      // The sender's promise resolves only for a stable message, which every survivor then delivers.
      if (delay < slowMs) expect(message.settled).toBeUndefined();
      if (message.settled?.ok === true) {
        expect(message.settled.at).toBeGreaterThan(message.at + slowMs);
        expect(got[0]).toBe(true);
      }
      t.check();
    }
    expect([...outcomes].sort()).toEqual([false, true]);
  });
});

describe('causal order', () => {
  it('a causal chain over a slow link: c receives m2 before m1 and holds it', async () => {
    const t = await startGroup(['a', 'b', 'c']);
    t.sim.network.setLinkLatency('a', 'c', [300, 300]);
    const m1 = t.send('a', 'causal');
    expect(await t.runUntil(() => t.delivered('b', m1.id))).toBe(true);
    const m2 = t.send('b', 'causal');
    expect(await t.runUntil(() => t.delivered('c', m2.id))).toBe(true);
    const m3 = t.send('c', 'causal');
    await t.sim.run(1000);

    const chain = [m1.id, m2.id, m3.id];
    for (const name of ['a', 'b', 'c']) {
      expect(deliveredOf(t, name, chain)).toEqual(chain);
    }
    // m2 crossed the fast link b→c within 10 ms, yet c delivered it only with m1, 300 ms after a sent m1.
    expect(t.deliveredAt('c', m1.id)).toBeGreaterThanOrEqual(m1.at + 300);
    expect(t.deliveredAt('c', m2.id)).toBe(t.deliveredAt('c', m1.id));
    expect(t.deliveredAt('c', m2.id)! - m2.at).toBeGreaterThan(10);
    t.check();
  });

  it('a causal chain across a crash: m1 is lost with its crashed sender on the way to c, and the flush brings it before m2', async () => {
    const t = await startGroup(['a', 'b', 'c']);
    t.sim.network.setLinkLatency('a', 'c', [300, 300]);
    const m1 = t.send('a', 'causal');
    expect(await t.runUntil(() => t.delivered('b', m1.id))).toBe(true);
    const crashAt = t.sim.now;
    t.crash('a'); // its frame to c, still in flight, is lost
    const m2 = t.send('b', 'causal');
    expect(await t.runUntil(() => t.delivered('c', m2.id))).toBe(true);
    const m3 = t.send('c', 'causal');
    await t.sim.run(1000);

    const chain = [m1.id, m2.id, m3.id];
    for (const name of ['b', 'c']) {
      expect(deliveredOf(t, name, chain)).toEqual(chain);
    }
    // c held m2 until the view change delivered the cut, m1 (forwarded) and then m2, in the old view.
    const viewChange = t.viewAt('c', (members) => members.length === 2, crashAt);
    expect(t.deliveredAt('c', m1.id)).toBe(viewChange);
    expect(t.deliveredAt('c', m2.id)).toBe(viewChange);
    expect(t.deliveries('c', m2.id)[0]!.viewId).toBe(t.deliveries('b', m1.id)[0]!.viewId);
    expect(t.deliveries('c', m3.id)[0]!.viewId).toBe(t.app('c').group.view!.id);
    t.check();
  });

  it('a causal chain across a join: m1 in the old view, m2 and m3 in the new one, which the joiner delivers without m1', async () => {
    const t = await startGroup(['a', 'b', 'c']);
    t.sim.network.setLinkLatency('a', 'c', [300, 300]);
    const m1 = t.send('a', 'causal');
    expect(await t.runUntil(() => t.delivered('b', m1.id))).toBe(true);
    const joinAt = t.sim.now;
    await t.add('d', 0);
    expect(await t.runUntil(() => t.app('b').group.view?.members.length === 4)).toBe(true);
    const m2 = t.send('b', 'causal');
    expect(await t.runUntil(() => t.delivered('c', m2.id))).toBe(true);
    const m3 = t.send('c', 'causal');
    await t.sim.run(1500);

    const chain = [m1.id, m2.id, m3.id];
    for (const name of ['a', 'b', 'c']) {
      expect(deliveredOf(t, name, chain)).toEqual(chain);
    }
    expect(deliveredOf(t, 'd', chain)).toEqual([m2.id, m3.id]);
    const newView = t.app('d').group.view!.id;
    expect(t.deliveries('c', m1.id)[0]!.viewId).toBe(newView - 1);
    expect(t.deliveries('c', m2.id)[0]!.viewId).toBe(newView);
    expect(t.viewAt('d', (members) => members.length === 4, joinAt)).toBeDefined();
    // The joiner's state, from the transfer, includes m1: every member holds the same state.
    const states = ['a', 'b', 'c', 'd'].map((name) => JSON.stringify(t.app(name).state));
    expect(new Set(states).size).toBe(1);
    t.check();
  });
});

describe('group requests under a crash', () => {
  it("a request to 'all' while a member crashes resolves with the survivors' replies once the view excludes it", async () => {
    const t = await startGroup(['a', 'b', 'c', 'd']);
    const asked: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      t.app(name).group.onRequest((question) => {
        asked.push(name);
        return `${name}: ${String(question)}`;
      });
    }
    // d's handler is slow: it has not answered when d crashes.
    t.app('d').group.onRequest(() => {
      asked.push('d');
      return new Promise<never>(() => {});
    });
    let replies: Reply[] | undefined;
    let resolvedAt: number | undefined;
    void t.app('b').group.request('ping', { replies: 'all' }).then((r) => {
      replies = r;
      resolvedAt = t.sim.now;
    });
    expect(await t.runUntil(() => asked.length === 4)).toBe(true);
    await t.sim.run(50); // every answer is in; d's will never come
    expect(replies).toBeUndefined();
    const crashAt = t.sim.now;
    t.crash('d');
    await t.sim.run(3000);

    expect(replies?.map((r) => r.from).sort()).toEqual(['a', 'b', 'c'].map((name) => t.app(name).group.me).sort());
    expect(replies?.map((r) => r.data).sort()).toEqual(['a: ping', 'b: ping', 'c: ping']);
    expect(resolvedAt).toBe(t.viewAt('b', (members) => members.length === 3, crashAt));
    t.check();
  });
});

describe('a 10 MB message during a view change', () => {
  /** Seeded pseudo-random bytes: any corruption or truncation shows. */
  const blobOf = (size: number, seed: number): Uint8Array => {
    const bytes = new Uint8Array(size);
    let x = seed >>> 0;
    for (let i = 0; i < size; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      bytes[i] = x >>> 24;
    }
    return bytes;
  };
  const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  };

  it('arrives whole at every surviving member of the view it was sent in, and at the joiner only if sent in the new view', async () => {
    const blob = blobOf(10 * 1024 * 1024, 42);
    const views = new Set<string>();
    for (const offset of [0, 1000, 1500]) {
      const t = await startGroup(['a', 'b', 'c']);
      const received = new Map<string, { bytes: Uint8Array; viewId: number }>();
      const watch = (name: string): void => {
        t.app(name).group.on('message', (m) => {
          const data = m.data as { blob?: unknown };
          if (data.blob instanceof Uint8Array) received.set(name, { bytes: data.blob, viewId: m.viewId });
        });
      };
      for (const name of ['a', 'b', 'c']) watch(name);
      const oldView = t.app('a').group.view!.id;
      // A join and a crash at once: one view change, which waits until c is suspected (the joiner must be heard by all it can count on).
      const joining = t.add('e', 0);
      watch('e');
      t.crash('c');
      await joining;
      await t.sim.run(offset);
      const message = t.send('a', 'total', { extra: { blob } });
      await t.sim.run(3000);

      expect(message.settled?.ok).toBe(true);
      const viewId = t.deliveries('a', message.id)[0]!.viewId;
      views.add(viewId === oldView ? 'old' : 'new');
      const sentIn = viewId === oldView ? ['a', 'b'] : ['a', 'b', 'e'];
      expect(t.app('a').group.view?.members.map(processName)).toEqual(['a', 'b', 'e']);
      for (const name of sentIn) {
        const got = received.get(name);
        expect(got?.viewId).toBe(viewId);
        expect(sameBytes(got!.bytes, blob)).toBe(true);
      }
      if (viewId === oldView) expect(received.has('e')).toBe(false);
      t.check();
    }
    expect([...views].sort()).toEqual(['new', 'old']);
  });
});

describe('FIFO within each order', () => {
  it("one sender's mix of FIFO, causal and total messages: each order keeps the sender's sequence at every member", async () => {
    const orders = ['fifo', 'causal', 'total'] as const;
    for (const seed of [1, 2, 3]) {
      const t = await startGroup(['a', 'b', 'c', 'd'], { seed, latencyMs: [1, 30], dropRate: 0.03 });
      const sent: Array<{ id: string; order: (typeof orders)[number] }> = [];
      for (let i = 0; i < 60; i++) {
        const order = orders[(i * 7 + seed) % 3]!;
        sent.push({ id: t.send('b', order).id, order });
        if (i % 5 === 0) t.send(['a', 'c', 'd'][i % 3]!, orders[i % 3]!);
        if (i % 4 === 0) await t.sim.run(3);
      }
      await t.sim.run(3000);
      for (const name of ['a', 'b', 'c', 'd']) {
        const got = t.deliveries(name).map((e) => e.id);
        for (const order of orders) {
          const mine = sent.filter((s) => s.order === order).map((s) => s.id);
          expect(got.filter((id) => mine.includes(id))).toEqual(mine);
        }
      }
      t.check();
    }
  });
});
