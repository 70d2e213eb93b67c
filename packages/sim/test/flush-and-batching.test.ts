/**
 * Flush, safe sends, batching and flow control on the simulator. `flush()` resolves once
 * everything this member sent is stable (held by every member of the view), or, after a view
 * change, once the cut made it so; a safe send resolves only once stable. Everything queued in
 * one turn of the event loop goes out as one frame per peer and lane; a sender never has more
 * than the window (`windowMessages`) unstable at once.
 */
import { DEFAULT_CONFIG, groupStats, type Order } from '@synchrony/core';
import { describe, expect, it } from 'vitest';
import { processName, startGroup, type Sent } from './sim-group.js';

const ORDERS: readonly Order[] = ['fifo', 'causal', 'total'];

describe('flush', () => {
  it('resolves only once every message this member sent is held by every member', async () => {
    const t = await startGroup(['a', 'b', 'c']);
    t.sim.network.setLinkLatency('a', 'c', [300, 300]); // c is the last to hold anything a sends
    const sent: Sent[] = [];
    for (let i = 0; i < 9; i++) sent.push(t.send('a', ORDERS[i % 3]!));
    let flushedAt: number | undefined;
    void t.app('a').group.flush().then(() => {
      flushedAt = t.sim.now;
    });
    await t.sim.run(600);

    const start = sent[0]!.at;
    for (const s of sent) expect(s.settled).toEqual({ at: start, ok: true }); // not safe: resolved once multicast
    expect(flushedAt).toBeDefined();
    expect(flushedAt).toBeGreaterThan(start + 300); // c's frame took 300 ms, its report at least 1 more
    // When the flush resolved, every member had delivered (so held) every message, c the last of them.
    for (const name of ['a', 'b', 'c']) {
      for (const s of sent) expect(t.deliveredAt(name, s.id)).toBeLessThanOrEqual(flushedAt!);
    }
    expect(flushedAt).toBeGreaterThan(Math.max(...sent.map((s) => t.deliveredAt('c', s.id)!)));
    t.check();
  });

  it('a member that crashes before acknowledging does not block it: it resolves against the new view', async () => {
    const t = await startGroup(['a', 'b', 'c', 'd']);
    t.sim.network.setLinkLatency('a', 'd', [300, 300]);
    const sent = [t.send('a', 'fifo'), t.send('a', 'total'), t.send('a', 'causal')];
    let flushedAt: number | undefined;
    void t.app('a').group.flush().then(() => {
      flushedAt = t.sim.now;
    });
    await t.sim.run(50);
    const crashAt = t.sim.now;
    t.crash('d'); // a's frames to d are still on the way: d never holds them
    await t.sim.run(800);
    expect(flushedAt).toBeUndefined(); // d is not yet suspected, and nothing is stable without it
    await t.sim.run(3000);

    const viewChange = t.viewAt('a', (members) => members.length === 3, crashAt);
    expect(t.app('a').group.view?.members.map(processName)).toEqual(['a', 'b', 'c']);
    expect(flushedAt).toBeGreaterThanOrEqual(viewChange!);
    expect(flushedAt! - viewChange!).toBeLessThan(50);
    for (const name of ['a', 'b', 'c']) for (const s of sent) expect(t.delivered(name, s.id)).toBe(true);
    t.check();
  });

  it('messages sent during a view change go out in the new view: flush waits until its members hold them', async () => {
    const t = await startGroup(['a', 'b', 'c', 'd']);
    const leaveAt = t.sim.now;
    // b is far away: the change that takes d out waits a while for b's report.
    t.sim.network.setLinkLatency('b', 'a', [400, 400]);
    t.sim.network.setLinkLatency('a', 'b', [400, 400]);
    void t.app('d').leave();
    await t.sim.run(100);
    const sent = [t.send('a', 'fifo'), t.send('a', 'total'), t.send('a', 'causal')];
    let flushedAt: number | undefined;
    void t.app('a').group.flush().then(() => {
      flushedAt = t.sim.now;
    });
    await t.sim.run(4000);

    const newView = t.viewAt('a', (members) => members.map(processName).join() === 'a,b,c', leaveAt);
    expect(newView).toBeDefined();
    expect(flushedAt).toBeGreaterThan(newView!);
    for (const name of ['a', 'b', 'c']) {
      for (const s of sent) {
        expect(t.deliveries(name, s.id)[0]?.viewId).toBe(t.app('a').group.view!.id);
        expect(t.deliveredAt(name, s.id)).toBeLessThanOrEqual(flushedAt!);
      }
    }
    expect(flushedAt).toBeGreaterThan(Math.max(...sent.map((s) => t.deliveredAt('b', s.id)!)));
    t.check();
  });

  it('a safe send resolves only once stable, and no member delivers it earlier; an unsafe one resolves at once', async () => {
    const t = await startGroup(['a', 'b', 'c']);
    t.sim.network.setLinkLatency('a', 'c', [300, 300]);
    const safe = t.send('a', 'total', { safe: true });
    const plain = t.send('a', 'total');
    await t.sim.run(1000);

    expect(plain.settled).toEqual({ at: plain.at, ok: true });
    expect(safe.settled?.ok).toBe(true);
    expect(safe.settled!.at).toBeGreaterThan(safe.at + 300);
    for (const name of ['a', 'b', 'c']) {
      // c holds it at 300 ms at the earliest; the others learn that from c's report.
      const at = t.deliveredAt(name, safe.id)!;
      if (name === 'c') expect(at).toBeGreaterThanOrEqual(safe.at + 300);
      else expect(at).toBeGreaterThan(safe.at + 300);
      // The plain message, sent after it in total order, is delivered after it too.
      expect(t.deliveredAt(name, plain.id)).toBeGreaterThanOrEqual(at);
    }
    expect(t.deliveredAt('b', plain.id)).toBeGreaterThan(plain.at + 300); // it waits behind the safe one
    t.check();
  });
});

