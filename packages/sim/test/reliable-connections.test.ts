/**
 * Over connections that lose nothing while they live (WebRTC's reliable data channels), the
 * engine does not send copies on a timer: on a congested connection a copy only queues behind its
 * original, and on a loaded machine (sixteen tabs on two cores) such copies grew the queues by
 * tens of thousands of frames, delayed every acknowledgement further, and kept a forming group
 * suspecting itself. A frame is sent again when a new connection replaces one that lost it, and,
 * as a safety net for a loss nobody reported, the oldest unacknowledged one after two seconds.
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '@synchrony/core';
import { runScenario } from '../src/scenario.js';
import { startGroup } from './sim-group.js';

describe('reliable connections', () => {
  it('send nothing twice while every frame is acknowledged late', async () => {
    // Every frame takes 80-140 ms: acknowledgements come after the lossy network's
    // 150 ms retransmission timeout, which would send most frames again.
    const lossy = await startGroup(['a', 'b', 'c'], { seed: 5, latencyMs: [80, 140], settleMs: 3000 });
    const reliable = await startGroup(['a', 'b', 'c'], { seed: 5, latencyMs: [80, 140], settleMs: 3000, reliable: true });
    const framesFor = async (t: typeof lossy): Promise<number> => {
      const before = t.sim.network.framesSent;
      const sent = Array.from({ length: 30 }, (_, i) => t.send(['a', 'b', 'c'][i % 3]!, 'total'));
      expect(await t.runUntil(() => sent.every((s) => s.settled?.ok === true), 10_000)).toBe(true);
      await t.sim.run(1000);
      t.check();
      return t.sim.network.framesSent - before;
    };
    const lossyFrames = await framesFor(lossy);
    const reliableFrames = await framesFor(reliable);
    // Measured: 116 and 74 (heartbeats, acknowledgements and the protocol's own messages remain).
    expect(reliableFrames).toBeLessThan(lossyFrames * 0.8);
  });

  it('a frame a partition lost is sent again as soon as the pair reconnects, not at the safety net', async () => {
    const t = await startGroup(['a', 'b', 'c'], { seed: 7, reliable: true });
    t.sim.network.dropNext('a', 'b'); // lost: the connection a-b is broken
    const first = t.send('a', 'fifo');
    await t.sim.run(5);
    const second = t.send('a', 'fifo'); // passes: a new connection, on which the first is sent again
    expect(await t.runUntil(() => t.delivered('b', first.id) && t.delivered('b', second.id), 1000)).toBe(true);
    expect(t.deliveredAt('b', first.id)! - first.at).toBeLessThan(500);
    t.check();
  });

  it('a frame lost with nothing said is sent again by the safety net', async () => {
    const t = await startGroup(['a', 'b', 'c'], { seed: 9, reliable: true });
    // Lost on its way, and the connection looks intact (the frames after it are cut too, then the
    // link heals without a new connection): only the oldest-frame resend repairs it.
    t.sim.network.cutLink('a', 'b', true);
    const lost = t.send('a', 'fifo');
    await t.sim.run(50);
    t.sim.network.restoreLinks();
    expect(await t.runUntil(() => t.delivered('b', lost.id), 6000)).toBe(true);
    t.check();
  });

  it('frames a receiver drops ahead of a gap (its out-of-order budget is full) are sent again, and every message arrives', async () => {
    // Latencies of 1-80 ms reorder the frames of a burst; a budget of 2 KB holds a few of them: the
    // rest are dropped, reported (the frame's `n`), and sent again once the gap before them is filled.
    // Over reliable connections nothing else would send them: only the oldest frame goes again.
    const t = await startGroup(['a', 'b', 'c'], { seed: 13, latencyMs: [1, 80], reliable: true, config: { linkOutOfOrderBytes: 2048 } });
    const viewId = t.app('a').group.view?.id;
    let reports = 0;
    for (const name of ['a', 'b', 'c']) {
      t.sim.network.tamper(name, (bytes) => {
        const decoded = decodeFrame(bytes, Infinity);
        if (typeof decoded !== 'string' && decoded.frame.n !== undefined) reports += 1;
        return bytes;
      });
    }
    const framesBefore = t.sim.network.framesSent;
    const sent = Array.from({ length: 90 }, (_, i) => t.send(['a', 'b', 'c'][i % 3]!, 'fifo', { extra: { pad: 'x'.repeat(400 + (i % 7) * 100) } }));
    for (let i = 0; i < 30; i++) {
      await t.sim.run(3);
      sent.push(t.send(['a', 'b', 'c'][i % 3]!, 'total', { extra: { pad: 'y'.repeat(700) } }));
    }
    expect(await t.runUntil(() => sent.every((s) => ['a', 'b', 'c'].every((name) => t.delivered(name, s.id))), 5000)).toBe(true);
    expect(reports).toBeGreaterThan(0);
    // No member was suspected for it: the same view throughout, and no retransmission storm.
    for (const name of ['a', 'b', 'c']) expect(t.app(name).group.view?.id).toBe(viewId);
    expect(t.sim.network.framesSent - framesBefore).toBeLessThan(5000);
    await t.sim.run(1000);
    t.check();
  });

  it('random runs over reliable connections keep every property', async () => {
    for (let seed = 1; seed <= 25; seed++) {
      const result = await runScenario(seed, { reliable: true });
      expect(result.violation, `seed ${seed} (npm run sim -- --seed ${seed} --reliable)`).toBeUndefined();
    }
  }, 240_000);

  // Found by `npm run sim -- --seeds 3000 --reliable`: a member excluded while cut off (p6, view 7)
  // refused another (p4) whose proof of the group secret was lost with a connection the partition
  // broke. Over connections that only come back when a frame is sent, neither ever sent the other
  // anything again, and the group waited for p4 to hear p6's JOIN for ever. A refusal for proving
  // nothing now lapses after a quiet spell (auth/group-gate.ts), and p6 rejoins.
  // Found by `npm run sim -- --seeds 3000 --reliable` with the outbound gate of the group secret: the
  // senior of a view of two crashed before the other had the state; that one gave up its join and
  // asked to leave, a view that could not change never let it, and joiners waited for the group it
  // still claimed. A failed join's leave is now bounded (five failure timeouts, then it abandons).
  it('seed 2374: a member whose join failed leaves even when no view change can let it', async () => {
    const result = await runScenario(2374, { reliable: true });
    expect(result.violation).toBeUndefined();
  }, 60_000);

  it('seed 882: a member excluded in a partition rejoins after the heal', async () => {
    const result = await runScenario(882, { reliable: true });
    expect(result.violation).toBeUndefined();
  }, 60_000);
});
