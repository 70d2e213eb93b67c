/**
 * Benchmark: state transfer of a large checkpoint to a joiner over real WebRTC, while the group's
 * traffic goes on, against a raw transfer of the same bytes measured in the same repetition (issue row 4).
 *
 *   ../shared/tools/isolated-net node bench/dist/webrtc-state.js [--state-mib 10] [--members 3] [--runs 3]
 *
 * Per repetition:
 *   raw     two processes, one bare data channel: the same bytes in 16 KiB sends under
 *           bufferedAmount backpressure, from the first send to the last arrival.
 *   group   `members` processes form a group whose state is `--state-mib` MiB (getState returns a
 *           Uint8Array); one of them multicasts 100 B at 1,000 messages/s (FIFO) for 3 s, and 0.5 s
 *           in, a new process joins. Transfer time: from the first old member's view that holds the
 *           joiner (the checkpoint is taken at that install) to the joiner's setState. Also: the
 *           joiner's connect() → first view, and the traffic's latency (p50, p99) and longest gap
 *           between two deliveries at the old members, next to the same traffic without a join.
 *   quiet   once the traffic is over, a second new process joins: the same transfer with nothing
 *           else going on. Next to the row above, it tells the cost of the transfer itself from that
 *           of sharing the machine's two cores with the traffic (five wrtc processes, not two).
 *   machine how busy the machine's cores were (machine-cpu.ts) during the raw transfer and during the
 *           first second of traffic, before the join. A transfer that needs the core-seconds the raw
 *           one needed, with only the cores the traffic leaves free, goes at best at
 *           raw rate × (cores free of traffic) ÷ (cores the raw transfer kept busy): the ceiling
 *           that the machine puts on the row with traffic.
 */
import { startSignalingServer } from '@synchrony/signaling-server';
import { budgetGuard, intOption } from './args.js';
import { cpuMeter } from './machine-cpu.js';
import { recordResults } from './results.js';
import { fixed, machineLine, median, percent, table } from './stats.js';
import { isEv, spawnChildren, stopAll, type Child } from './webrtc/fleet.js';
import { wallNow, type Report } from './webrtc/messages.js';
import { measureRaw } from './webrtc/raw-baseline.js';

const STEP_TIMEOUT_MS = 120_000;
const FAILURE_TIMEOUT_MS = 10_000; // not measured here: a stall under load must not split the group
const PIECE_BYTES = 16 * 1024;
const TRAFFIC_PER_S = 1000;

type Streamed = Extract<Report, { ev: 'streamed' }>;
type ViewReport = Extract<Report, { ev: 'view' }>;

interface Sample {
  rawMiBps: number;
  groupMiBps: number;
  transferMs: number;
  /** The second joiner's, with no traffic. */
  quietMiBps: number;
  joinMs: number;
  quiet: Traffic;
  during: Traffic;
  /** Busy share of the machine during the raw transfer, and during the traffic before the join. */
  rawBusy: number;
  trafficBusy: number;
  /** The best ratio to raw a transfer could reach with only the cores that the traffic leaves free. */
  ceiling: number;
}

interface Traffic { p50: number; p99: number; maxGapMs: number }

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** 100 B FIFO at 1,000/s from `sender` for `seconds`, to every old member; resolves with their reports. */
function traffic(old: readonly Child[], sender: Child, seconds: number): Promise<Streamed[]> {
  const count = TRAFFIC_PER_S * seconds;
  const marks = old.map((c) => c.reports.length);
  const startAt = wallNow() + 100; // every receiver is armed by then
  for (const c of old) {
    c.send({
      cmd: 'stream', on: 'group', count: c === sender ? count : 0, bytes: 100, order: 'fifo', safe: false, ratePerS: TRAFFIC_PER_S,
      chunk: 32, expected: count, latency: true, pieceBytes: PIECE_BYTES, startAt,
    });
  }
  return Promise.all(old.map((c, i) => c.waitFor((r): r is Streamed => r.ev === 'streamed' && c.reports.indexOf(r) >= marks[i]!, STEP_TIMEOUT_MS, 'traffic')));
}

