/**
 * A slow signaling server must not split a group. A process used to found a group of its own
 * when discovery had not answered within createAfterMs of its join ("no peers" read as
 * "nobody"), and two such groups never merge. Here every server message reaches the clients
 * 400 ms late; processes joining at once, and one after the other, must form one group.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as WsWebSocket } from 'ws';
import type { Group, Process } from '@synchrony/core';
import { connect, type WebSocketLike } from '../src/index.js';
import type { WrtcLike } from '../src/wrtc.js';
import { Cleanups, viewWhere, withTimeout } from './group-fixtures.js';
import { startServer, wrtc } from './helpers.js';

const DELAY_MS = 400;

/** A `ws` WebSocket whose inbound messages (and close) arrive DELAY_MS late: a slow server. */
class SlowWebSocket implements WebSocketLike {
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code?: number; reason?: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  private readonly socket: WsWebSocket;

  constructor(url: string) {
    this.socket = new WsWebSocket(url);
    this.socket.onopen = (event) => this.onopen?.(event);
    this.socket.onerror = (event) => this.onerror?.(event);
    this.socket.onclose = (event) => setTimeout(() => this.onclose?.(event), DELAY_MS);
    this.socket.onmessage = (event) => setTimeout(() => this.onmessage?.({ data: event.data }), DELAY_MS);
  }

  get readyState(): number { return this.socket.readyState; }
  send(data: string): void { this.socket.send(data); }
  close(code?: number, reason?: string): void { this.socket.close(code, reason); }
  terminate(): void { this.socket.terminate(); }
}

const cleanups = new Cleanups();
afterEach(() => cleanups.runAll());

async function slowPeer(url: string): Promise<Process> {
  const process = await connect({ signaling: url, iceServers: [], wrtc: wrtc as unknown as WrtcLike, WebSocket: SlowWebSocket });
  cleanups.push(() => process.close({ abrupt: true }));
  return process;
}

describe('a slow signaling server', () => {
  for (const how of ['at once', 'one after the other'] as const) {
    it(`forms one group of processes that join ${how}`, async () => {
      const server = await startServer();
      cleanups.push(() => server.close());
      const [a, b] = [await slowPeer(server.url), await slowPeer(server.url)];
      let groups: Group[];
      if (how === 'at once') groups = await withTimeout(Promise.all([a!.join('room'), b!.join('room')]), 15_000, 'both to join');
      else groups = [await withTimeout(a!.join('room'), 15_000, 'a to join'), await withTimeout(b!.join('room'), 15_000, 'b to join')];
      const views = await Promise.all(groups.map((g) => viewWhere(g, (v) => v.members.length === 2, 15_000)));
      expect(views[0]!.view).toEqual(views[1]!.view);
      // Founded once: the first view of either is view 1 of the founder, never two views 1 of one member each.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(groups.map((g) => g.view?.members.length)).toEqual([2, 2]);
    }, 30_000);
  }
});
