/**
 * The conformance suite every `Transport` runs (the simulated network and the WebRTC mesh alike),
 * in the manner of libp2p's transport compliance tests:
 *
 * ```ts
 * transportConformance('WebRtcTransport', async () => {
 *   const transports = await Promise.all([create(), create(), create()]);
 *   return { transports, cleanup: async () => { ... } };
 * });
 * ```
 *
 * The factory is called once per test and must give at least three transports that can reach one
 * another on a lossless network; `cleanup` closes whatever it made (transports may already be
 * closed). A factory on virtual time also returns `advance(ms)`, which the suite calls while it
 * waits, so that time passes. This file imports nothing but vitest and the transport contract.
 *
 * What every transport must do (transport.ts): discovery through announce/withdraw; frames of any
 * size arrive whole and at most once (on a lossless network: exactly once); sending to an unknown
 * or closed process never throws; an abrupt close silences the process. What a transport may
 * leave out, stated through `ConformanceOptions`: FIFO order within a lane and separate lanes.
 * Those are optional because the engine's links (core src/link) number, acknowledge and reorder
 * frames themselves, repairing loss, duplication and reordering below the protocol; the simulator
 * reorders frames on purpose so that this repair is exercised on every seeded run.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Lane, Transport } from '../transport.js';

/** What a factory hands the suite for one test. */
export interface ConformanceFixture {
  /** At least three transports, fresh, not yet announced anywhere. */
  readonly transports: readonly Transport[];
  /** Closes the transports (some may be closed already) and anything else the factory made. */
  cleanup(): Promise<void>;
  /** For transports on virtual time: advances it by `ms`. Without it, real time passes. */
  advance?(ms: number): Promise<void>;
}

/** Knobs for transports that legitimately differ. */
export interface ConformanceOptions {
  /** Real-time bound of each test, in ms. Default 60 000. */
  readonly testTimeoutMs?: number;
  /** Bound of each wait inside a test, in ms (of real time, or of virtual time with `advance`). Default 20 000. */
  readonly waitTimeoutMs?: number;
  /** The size of the large frame. Default 10 MB. */
  readonly largeFrameBytes?: number;
  /**
   * False for a transport with a single channel that ignores the lane (transport.ts allows it):
   * skips the check that control frames overtake a data backlog. Default true.
   */
  readonly separateLanes?: boolean;
  /**
   * False for a transport that may reorder frames within a lane (the simulator, whose latency is
   * drawn per frame): the lane test then checks that every frame arrives exactly once, not their
   * order. The engine does not rely on it (its links reorder), so a transport may say false; the
   * WebRTC mesh promises it (ordered channels), and keeps the default. Default true.
   */
  readonly fifo?: boolean;
}

interface Received {
  readonly from: string;
  readonly frame: Uint8Array;
}

/** What the suite records of one transport. */
interface Probe {
  readonly transport: Transport;
  readonly received: Received[];
  readonly peerLists: Map<string, readonly string[]>;
  readonly down: string[];
  readonly errors: Error[];
}

/** Virtual-time step per poll, in ms. */
const STEP_MS = 10;
/** Real-time poll interval, in ms. */
const POLL_MS = 5;

/**
 * Defines the suite under `describe(name)`.
 * @param name shown in the test report
 * @param factory makes the transports of one test
 * @param options see `ConformanceOptions`
 */
