/**
 * Scale on the simulator (issue "Scale"): what a quiet group costs as a process joins more of them,
 * and what a view change and a multicast cost each member as a group grows. Counts, not times: the
 * messages and frames that cross the simulated network, and bounds on how they grow.
 */
import { describe, expect, it } from 'vitest';
import { Simulator } from '../src/simulator.js';

/** 4 processes sharing `n` groups, joined, then idle for 10 virtual seconds: frames and bytes per second. */
async function idleCost(n: number): Promise<{ framesPerS: number; bytesPerS: number }> {
  const sim = new Simulator({ seed: 1, latencyMs: [1, 5] });
  const processes = ['a', 'b', 'c', 'd'].map((name) => sim.spawn(name));
  const groups = [];
  for (let g = 0; g < n; g++) for (const p of processes) groups.push(p.group(`g${g}`));
  let joined = 0;
  for (const group of groups) void group.join().then(() => { joined += 1; });
  while (joined < groups.length && sim.now < 60_000) await sim.run(100);
  expect(joined).toBe(groups.length);
  await sim.run(3000);
  const [frames, bytes] = [sim.network.framesSent, sim.network.bytesSent];
  await sim.run(10_000);
  return { framesPerS: (sim.network.framesSent - frames) / 10, bytesPerS: (sim.network.bytesSent - bytes) / 10 };
}

/** A group of `n`: the messages each member sends for one multicast, and for one view change. */
async function memberCost(n: number) {
  const sim = new Simulator({ seed: 1, latencyMs: [1, 5] });
  const groups = Array.from({ length: n }, (_, i) => sim.spawn(`m${i}`).group('big'));
  for (const group of groups) void group.join();
  while (!groups.every((g) => g.view?.members.length === n) && sim.now < 60_000) await sim.run(100);
  expect(groups[0]!.view?.members).toHaveLength(n);
  await sim.run(2000);
  sim.network.countMessages = true;
  const window = async (action: () => void): Promise<{ mean: number; max: number }> => {
    sim.network.messagesSent.clear();
    action();
    await sim.run(1000);
    const counts = [...sim.network.messagesSent.values()];
    return { mean: counts.reduce((a, b) => a + b, 0) / n, max: Math.max(...counts) };
  };
  const idle = await window(() => {});
  const multicast = await window(() => void groups[1]!.send('x'));
  const change = await window(() => void groups[n - 1]!.leave());
  return { idle, multicast, change };
}

describe('scale', () => {
  it('a quiet group costs nothing on the wire: 1, 100 and 1000 groups over the same links cost the same', async () => {
    const costs = [await idleCost(1), await idleCost(100), await idleCost(1000)];
    for (const cost of costs) {
      expect(cost.framesPerS).toBeLessThanOrEqual(costs[0]!.framesPerS * 1.05);
      expect(cost.bytesPerS).toBeLessThanOrEqual(costs[0]!.bytesPerS * 1.1);
    }
  }, 120_000);

  it('a multicast and a view change cost each member O(n) messages as the group grows (8, 16, 32)', async () => {
    const costs = [await memberCost(8), await memberCost(16), await memberCost(32)];
    for (const [i, n] of [8, 16, 32].entries()) {
      const { idle, multicast, change } = costs[i]!;
      // Beyond the idle keepalives (a digest to each peer, twice a second): a few messages per peer.
      expect(multicast.mean - idle.mean).toBeLessThanOrEqual(3 * n);
      expect(change.mean - idle.mean).toBeLessThanOrEqual(3 * n);
      expect(change.max - idle.mean).toBeLessThanOrEqual(8 * n); // the coordinator
    }
  }, 120_000);
});
