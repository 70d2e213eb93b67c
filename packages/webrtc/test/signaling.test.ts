/**
 * The signaling side of WebRtcTransport against a real signaling server (and, for hostile frames,
 * a fake one): reconnection after a dropped socket or a server restart with the groups kept,
 * malformed server frames reported and survived, refusals, unreachable peers.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket as NodeWebSocket, WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import type { WebSocketConstructor } from '../src/websocket.js';
import type { WebRtcTransport } from '../src/webrtc-transport.js';
import { createTransport, startServer } from './helpers.js';

/** Everything a test opened, closed afterwards whatever happened. */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(port = 0) {
  const s = await startServer({ port });
  cleanups.push(() => s.close());
  return s;
}

async function transport(url: string, options: Parameters<typeof createTransport>[1] = {}): Promise<WebRtcTransport> {
  const t = await createTransport({ url }, options);
  cleanups.push(() => t.close({ abrupt: true }));
  return t;
}

function recorder(t: WebRtcTransport) {
  const seen = { errors: [] as Error[], down: [] as string[], frames: [] as Array<{ from: string; text: string }> };
  t.onError((error) => seen.errors.push(error));
  t.onPeerDown((peer) => seen.down.push(peer));
  t.onFrame((from, frame) => seen.frames.push({ from, text: new TextDecoder().decode(frame) }));
  return seen;
}

/** A `ws` WebSocket class that remembers its instances, so a test can cut one. */
function recordingWebSocket() {
  const sockets: NodeWebSocket[] = [];
  class Recording extends NodeWebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return { sockets, WebSocket: Recording as unknown as WebSocketConstructor };
}