export function transportConformance(
  name: string,
  factory: () => Promise<ConformanceFixture>,
  options: ConformanceOptions = {},
): void {
  const testTimeoutMs = options.testTimeoutMs ?? 60_000;
  const waitTimeoutMs = options.waitTimeoutMs ?? 20_000;
  const largeFrameBytes = options.largeFrameBytes ?? 10_000_000;

  /** Runs `body` with fresh probed transports and always cleans up. */
  function withTransports(body: (probes: Probe[], env: Env) => Promise<void>): () => Promise<void> {
    return async () => {
      const fixture = await factory();
      try {
        expect(fixture.transports.length).toBeGreaterThanOrEqual(3);
        const env = new Env(fixture, waitTimeoutMs);
        await body(fixture.transports.map(probe), env);
      } finally {
        await fixture.cleanup();
      }
    };
  }

  describe(`${name}: transport conformance`, () => {
    it('discovery: announce introduces the processes of a group to one another, withdraw removes them', withTransports(async (probes, env) => {
      const ids = probes.map((p) => p.transport.localId);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of probes) p.transport.announce('conformance-all');
      for (const [i, p] of probes.entries()) {
        const others = ids.filter((_, j) => j !== i);
        await env.until(() => sameSet(p.transport.peers('conformance-all'), others), `${ids[i]} to see ${others.join(', ')}`);
        await env.until(() => sameSet(p.peerLists.get('conformance-all') ?? [], others), `onPeers at ${ids[i]} to list the others`);
        expect(p.transport.peers('conformance-all')).not.toContain(ids[i]);
      }

      // A group announced by two only: the third is not introduced to them.
      const [a, b, c] = probes as [Probe, Probe, Probe];
      a.transport.announce('conformance-pair');
      b.transport.announce('conformance-pair');
      await env.until(() => sameSet(a.transport.peers('conformance-pair'), [b.transport.localId]), 'the pair to meet');
      await env.until(() => sameSet(b.transport.peers('conformance-pair'), [a.transport.localId]), 'the pair to meet');
      await env.pause(50);
      expect(a.transport.peers('conformance-pair')).not.toContain(c.transport.localId);
      expect(b.transport.peers('conformance-pair')).not.toContain(c.transport.localId);

      a.transport.withdraw('conformance-all');
      for (const p of [b, c]) {
        await env.until(() => !p.transport.peers('conformance-all').includes(a.transport.localId), 'the withdrawal to be seen');
        await env.until(() => !(p.peerLists.get('conformance-all') ?? []).includes(a.transport.localId), 'onPeers to report the withdrawal');
      }
      expect(b.transport.peers('conformance-pair')).toEqual([a.transport.localId]);
    }), testTimeoutMs);

    it('frames of every size arrive whole, between every pair, on both lanes', withTransports(async (probes, env) => {
      await env.meet(probes, 'conformance-frames');
      const sizes = [0, 1, 1000, 16_384, 70_001];
      const expected = new Map<string, number>(); // `${from}>${to}>${length}>${checksum}` → frames outstanding
      const key = (from: string, to: string, frame: Uint8Array): string => `${from}>${to}>${frame.byteLength}>${checksum(frame)}`;
      for (const [i, sender] of probes.entries()) {
        for (const [j, receiver] of probes.entries()) {
          if (i === j) continue;
          for (const [k, size] of sizes.entries()) {
            for (const lane of ['data', 'control'] as const) {
              const frame = pattern(size, i * 1000 + j * 100 + k * 2 + (lane === 'data' ? 0 : 1));
              const id = key(sender.transport.localId, receiver.transport.localId, frame);
              expected.set(id, (expected.get(id) ?? 0) + 1);
              sender.transport.send(receiver.transport.localId, frame, lane);
            }
          }
        }
      }
      const perReceiver = sizes.length * 2 * (probes.length - 1);
      for (const p of probes) await env.until(() => p.received.length >= perReceiver, `${p.transport.localId} to receive ${perReceiver} frames`);
      await env.pause(100);
      for (const p of probes) {
        expect(p.received.length).toBe(perReceiver); // at most once
        for (const { from, frame } of p.received) {
          const id = key(from, p.transport.localId, frame);
          const outstanding = expected.get(id) ?? 0;
          expect(outstanding, `a frame that was not sent, or not like this: ${id}`).toBeGreaterThan(0);
          if (outstanding === 1) expected.delete(id);
          else expected.set(id, outstanding - 1);
        }
      }
      expect([...expected.keys()]).toEqual([]);
    }), testTimeoutMs);

    const fifo = options.fifo !== false;
    it(fifo ? 'each lane is FIFO' : 'each lane carries every frame exactly once (order not promised)', withTransports(async (probes, env) => {
      const [a, b] = probes as [Probe, Probe];
      await env.meet([a, b], 'conformance-fifo');
      const perLane = 300;
      for (let seq = 0; seq < perLane; seq += 1) {
        // Data frames of varied sizes, so that some are fragmented and some are not.
        a.transport.send(b.transport.localId, sequenced('data', seq, 1 + ((seq * 7919) % 40_000)), 'data');
        a.transport.send(b.transport.localId, sequenced('control', seq, 8), 'control');
      }
      await env.until(() => b.received.length >= 2 * perLane, `${2 * perLane} frames to arrive`);
      await env.pause(100); // a duplicate would arrive after the last original
      expect(b.received).toHaveLength(2 * perLane);
      const seen: Record<Lane, number[]> = { data: [], control: [] };
      for (const { from, frame } of b.received) {
        expect(from).toBe(a.transport.localId);
        const { lane, seq } = readSequenced(frame);
        if (fifo) expect(seq, `${lane} lane out of order`).toBe(seen[lane].length);
        seen[lane].push(seq);
      }
      const all = Array.from({ length: perLane }, (_, seq) => seq);
      for (const lane of ['data', 'control'] as const) expect([...seen[lane]].sort((x, y) => x - y), `${lane} lane`).toEqual(all);
    }), testTimeoutMs);

    it(`a frame of ${largeFrameBytes} bytes arrives whole`, withTransports(async (probes, env) => {
      const [a, b] = probes as [Probe, Probe];
      await env.meet([a, b], 'conformance-large');
      const frame = pattern(largeFrameBytes, 42);
      a.transport.send(b.transport.localId, frame, 'data');
      b.transport.send(a.transport.localId, pattern(5, 1), 'data');
      await env.until(() => b.received.length >= 1, 'the large frame');
      expect(b.received).toHaveLength(1);
      const got = (b.received[0] as Received).frame;
      expect(got.byteLength).toBe(largeFrameBytes);
      expect(equalBytes(got, frame)).toBe(true);
      await env.until(() => a.received.length >= 1, 'the small frame the other way');
    }), testTimeoutMs);

    it.skipIf(options.separateLanes === false)('control frames are not stuck behind a data backlog', withTransports(async (probes, env) => {
      const [a, b] = probes as [Probe, Probe];
      await env.meet([a, b], 'conformance-lanes');
      // Connect first, so that the backlog is what the control frame competes with.
      a.transport.send(b.transport.localId, sequenced('data', 0, 8), 'data');
      await env.until(() => b.received.length >= 1, 'the first frame');
      const backlogFrames = 40;
      for (let seq = 1; seq <= backlogFrames; seq += 1) {
        a.transport.send(b.transport.localId, sequenced('data', seq, 256 * 1024), 'data');
      }
      a.transport.send(b.transport.localId, sequenced('control', 0, 8), 'control');
      await env.until(() => b.received.length >= backlogFrames + 2, 'the backlog and the control frame');
      const lanes = b.received.map(({ frame }) => readSequenced(frame).lane);
      const controlAt = lanes.indexOf('control');
      expect(controlAt, `the control frame arrived after ${controlAt - 1} of ${backlogFrames} backlog frames`).toBeLessThan(backlogFrames + 1);
    }), testTimeoutMs);

    it('a frame to an unknown or closed process does not throw, and the others still talk', withTransports(async (probes, env) => {
      const [a, b, c] = probes as [Probe, Probe, Probe];
      await env.meet(probes, 'conformance-unknown');
      expect(() => a.transport.send('no-such-process-7f3a', pattern(10, 1), 'data')).not.toThrow();
      expect(() => a.transport.send('no-such-process-7f3a', pattern(10, 2), 'control')).not.toThrow();
      await c.transport.close();
      expect(() => a.transport.send(c.transport.localId, pattern(10, 3), 'data')).not.toThrow();
      expect(() => a.transport.send(c.transport.localId, pattern(20_000, 4), 'control')).not.toThrow();
      expect(() => c.transport.send(a.transport.localId, pattern(10, 5), 'data')).not.toThrow();
      await expect(c.transport.close()).resolves.toBeUndefined(); // closing twice is harmless
      a.transport.send(b.transport.localId, pattern(10, 6), 'data');
      b.transport.send(a.transport.localId, pattern(10, 7), 'control');
      await env.until(() => b.received.some((r) => r.from === a.transport.localId), 'a frame from a to b');
      await env.until(() => a.received.some((r) => r.from === b.transport.localId), 'a frame from b to a');
      expect(a.received.every((r) => r.from !== c.transport.localId)).toBe(true);
    }), testTimeoutMs);

    it('after close({ abrupt: true }) the others report the process down or stop receiving from it', withTransports(async (probes, env) => {
      const crashed = probes[probes.length - 1] as Probe;
      const survivors = probes.slice(0, -1);
      await env.meet(probes, 'conformance-abrupt');
      for (const s of survivors) {
        s.transport.send(crashed.transport.localId, pattern(100, 1), 'data');
        crashed.transport.send(s.transport.localId, pattern(100, 2), 'data');
      }
      await env.until(() => survivors.every((s) => s.received.some((r) => r.from === crashed.transport.localId)), 'traffic from the doomed process');
      for (const s of survivors) crashed.transport.send(s.transport.localId, pattern(256 * 1024, 3), 'data');
      await crashed.transport.close({ abrupt: true });

      const fromCrashed = (s: Probe): number => s.received.filter((r) => r.from === crashed.transport.localId).length;
      for (const s of survivors) {
        let count = fromCrashed(s);
        let quietSince = env.now();
        await env.until(() => {
          if (s.down.includes(crashed.transport.localId)) return true;
          if (fromCrashed(s) !== count) {
            count = fromCrashed(s);
            quietSince = env.now();
          }
          return env.now() - quietSince >= 500;
        }, `${s.transport.localId} to report the crash or hear nothing more`);
      }
      // The survivors still reach each other.
      const [a, b] = survivors as [Probe, Probe];
      a.transport.send(b.transport.localId, pattern(10, 4), 'data');
      await env.until(() => b.received.some((r) => r.from === a.transport.localId), 'a frame between survivors');
      expect(() => a.transport.send(crashed.transport.localId, pattern(10, 5), 'control')).not.toThrow();
    }), testTimeoutMs);
  });
}

