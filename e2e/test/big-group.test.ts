/**
 * Issue 13, bigger groups: 12 Node processes (Node's WebRTC) and 8 Chromium pages in one group,
 * over real data channels, on this 2-core machine. They join at once; mixed traffic from all 20;
 * a Node process is killed (SIGKILL) with its last multicasts in flight; a page leaves; a new Node
 * process joins late, under traffic, and gets the state by transfer. The simulator's checker
 * judges every member's trace. The time to the first full view and to each view change is printed.
 *
 *   npm run build && ../shared/tools/isolated-net npx vitest run e2e/test/big-group
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSignalingServer, type SignalingServer } from '@synchrony/signaling-server';
import { checkProperties, type TraceEvent } from '@synchrony/sim';
import type { JoinRequest, PageStatus, SendSpec } from '../page/e2e-api.js';
import { epochNowMs } from '../page/epoch-now.js';
import { buildNodeMember } from './build-node-member.js';
import { buildTestPage } from './build-page.js';
import { launchChromium } from './chromium.js';
import { mergeTraces } from './merge-traces.js';
import { NodeMember } from './node-member.js';
import { TestPage } from './test-page.js';
import { transferredStates, viewInstalledAt } from './trace-queries.js';
import { mixedTraffic } from './traffic.js';
import { quiescent, sameViewOf, waitForMembers } from './view-waits.js';
import { withTimeout } from './with-timeout.js';

const NODES = 12;
const PAGES = 8;
const GROUP = 'big-group';
/** Twice the default: 20 members on 2 cores at a load of 10 stall for more than a second. */
const FAILURE_TIMEOUT_MS = 3000;
/** Every call into a member, and every wait for the group, is bounded by this. */
const STEP_TIMEOUT_MS = 120_000;
/** How often the test asks the 20 members where they stand (the polling must not be the load). */
const POLL_MS = 250;
const ROUNDS = 3;
const PER_ROUND = 4;

/** A page or a Node process: the same calls, the same recorded trace. */
interface Member {
  readonly label: string;
  readonly pageErrors: readonly string[];
  join(request: JoinRequest): Promise<PageStatus>;
  send(specs: readonly SendSpec[]): Promise<void>;
  sendAndTakeRecord(specs: readonly SendSpec[]): Promise<{ status: PageStatus; trace: TraceEvent[] }>;
  flush(): Promise<void>;
  leave(): Promise<void>;
  status(): Promise<PageStatus>;
  trace(): Promise<TraceEvent[]>;
}

let server: SignalingServer | undefined;
let browser: Browser | undefined;
let memberScript = '';
const nodes: NodeMember[] = [];

beforeAll(async () => {
  const [pageDir, script] = await withTimeout(Promise.all([buildTestPage(), buildNodeMember()]), 60_000, 'the builds of the page and the Node member');
  memberScript = script;
  server = await startSignalingServer({ port: 0, host: '127.0.0.1', staticDir: pageDir });
  browser = await launchChromium(30_000);
}, 90_000);

afterAll(async () => {
  try {
    await Promise.all(nodes.map((n) => n.close()));
    await browser?.close();
  } finally {
    await server?.close();
  }
}, 60_000);

/** The latest time any of `traces` installed view `viewId`, minus `since`. */
function installedAfter(traces: ReadonlyArray<readonly TraceEvent[]>, viewId: number, since: number): number {
  return Math.round(Math.max(...traces.map((trace) => viewInstalledAt(trace, viewId) ?? Infinity)) - since);
}

/** One primary view of exactly `count` members at every member given. */
const viewOf = (count: number) => (all: PageStatus[]): boolean => sameViewOf(all) && all[0]!.view!.members.length === count;