const until = (condition: () => boolean, timeout = 10_000): Promise<void> =>
  vi.waitFor(() => {
    if (!condition()) throw new Error('not yet');
  }, { timeout, interval: 10 });
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('WebRtcTransport signaling', () => {
  it('reconnects after its socket drops, announces its groups again, and keeps its WebRTC links', async () => {
    const s = await server();
    const { sockets, WebSocket } = recordingWebSocket();
    const a = await transport(s.url, { WebSocket });
    const b = await transport(s.url);
    const seenA = recorder(a);
    const seenB = recorder(b);
    a.announce('room');
    a.announce('lobby');
    b.announce('room');
    await until(() => a.peers('room').includes(b.localId) && b.peers('room').includes(a.localId));
    a.send(b.localId, text('before'), 'data');
    await until(() => seenB.frames.length === 1);

    expect(sockets).toHaveLength(1);
    sockets[0]?.terminate(); // the network drops the signaling connection
    await until(() => !b.peers('room').includes(a.localId)); // the server saw a leave
    // Meanwhile the peer-to-peer link still carries frames.
    a.send(b.localId, text('during'), 'control');
    await until(() => seenB.frames.some((f) => f.text === 'during'));

    await until(() => sockets.length === 2 && a.signalingConnected);
    await until(() => b.peers('room').includes(a.localId)); // announced again
    expect(a.peers('room')).toEqual([b.localId]);
    expect(a.peers('lobby')).toEqual([]);
    b.announce('lobby');
    await until(() => a.peers('lobby').includes(b.localId)); // 'lobby' was announced again too
    expect(seenA.errors.some((e) => e.name === 'SignalingError' && /reconnecting/.test(e.message))).toBe(true);
    expect(seenA.down).toEqual([]);
  }, 30_000);

  it('announces thousands of groups joined at once, paced under the server limit, losing none', async () => {
    // After the first second's worth, more joins wait than the outbox holds (4096): none may be
    // dropped, and the pace keeps the socket.
    const groups = 5200;
    const s = await startServer({ limits: { groupsPerSocket: groups, messagesPerSecondPerSocket: 2000 } });
    cleanups.push(() => s.close());
    const a = await transport(s.url, { signalingTimings: { messagesPerSecond: 1000 } });
    const seen = recorder(a);
    for (let g = 0; g < groups; g += 1) a.announce(`g${g}`);
    a.withdraw(`g${groups - 1}`); // still queued: withdrawn from the queue, the server never hears of it
    await until(() => Array.from({ length: groups - 1 }, (_, g) => a.discovered(`g${g}`)).every(Boolean), 20_000);
    expect(a.discovered(`g${groups - 1}`)).toBe(false);
    expect(seen.errors).toEqual([]);
    expect(a.signalingConnected).toBe(true);
  }, 30_000);

  it('reconnects to a restarted server on the same port, with backoff, and meets its peers again', async () => {
    const first = await startServer();
    const port = first.port;
    const a = await transport(first.url);
    const b = await transport(first.url);
    a.announce('room');
    b.announce('room');
    await until(() => a.peers('room').includes(b.localId));
    await first.close();
    await until(() => !a.signalingConnected && !b.signalingConnected);
    await new Promise((resolve) => setTimeout(resolve, 300)); // a few failed attempts
    await server(port);
    await until(() => a.signalingConnected && b.signalingConnected, 15_000);
    await until(() => a.peers('room').includes(b.localId) && b.peers('room').includes(a.localId));
    // Discovery works for newcomers too.
    const c = await transport(`ws://127.0.0.1:${port}`);
    c.announce('room');
    await until(() => a.peers('room').includes(c.localId));
  }, 30_000);

  it('reports malformed server frames as errors and keeps going', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => new Promise((resolve) => wss.close(() => resolve())));
    await new Promise((resolve) => wss.once('listening', resolve));
    wss.on('connection', (socket) => {
      socket.on('message', (raw) => {
        const message = JSON.parse(String(raw)) as { type: string; id?: string; group?: string };
        if (message.type === 'hello') socket.send(JSON.stringify({ type: 'welcome', id: message.id, version: 1 }));
        if (message.type === 'join') {
          socket.send('not json at all');
          socket.send(JSON.stringify({ type: 'peers', group: message.group }));
          socket.send(JSON.stringify({ type: 'peers', group: message.group, peers: ['ok-1', 'bad id with spaces'] }));
          socket.send(JSON.stringify({ type: 'mystery' }));
          socket.send(JSON.stringify({ type: 'signal', from: 'x', data: { __proto__: null, constructor: 1 } }));
          socket.send(Buffer.from([1, 2, 3]), { binary: true });
          socket.send(JSON.stringify({ type: 'signal', from: 'x', data: 'not an envelope' }));
          socket.send(JSON.stringify({ type: 'peers', group: message.group, peers: ['ok-1', 'ok-2'] }));
        }
      });
    });
    const { port } = wss.address() as AddressInfo;
    const a = await transport(`ws://127.0.0.1:${port}`);
    const seen = recorder(a);
    const peerLists: string[][] = [];
    a.onPeers((_group, peers) => peerLists.push([...peers]));
    a.announce('g');
    await until(() => a.peers('g').length === 2);
    expect(peerLists).toEqual([['ok-1', 'ok-2']]);
    const messages = seen.errors.map((e) => `${e.name}: ${e.message}`);
    expect(messages.filter((m) => m.startsWith('SignalingError: malformed frame'))).toHaveLength(5);
    expect(messages.some((m) => /binary frame/.test(m))).toBe(true);
    expect(messages.some((m) => m.startsWith('ProtocolError: signal from x'))).toBe(true);
    expect(a.signalingConnected).toBe(true);
  }, 15_000);

  it('rejects create() when the server refuses the hello or cannot be reached', async () => {
    const guarded = await startServer({ secret: 'a-long-enough-test-secret-0123456789' });
    cleanups.push(() => guarded.close());
    await expect(createTransport(guarded)).rejects.toMatchObject({ name: 'SignalingError', code: 'token-required' });
    await expect(createTransport(guarded, { token: 'forged' })).rejects.toMatchObject({ name: 'SignalingError', code: 'token-invalid' });

    const gone = await startServer();
    const url = gone.url;
    await gone.close();
    await expect(createTransport({ url })).rejects.toMatchObject({ name: 'SignalingError' });
  }, 15_000);

  it('reports a peer that the server cannot reach as down at once, not after the connect timeout', async () => {
    const s = await server();
    const b = await transport(s.url, { limits: { connectTimeoutMs: 60_000 } });
    const seen = recorder(b);
    b.announce('room');
    // 'a…' sorts before 'p…': b asks it to initiate, through the server, which knows no such process.
    b.send('a-nobody', text('x'), 'data');
    await until(() => seen.down.includes('a-nobody'), 3000);
  }, 10_000);

  it('after an abrupt close the others report it down and the server drops it from the groups', async () => {
    const s = await server();
    const a = await transport(s.url);
    const b = await transport(s.url);
    const seenB = recorder(b);
    a.announce('room');
    b.announce('room');
    await until(() => b.peers('room').includes(a.localId));
    a.send(b.localId, text('hi'), 'data');
    await until(() => seenB.frames.length === 1);
    await a.close({ abrupt: true });
    await until(() => seenB.down.includes(a.localId), 5000);
    await until(() => !b.peers('room').includes(a.localId), 5000);
  }, 15_000);
});