/** Waiting, in real or virtual time. */
class Env {
  private virtualMs = 0;

  constructor(
    private readonly fixture: ConformanceFixture,
    private readonly waitTimeoutMs: number,
  ) {}

  /** Milliseconds, virtual when the fixture advances time. */
  now(): number {
    return this.fixture.advance === undefined ? Date.now() : this.virtualMs;
  }

  /** Resolves once `condition` holds; fails the test after the wait timeout. */
  async until(condition: () => boolean, what: string): Promise<void> {
    const start = this.now();
    const advance = this.fixture.advance?.bind(this.fixture);
    await vi.waitFor(
      async () => {
        if (condition()) return;
        if (advance !== undefined) {
          await advance(STEP_MS);
          this.virtualMs += STEP_MS;
          if (condition()) return;
        }
        if (this.now() - start > this.waitTimeoutMs) throw new Error(`gave up waiting for ${what}`);
        throw new Error(`waiting for ${what}`);
      },
      { timeout: advance === undefined ? this.waitTimeoutMs : 10 * this.waitTimeoutMs, interval: advance === undefined ? POLL_MS : 0 },
    );
  }

  /** Lets `ms` pass. */
  async pause(ms: number): Promise<void> {
    const end = this.now() + ms;
    await this.until(() => this.now() >= end, `${ms} ms to pass`);
  }