describe('batching', () => {
  const members = ['a', 'b', 'c', 'd'];
  const peers = members.length - 1;

  /** Frames sent while `burst` runs and every member then delivers all of a's messages. */
  async function framesFor(burst: (t: Awaited<ReturnType<typeof startGroup>>) => Sent[]) {
    const t = await startGroup(members);
    await t.sim.run(500); // idle, after the joins
    const before = t.sim.network.framesSent;
    const sent = burst(t);
    await t.sim.run(0); // the turn ends: what it queued goes out
    const firstTurn = t.sim.network.framesSent - before;
    const last = sent[sent.length - 1]!;
    expect(await t.runUntil(() => members.every((name) => t.delivered(name, last.id)), 1000)).toBe(true);
    const toDeliver = t.sim.network.framesSent - before;
    for (const name of members) expect(t.deliveries(name).filter((e) => e.sender === t.app('a').group.me)).toHaveLength(sent.length);
    t.check();
    return { firstTurn, toDeliver };
  }

  it('200 sends in one synchronous loop go out as one frame per peer', async () => {
    const { firstTurn, toDeliver } = await framesFor((t) => Array.from({ length: 200 }, (_, i) => t.send('a', ORDERS[i % 3]!)));
    expect(firstTurn).toBe(peers); // 200 × 3 messages, 3 frames
    expect(toDeliver).toBeLessThanOrEqual(2 * peers * members.length); // with every ack and stability report: not 600
  });

  it('200 sends in a loop of `await group.send(...)` also share one frame per peer', async () => {
    const { firstTurn, toDeliver } = await framesFor((t) => {
      const sent: Sent[] = [];
      void (async () => {
        for (let i = 0; i < 200; i++) {
          const s = t.send('a', ORDERS[i % 3]!);
          sent.push(s);
          await s.done;
        }
      })();
      return sent;
    });
    expect(firstTurn).toBe(peers);
    expect(toDeliver).toBeLessThanOrEqual(2 * peers * members.length);
  });
});

describe('flow control', () => {
  it('a sender that issues 5000 sends without waiting has at most the window unstable at once', async () => {
    const window = DEFAULT_CONFIG.windowMessages;
    const t = await startGroup(['a', 'b', 'c'], { latencyMs: [5, 15] });
    const sender = t.app('a').group.me;
    const delivered = new Map<string, number>([['b', 0], ['c', 0]]);
    for (const name of delivered.keys()) {
      t.app(name).group.on('message', (m) => {
        if (m.sender === sender) delivered.set(name, delivered.get(name)! + 1);
      });
    }
    let resolved = 0;
    const total = 5000;
    const sent = Array.from({ length: total }, () => t.send('a', 'fifo'));
    for (const s of sent) void s.done.then(() => (resolved += 1));

    // A send resolves once multicast; a message is stable at most once both b and c delivered it.
    let most = 0;
    let held = 0;
    const resolvedSeen = new Set<number>();
    for (let ms = 0; ms < 3000 && resolved + Math.min(...delivered.values()) < 2 * total; ms++) {
      await t.sim.run(1);
      most = Math.max(most, resolved - Math.min(...delivered.values()));
      resolvedSeen.add(resolved);
      for (const name of ['a', 'b', 'c']) held = Math.max(held, groupStats(t.app(name).group).retainedMessages);
    }
    expect(resolved).toBe(total);
    expect(sent.every((s) => s.settled?.ok)).toBe(true);
    expect([...delivered.values()]).toEqual([total, total]);
    expect(most).toBeLessThanOrEqual(window);
    expect(most).toBeGreaterThan(window / 2); // the window was used, not bypassed
    expect(resolvedSeen.size).toBeGreaterThan(total / window); // progressively, window after window
    // Memory: no member ever holds much more than a window of messages, not the 5000.
    expect(held).toBeLessThanOrEqual(2 * window);
    t.check();
  });

  it('a group of one delivers a burst of ten windows at once: its own deliveries free its window', async () => {
    const t = await startGroup(['a']);
    const total = 10 * DEFAULT_CONFIG.windowMessages;
    const sent = Array.from({ length: total }, () => t.send('a', 'total'));
    await t.sim.run(1); // the flush at the end of this turn; no tick passes
    expect(t.app('a').deliveries).toBe(total);
    expect(sent.every((s) => s.settled?.ok)).toBe(true);
    t.check();
  });

  // A full window is freed by the receivers' reports, and the next messages go out on that input,
  // not at the next tick: at 1 ms of latency, ten windows take a few round trips each, not the
  // 20 ms tick (or 40 for safe, whose reports were waited for twice) per window they once took.
  for (const [order, safe] of [['fifo', false], ['causal', false], ['total', false], ['total', true]] as const) {
    it(`a full window refills on the reports that free it, not a tick later (${order}${safe ? ', safe' : ''})`, async () => {
      const window = DEFAULT_CONFIG.windowMessages;
      const t = await startGroup(['a', 'b', 'c'], { latencyMs: [1, 1] });
      const total = 10 * window;
      const sent = Array.from({ length: total }, () => t.send('c', order, { safe }));
      const start = t.sim.now;
      const done = await t.runUntil(() => sent.every((s) => s.settled !== undefined) && ['a', 'b', 'c'].every((n) => t.app(n).deliveries >= total), 2000);
      expect(done).toBe(true);
      expect(sent.every((s) => s.settled?.ok)).toBe(true);
      const tickMs = DEFAULT_CONFIG.tickMs;
      expect(t.sim.now - start).toBeLessThan((total / window) * tickMs); // 200 ms on the tick alone (400 for safe)
      t.check();
    });
  }
});
