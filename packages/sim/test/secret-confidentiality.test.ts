/**
 * What a group secret keeps from a man in the middle of a new connection between two members, on
 * the simulator (deterministic; the real-network counterpart is packages/webrtc/test/
 * man-in-the-middle.test.ts). Integrity holds: nothing the MITM relays is accepted. So does
 * confidentiality: a member sends a group's messages over a connection only once the other end has
 * proved the secret over it (auth/group-gate.ts: what goes out waits for the proof as what comes in
 * does), frames the old connection had not acknowledged included. And an honest new connection
 * (reliable connections: a lost frame breaks one) is proved again, and nothing is lost.
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '@synchrony/core';
import { Simulator } from '../src/simulator.js';

async function secretGroup(seed: number, reliable = false) {
  const sim = new Simulator({ seed, reliable });
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

  it('reads none of the multicasts a sends b over it', async () => {
    const { sim, apps } = await secretGroup(11); // the run above
    sim.network.manInTheMiddle('a', 'b');
    const read = readOnTheLink(sim, 'a', 'b');
    void apps[0]!.group.send('after the MITM', { order: 'fifo' });
    await sim.run(3000);
    expect(read).toEqual([]);
  });

  it('an honest new connection is proved again over it, and what the old one lost arrives', async () => {
    const { sim, apps, errors } = await secretGroup(12, true);
    expect(apps[0]!.group.view?.members).toHaveLength(3);
    sim.network.dropNext('a', 'b'); // lost: the a-b connection breaks; the next frame makes a new one
    void apps[0]!.group.send('lost with the old connection', { order: 'fifo' });
    await sim.run(5);
    void apps[0]!.group.send('over the new one', { order: 'fifo' });
    await sim.run(2000);
    for (const app of apps) expect(app.delivered).toEqual(expect.arrayContaining(['lost with the old connection', 'over the new one']));
    expect(apps[1]!.group.view?.members).toHaveLength(3);
    expect(errors).toEqual([]);
  });
});
