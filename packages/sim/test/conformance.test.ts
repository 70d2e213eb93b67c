/**
 * The transport conformance suite of @synchrony/core, run against the simulator's network: three
 * SimTransports on virtual time, lossless, with a latency drawn per frame so that frames overtake
 * one another. The simulator promises neither FIFO lanes nor separate lanes (it reorders on
 * purpose, for the engine's links to repair), and says so through the suite's options.
 */
import { describe, expect, it } from 'vitest';
import { transportConformance } from '../../core/src/testing/transport-conformance.js';
import { Simulator } from '../src/simulator.js';

/** Latency spread of the conformance network, in virtual ms: wide, so that reordering is common. */
const LATENCY_MS: [number, number] = [1, 40];

function simulatedTransports(seed: number) {
  const sim = new Simulator({ seed, latencyMs: LATENCY_MS, dropRate: 0 });
  const transports = ['a', 'b', 'c'].map((id) => sim.network.attach(id));
  return { sim, transports };
}

transportConformance(
  'SimTransport',
  async () => {
    const { sim, transports } = simulatedTransports(20_240_607);
    return {
      transports,
      cleanup: async () => {
        await Promise.all(transports.map((t) => t.close()));
      },
      advance: (ms) => sim.run(ms),
    };
  },
  { fifo: false, separateLanes: false },
);

describe('SimTransport: what the conformance options waive', () => {
  it('really reorders frames within a lane (so fifo: false is the truth, and the links repair it)', async () => {
    const { sim, transports } = simulatedTransports(7);
    const [a, b] = transports as [(typeof transports)[number], (typeof transports)[number]];
    const order: number[] = [];
    b.onFrame((_, frame) => order.push(frame[0] as number));
    for (let i = 0; i < 50; i += 1) a.send(b.localId, new Uint8Array([i]), 'data');
    await sim.run(LATENCY_MS[1] + 1);
    expect([...order].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(order).not.toEqual([...order].sort((x, y) => x - y));
  });
});
