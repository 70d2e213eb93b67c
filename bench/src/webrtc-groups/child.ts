/**
 * One child process of `webrtc-groups.ts`: one Synchrony `Process` from `connect()`, on a WebRTC
 * implementation that counts what goes on the wire (wire-count.ts). It joins and leaves many
 * groups and measures itself while idle, as the parent's commands say (messages.ts).
 *
 * It exits when told to, when the parent goes away (the IPC channel closes), or at the latest
 * after the lifetime given as its first argument (ms), so an interrupted benchmark leaves nothing.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import wrtc from '@roamhq/wrtc';
import { createProcess, decodeFrame, type Group, type Lane, type Process, type Transport } from '@synchrony/core';
import { connect, realClock, WebRtcTransport, type WrtcLike } from '@synchrony/webrtc';
import { wallNow, type Command, type IdleSample, type Report } from './messages.js';
import { countingWrtc } from './wire-count.js';

/** Errors forwarded to the parent at most (the rest are only counted). */
const MAX_REPORTED_ERRORS = 20;
/** A graceful close that takes longer than this is cut short. */
const CLOSE_BOUND_MS = 5000;

const { wrtc: countedWrtc, counter } = countingWrtc(wrtc as unknown as WrtcLike);
let peer: Process | undefined;
let groups: Group[] = [];
let viewChanges = 0;
let errors = 0;

function report(message: Report): void {
  process.send?.(message);
}

const DIAG = process.env['BENCH_GROUPS_DIAG'] === '1';
/** Diagnostics only: engine frames and messages sent, by message kind ('-' for a frame with none). */
const kinds = new Map<string, number>();
let engineFrames = 0;

