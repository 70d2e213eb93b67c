/**
 * A larger mesh: eight transports connect to one another at once (every pair racing both ways)
 * and exchange frames; then one leaves abruptly and the rest notice.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebRtcTransport } from '../src/webrtc-transport.js';
import { createTransport, startServer } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a mesh of eight', () => {
  it('connects every pair at once and carries frames both ways', async () => {
    const server = await startServer();
    cleanups.push(() => server.close());
    const transports: WebRtcTransport[] = [];
    for (let i = 0; i < 8; i += 1) {
      const t = await createTransport(server);
      transports.push(t);
      cleanups.push(() => t.close({ abrupt: true }));
    }
    const received = transports.map(() => new Set<string>());
    const errors: Error[] = [];
    transports.forEach((t, i) => {
      t.onFrame((from, frame) => received[i]?.add(`${from}:${frame.byteLength}`));
      t.onError((error) => errors.push(error));
      t.announce('many');
    });
    await vi.waitFor(() => {
      if (!transports.every((t) => t.peers('many').length === 7)) throw new Error('not yet');
    }, { timeout: 10_000, interval: 10 });
    for (const t of transports) {
      for (const peer of t.peers('many')) {
        t.send(peer, new Uint8Array(100), 'control');
        t.send(peer, new Uint8Array(50_000), 'data');
      }
    }
    await vi.waitFor(() => {
      if (!received.every((set) => set.size === 14)) throw new Error(`received ${received.map((s) => s.size).join(',')}`);
    }, { timeout: 20_000, interval: 20 });
    expect(errors).toEqual([]);
  }, 40_000);
});
