/**
 * Benchmark (issue 4): over real WebRTC (@roamhq/wrtc) and a real signaling server on 127.0.0.1,
 * with one Node process per member:
 *   - the time from connect() to the first view, and to the full view everywhere, for 2, 4, 8
 *     processes starting at once;
 *   - the time for a newcomer to join the running group (connect() to its first view);
 *   - the time from a member's abrupt close (`close({ abrupt: true })`) to the survivors' new view;
 *   - the time from a SIGKILL to the survivors' new view, minus the failure timeout: of the
 *     youngest member, then, if at least 3 members remain, of the coordinator.
 * Baseline, measured in each repetition: two processes opening one raw simple-peer data channel
 * through the same server, and its round trip time. Ratios are computed within a repetition.
 *
 *   ../shared/tools/isolated-net node bench/dist/webrtc-connect.js [--sizes 2,4,8] [--runs 3]
 *       [--timeout-ms 1000] [--budget-s 600]
 *
 * WebRTC in Node needs a non-loopback interface for host candidates: run it inside isolated-net.
 */
import { startSignalingServer } from '@synchrony/signaling-server';
import { budgetGuard, intListOption, intOption } from './args.js';
import { fixed, machineLine, median, table } from './stats.js';
import { longestStall, spawnChildren, stopAll } from './webrtc/fleet.js';
import { addNewcomer, crashMember, formGroup, leaveMember, type Member } from './webrtc/group-steps.js';
import { recordResults } from './results.js';
import { measureRaw, type RawSample } from './webrtc/raw-baseline.js';

const STEP_TIMEOUT_MS = 60_000;

/** What one repetition measured for one group size. */
interface GroupSample {
  firstViewMs: number;
  fullViewMs: number;
  newcomerMs: number;
  /** Graceful leave (`group.leave()`) of the youngest member → the survivors' view. */
  leaveToViewMs: number;
  /** Abrupt close of the youngest member → the survivors' view (not minus the timeout: see README). */
  closeToViewMs: number;
  /** SIGKILL of the youngest member → the survivors' view, minus the failure timeout. */
  killExcessMs: number;
  /** SIGKILL of the coordinator → the survivors' view, minus the failure timeout; from 3 survivors on. */
  coordinatorExcessMs: number | undefined;
  /** The longest event-loop stall of any process of the group, as text. */
  stall: string;
}

interface Settings {
  signaling: string;
  failureTimeoutMs: number;
}

/**
 * One group of `size` processes through its life: a cold start, an abrupt close of the youngest,
 * a newcomer, a SIGKILL of the youngest, then (if at least 3 remain) a SIGKILL of the coordinator.
 */
async function measureGroup(size: number, rep: number, settings: Settings): Promise<GroupSample> {
  const children = await spawnChildren(size + 2, `n${size}r${rep}-`);
  const group = `bench-${size}-${rep}`;
  const { signaling, failureTimeoutMs } = settings;
  const crashTimeoutMs = failureTimeoutMs + STEP_TIMEOUT_MS;
  try {
    const formed = await formGroup(children.slice(0, size), signaling, group, failureTimeoutMs, STEP_TIMEOUT_MS);
    const left = await leaveMember(formed.members, youngestOf(formed.members), STEP_TIMEOUT_MS);
    const arrival = await addNewcomer(left.survivors, children[size]!, signaling, group, failureTimeoutMs, STEP_TIMEOUT_MS);
    const closed = await crashMember(arrival.members, youngestOf(arrival.members), false, crashTimeoutMs);
    const refilled = await addNewcomer(closed.survivors, children[size + 1]!, signaling, group, failureTimeoutMs, STEP_TIMEOUT_MS);
    const killed = await crashMember(refilled.members, youngestOf(refilled.members), true, crashTimeoutMs);
    const coordinator = killed.survivors.length >= 3 ? await crashMember(killed.survivors, killed.survivors[0]!, true, crashTimeoutMs) : undefined;
    return {
      firstViewMs: median(formed.firstViewMs),
      fullViewMs: formed.fullViewMs,
      newcomerMs: arrival.firstViewMs,
      leaveToViewMs: left.detectMs,
      closeToViewMs: closed.detectMs,
      killExcessMs: killed.detectMs - failureTimeoutMs,
      coordinatorExcessMs: coordinator === undefined ? undefined : coordinator.detectMs - failureTimeoutMs,
      stall: longestStall(children),
    };
  } finally {
    await stopAll(children);
  }
}

function youngestOf(members: readonly Member[]): Member {
  return members[members.length - 1]!;
}

