/**
 * Failure detection by timeout alone, over real WebRTC. An abrupt close tears the data channels
 * down, which the others notice at once; a process that hangs (a frozen tab, a stopped debugger)
 * keeps its connections open and just says nothing. Here a member goes silent behind a transport
 * that drops its frames both ways, its channels still up: the others must suspect it by silence
 * and install a view without it after failureTimeoutMs, not before, and within a margin.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createProcess, DEFAULT_CONFIG, type Lane, type Transport } from '@synchrony/core';
import { realClock } from '../src/index.js';
import { Cleanups, viewWhere, withTimeout } from './group-fixtures.js';
import { createTransport, startServer } from './helpers.js';

const FAILURE_TIMEOUT_MS = 1500;
const MARGIN_MS = 2000;

/** A real transport that can be made to fall silent: nothing in, nothing out, connections kept. */
class Muffled implements Transport {
  silent = false;
  constructor(private readonly inner: Transport) {}
  get localId(): string { return this.inner.localId; }
  send(to: string, frame: Uint8Array, lane: Lane): void { if (!this.silent) this.inner.send(to, frame, lane); }
  onFrame(handler: (from: string, frame: Uint8Array) => void): void {
    this.inner.onFrame((from, frame) => { if (!this.silent) handler(from, frame); });
  }
  announce(group: string): void { this.inner.announce(group); }
  withdraw(group: string): void { this.inner.withdraw(group); }
  peers(group: string): readonly string[] { return this.inner.peers(group); }
  onPeers(handler: (group: string, peers: readonly string[]) => void): void { this.inner.onPeers(handler); }
  onPeerDown(handler: (peer: string) => void): void { this.inner.onPeerDown?.(handler); }
  onError(handler: (error: Error) => void): void { this.inner.onError?.(handler); }
  close(options?: { abrupt?: boolean }): Promise<void> { return this.inner.close(options); }
}

const cleanups = new Cleanups();
afterEach(() => cleanups.runAll());

describe('failure detection by timeout over real WebRTC', () => {
  it('suspects a member that falls silent with its channels open, after failureTimeoutMs', async () => {
    const server = await startServer();
    cleanups.push(() => server.close());
    const errors: Error[] = [];
    const transports = await Promise.all([0, 1, 2].map(async () => new Muffled(await createTransport(server))));
    const processes = transports.map((transport) => createProcess({ transport, clock: realClock() }));
    for (const p of processes) {
      cleanups.push(() => p.close({ abrupt: true }));
      p.on('error', (error) => errors.push(error));
    }
    const groups = processes.map((p) => p.group('silence', { failureTimeoutMs: FAILURE_TIMEOUT_MS }));
    await withTimeout(Promise.all(groups.map((g) => g.join())), 15_000, 'the three to join');
    await Promise.all(groups.map((g) => viewWhere(g, (v) => v.members.length === 3, 15_000)));
    await new Promise((resolve) => setTimeout(resolve, 300));

    const silent = groups[2]!.me;
    const without = groups.slice(0, 2).map((g) => viewWhere(g, (v) => v.primary && !v.members.includes(silent), 15_000));
    const silencedAt = Date.now();
    transports[2]!.silent = true;
    const views = await Promise.all(without);
    const elapsed = views.map((v) => v.atMs - silencedAt);
    console.info(`view without the silent member after ${elapsed.join(', ')} ms (failureTimeoutMs ${FAILURE_TIMEOUT_MS})`);

    for (const ms of elapsed) {
      // By silence, not by a closed channel: it was last heard about a heartbeat before it fell silent
      // (its heartbeat timer may run a little late on a loaded machine: 100 ms of slack).
      expect(ms).toBeGreaterThanOrEqual(FAILURE_TIMEOUT_MS - DEFAULT_CONFIG.heartbeatIntervalMs - DEFAULT_CONFIG.tickMs - 100);
      expect(ms).toBeLessThan(FAILURE_TIMEOUT_MS + MARGIN_MS);
    }
    expect(views[0]!.view).toEqual(views[1]!.view);
    expect(errors).toEqual([]);
  }, 40_000);
});
