/**
 * Many groups over real WebRTC (issue "Scale"): 4 processes from `connect()` share 1, then 100
 * groups. Every group the pair shares rides the pair's one connection, and liveness goes per peer,
 * not per group, so:
 * - each process has exactly 3 peer connections (one per other process), and joining 99 more
 *   groups makes none;
 * - every group installs the same 4-member view at all 4;
 * - idle, 100 groups put about as many frames on the wire as 1 (at most 1.5 times);
 * - leaving the groups settles: every leave resolves, and with no group left the wire goes quiet.
 *
 * Frames are counted on the wire, outside the library: each process gets a WebRTC implementation
 * that counts every data-channel message written and every peer connection (bench/src/webrtc-groups/
 * wire-count.ts). The four processes share this test's event loop, on a machine that may be
 * heavily loaded: a starved loop sends fewer heartbeats, never more, so the 1-group baseline is
 * measured twice, before and after the 100 groups, and the larger of the two is the reference;
 * the groups' failure timeout is long, because this test is about idle cost, not about suspicion.
 *
 *   ../shared/tools/isolated-net npx vitest run packages/webrtc/test/many-groups.test.ts
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Group, Process } from '@synchrony/core';
import { countingWrtc, type WireCounter } from '../../../bench/src/webrtc-groups/wire-count.js';
import { connect } from '../src/index.js';
import type { WrtcLike } from '../src/wrtc.js';
import { Cleanups, waitUntil, withTimeout } from './group-fixtures.js';
import { startServer, wrtc } from './helpers.js';

const PROCESSES = 4;
const MANY = 100;
/** Silence after which a member is suspected: long, see the file comment. */
const FAILURE_TIMEOUT_MS = 5000;
/** Bound of each wait for views or leaves. */
const WAIT_MS = 40_000;
/** Time for acknowledgements and stability reports to finish after a change, before measuring. */
const SETTLE_MS = 1500;
/** Length of each idle measurement. */
const WINDOW_MS = 4000;
/** Idle frames per second at 100 groups, at most, relative to 1 group. */
const MAX_RATIO = 1.5;

const cleanups = new Cleanups();
afterEach(() => cleanups.runAll());

interface Member {
  readonly process: Process;
  readonly counter: WireCounter;
  readonly groups: Group[];
}

async function connectCounted(signaling: string, errors: Error[]): Promise<Member> {
  const { wrtc: counted, counter } = countingWrtc(wrtc as unknown as WrtcLike);
  const process = await connect({
    signaling,
    iceServers: [],
    wrtc: counted,
    signalingTimings: { reconnectDelayMs: 50, reconnectDelayMaxMs: 500, attemptTimeoutMs: 3000 },
  });
  cleanups.push(() => process.close({ abrupt: true }));
  process.on('error', (error) => errors.push(error));
  return { process, counter, groups: [] };
}

/** Members join groups g{from}..g{to-1}, all at once. */
function joinRange(members: readonly Member[], from: number, to: number): void {
  for (const m of members) {
    for (let g = from; g < to; g++) {
      const group = m.process.group(`g${g}`, { failureTimeoutMs: FAILURE_TIMEOUT_MS });
      m.groups[g] = group;
      void group.join().catch(() => {}); // the views are what is checked
    }
  }
}

/** Group g's views, if they are one primary view of all the members: same id, same 4 members. */
function oneView(members: readonly Member[], g: number): boolean {
  const views = members.map((m) => m.groups[g]?.view);
  const first = views[0];
  if (first === undefined || !first.primary || first.members.length !== PROCESSES) return false;
  const mes = members.map((m) => m.groups[g]?.me).sort();
  if ([...first.members].sort().join() !== mes.join()) return false;
  return views.every((v) => v !== undefined && v.primary && v.id === first.id && v.members.join() === first.members.join());
}

async function allInOneView(members: readonly Member[], from: number, to: number): Promise<void> {
  const missing = (): number[] => Array.from({ length: to - from }, (_, i) => from + i).filter((g) => !oneView(members, g));
  await waitUntil(() => missing().length === 0, WAIT_MS, () => {
    const left = missing();
    const g = left[0] ?? 0;
    return `${left.length} groups without one 4-member view, e.g. g${g}: ${members.map((m) => JSON.stringify(m.groups[g]?.view)).join(' ')}`;
  });
}

/** Frames per second all members wrote on their data channels over the next `WINDOW_MS`. */
async function idleFramesPerS(members: readonly Member[]): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const before = members.map((m) => m.counter.messages);
  const startMs = performance.now();
  await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
  const elapsedS = (performance.now() - startMs) / 1000;
  return members.reduce((sum, m, i) => sum + m.counter.messages - (before[i] ?? 0), 0) / elapsedS;
}

function expectOnePeerConnectionPerPair(members: readonly Member[]): void {
  for (const m of members) {
    expect(m.counter.live.size, 'peer connections not closed').toBe(PROCESSES - 1);
    expect(m.counter.peerConnectionsOpen, 'peer connections connected').toBe(PROCESSES - 1);
  }
}

async function leaveRange(members: readonly Member[], from: number, to: number): Promise<void> {
  const leaves = members.flatMap((m) => m.groups.slice(from, to).map((g) => g.leave()));
  await withTimeout(Promise.all(leaves), WAIT_MS, `${leaves.length} leaves`);
}

describe('many groups over real WebRTC', () => {
  it(`1 and ${MANY} groups: one connection per pair, one view per group, flat idle cost, leaving settles`, async () => {
    const server = await startServer({ limits: { groupsPerSocket: MANY + 8 } });
    cleanups.push(() => server.close());
    const errors: Error[] = [];
    const members: Member[] = [];
    for (let i = 0; i < PROCESSES; i++) members.push(await connectCounted(server.url, errors));

    joinRange(members, 0, 1);
    await allInOneView(members, 0, 1);
    expectOnePeerConnectionPerPair(members);
    const made = members.map((m) => m.counter.peerConnectionsCreated);
    const oneGroup = await idleFramesPerS(members);

    joinRange(members, 1, MANY);
    await allInOneView(members, 0, MANY);
    expectOnePeerConnectionPerPair(members);
    expect(members.map((m) => m.counter.peerConnectionsCreated), 'no connection made for the 99 groups').toEqual(made);
    const manyGroups = await idleFramesPerS(members);
    expectOnePeerConnectionPerPair(members);

    await leaveRange(members, 1, MANY);
    expect(oneView(members, 0), 'g0 untouched by the others leaving').toBe(true);
    const oneGroupAgain = await idleFramesPerS(members);

    await leaveRange(members, 0, 1);
    const none = await idleFramesPerS(members);

    const reference = Math.max(oneGroup, oneGroupAgain);
    const report = `idle frames/s, all 4 processes: 1 group ${oneGroup.toFixed(1)}, ${MANY} groups ${manyGroups.toFixed(1)}, ` +
      `1 group again ${oneGroupAgain.toFixed(1)}, none ${none.toFixed(1)}`;
    console.log(report);
    expect(oneGroup, report).toBeGreaterThan(0); // liveness goes on while a group is shared
    expect(manyGroups, report).toBeLessThanOrEqual(MAX_RATIO * reference);
    // With no group shared, nothing is needed of the links: at most a stray acknowledgement.
    expect(none, report).toBeLessThanOrEqual(0.1 * reference);
    expect(errors.map((e) => e.message)).toEqual([]);
  }, 150_000);
});
