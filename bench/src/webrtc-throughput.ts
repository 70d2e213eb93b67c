/**
 * Benchmark: group multicast throughput over real WebRTC (total order, 1 KiB messages, 4 Node
 * processes, each multicasting its share in one burst) against the raw data channel between two
 * Node processes (the same messages, straight into one RTCDataChannel under the same
 * backpressure rules), measured in the same repetition.
 *
 *   group:  messages delivered per second at each member, from the first send until the last
 *           member delivered everything (every member delivers every member's messages);
 *   raw:    messages received per second, from the first send until the last one arrived.
 *
 *   ../shared/tools/isolated-net node bench/dist/webrtc-throughput.js [--messages 10000]
 *       [--bytes 1024] [--members 4] [--runs 3] [--budget-s 600]
 */
import { startSignalingServer } from '@synchrony/signaling-server';
import { budgetGuard, intOption } from './args.js';
import { count, fixed, machineLine, median, table } from './stats.js';
import { isEv, longestStall, spawnChildren, stopAll } from './webrtc/fleet.js';
import { formGroup } from './webrtc/group-steps.js';
import { measureRaw } from './webrtc/raw-baseline.js';

const STEP_TIMEOUT_MS = 120_000;
const FAILURE_TIMEOUT_MS = 1000;

interface Sample {
  groupRate: number;
  rawRate: number;
}

/** What the group part of one repetition measured. */
interface GroupRun {
  /** Deliveries per second at each member. */
  rate: number;
  /** The longest event-loop stall of any member during the run, as text. */
  stall: string;
}

/** Each of `members` processes multicasts messages/members; measures deliveries per second per member. */
async function groupRate(signaling: string, group: string, members: number, messages: number, bytes: number, chunk: number): Promise<GroupRun> {
  const children = await spawnChildren(members, `${group}-`);
  try {
    await formGroup(children, signaling, group, FAILURE_TIMEOUT_MS, STEP_TIMEOUT_MS);
    const each = Math.ceil(messages / members);
    const expected = each * members;
    for (const c of children) c.send({ cmd: 'group-send', count: each, bytes, chunk, expected });
    const done = await Promise.all(children.map((c) => c.waitFor(isEv('delivered'), STEP_TIMEOUT_MS, `${expected} deliveries`)));
    const elapsedMs = Math.max(...done.map((d) => d.at)) - Math.min(...done.map((d) => d.startAt));
    return { rate: expected / (elapsedMs / 1000), stall: longestStall(children) };
  } catch (error) {
    throw new Error(`${(error as Error).message} (longest event-loop stall ${longestStall(children)} ms)`);
  } finally {
    await stopAll(children);
  }
}

async function main(): Promise<void> {
  const messages = intOption('messages', 10_000, 100, 200_000);
  const bytes = intOption('bytes', 1024, 16, 64 * 1024);
  const members = intOption('members', 4, 2, 12);
  const runs = intOption('runs', 3, 1, 9);
  const chunk = intOption('chunk', 32, 1, 1_000_000);
  const cancelBudget = budgetGuard('webrtc-throughput'); // fleet.ts kills every child on exit
  console.log(`webrtc-throughput: ${messages} total-order multicasts of ${bytes} bytes among ${members} processes, ${chunk} sends per event-loop turn, ${runs} runs`);
  console.log(await machineLine());
  const server = await startSignalingServer({ port: 0, host: '127.0.0.1' });
  const samples: Sample[] = [];
  const failures: string[] = [];
  try {
    for (let rep = 0; rep < runs; rep++) {
      const raw = await measureRaw({ signaling: server.url, group: `raw-${rep}`, rttCount: 20, bulk: { count: messages, bytes }, timeoutMs: STEP_TIMEOUT_MS });
      try {
        const run = await groupRate(server.url, `tp-${rep}`, members, messages, bytes, chunk);
        samples.push({ groupRate: run.rate, rawRate: raw.messagesPerSecond! });
        console.log(`  run ${rep + 1}/${runs}: group ${count(run.rate)} msg/s per member (longest event-loop stall ${run.stall} ms), raw ${count(raw.messagesPerSecond!)} msg/s`);
      } catch (error) {
        // A group that falls apart under load is a result too: count it, and go on.
        failures.push((error as Error).message);
        console.log(`  run ${rep + 1}/${runs}: the group failed: ${(error as Error).message}`);
      }
    }
  } finally {
    cancelBudget();
    await server.close();
  }
  if (samples.length > 0) console.log(summary(samples, members, bytes));
  if (failures.length > 0) console.log(`${failures.length} of ${runs} runs failed`);
  if (samples.length === 0) process.exitCode = 1;
}

function summary(samples: readonly Sample[], members: number, bytes: number): string {
  const mib = (rate: number): string => fixed((rate * bytes) / (1024 * 1024), 1);
  const groupMedian = median(samples.map((s) => s.groupRate));
  const rawMedian = median(samples.map((s) => s.rawRate));
  return table(
    ['what', 'messages/s', 'MiB/s', 'group ÷ raw'],
    [
      [`group of ${members}, total order, delivered per member`, count(groupMedian), mib(groupMedian), fixed(median(samples.map((s) => s.groupRate / s.rawRate)), 3)],
      ['raw data channel, 2 processes, received', count(rawMedian), mib(rawMedian), '1'],
    ],
  );
}

void main().then(
  () => process.exit(),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