function summary(reports: readonly Streamed[]): Traffic {
  const latencies = reports.flatMap((r) => r.latenciesMs);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), maxGapMs: Math.max(...reports.map((r) => r.maxGapMs)) };
}

/** A primary view of `size` members. */
const fullView = (size: number) => (r: Report): r is ViewReport => r.ev === 'view' && r.primary && r.members.length === size;

/** A joiner's transfer: from the first old member's install of the view that holds it to its setState. */
async function join(signaling: string, name: string, old: readonly Child[], joiner: Child, stateBytes: number): Promise<{ transferMs: number; joinMs: number }> {
  const full = fullView(old.length + 1);
  const marks = old.map((c) => c.reports.length);
  joiner.send({ cmd: 'group', signaling, group: name, failureTimeoutMs: FAILURE_TIMEOUT_MS, stateBytes });
  const loaded = await joiner.waitFor(isEv('state-loaded'), STEP_TIMEOUT_MS, 'state');
  const first = await joiner.waitFor(full, STEP_TIMEOUT_MS, 'first view');
  const connected = await joiner.waitFor(isEv('connected'), STEP_TIMEOUT_MS, 'connected');
  const installs = await Promise.all(old.map((c, i) => c.waitFor((r): r is ViewReport => full(r) && c.reports.indexOf(r) >= marks[i]!, STEP_TIMEOUT_MS, 'view with the joiner')));
  if (loaded.bytes !== stateBytes) throw new Error(`the joiner loaded ${loaded.bytes} bytes of ${stateBytes}`);
  return { transferMs: loaded.at - Math.min(...installs.map((v) => v.at)), joinMs: first.at - connected.startAt };
}

async function groupRun(signaling: string, name: string, members: number, stateBytes: number): Promise<Omit<Sample, 'rawMiBps' | 'rawBusy' | 'ceiling'>> {
  const children = await spawnChildren(members + 2, `${name}-`);
  try {
    const old = children.slice(0, members);
    const joiner = children[members]!;
    const second = children[members + 1]!;
    for (const c of old) c.send({ cmd: 'group', signaling, group: name, failureTimeoutMs: FAILURE_TIMEOUT_MS, stateBytes });
    await Promise.all(old.map((c) => c.waitFor(fullView(members), STEP_TIMEOUT_MS, `view of ${members}`)));
    const sender = old[old.length - 1]!;
    const stopMeter = cpuMeter();
    const quiet = summary(await traffic(old, sender, 1));
    const trafficCpu = stopMeter();
    const streaming = traffic(old, sender, 3);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { transferMs, joinMs } = await join(signaling, name, old, joiner, stateBytes);
    const during = summary(await streaming);
    const calm = await join(signaling, name, [...old, joiner], second, stateBytes);
    const mibps = (ms: number): number => stateBytes / (1024 * 1024) / (ms / 1000);
    return { groupMiBps: mibps(transferMs), transferMs, quietMiBps: mibps(calm.transferMs), joinMs, quiet, during, trafficBusy: trafficCpu.busyShare };
  } finally {
    await stopAll(children);
  }
}