/** The transport with its `send` counting frames and message kinds (diagnostics only). */
function countingTransport(transport: WebRtcTransport): Transport {
  return new Proxy(transport, {
    get(target, key) {
      if (key === 'send') {
        return (to: string, frame: Uint8Array, lane: Lane): void => {
          engineFrames += 1;
          const decoded = decodeFrame(frame, Number.MAX_SAFE_INTEGER);
          if (typeof decoded !== 'string') {
            if (decoded.frame.m.length === 0) kinds.set('-', (kinds.get('-') ?? 0) + 1);
            for (const m of decoded.frame.m) kinds.set(m.t, (kinds.get(m.t) ?? 0) + 1);
          }
          target.send(to, frame, lane);
        };
      }
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function connectPeer(signaling: string, signalingRate: number): Promise<void> {
  if (DIAG) {
    const transport = await WebRtcTransport.create({ signaling, iceServers: [], wrtc: countedWrtc, signalingTimings: { messagesPerSecond: signalingRate } });
    peer = createProcess({ transport: countingTransport(transport), clock: realClock() });
  } else {
    peer = await connect({ signaling, iceServers: [], wrtc: countedWrtc, signalingTimings: { messagesPerSecond: signalingRate } });
  }
  peer.on('error', (error) => {
    errors += 1;
    if (errors <= MAX_REPORTED_ERRORS) report({ ev: 'error', message: error.message });
  });
  report({ ev: 'connected', at: wallNow() });
}

/** Whether `group` has a primary view of `members` members. */
function isFull(group: Group, members: number): boolean {
  const view = group.view;
  return view !== undefined && view.primary && view.members.length === members;
}

async function joinAll(count: number, batch: number, members: number, failureTimeoutMs: number, deadlineMs: number): Promise<void> {
  if (peer === undefined) throw new Error('join before connect');
  const startAt = wallNow();
  const own = peer;
  groups = [];
  const full = (): number => groups.filter((g) => isFull(g, members)).length;
  for (let from = 0; from < count && wallNow() < deadlineMs; from += batch) {
    for (let i = from; i < Math.min(count, from + batch); i++) {
      const group = own.group(`g${i}`, { failureTimeoutMs });
      groups.push(group);
      group.on('view', () => void (viewChanges += 1));
      void group.join().catch((error: unknown) => report({ ev: 'error', message: `join ${group.name}: ${String(error)}` }));
    }
    while (full() < groups.length && wallNow() < deadlineMs) await sleep(20);
  }
  report({ ev: 'joined', startAt, at: wallNow(), full: full(), groups: count });
}

/** Sleeps `ms` with nothing to do but the library's own work, and reports what it cost. */
async function idle(ms: number): Promise<void> {
  const before = counter.snapshot();
  const changesBefore = viewChanges;
  const cpu = process.cpuUsage();
  const startMs = performance.now();
  await sleep(ms);
  const used = process.cpuUsage(cpu);
  const sample: IdleSample = {
    ms: performance.now() - startMs,
    messages: counter.messages - before.messages,
    bytes: counter.bytes - before.bytes,
    cpuMs: (used.user + used.system) / 1000,
    peerConnectionsOpen: counter.peerConnectionsOpen,
    peerConnectionsCreated: counter.peerConnectionsCreated,
    viewChanges: viewChanges - changesBefore,
    views: groups.map((g) => {
      const v = g.view;
      return v === undefined ? '' : `${v.primary ? '' : '!'}${v.id}:${v.members.join(' ')}`;
    }),
  };
  report({ ev: 'idle', sample });
}

async function leaveAll(deadlineMs: number): Promise<void> {
  const startAt = wallNow();
  let pending = groups.length;
  let rejected = 0;
  for (const group of groups) {
    void group.leave().then(
      () => void (pending -= 1),
      () => {
        pending -= 1;
        rejected += 1;
      },
    );
  }
  while (pending > 0 && wallNow() < deadlineMs) await sleep(10);
  report({ ev: 'left', startAt, at: wallNow(), pending, rejected });
}

async function exit(): Promise<never> {
  await Promise.race([peer?.close(), sleep(CLOSE_BOUND_MS)]);
  process.exit(0);
}

async function handle(command: Command): Promise<void> {
  switch (command.cmd) {
    case 'connect': return connectPeer(command.signaling, command.signalingRate);
    case 'join': return joinAll(command.groups, command.batch, command.members, command.failureTimeoutMs, command.deadlineMs);
    case 'idle': return idle(command.ms);
    case 'leave': return leaveAll(command.deadlineMs);
    case 'exit': return exit();
  }
}

/**
 * With BENCH_GROUPS_DIAG=1 in the environment, each child prints one line a second to stderr: the
 * longest event-loop stall, CPU, frames written, groups full, errors so far (for finding what stalls).
 */
function diagnose(): void {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let cpu = process.cpuUsage();
  let frames = counter.messages;
  const t0 = wallNow();
  setInterval(() => {
    const used = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    const full = groups.filter((g) => g.view?.primary === true && g.view.members.length === 4).length;
    const top = [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, n]) => `${k}:${n}`).join(' ');
    kinds.clear();
    console.error(`  diag ${process.pid} engineFrames=${engineFrames} msgs ${top}`);
    engineFrames = 0;
    console.error(`  diag ${process.pid} t=${((wallNow() - t0) / 1000).toFixed(0)}s stall<=${(delay.max / 1e6).toFixed(0)}ms cpu=${((used.user + used.system) / 1000).toFixed(0)}ms/s frames=${counter.messages - frames} full=${full}/${groups.length} errors=${errors}`);
    frames = counter.messages;
    delay.reset();
  }, 1000).unref();
}
if (DIAG) diagnose();

const lifetimeMs = Number(process.argv[2]);
if (Number.isFinite(lifetimeMs) && lifetimeMs > 0) setTimeout(() => process.exit(3), lifetimeMs).unref();
process.on('message', (command: Command) => {
  void handle(command).catch((error: unknown) => report({ ev: 'failed', cmd: command.cmd, message: String(error) }));
});
process.on('disconnect', () => process.exit(0)); // the parent is gone
report({ ev: 'ready', pid: process.pid });
