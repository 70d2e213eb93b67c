/**
 * One child process of the WebRTC benchmarks (forked by fleet.ts): a Synchrony `Process` on
 * `connect()`, or one end of the raw baseline channel. It does what the parent's commands say and
 * reports timestamps (messages.ts). It exits when told to, or when the parent goes away, so an
 * interrupted benchmark leaves no process behind.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import wrtc from '@roamhq/wrtc';
import type { Group, Process } from '@synchrony/core';
import { connect, DEFAULT_LIMITS, type WrtcLike } from '@synchrony/webrtc';
import { STALL_REPORT_MS, wallNow, type Command, type Report } from './messages.js';
import { openRawChannel, RAW_BULK, RAW_LAST, RAW_PING, RAW_PONG, type RawChannel } from './raw-peer.js';
import { openRawMesh, RawWriter, type RawMesh } from './raw-mesh.js';

const WRTC = wrtc as unknown as WrtcLike;
const RAW_OPEN_TIMEOUT_MS = 30_000;
const STALL_PROBE_MS = 10;

let member: { process: Process; group: Group } | undefined;
let raw: RawChannel | undefined;
let delivered = 0;
let mesh: RawMesh | undefined;
/** What a stream does with each message that arrives here (group delivery or raw receipt). */
let sink: (data: unknown) => void = () => {};

function report(message: Report): void {
  process.send?.(message);
}

/** connect(), join, and report every view from the first on. */
async function startGroup(signaling: string, name: string, failureTimeoutMs: number, stateBytes = 0): Promise<void> {
  const startAt = wallNow();
  // BENCH_CONFIG: engine settings as JSON, for experiments (e.g. '{"windowMessages":4096}').
  const config = process.env['BENCH_CONFIG'] === undefined ? {} : { config: JSON.parse(process.env['BENCH_CONFIG']) as Record<string, number> };
  const peer = await connect({ signaling, iceServers: [], wrtc: WRTC, ...config });
  report({ ev: 'connected', startAt, at: wallNow() });
  peer.on('error', (error) => report({ ev: 'error', message: `process: ${error.message}` }));
  // With stateBytes, the group's state is that many bytes: a joiner gets them by state transfer.
  let state: Uint8Array | undefined = stateBytes > 0 ? new Uint8Array(stateBytes).fill(5) : undefined;
  const upcalls = stateBytes === 0 ? {} : {
    getState: () => state,
    setState: (s: unknown) => {
      state = s as Uint8Array;
      report({ ev: 'state-loaded', at: wallNow(), bytes: state?.byteLength ?? 0 });
    },
  };
  const group = peer.group(name, { failureTimeoutMs, ...upcalls });
  member = { process: peer, group };
  group.on('view', (v) => report({ ev: 'view', at: wallNow(), me: group.me, id: v.id, members: [...v.members], primary: v.primary }));
  group.on('message', (m) => {
    delivered += 1;
    sink(m.data);
  });
  await group.join();
}

/**
 * Total-order multicasts, `chunk` per turn of the event loop (as an application loop that yields
 * would send them); reports once `expected` deliveries were counted here.
 */
async function groupSend(count: number, bytes: number, chunk: number, expected: number): Promise<void> {
  if (member === undefined) throw new Error('group-send before group');
  const { group } = member;
  const startAt = wallNow();
  delivered = 0;
  const payload = new Uint8Array(bytes).fill(7);
  let rejected: unknown;
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % chunk === 0) await new Promise((resolve) => setImmediate(resolve));
    void group.send(payload, { order: 'total' }).catch((error: unknown) => void (rejected ??= error));
  }
  while (delivered < expected && rejected === undefined) await sleep(2);
  if (rejected !== undefined) throw rejected instanceof Error ? rejected : new Error(String(rejected));
  report({ ev: 'delivered', startAt, at: wallNow(), count: delivered });
}

/** Joins the raw mesh of `size` processes. */
async function startRawMesh(signaling: string, group: string, size: number): Promise<void> {
  mesh = await openRawMesh(signaling, group, size, WRTC, RAW_OPEN_TIMEOUT_MS);
  mesh.onMessage((data) => sink(data));
  report({ ev: 'raw-mesh-open', at: wallNow() });
}

