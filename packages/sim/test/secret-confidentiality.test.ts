/**
 * What a group secret keeps from a man in the middle of a new connection between two members, on
 * the simulator (deterministic; the real-network counterpart is packages/webrtc/test/
 * man-in-the-middle.test.ts). Integrity holds: nothing the MITM relays is accepted. Confidentiality
 * does not, yet: a member sends its group's traffic over the new connection before the other end has
 * proved the secret over it (the gate holds what comes in, not what goes out). KNOWN LIMITATION
 * (SECURITY.md), pinned by an `it.fails` that turns red once outbound traffic waits for the proof too.
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '@synchrony/core';
import { Simulator } from '../src/simulator.js';

async function secretGroup(seed: number) {
  const sim = new Simulator({ seed });
  const errors: Error[] = [];
  const apps = ['a', 'b', 'c'].map((name) => {
    const process = sim.spawn(name);
    process.on('error', (error) => errors.push(error));
    const group = process.group('g', { secret: 's3cret' });
    const delivered: unknown[] = [];
    group.on('message', (m) => delivered.push(m.data));
    return { name, group, delivered };
  });
  for (const { group } of apps) { void group.join(); await sim.run(400); }
  await sim.run(600);
  return { sim, apps, errors };
}

/** The multicasts `from` sends `to` from now on, as a man in the middle of their link reads them. */
function readOnTheLink(sim: Simulator, from: string, to: string): unknown[] {
  const read: unknown[] = [];
  sim.network.tamper(from, (bytes, dest) => {
    if (dest === to) {
      const decoded = decodeFrame(bytes, 64 * 1024 * 1024);
      if (typeof decoded !== 'string') for (const m of decoded.frame.m) if (m.t === 'd') read.push(m.p);
    }
    return bytes;
  });
  return read;
}

describe('a man in the middle of a new connection between two members of a group with a secret', () => {
  it('gets nothing of its relaying accepted: b delivers none of what a sends over it', async () => {
    const { sim, apps, errors } = await secretGroup(11);
    expect(apps[0]!.group.view?.members).toHaveLength(3);
    expect(errors).toEqual([]);
    sim.network.manInTheMiddle('a', 'b');
    void apps[0]!.group.send('after the MITM', { order: 'fifo' });
    await sim.run(3000);
    expect(apps[1]!.delivered).not.toContain('after the MITM');
    expect(apps[2]!.delivered).toContain('after the MITM');
    expect(errors.some((e) => /does not verify/.test(e.message))).toBe(true);
  });

  it.fails('reads none of the multicasts a sends b over it', async () => {
    const { sim, apps } = await secretGroup(11); // the run above
    sim.network.manInTheMiddle('a', 'b');
    const read = readOnTheLink(sim, 'a', 'b');
    void apps[0]!.group.send('after the MITM', { order: 'fifo' });
    await sim.run(3000);
    expect(read).toEqual([]);
  });
});
