/**
 * The mesh over real WebRTC (@roamhq/wrtc), with an in-memory relay in place of the signaling
 * server: glare, reconnection to the same peer, peer-down reports, hostile signals.
 * Run inside /work/shared/tools/isolated-net (host candidates need a non-loopback interface).
 */
import wrtc from '@roamhq/wrtc';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveLimits, type WebRtcLimits } from '../src/config.js';
import { Mesh } from '../src/mesh.js';
import type { WrtcLike } from '../src/wrtc.js';

interface Node {
  readonly id: string;
  readonly mesh: Mesh;
  readonly frames: Array<{ from: string; text: string }>;
  /** Frames of 64 KiB or more, as bytes. */
  readonly large: Array<{ from: string; frame: Uint8Array }>;
  readonly down: string[];
  readonly errors: Error[];
}

const nodes: Node[] = [];
/** Relayed signals pass through here; a test may hold them back. */
let relayFilter: (from: string, to: string, data: unknown) => boolean = () => true;

function makeNode(id: string, limits: Partial<WebRtcLimits> = {}): Node {
  const node: Node = {
    id,
    frames: [],
    large: [],
    down: [],
    errors: [],
    mesh: new Mesh({
      localId: id,
      wrtc: wrtc as unknown as WrtcLike,
      iceServers: [],
      limits: resolveLimits(limits),
      sendSignal: (to, data) => {
        const target = nodes.find((n) => n.id === to);
        // Asynchronous, like the server; JSON round trip, like the wire.
        const copy: unknown = JSON.parse(JSON.stringify(data));
        if (target !== undefined && relayFilter(id, to, copy)) setTimeout(() => target.mesh.handleSignal(id, copy), 1);
      },
      onFrame: (from, frame) => {
        if (frame.byteLength >= 65536) node.large.push({ from, frame });
        else node.frames.push({ from, text: new TextDecoder().decode(frame) });
      },
      onPeerDown: (peer) => node.down.push(peer),
      onError: (error) => node.errors.push(error),
    }),
  };
  nodes.push(node);
  return node;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const until = (condition: () => boolean, timeout = 10_000): Promise<void> =>
  vi.waitFor(() => {
    if (!condition()) throw new Error('not yet');
  }, { timeout, interval: 10 });

afterEach(async () => {
  relayFilter = () => true;
  await Promise.all(nodes.splice(0).map((n) => n.mesh.close(true)));
});

describe('Mesh over wrtc', () => {
  it('connects on demand from both sides at once (glare) with one connection', async () => {
    const a = makeNode('a-process');
    const b = makeNode('b-process');
    a.mesh.send(b.id, text('hello b'), 'data');
    b.mesh.send(a.id, text('hello a'), 'control');
    await until(() => a.frames.length === 1 && b.frames.length === 1);
    expect(b.frames).toEqual([{ from: a.id, text: 'hello b' }]);
    expect(a.frames).toEqual([{ from: b.id, text: 'hello a' }]);
    await until(() => a.mesh.linkState(b.id) === 'open' && b.mesh.linkState(a.id) === 'open');
    expect([...a.down, ...b.down, ...a.errors, ...b.errors]).toEqual([]);
  }, 20_000);

  it('reports a peer down when its side closes, and connects to it again later', async () => {
    const a = makeNode('a-process');
    const b = makeNode('b-process');
    const c = makeNode('c-process');
    b.mesh.send(a.id, text('1'), 'data'); // b asks a to initiate
    c.mesh.send(b.id, text('2'), 'data'); // b initiates to c
    await until(() => a.frames.length === 1 && b.frames.length === 1);
    // b goes away abruptly, then comes back as the same mesh id is not allowed: a new process takes its place.
    await b.mesh.close(true);
    await until(() => a.down.includes(b.id) && c.down.includes(b.id));
    expect(a.mesh.linkState(b.id)).toBeUndefined();

    // The same pair again, after a link failure that only one side saw: a's link to c is dropped locally.
    a.mesh.send(c.id, text('3'), 'data');
    await until(() => c.frames.some((f) => f.text === '3'));
    const cLink = (c.mesh as unknown as { links: Map<string, { close(): void }> }).links.get(a.id);
    cLink?.close(); // c forgets a silently; a's side sees the channel close
    (c.mesh as unknown as { links: Map<string, unknown> }).links.delete(a.id);
    await until(() => a.down.includes(c.id));
    c.mesh.send(a.id, text('4'), 'data'); // c (larger) asks a for a new attempt
    await until(() => a.frames.some((f) => f.text === '4'));
    a.mesh.send(c.id, text('5'), 'control');
    await until(() => c.frames.some((f) => f.text === '5'));
  }, 30_000);

  it('gives up a connection that never opens and reports the peer down', async () => {
    const a = makeNode('a-process', { connectTimeoutMs: 300 });
    a.mesh.send('z-nobody', text('lost'), 'data');
    expect(a.mesh.linkState('z-nobody')).toBe('connecting');
    await until(() => a.down.includes('z-nobody'), 3000);
    expect(a.mesh.linkState('z-nobody')).toBeUndefined();
  }, 10_000);

  it('reports hostile signals, and a failed attempt does not hurt the others', async () => {
    const a = makeNode('a-process');
    const b = makeNode('b-process');
    a.mesh.handleSignal(b.id, 'nonsense');
    a.mesh.handleSignal(b.id, { v: 1, kind: 'rtc', session: -1, data: {} });
    a.mesh.handleSignal(b.id, { v: 2, kind: 'connect', known: 0 });
    b.mesh.handleSignal(a.id, { v: 1, kind: 'connect', known: 0 }); // b never initiates to a
    expect(a.errors.map((e) => e.name)).toEqual(['ProtocolError', 'ProtocolError', 'ProtocolError']);
    expect(b.errors.map((e) => e.name)).toEqual(['ProtocolError']);
    // A garbage offer from some process fails that attempt only.
    b.mesh.handleSignal('a-hostile', { v: 1, kind: 'rtc', session: 5, data: { type: 'offer', sdp: 'garbage' } });
    await until(() => b.down.includes('a-hostile'));
    expect(b.mesh.linkState('a-hostile')).toBeUndefined();
    // A late signal of that attempt is ignored.
    b.mesh.handleSignal('a-hostile', { v: 1, kind: 'rtc', session: 5, data: { type: 'offer', sdp: 'garbage' } });
    expect(b.mesh.linkState('a-hostile')).toBeUndefined();
    a.mesh.send(b.id, text('fine'), 'data');
    await until(() => b.frames.some((f) => f.text === 'fine'));
  }, 20_000);

  it('drops frames over the limit and reports them', async () => {
    const a = makeNode('a-process', { maxFrameBytes: 1000 });
    a.mesh.send('b-process', new Uint8Array(1001), 'data');
    expect(a.errors.map((e) => e.name)).toEqual(['SendError']);
    expect(a.mesh.linkState('b-process')).toBeUndefined();
  });
});

describe('fragment sizes', () => {
  const big = (seed: number): Uint8Array => Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 7 + seed) & 0xff);
  const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

  it('peers with different chunkBytes exchange large frames both ways', async () => {
    const a = makeNode('a-process', { chunkBytes: 200 * 1024 });
    const b = makeNode('b-process');
    a.mesh.send(b.id, big(1), 'data');
    b.mesh.send(a.id, big(2), 'data');
    await until(() => a.large.length === 1 && b.large.length === 1, 20_000);
    expect(sameBytes(b.large[0]!.frame, big(1))).toBe(true);
    expect(sameBytes(a.large[0]!.frame, big(2))).toBe(true);
    expect([...a.errors, ...b.errors]).toEqual([]);
  }, 30_000);

  it("cuts fragments no larger than the other side's advertised max-message-size", async () => {
    // The relay rewrites b's descriptions to advertise 20,000 bytes: wrtc then refuses any larger
    // message from a, so the frame only arrives if a cuts its fragments to fit.
    relayFilter = (from, _to, data) => {
      const sdp = (data as { data?: { sdp?: string } }).data;
      if (from === 'b-process' && typeof sdp?.sdp === 'string') sdp.sdp = sdp.sdp.replace(/a=max-message-size:\d+/, 'a=max-message-size:20000');
      return true;
    };
    const a = makeNode('a-process');
    const b = makeNode('b-process');
    a.mesh.send(b.id, big(3), 'data');
    await until(() => b.large.length === 1 || a.down.length > 0, 20_000);
    expect(a.down).toEqual([]);
    expect(sameBytes(b.large[0]!.frame, big(3))).toBe(true);
    expect([...a.errors, ...b.errors]).toEqual([]);
  }, 30_000);
});

