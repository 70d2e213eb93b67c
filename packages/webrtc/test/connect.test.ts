/**
 * connect(): Processes of @synchrony/core on the WebRTC transport, end to end over @roamhq/wrtc.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Message, Process, View } from '@synchrony/core';
import { connect } from '../src/index.js';
import type { WrtcLike } from '../src/wrtc.js';
import { startServer, wrtc } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('connect()', () => {
  it('gives Processes that form a group and multicast over WebRTC', async () => {
    const server = await startServer();
    cleanups.push(() => server.close());
    const processes: Process[] = [];
    for (let i = 0; i < 3; i += 1) {
      const p = await connect({ signaling: server.url, iceServers: [], wrtc: wrtc as unknown as WrtcLike });
      processes.push(p);
      cleanups.push(() => p.close({ abrupt: true }));
    }
    const errors: Error[] = [];
    for (const p of processes) p.on('error', (error) => errors.push(error));
    const groups = [];
    for (const p of processes) groups.push(await p.join('room'));
    const received = groups.map(() => [] as Message[]);
    groups.forEach((g, i) => g.on('message', (m) => received[i]?.push(m)));
    const views = await Promise.all(
      groups.map((g) => new Promise<View>((resolve) => {
        if (g.view?.members.length === 3) resolve(g.view);
        const off = g.on('view', (v) => {
          if (v.members.length === 3) {
            off();
            resolve(v);
          }
        });
      })),
    );
    expect(new Set(views.map((v) => v.id)).size).toBe(1);
    await groups[0]?.send({ hello: 'world' });
    await groups[2]?.send(new Uint8Array([1, 2, 3]));
    await Promise.all(groups.map((g) => g.flush()));
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Total order (the default): every member delivers both, in one order.
    const first = received[0]?.map((m) => m.data);
    expect(first).toHaveLength(2);
    expect(first).toContainEqual({ hello: 'world' });
    expect(first).toContainEqual(new Uint8Array([1, 2, 3]));
    for (const list of received) expect(list.map((m) => m.data)).toEqual(first);
    expect(errors).toEqual([]);
  }, 30_000);
});
