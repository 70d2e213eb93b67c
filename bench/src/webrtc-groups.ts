/**
 * npm run bench:groups [-- --groups 1,100,1000 --idle-s 10 --settle-s 3 --timeout-ms 1000
 *                          --signaling-rate 1000 --join-batch 5000 --join-timeout-s 240 --budget-s 600]
 * (inside ../shared/tools/isolated-net: WebRTC in Node needs a non-loopback interface)
 *
 * Many groups over real WebRTC (issue "Scale"), the real-network half of `bench:scale`: 4 Node
 * processes (child_process.fork), each one `connect()` to one signaling server on 127.0.0.1 run
 * by this process, with `iceServers: []`. For each N, 4 fresh processes all join groups
 * g0..g{N-1} and the program reports:
 * - the time until every group has the same 4-member view at all 4 (real ms);
 * - after settling, ~10 s idle, per process: peer connections open (one per pair: 3), the
 *   data-channel messages and bytes written per second (wire-count.ts), and CPU ms per second
 *   (process.cpuUsage: the whole process, libwebrtc's threads included), with the views installed
 *   meanwhile (none, when idle is idle);
 * - the time until every process has left all N groups, and what goes on the wire after that.
 * The baseline is the first row (1 group): frames per second are also shown as a ratio to it.
 *
 * Nothing leaves the machine: the signaling server listens on 127.0.0.1, there are no ICE
 * servers, and the children talk over the namespace's own interface. Every wait is bounded, the
 * whole run has a budget (`--budget-s`), and every child is killed when this process exits.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSignalingServer } from '@synchrony/signaling-server';
import { budgetGuard, intListOption, intOption } from './args.js';
import { recordResults } from './results.js';
import { count, fixed, machineLine, median, range, table } from './stats.js';
import { everyone, spawnChildren, stopAll, type Child } from './webrtc-groups/fleet.js';
import type { IdleSample } from './webrtc-groups/messages.js';

const PROCESSES = 4;
/** Slack on top of a child's own deadline or window before the parent gives up on its report. */
const REPORT_SLACK_MS = 60_000;
/** After leaving every group, the wire is watched this long. */
const AFTER_LEAVE_MS = 3000;

const groupCounts = intListOption('groups', [1, 100, 1000], 1, 5000);
const idleMs = intOption('idle-s', 10, 2, 120) * 1000;
const settleMs = intOption('settle-s', 3, 0, 60) * 1000;
const failureTimeoutMs = intOption('timeout-ms', 1000, 200, 10_000);
const signalingRate = intOption('signaling-rate', 1000, 50, 5000);
const joinTimeoutMs = intOption('join-timeout-s', 240, 10, 1800) * 1000;
const joinBatch = intOption('join-batch', 5000, 1, 5000);
const budgetS = intOption('budget-s', 600, 30, 3600); // as budgetGuard reads it
const cancelBudget = budgetGuard('webrtc-groups');

/** What one group count measured; a stage that failed or was not reached is undefined. */
interface Row {
  groups: number;
  joined?: { ms: number; full: number };
  idle?: IdleSample[];
  agreeingGroups?: number;
  left?: { ms: number; pending: number };
  afterLeave?: IdleSample[];
  /** Why the run of this group count stopped early. */
  failure?: string;
  errors: number;
}

/** Groups (by index) whose view is the same at every child, primary, with `members` members. */
function agreeing(samples: readonly IdleSample[], groups: number, members: number): number {
  let same = 0;
  for (let g = 0; g < groups; g++) {
    const views = samples.map((s) => s.views[g] ?? '');
    const first = views[0] ?? '';
    const memberCount = first.split(':')[1]?.split(' ').length ?? 0;
    if (first !== '' && !first.startsWith('!') && memberCount === members && views.every((v) => v === first)) same += 1;
  }
  return same;
}

/** 4 fresh processes through one group count: join, settle, idle, leave, idle again. */
async function measure(groups: number, signaling: string): Promise<Row> {
  const row: Row = { groups, errors: 0 };
  const children: Child[] = await spawnChildren(PROCESSES, `g${groups}-`, budgetS * 1000);
  const stage = (text: string): void => console.error(`  ${groups} groups: ${text}`);
  try {
    await everyone(children, { cmd: 'connect', signaling, signalingRate }, 'connected', REPORT_SLACK_MS);
    const join = { cmd: 'join', groups, batch: joinBatch, members: PROCESSES, failureTimeoutMs, deadlineMs: Date.now() + joinTimeoutMs } as const;
    const joined = await everyone(children, join, 'joined', joinTimeoutMs + REPORT_SLACK_MS);
    row.joined = { ms: Math.max(...joined.map((j) => j.at)) - Math.min(...joined.map((j) => j.startAt)), full: Math.min(...joined.map((j) => j.full)) };
    stage(`${row.joined.full} of ${groups} full at every process after ${count(row.joined.ms)} ms`);
    await sleep(settleMs);
    row.idle = (await everyone(children, { cmd: 'idle', ms: idleMs }, 'idle', idleMs + REPORT_SLACK_MS)).map((r) => r.sample);
    row.agreeingGroups = agreeing(row.idle, groups, PROCESSES);
    stage(`idle measured; ${row.agreeingGroups} groups in one 4-member view`);
    const left = await everyone(children, { cmd: 'leave', deadlineMs: Date.now() + joinTimeoutMs }, 'left', joinTimeoutMs + REPORT_SLACK_MS);
    row.left = { ms: Math.max(...left.map((l) => l.at)) - Math.min(...left.map((l) => l.startAt)), pending: left.reduce((sum, l) => sum + l.pending, 0) };
    stage(`left after ${count(row.left.ms)} ms`);
    row.afterLeave = (await everyone(children, { cmd: 'idle', ms: AFTER_LEAVE_MS }, 'idle', AFTER_LEAVE_MS + REPORT_SLACK_MS)).map((r) => r.sample);
  } catch (error) {
    row.failure = error instanceof Error ? error.message : String(error);
    stage(`stopped: ${row.failure}`);
  } finally {
    row.errors = children.reduce((sum, c) => sum + c.errors, 0);
    await stopAll(children);
  }
  return row;
}

