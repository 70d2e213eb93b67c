/**
 * Benchmark: the group's message rate, bulk bytes and latency over real WebRTC, each against the
 * same workload on a raw mesh of data channels measured in the same repetition (issue rows 1-3).
 *
 *   ../shared/tools/isolated-net node bench/dist/webrtc-messaging.js [--members 4] [--runs 3]
 *       [--small 20000] [--raw-small 4000] [--bulk-mib 32] [--latency-s 3] [--budget-s 900]
 *
 * 2 × `members` Node processes: `members` form one group (connect() on a real signaling server on
 * 127.0.0.1), `members` others a raw full mesh (one bare simple-peer data channel per pair). Then,
 * per repetition, each workload on the raw mesh and on the group, back to back:
 *
 *   small, one sender    the most junior member sends `--small` messages of 100 B as fast as it can
 *                        (32 per event-loop turn); raw: each message is its own `send` on each of
 *                        the sender's channels, under bufferedAmount backpressure. Rate: messages
 *                        that reached every member, per second.
 *   small, all to all    every member sends its share of `--small` at once.
 *   bulk 16 KiB / 1 MiB  one sender, `--bulk-mib` MiB in messages of that size, FIFO; raw: the same
 *                        bytes in 16 KiB sends (the channel's safe size). Rate: bytes per second at
 *                        every receiver.
 *   latency              one sender, 100 B at 1,000 messages/s for `--latency-s`; the delay from
 *                        the send to the delivery at each other member (wall clock, one machine).
 */
import { startSignalingServer } from '@synchrony/signaling-server';
import { budgetGuard, intOption } from './args.js';
import { recordResults } from './results.js';
import { count, fixed, machineLine, median, table } from './stats.js';
import { isEv, longestStall, spawnChildren, stopAll, type Child } from './webrtc/fleet.js';
import { formGroup } from './webrtc/group-steps.js';
import { wallNow, type Command, type Report } from './webrtc/messages.js';
import { workloads, type Workload } from './stream-workloads.js';

const STEP_TIMEOUT_MS = 180_000;
const FAILURE_TIMEOUT_MS = 10_000; // not measured here: a stall under load must not split the group
const PIECE_BYTES = 16 * 1024;

type Streamed = Extract<Report, { ev: 'streamed' }>;

interface Sample {
  group: number;
  raw: number;
  /** Latency workloads: p50 and p99 of group and raw. */
  p?: { groupP50: number; groupP99: number; rawP50: number; rawP99: number };
}

/** Runs one stream on `children` (senders are the last `senders` of them); returns every report. */
async function runStream(children: readonly Child[], on: 'group' | 'raw', w: Workload, messages: number): Promise<Streamed[]> {
  const senders = w.senders === 'one' ? [children[children.length - 1]!] : [...children];
  const each = Math.ceil(messages / senders.length);
  const total = each * senders.length;
  const pieces = on === 'raw' ? Math.ceil(w.bytes / PIECE_BYTES) : 1;
  const marks = children.map((c) => c.reports.length);
  const startAt = wallNow() + 100; // every receiver is armed by then
  for (const c of children) {
    const sends = senders.includes(c) ? each : 0;
    // The group delivers a member's own messages to it; the raw mesh does not.
    const expected = on === 'group' ? total : (total - sends) * pieces;
    const command: Command = {
      cmd: 'stream', on, count: sends, bytes: w.bytes, order: w.order, safe: w.safe, ratePerS: w.ratePerS, chunk: 32,
      expected, latency: w.latency, pieceBytes: PIECE_BYTES, startAt,
    };
    c.send(command);
  }
  return Promise.all(children.map((c, i) => c.waitFor(
    (r): r is Streamed => r.ev === 'streamed' && c.reports.indexOf(r) >= marks[i]!, STEP_TIMEOUT_MS, `${w.key} on ${on}`,
  )));
}

