/**
 * Memory stays bounded under a steady stream (issue: "Stability and memory"): four members
 * multicast 100,000 messages between them, in every order, while the test samples what each
 * group holds. Stable and delivered messages are freed, and the window (EngineConfig.
 * windowMessages) makes a fast sender queue instead of filling everyone's memory.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, groupStats, type Group, type Order } from '@synchrony/core';
import { Simulator } from '../src/simulator.js';

const TOTAL = 100_000;
const OUTSTANDING = 400; // sends an application keeps in flight at once
const ORDERS: Order[] = ['fifo', 'causal', 'total'];

describe('memory under a steady stream', () => {
  it(`stays bounded over ${TOTAL.toLocaleString('en')} messages in a 4-member group`, async () => {
    const sim = new Simulator({ seed: 11, latencyMs: [1, 6], dropRate: 0.02 });
    const groups: Group[] = [];
    const delivered = [0, 0, 0, 0];
    for (let i = 0; i < 4; i++) {
      const group = sim.spawn(`m${i}`).group('stream');
      group.on('message', () => { delivered[i]! += 1; });
      void group.join();
      groups.push(group);
      await sim.run(400);
    }
    await sim.run(1500);
    expect(groups.every((g) => g.view?.members.length === 4)).toBe(true);

    const payload = 'x'.repeat(100);
    const inFlight = [0, 0, 0, 0];
    let sent = 0;
    let peak = { retainedMessages: 0, retainedBytes: 0, queuedSends: 0, futureMessages: 0 };
    while (Math.min(...delivered) < TOTAL) {
      groups.forEach((group, i) => {
        while (inFlight[i]! < OUTSTANDING && sent < TOTAL) {
          inFlight[i]! += 1;
          void group.send({ n: sent, payload }, { order: ORDERS[sent % 3]!, safe: sent % 10 === 0 }).finally(() => { inFlight[i]! -= 1; });
          sent += 1;
        }
      });
      await sim.run(3);
      for (const group of groups) {
        const s = groupStats(group);
        peak = {
          retainedMessages: Math.max(peak.retainedMessages, s.retainedMessages),
          retainedBytes: Math.max(peak.retainedBytes, s.retainedBytes),
          queuedSends: Math.max(peak.queuedSends, s.queuedSends),
          futureMessages: Math.max(peak.futureMessages, s.futureMessages),
        };
      }
    }
    await Promise.all(groups.map((g) => g.flush()));
    await sim.run(200);

    expect(delivered).toEqual([TOTAL, TOTAL, TOTAL, TOTAL]);
    // Each of the 4 senders has at most a window of messages not yet delivered everywhere, so a
    // member holds about 4 windows (a little more while news of the others' deliveries reaches
    // it after reaching the sender), whatever the stream's length or the loss.
    const bound = 4 * DEFAULT_CONFIG.windowMessages * 1.25;
    expect(peak.retainedMessages).toBeLessThanOrEqual(bound);
    expect(peak.retainedBytes).toBeLessThan(bound * 400); // each message is estimated at under 400 bytes
    expect(peak.queuedSends).toBeLessThanOrEqual(OUTSTANDING);
    expect(peak.futureMessages).toBe(0);
    // Once everything is stable and delivered, nothing is left behind.
    for (const group of groups) expect(groupStats(group)).toEqual({ retainedMessages: 0, retainedBytes: 0, queuedSends: 0, futureMessages: 0 });
  }, 120_000);
});