/** Per-process values as 'median (min–max)', or one value when they are all equal. */
function spread(values: readonly number[], decimals: number): string {
  const [low, high] = range(values);
  const show = (v: number): string => (decimals === 0 ? count(v) : fixed(v, decimals));
  return show(low) === show(high) ? show(low) : `${show(median(values))} (${show(low)}–${show(high)})`;
}

const perS = (samples: readonly IdleSample[], pick: (s: IdleSample) => number): number[] => samples.map((s) => (pick(s) * 1000) / s.ms);

/** One table row; '–' for what was not measured. */
function render(row: Row, baselineFramesPerS: number | undefined): string[] {
  const { joined, idle, left, afterLeave } = row;
  const frames = idle === undefined ? undefined : perS(idle, (s) => s.messages);
  const connections = idle?.map((s) => `${s.peerConnectionsOpen}/${s.peerConnectionsCreated}`) ?? [];
  const na = '–';
  return [
    String(row.groups),
    row.agreeingGroups === undefined ? na : row.agreeingGroups === row.groups ? 'all' : `${row.agreeingGroups} of ${row.groups}`,
    joined === undefined ? na : `${count(joined.ms)}${joined.full < row.groups ? ` (${joined.full} full)` : ''}`,
    connections.length === 0 ? na : connections.every((c) => c === connections[0]) ? connections[0]! : connections.join(' '),
    frames === undefined ? na : spread(frames, 1),
    frames === undefined || baselineFramesPerS === undefined ? na : fixed(median(frames) / baselineFramesPerS, 2),
    idle === undefined ? na : spread(perS(idle, (s) => s.bytes), 0),
    idle === undefined ? na : spread(perS(idle, (s) => s.cpuMs), 1),
    idle === undefined ? na : String(idle.reduce((sum, s) => sum + s.viewChanges, 0)),
    left === undefined ? na : `${count(left.ms)}${left.pending > 0 ? ` (${left.pending} pending)` : ''}`,
    afterLeave === undefined ? na : spread(perS(afterLeave, (s) => s.messages), 1),
    String(row.errors),
  ];
}

if (process.env['BENCH_GROUPS_DIAG'] === '1') {
  // The parent hosts the signaling server: its stalls are the server's.
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let cpu = process.cpuUsage();
  setInterval(() => {
    const used = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    console.error(`  diag parent stall<=${(delay.max / 1e6).toFixed(0)}ms cpu=${((used.user + used.system) / 1000).toFixed(0)}ms/s`);
    delay.reset();
  }, 1000).unref();
}

const server = await startSignalingServer({
  port: 0,
  host: '127.0.0.1',
  // The defaults (32 groups per socket, 200 frames/s) suit the open internet, not 1000 groups.
  limits: { groupsPerSocket: Math.max(32, ...groupCounts), messagesPerSecondPerSocket: 2 * signalingRate },
});
try {
  console.log(`webrtc-groups: ${await machineLine()}`);
  console.log(`${PROCESSES} processes, failure timeout ${failureTimeoutMs} ms, signaling paced at ${signalingRate} frames/s, ` +
    `groups joined ${joinBatch >= Math.max(...groupCounts) ? 'all at once' : `${joinBatch} at a time`}, ` +
    `${idleMs / 1000} s idle after ${settleMs / 1000} s settling\n`);
  const rows: Row[] = [];
  for (const groups of groupCounts) rows.push(await measure(groups, server.url));
  const first = rows[0]!;
  const baseline = first.idle === undefined ? undefined : median(perS(first.idle, (s) => s.messages));
  console.log('## Many groups over one connection per pair (4 processes, real WebRTC)\n');
  console.log(table(
    [
      'groups', 'same 4-member view', 'join all, ms', 'peer connections open/made', 'idle frames/s', `÷ ${first.groups} group${first.groups === 1 ? '' : 's'}`,
      'idle bytes/s', 'idle CPU ms/s', 'views while idle', 'leave all, ms', 'frames/s after leaving', 'errors',
    ],
    rows.map((row) => render(row, baseline)),
  ));
  console.log('\nPer process: median (min–max) over the 4; frames are data-channel messages written.');
  for (const row of rows) if (row.failure !== undefined) console.log(`${row.groups} groups: stopped early: ${row.failure}`);
  await recordResults('webrtc-groups', {
    machine: await machineLine(), failureTimeoutMs, signalingRate,
    rows: rows.map((row) => ({
      groups: row.groups,
      agreeingGroups: row.agreeingGroups,
      joinAllMs: row.joined?.ms,
      fullAtEveryProcess: row.joined?.full,
      idleFramesPerS: row.idle === undefined ? undefined : median(perS(row.idle, (s) => s.messages)),
      idleCpuMsPerS: row.idle === undefined ? undefined : median(perS(row.idle, (s) => s.cpuMs)),
      peerConnections: row.idle?.map((s) => s.peerConnectionsOpen),
      leaveAllMs: row.left?.ms,
      errors: row.errors,
      failure: row.failure,
    })),
  });
} finally {
  await Promise.race([server.close(), sleep(5000)]);
  cancelBudget();
}
