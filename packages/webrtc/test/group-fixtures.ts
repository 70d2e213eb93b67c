/**
 * Fixtures of the real-network group tests: processes from `connect()` on @roamhq/wrtc (or built
 * the same way on a transport that counts what the engine sends), bounded waits, a cleanup stack
 * that never hangs, and a mixed workload driven through the simulator's recording application, so
 * that the simulator's property checker can judge a real run.
 */
import { createProcess, type EngineConfig, type Group, type Lane, type Order, type Process, type Transport, type View } from '@synchrony/core';
import type { RecordedMember } from '../../sim/src/recorder.js';
import { connect, realClock } from '../src/index.js';
import type { WrtcLike } from '../src/wrtc.js';
import { pattern } from '../../core/src/testing/transport-conformance.js';
import { createTransport, wrtc } from './helpers.js';

/** Closers run in reverse order; each is bounded and guarded, so one failure cannot skip the rest. */
export class Cleanups {
  private readonly closers: Array<() => Promise<void>> = [];

  /** Registers a closer to run at the end of the test. */
  push(closer: () => Promise<void>): void {
    this.closers.push(closer);
  }

  /** Runs every closer, newest first; a closer that hangs is abandoned after `boundMs`. */
  async runAll(boundMs = 5000): Promise<void> {
    for (const closer of this.closers.splice(0).reverse()) {
      try {
        await withTimeout(closer(), boundMs, 'a cleanup step');
      } catch (error) {
        console.error('cleanup failed', error);
      }
    }
  }
}

/** A process on real WebRTC, closed abruptly at cleanup; its 'error' events are collected. */
export async function connectPeer(signaling: string, cleanups: Cleanups, errors: Error[]): Promise<Process> {
  const process = await connect({
    signaling,
    iceServers: [],
    wrtc: wrtc as unknown as WrtcLike,
    signalingTimings: { reconnectDelayMs: 50, reconnectDelayMaxMs: 500, attemptTimeoutMs: 3000 },
  });
  cleanups.push(() => process.close({ abrupt: true }));
  process.on('error', (error) => errors.push(error));
  return process;
}

/** Frames and bytes a process handed its transport, per peer, on the data lane. */
export interface WireCount {
  frames: number;
  bytes: number;
  /** Frames larger than 1 MB: copies of a large message, since the engine batches small ones. */
  largeFrames: number;
}

/**
 * A real WebRtcTransport that also counts what the engine sends through it on the data lane, to
 * see how many times a large message crosses each link. Everything else is delegated untouched.
 */
export class CountingTransport implements Transport {
  readonly sent = new Map<string, WireCount>();

  constructor(private readonly inner: Transport) {}

  get localId(): string {
    return this.inner.localId;
  }

  send(to: string, frame: Uint8Array, lane: Lane): void {
    if (lane === 'data') {
      const count = this.sent.get(to) ?? { frames: 0, bytes: 0, largeFrames: 0 };
      count.frames += 1;
      count.bytes += frame.byteLength;
      if (frame.byteLength > 1_000_000) count.largeFrames += 1;
      this.sent.set(to, count);
    }
    this.inner.send(to, frame, lane);
  }

  onFrame(handler: (from: string, frame: Uint8Array) => void): void {
    this.inner.onFrame(handler);
  }

  announce(group: string): void {
    this.inner.announce(group);
  }

  withdraw(group: string): void {
    this.inner.withdraw(group);
  }

  peers(group: string): readonly string[] {
    return this.inner.peers(group);
  }

  onPeers(handler: (group: string, peers: readonly string[]) => void): void {
    this.inner.onPeers(handler);
  }

  onPeerDown(handler: (peer: string) => void): void {
    this.inner.onPeerDown?.(handler);
  }

  onError(handler: (error: Error) => void): void {
    this.inner.onError?.(handler);
  }

  close(options?: { abrupt?: boolean }): Promise<void> {
    return this.inner.close(options);
  }
}

/** A process built as `connect()` builds it, on a counting transport, with engine overrides. */
export async function countingPeer(
  signaling: string, cleanups: Cleanups, errors: Error[], config: Partial<EngineConfig> = {},
): Promise<{ process: Process; transport: CountingTransport }> {
  const transport = new CountingTransport(await createTransport({ url: signaling }));
  const process = createProcess({ transport, clock: realClock(), config });
  cleanups.push(() => process.close({ abrupt: true }));
  process.on('error', (error) => errors.push(error));
  return { process, transport };
}

/** Rejects with a message naming `what` if `promise` does not settle within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `condition` every 10 ms until it holds; fails after `timeoutMs`, with `describe()` in the message. */
export async function waitUntil(condition: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`gave up after ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A view and the wall-clock time at which the group installed it. */
export interface ViewAt {
  readonly view: View;
  readonly atMs: number;
}

/**
 * Resolves with the first view of `group` that satisfies `accept` (the installed one, if it already
 * does) and when it was installed; rejects after `timeoutMs`. Subscribe before causing the change,
 * so that the time is the installation's, not the poll's.
 */
export function viewWhere(group: Group, accept: (view: View) => boolean, timeoutMs: number): Promise<ViewAt> {
  const current = group.view;
  if (current !== undefined && accept(current)) return Promise.resolve({ view: current, atMs: Date.now() });
  let off: () => void = () => {};
  const found = new Promise<ViewAt>((resolve) => {
    off = group.on('view', (view) => {
      if (accept(view)) resolve({ view, atMs: Date.now() });
    });
  });
  return withTimeout(found, timeoutMs, `a view of ${group.me}`).finally(off);
}

/** Deterministic bytes, different for each `seed` (the conformance suite's generator). */
export const patternBytes = pattern;

/** Whether two byte arrays hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}

const ORDERS: readonly Order[] = ['fifo', 'causal', 'total'];

/**
 * A mixed workload: FIFO, causal and total multicasts, one in five safe, from every sender that
 * is a member of a primary view. Choices come from a seeded generator, so two runs send the same
 * sequence (the network decides the rest). Each send's promise is kept per sender.
 */
export class MixedTraffic {
  private readonly pending = new Map<RecordedMember, Array<Promise<void>>>();
  private timer: NodeJS.Timeout | undefined;
  private state: number;
  sent = 0;

  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }

  /** Sends `count` messages from each of `senders` at once. */
  burst(senders: readonly RecordedMember[], count: number): void {
    for (let i = 0; i < count; i += 1) for (const app of senders) this.sendFrom(app);
  }

  /** Every `intervalMs`, one message from each of `senders()` until `stop()`. */
  start(senders: () => readonly RecordedMember[], intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => {
      for (const app of senders()) this.sendFrom(app);
    }, intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Resolves once every send of `senders` settled (the recorder logs the outcome); bounded. */
  async settled(senders: readonly RecordedMember[], timeoutMs: number): Promise<void> {
    const all = senders.flatMap((app) => this.pending.get(app) ?? []);
    await withTimeout(Promise.all(all), timeoutMs, `${all.length} sends to settle`);
  }

  private sendFrom(app: RecordedMember): void {
    const view = app.group.view;
    if (view === undefined || !view.primary || !view.members.includes(app.group.me)) return;
    const order = ORDERS[this.next() % ORDERS.length] as Order;
    const safe = this.next() % 5 === 0;
    const list = this.pending.get(app) ?? [];
    list.push(app.send(order, safe));
    this.pending.set(app, list);
    this.sent += 1;
  }

  private next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }
}