/** Bytes 0..8 of every stream message: when it was sent (wallNow), for the latency. */
function stamped(bytes: number, at: number): Uint8Array {
  const out = new Uint8Array(Math.max(16, bytes));
  new DataView(out.buffer).setFloat64(0, at);
  out.fill(7, 8);
  return out;
}

function stampOf(data: unknown): number | undefined {
  if (!(data instanceof Uint8Array) || data.byteLength < 8) return undefined;
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getFloat64(0);
}

/** Latencies kept per stream at most (a uniform sample beyond). */
const MAX_LATENCIES = 20_000;

/** See the 'stream' command in messages.ts. */
async function stream(command: Extract<Command, { cmd: 'stream' }>): Promise<void> {
  const { on, count, bytes, order, safe, ratePerS, chunk, expected, latency, pieceBytes } = command;
  let received = 0;
  const latencies: number[] = [];
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => { done = resolve; });
  let sending = false;
  let lastAt: number | undefined;
  let maxGapMs = 0;
  sink = (data) => {
    received += 1;
    const now = wallNow();
    if (lastAt !== undefined) maxGapMs = Math.max(maxGapMs, now - lastAt);
    lastAt = now;
    if (latency && !sending) {
      const at = stampOf(data);
      if (at !== undefined) {
        const ms = wallNow() - at;
        if (latencies.length < MAX_LATENCIES) latencies.push(ms);
        else latencies[Math.floor(Math.random() * MAX_LATENCIES)] = ms;
      }
    }
    if (received === expected) done();
  };
  if (expected === 0) done();
  let firstSendAt: number | undefined;
  let rejected: unknown;
  if (count > 0) {
    sending = true;
    await sleep(Math.max(0, command.startAt - wallNow()));
    firstSendAt = wallNow();
    const group = member?.group;
    const writer = mesh === undefined ? undefined : new RawWriter(mesh.channels);
    const send = async (): Promise<void> => {
      const data = stamped(bytes, wallNow());
      if (on === 'group') {
        void group!.send(data, { order, safe }).catch((error: unknown) => void (rejected ??= error));
        return;
      }
      for (let at = 0; at < data.byteLength; at += pieceBytes) {
        await writer!.multicast(at === 0 ? data.subarray(0, pieceBytes) : data.subarray(at, at + pieceBytes));
      }
    };
    for (let i = 0; i < count && rejected === undefined; i++) {
      if (ratePerS > 0) {
        while ((wallNow() - firstSendAt) * ratePerS / 1000 < i) await sleep(1);
      } else if (i > 0 && i % chunk === 0) await new Promise((resolve) => setImmediate(resolve));
      await send();
    }
  }
  for (let waits = 0; rejected === undefined; waits++) {
    if (waits > 0 && waits % 100 === 0) {
      const channels = mesh?.channels.map((c) => `${c.readyState}/${c.bufferedAmount}`).join(' ') ?? '';
      report({ ev: 'error', message: `stream on ${on}: ${received} of ${expected} after ${waits / 10} s ${channels}` });
    }
    const timeout = sleep(100).then(() => 'wait');
    if ((await Promise.race([finished.then(() => 'done'), timeout])) === 'done') break;
  }
  const at = wallNow();
  sink = () => {};
  if (rejected !== undefined) throw rejected instanceof Error ? rejected : new Error(String(rejected));
  report({ ev: 'streamed', firstSendAt, at, received, latenciesMs: latencies, heapBytes: process.memoryUsage().heapUsed, maxGapMs });
}

async function leave(): Promise<void> {
  report({ ev: 'leaving', at: wallNow() });
  await member?.group.leave();
  report({ ev: 'left', at: wallNow() });
}

async function crash(): Promise<void> {
  report({ ev: 'crashing', at: wallNow() });
  await member?.process.close({ abrupt: true });
  process.exit(0);
}