describe(`${NODES} Node processes and ${PAGES} Chromium pages in one group`, () => {
  it('form one view, order mixed traffic, survive a crash and a leave, and take a late joiner', async () => {
    if (server === undefined || browser === undefined) throw new Error('beforeAll did not finish');
    const chromium = browser;
    const url = `http://127.0.0.1:${server.port}/?signaling=${encodeURIComponent(server.url)}`;
    const request: JoinRequest = { group: GROUP, failureTimeoutMs: FAILURE_TIMEOUT_MS };
    const startNode = async (label: string): Promise<NodeMember> => {
      const node = await NodeMember.start(memberScript, server!.url, label, STEP_TIMEOUT_MS);
      nodes.push(node);
      return node;
    };
    const started = await Promise.all([
      ...Array.from({ length: NODES }, (_, i) => startNode(`node${i}`)),
      ...Array.from({ length: PAGES }, (_, i) => TestPage.open(chromium, url, `page${i}`, STEP_TIMEOUT_MS)),
    ]);
    const members: Member[] = started;
    const timings: string[] = [];

    // 1. All 20 join at once.
    const joinAt = epochNowMs();
    const joins = Promise.all(members.map((m) => m.join(request)));
    const formed = await waitForMembers(members, viewOf(NODES + PAGES), STEP_TIMEOUT_MS, `one view of ${NODES + PAGES}`, POLL_MS);
    await withTimeout(joins, STEP_TIMEOUT_MS, 'every join() settles');
    const fullView = formed[0]!.view!.id;
    timings.push(`first full view (id ${fullView}, ${NODES + PAGES} members): ${installedAfter(await Promise.all(members.map((m) => m.trace())), fullView, joinAt)} ms after join()`);

    // 2. Mixed traffic from every member, in overlapping rounds.
    for (let round = 0; round < ROUNDS; round += 1) await Promise.all(members.map((m) => m.send(mixedTraffic(PER_ROUND))));
    await Promise.all(members.map((m) => m.flush()));
    // On this loaded machine a member may be suspected and come back as a new incarnation; what
    // must hold is one view of all again, every send settled, and one state (the checker judges the rest).
    const sent = members.length * ROUNDS * PER_ROUND;
    const calm = await waitForMembers(members, (all) => viewOf(members.length)(all) && quiescent(all), STEP_TIMEOUT_MS, 'one view and one state after the traffic', POLL_MS);
    timings.push(`traffic: ${sent} multicasts, ${calm[0]!.state.count} in the state, view ${calm[0]!.view!.id} after it`);

    // 3. A Node process is killed with its last multicasts in flight; the others keep sending.
    const victim = nodes[3]!;
    const lastWords = await victim.sendAndTakeRecord(mixedTraffic(3));
    const killedAt = epochNowMs();
    victim.kill();
    const survivors = members.filter((m) => m !== victim);
    const sendingThrough = Promise.all(survivors.map((m) => m.send(mixedTraffic(3))));
    const shrunk = await waitForMembers(survivors, viewOf(survivors.length), STEP_TIMEOUT_MS, 'a view without the killed process', POLL_MS);
    await withTimeout(sendingThrough, STEP_TIMEOUT_MS, 'sends across the crash');
    timings.push(`view without the killed process (id ${shrunk[0]!.view!.id}): ${installedAfter(await Promise.all(survivors.map((m) => m.trace())), shrunk[0]!.view!.id, killedAt)} ms after SIGKILL (failure timeout ${FAILURE_TIMEOUT_MS} ms)`);

    // 4. A page leaves gracefully.
    const leaver = started[NODES + 2]!;
    const leaveAt = epochNowMs();
    await leaver.leave();
    const rest = survivors.filter((m) => m !== leaver);
    const afterLeave = await waitForMembers(rest, viewOf(rest.length), STEP_TIMEOUT_MS, 'a view without the page that left', POLL_MS);
    timings.push(`view without the page that left (id ${afterLeave[0]!.view!.id}): ${installedAfter(await Promise.all(rest.map((m) => m.trace())), afterLeave[0]!.view!.id, leaveAt)} ms after leave()`);

    // 5. A new Node process joins late, under traffic, and gets the state by transfer.
    const late = await startNode('late');
    const lateAt = epochNowMs();
    const lateJoin = late.join(request);
    await Promise.all(rest.map((m) => m.send(mixedTraffic(3))));
    await lateJoin;
    const final = [...rest, late];
    await Promise.all(final.map((m) => m.send(mixedTraffic(3))));
    await Promise.all(final.map((m) => m.flush()));
    const settled = await waitForMembers(final, (all) => viewOf(final.length)(all) && quiescent(all), STEP_TIMEOUT_MS, 'one view and one state everywhere', POLL_MS);
    const lateTrace = await late.trace();
    timings.push(`view with the late joiner (id ${settled[0]!.view!.id}): ${installedAfter([lateTrace], settled[0]!.view!.id, lateAt)} ms after its join()`);
    const transferred = transferredStates(lateTrace);
    // Once per incarnation: on a loaded machine the newcomer may be suspected while it opens its
    // 18 connections, and join again; each join takes the state at its cut.
    expect(transferred.length).toBeGreaterThanOrEqual(1);
    if (transferred.length > 1) timings.push(`the late joiner was excluded and joined again: ${transferred.length} state transfers`);
    expect(transferred.at(-1)!.count).toBeGreaterThanOrEqual(calm[0]!.state.count);
    for (const s of settled) expect(s.state).toEqual(settled[0]!.state);
    console.log(`${NODES} Node processes + ${PAGES} Chromium pages:\n  ${timings.join('\n  ')}`);

    // 6. No member reported an error, and the checker holds over every trace, liveness included.
    const leaverStatus = await leaver.status();
    const reported = [...lastWords.status.errors, ...leaverStatus.errors, ...settled.flatMap((s) => s.errors), ...started.flatMap((m) => m.pageErrors)];
    expect(reported).toEqual([]);
    const traces = [lastWords.trace, await leaver.trace(), ...(await Promise.all(final.map((m) => m.trace())))];
    const faults: TraceEvent[] = [
      { k: 'fault', at: killedAt, what: `kill ${lastWords.status.processId} (SIGKILL)` },
      { k: 'crash', at: killedAt, process: lastWords.status.processId },
      { k: 'fault', at: epochNowMs(), what: `live ${settled.map((s) => s.processId).join(',')}` },
    ];
    expect(checkProperties(mergeTraces([...traces, faults]), { final: true })).toBeUndefined();
  }, 600_000);
});