  /** Announces `group` at every probe and waits until all of them see one another. */
  async meet(probes: readonly Probe[], group: string): Promise<void> {
    for (const p of probes) p.transport.announce(group);
    for (const p of probes) {
      const others = probes.filter((o) => o !== p).map((o) => o.transport.localId);
      await this.until(() => others.every((id) => p.transport.peers(group).includes(id)), `${p.transport.localId} to meet ${group}`);
    }
  }
}

function probe(transport: Transport): Probe {
  const p: Probe = { transport, received: [], peerLists: new Map(), down: [], errors: [] };
  transport.onFrame((from, frame) => p.received.push({ from, frame: frame.slice() }));
  transport.onPeers((group, peers) => p.peerLists.set(group, [...peers]));
  transport.onPeerDown?.((peer) => p.down.push(peer));
  transport.onError?.((error) => p.errors.push(error));
  return p;
}

/** Deterministic bytes that differ with `seed` and position (xorshift32). */
export function pattern(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A frame that carries its lane and sequence number in its first 5 bytes. */
function sequenced(lane: Lane, seq: number, size: number): Uint8Array {
  const frame = pattern(Math.max(5, size), seq + 1);
  frame[0] = lane === 'control' ? 1 : 0;
  new DataView(frame.buffer).setUint32(1, seq);
  return frame;
}

function readSequenced(frame: Uint8Array): { lane: Lane; seq: number } {
  expect(frame.byteLength).toBeGreaterThanOrEqual(5);
  return { lane: frame[0] === 1 ? 'control' : 'data', seq: new DataView(frame.buffer, frame.byteOffset).getUint32(1) };
}

function checksum(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i += 1) h = Math.imul(h ^ (bytes[i] as number), 16777619) >>> 0;
  return h;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

function sameSet(actual: readonly string[], expected: readonly string[]): boolean {
  return actual.length === expected.length && expected.every((id) => actual.includes(id));
}