/** Opens the raw channel and answers the other side's pings and bulk data. */
async function startRaw(signaling: string, group: string): Promise<void> {
  const startAt = wallNow();
  raw = await openRawChannel(signaling, group, WRTC, RAW_OPEN_TIMEOUT_MS);
  report({ ev: 'raw-open', startAt, at: wallNow(), initiator: raw.initiator });
  const channel = raw;
  let received = 0;
  let bytes = 0;
  let firstAt = 0;
  channel.peer.on('data', (chunk: Uint8Array) => {
    const kind = chunk[0];
    if (kind === RAW_PING) channel.peer.send(Uint8Array.from([RAW_PONG, ...chunk.subarray(1)]));
    else if (kind === RAW_BULK || kind === RAW_LAST) {
      if (received === 0) firstAt = wallNow();
      received += 1;
      bytes += chunk.byteLength;
      if (kind === RAW_LAST) report({ ev: 'raw-received', firstAt, at: wallNow(), count: received, bytes });
    }
  });
}

/** Round trips of a 16-byte message, one at a time. */
async function rawRtt(count: number): Promise<void> {
  const channel = raw!;
  const rttsMs: number[] = [];
  for (let i = 0; i < count; i++) {
    const sentAt = performance.now();
    const pong = new Promise<void>((resolve) => channel.peer.once('data', () => resolve()));
    channel.peer.send(new Uint8Array(16).fill(RAW_PING, 0, 1));
    await pong;
    rttsMs.push(performance.now() - sentAt);
  }
  report({ ev: 'raw-rtt', rttsMs });
}

/**
 * `count` messages of `bytes` straight into the RTCDataChannel, under the same backpressure
 * rules and water marks as the library's sender (DEFAULT_LIMITS): write while `bufferedAmount` is
 * under the high mark, wait for the low mark, yield every `sliceBytes` (wrtc only updates
 * `bufferedAmount` between turns of the event loop).
 */
async function rawSend(count: number, bytes: number): Promise<void> {
  const { channel } = raw!;
  const { highWaterBytes, lowWaterBytes, sliceBytes, pollMs } = DEFAULT_LIMITS;
  const body = new Uint8Array(bytes).fill(RAW_BULK, 0, 1);
  const last = new Uint8Array(bytes).fill(RAW_LAST, 0, 1);
  const startAt = wallNow();
  let slice = 0;
  for (let i = 0; i < count; i++) {
    if (channel.bufferedAmount > highWaterBytes) {
      while (channel.bufferedAmount > lowWaterBytes) await sleep(pollMs);
    } else if (slice >= sliceBytes) {
      await new Promise((resolve) => setImmediate(resolve));
      slice = 0;
    }
    channel.send(i === count - 1 ? last : body);
    slice += bytes;
  }
  report({ ev: 'raw-sent', startAt, at: wallNow() });
}

async function handle(command: Command): Promise<void> {
  switch (command.cmd) {
    case 'group': return startGroup(command.signaling, command.group, command.failureTimeoutMs, command.stateBytes);
    case 'group-send': return groupSend(command.count, command.bytes, command.chunk, command.expected);
    case 'crash': return crash();
    case 'raw': return startRaw(command.signaling, command.group);
    case 'raw-rtt': return rawRtt(command.count);
    case 'raw-send': return rawSend(command.count, command.bytes);
    case 'raw-mesh': return startRawMesh(command.signaling, command.group, command.size);
    case 'stream': return stream(command);
    case 'leave': return leave();
    case 'exit':
      raw?.close();
      mesh?.close();
      await member?.process.close({ abrupt: true });
      process.exit(0);
  }
}

/**
 * Watches this process's event loop: a turn that comes `STALL_REPORT_MS` late means every timer,
 * tick and inbound frame waited that long (a failure detector reads such a gap as silence).
 */
function watchEventLoop(): void {
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last >= STALL_REPORT_MS) report({ ev: 'stall', at: wallNow(), ms: now - last });
    last = now;
  }, STALL_PROBE_MS).unref();
}

watchEventLoop();
process.on('message', (command: Command) => {
  void handle(command).catch((error: unknown) => report({ ev: 'failed', cmd: command.cmd, message: String(error) }));
});
process.on('disconnect', () => process.exit(0)); // the parent is gone
report({ ev: 'ready', pid: process.pid });