async function main(): Promise<void> {
  const stateMib = intOption('state-mib', 10, 1, 256);
  const members = intOption('members', 3, 1, 8);
  const runs = intOption('runs', 3, 1, 9);
  const cancelBudget = budgetGuard('webrtc-state');
  const machine = await machineLine();
  console.log(`webrtc-state: a ${stateMib} MiB checkpoint to a joiner of a group of ${members}, ${runs} runs; ${machine}`);
  const stateBytes = stateMib * 1024 * 1024;
  const server = await startSignalingServer({ port: 0, host: '127.0.0.1' });
  const samples: Sample[] = [];
  try {
    for (let rep = 0; rep < runs; rep++) {
      const count = Math.ceil(stateBytes / PIECE_BYTES);
      const raw = await measureRaw({ signaling: server.url, group: `raw-${rep}`, rttCount: 10, bulk: { count, bytes: PIECE_BYTES }, timeoutMs: STEP_TIMEOUT_MS });
      const rawMiBps = (raw.messagesPerSecond! * PIECE_BYTES) / (1024 * 1024);
      const rawBusy = raw.bulkCpu!.busyShare;
      const group = await groupRun(server.url, `state-${rep}`, members, stateBytes);
      samples.push({ rawMiBps, ...group, rawBusy, ceiling: (1 - group.trafficBusy) / rawBusy });
      console.log(`  run ${rep + 1}/${runs}: transfer ${fixed(group.transferMs, 0)} ms (${fixed(group.groupMiBps, 1)} MiB/s), raw ${fixed(rawMiBps, 1)} MiB/s, ` +
        `ratio ${fixed(group.groupMiBps / rawMiBps, 2)}; with no traffic ${fixed(group.quietMiBps / rawMiBps, 2)}; join ${fixed(group.joinMs, 0)} ms; traffic p99 ${fixed(group.quiet.p99, 1)} → ${fixed(group.during.p99, 1)} ms, ` +
        `longest gap ${fixed(group.quiet.maxGapMs, 0)} → ${fixed(group.during.maxGapMs, 0)} ms; ` +
        `machine busy: raw transfer ${percent(rawBusy)}, traffic alone ${percent(group.trafficBusy)}`);
    }
  } finally {
    cancelBudget();
    await server.close();
  }
  const m = (pick: (s: Sample) => number): number => median(samples.map(pick));
  const ratios = samples.map((s) => s.groupMiBps / s.rawMiBps);
  const quietRatios = samples.map((s) => s.quietMiBps / s.rawMiBps);
  console.log(table(['what', 'group', 'raw (same run)', 'group ÷ raw (min–max)'], [
    [`${stateMib} MiB checkpoint → joiner, MiB/s`, fixed(m((s) => s.groupMiBps), 1), fixed(m((s) => s.rawMiBps), 1),
      `${fixed(median(ratios), 2)} (${fixed(Math.min(...ratios), 2)}–${fixed(Math.max(...ratios), 2)})`],
    ['the same transfer with no traffic (a second joiner, after it), MiB/s', fixed(m((s) => s.quietMiBps), 1), fixed(m((s) => s.rawMiBps), 1),
      `${fixed(median(quietRatios), 2)} (${fixed(Math.min(...quietRatios), 2)}–${fixed(Math.max(...quietRatios), 2)})`],
    ['the machine: busy during the raw transfer; during the traffic alone', `${percent(m((s) => s.rawBusy))}; ${percent(m((s) => s.trafficBusy))}`, '', ''],
    ['ceiling with traffic: raw × (1 − traffic\'s share) ÷ raw transfer\'s share', '', '', fixed(m((s) => s.ceiling), 2)],
    ['joiner: connect() → first view, ms', fixed(m((s) => s.joinMs), 0), '', ''],
    ['traffic at the old members, p50 / p99 ms: quiet → during the transfer', `${fixed(m((s) => s.quiet.p50), 2)} / ${fixed(m((s) => s.quiet.p99), 1)} → ${fixed(m((s) => s.during.p50), 2)} / ${fixed(m((s) => s.during.p99), 1)}`, '', ''],
    ['traffic: longest gap between deliveries, ms: quiet → during', `${fixed(m((s) => s.quiet.maxGapMs), 0)} → ${fixed(m((s) => s.during.maxGapMs), 0)}`, '', ''],
  ]));
  await recordResults('webrtc-state', {
    machine, stateMib, members, runs, samples, ratio: median(ratios), quietRatio: median(quietRatios), ceiling: m((s) => s.ceiling),
  });
}

void main().then(
  () => process.exit(),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