/** Units per second of one stream: messages (or MiB) that reached every member, over the time from the first send. */
function rateOf(w: Workload, reports: readonly Streamed[], messages: number): number {
  const first = Math.min(...reports.flatMap((r) => (r.firstSendAt === undefined ? [] : [r.firstSendAt])));
  const seconds = (Math.max(...reports.map((r) => r.at)) - first) / 1000;
  return w.unit === 'MiB/s' ? (messages * w.bytes) / (1024 * 1024) / seconds : messages / seconds;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const members = intOption('members', 4, 2, 8);
  const runs = intOption('runs', 3, 1, 9);
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] ?? '' : '';
  const cancelBudget = budgetGuard('webrtc-messaging');
  const list = workloads().filter((w) => only === '' || w.key.startsWith(only));
  const machine = await machineLine();
  console.log(`webrtc-messaging: ${members} members, ${runs} runs; ${machine}`);
  const server = await startSignalingServer({ port: 0, host: '127.0.0.1' });
  const samples = new Map<string, Sample[]>(list.map((w) => [w.key, []]));
  let groupKids = await spawnChildren(members, 'g');
  const rawKids = await spawnChildren(members, 'r');
  try {
    // By seniority: the one sender is the most junior member, not the sequencer.
    groupKids = (await formGroup(groupKids, server.url, 'messaging', FAILURE_TIMEOUT_MS, STEP_TIMEOUT_MS)).members.map((m) => m.child);
    for (const c of rawKids) c.send({ cmd: 'raw-mesh', signaling: server.url, group: 'raw-mesh', size: members });
    await Promise.all(rawKids.map((c) => c.waitFor(isEv('raw-mesh-open'), STEP_TIMEOUT_MS, 'raw mesh')));
    for (let rep = 0; rep < runs; rep++) {
      for (const w of list) {
        const raw = await runStream(rawKids, 'raw', w, w.rawCount);
        const group = await runStream(groupKids, 'group', w, w.groupCount);
        const sample: Sample = { group: rateOf(w, group, w.groupCount), raw: rateOf(w, raw, w.rawCount) };
        if (w.latency) {
          const g = group.flatMap((r) => r.latenciesMs);
          const r = raw.flatMap((x) => x.latenciesMs);
          sample.p = { groupP50: percentile(g, 50), groupP99: percentile(g, 99), rawP50: percentile(r, 50), rawP99: percentile(r, 99) };
        }
        samples.get(w.key)!.push(sample);
        const text = sample.p
          ? `p50 ${fixed(sample.p.groupP50, 2)} ms (raw ${fixed(sample.p.rawP50, 2)}), p99 ${fixed(sample.p.groupP99, 2)} ms (raw ${fixed(sample.p.rawP99, 2)})`
          : `group ${fixed(sample.group, 1)} ${w.unit}, raw ${fixed(sample.raw, 1)} ${w.unit}, ratio ${fixed(sample.group / sample.raw, 2)}`;
        console.log(`  run ${rep + 1}/${runs} ${w.key}: ${text}`);
      }
    }
  } finally {
    cancelBudget();
    console.log(`longest event-loop stall of a group member: ${longestStall(groupKids)} ms; of a raw process: ${longestStall(rawKids)} ms`);
    await stopAll([...groupKids, ...rawKids]);
    await server.close();
  }
  const rows = list.map((w) => summarise(w, samples.get(w.key)!));
  console.log(table(['workload', 'group', 'raw (same run)', 'group ÷ raw (min–max)'], rows.map((r) => r.cells)));
  await recordResults('webrtc-messaging', { machine, members, runs, rows: rows.map((r) => r.json) });
}

function summarise(w: Workload, samples: readonly Sample[]): { cells: string[]; json: Record<string, unknown> } {
  if (w.latency) {
    const m = (pick: (p: NonNullable<Sample['p']>) => number): number => median(samples.map((s) => pick(s.p!)));
    const cells = [w.label, `p50 ${fixed(m((p) => p.groupP50), 2)} ms, p99 ${fixed(m((p) => p.groupP99), 2)} ms`,
      `p50 ${fixed(m((p) => p.rawP50), 2)} ms, p99 ${fixed(m((p) => p.rawP99), 2)} ms`, `p50 +${fixed(m((p) => p.groupP50 - p.rawP50), 2)} ms`];
    return { cells, json: { key: w.key, groupP50Ms: m((p) => p.groupP50), groupP99Ms: m((p) => p.groupP99), rawP50Ms: m((p) => p.rawP50), rawP99Ms: m((p) => p.rawP99) } };
  }
  const ratios = samples.map((s) => s.group / s.raw);
  const show = (v: number): string => (w.unit === 'msg/s' ? `${count(v)} msg/s` : `${fixed(v, 1)} MiB/s`);
  const cells = [w.label, show(median(samples.map((s) => s.group))), show(median(samples.map((s) => s.raw))),
    `${fixed(median(ratios), 2)} (${fixed(Math.min(...ratios), 2)}–${fixed(Math.max(...ratios), 2)})`];
  return { cells, json: { key: w.key, unit: w.unit, group: median(samples.map((s) => s.group)), raw: median(samples.map((s) => s.raw)), ratio: median(ratios), ratios } };
}

void main().then(
  () => process.exit(),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