describe('the platform refuses a peer connection', () => {
  it('reports it on the error path (a browser whose budget of peer connections is spent), not a silent stall', async () => {
    // A WebRTC implementation that, like a browser past its limit, throws when asked for a connection.
    const spent = { ...(wrtc as unknown as WrtcLike), RTCPeerConnection: function refuse() { throw new Error('Cannot create so many PeerConnections'); } };
    const errors: Error[] = [];
    const down: string[] = [];
    const mesh = new Mesh({
      localId: 'a', wrtc: spent as unknown as WrtcLike, iceServers: [], limits: resolveLimits({}),
      sendSignal: () => {}, onFrame: () => {}, onPeerDown: (peer) => down.push(peer), onError: (error) => errors.push(error),
    });
    mesh.send('b', text('hello'), 'data');
    await until(() => down.includes('b'));
    expect(errors.map((e) => e.message).join()).toMatch(/cannot connect to b: cannot create a peer connection: Cannot create so many PeerConnections/);
    await mesh.close(true);
  });
});

describe('a connection on which nothing arrives', () => {
  it('is closed after silentCloseMs and its peer reported down; the next frame connects again', async () => {
    const a = makeNode('a', { silentCloseMs: 600 });
    const b = makeNode('b', { silentCloseMs: 60_000 });
    a.mesh.send('b', text('hello'), 'data');
    await until(() => b.frames.length === 1);
    // b never answers: a hears nothing on the connection, as from a process killed without a word.
    await until(() => a.down.includes('b'), 5000);
    expect(a.mesh.linkState('b')).toBeUndefined();
    expect(a.errors).toEqual([]);
    a.mesh.send('b', text('again'), 'data');
    await until(() => b.frames.some((f) => f.text === 'again'));
  }, 20_000);

  it('stays open while frames arrive', async () => {
    const a = makeNode('a', { silentCloseMs: 600 });
    const b = makeNode('b', { silentCloseMs: 600 });
    const started = Date.now();
    while (Date.now() - started < 2000) {
      a.mesh.send('b', text('ping'), 'data');
      b.mesh.send('a', text('pong'), 'data');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(a.down).toEqual([]);
    expect(b.down).toEqual([]);
  }, 20_000);
});