function rows(sizes: readonly number[], samples: Map<number, GroupSample[]>, raws: readonly RawSample[]): string[][] {
  const defined = (xs: Array<number | undefined>): number[] => xs.filter((x): x is number => x !== undefined);
  const med = (xs: Array<number | undefined>): string => (defined(xs).length === 0 ? '–' : fixed(median(defined(xs)), 0));
  /** Median, then the spread: the SIGKILL figures depend on where in the heartbeat cycle the crash fell. */
  const spread = (xs: Array<number | undefined>): string => {
    const ys = defined(xs);
    return ys.length === 0 ? '–' : `${fixed(median(ys), 0)} (${fixed(Math.min(...ys), 0)}…${fixed(Math.max(...ys), 0)})`;
  };
  /** The ratio within each repetition, then the median over repetitions. */
  const ratio = (xs: GroupSample[], pick: (s: GroupSample) => number, base: (r: RawSample) => number): string =>
    fixed(median(xs.map((s, rep) => pick(s) / base(raws[rep]!))), 1);
  return sizes.map((size) => {
    const xs = samples.get(size)!;
    return [
      String(size),
      med(xs.map((s) => s.firstViewMs)),
      med(xs.map((s) => s.fullViewMs)),
      ratio(xs, (s) => s.fullViewMs, (r) => r.openMs),
      med(xs.map((s) => s.newcomerMs)),
      ratio(xs, (s) => s.newcomerMs, (r) => r.openMs),
      spread(xs.map((s) => s.leaveToViewMs)),
      med(xs.map((s) => s.closeToViewMs)),
      ratio(xs, (s) => s.closeToViewMs, (r) => r.rttMs),
      spread(xs.map((s) => s.killExcessMs)),
      spread(xs.map((s) => s.coordinatorExcessMs)),
      xs.map((s) => s.stall).join(', '),
    ];
  });
}

async function main(): Promise<void> {
  const sizes = intListOption('sizes', [2, 4, 8], 2, 12);
  const runs = intOption('runs', 3, 1, 9);
  const failureTimeoutMs = intOption('timeout-ms', 1000, 100, 10_000);
  const cancelBudget = budgetGuard('webrtc-connect'); // fleet.ts kills every child on exit
  console.log(`webrtc-connect: sizes ${sizes.join(', ')}, ${runs} runs, failure timeout ${failureTimeoutMs} ms`);
  const machine = await machineLine();
  console.log(machine);
  const server = await startSignalingServer({ port: 0, host: '127.0.0.1' });
  const settings: Settings = { signaling: server.url, failureTimeoutMs };
  const raws: RawSample[] = [];
  const samples = new Map<number, GroupSample[]>(sizes.map((s) => [s, []]));
  try {
    for (let rep = 0; rep < runs; rep++) {
      raws.push(await measureRaw({ signaling: server.url, group: `raw-${rep}`, rttCount: 200, timeoutMs: STEP_TIMEOUT_MS }));
      for (const size of sizes) samples.get(size)!.push(await measureGroup(size, rep, settings));
      console.log(`  run ${rep + 1}/${runs}: raw open ${fixed(raws[rep]!.openMs, 0)} ms, rtt ${fixed(raws[rep]!.rttMs, 2)} ms`);
    }
  } finally {
    cancelBudget();
    await server.close();
  }
  console.log(`raw channel (2 processes): open ${fixed(median(raws.map((r) => r.openMs)), 0)} ms, round trip ${fixed(median(raws.map((r) => r.rttMs)), 2)} ms (medians)`);
  const header = ['processes', 'connect→first view ms', 'all in full view ms', '÷ raw open', 'newcomer ms', '÷ raw open',
    'graceful leave→view ms', 'abrupt close→view ms', '÷ raw rtt', 'SIGKILL youngest: view − timeout ms', 'SIGKILL coordinator: view − timeout ms', 'longest stall ms, per run'];
  console.log(table(header, rows(sizes, samples, raws)));
  const med = (xs: Array<number | undefined>): number => median(xs.filter((x): x is number => x !== undefined));
  await recordResults('webrtc-connect', {
    machine, failureTimeoutMs, runs, rawOpenMs: med(raws.map((r) => r.openMs)), rawRttMs: med(raws.map((r) => r.rttMs)),
    sizes: sizes.map((size) => {
      const xs = samples.get(size)!;
      return {
        processes: size, firstViewMs: med(xs.map((s) => s.firstViewMs)), fullViewMs: med(xs.map((s) => s.fullViewMs)),
        newcomerMs: med(xs.map((s) => s.newcomerMs)), leaveToViewMs: xs.map((s) => s.leaveToViewMs),
        closeToViewMs: med(xs.map((s) => s.closeToViewMs)), killExcessMs: xs.map((s) => s.killExcessMs),
        coordinatorExcessMs: xs.map((s) => s.coordinatorExcessMs ?? null),
      };
    }),
  });
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
