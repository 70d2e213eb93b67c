/**
 * A group on the real network: processes from `connect()` over real WebRTC data channels
 * (@roamhq/wrtc, host candidates only) and a real signaling server on 127.0.0.1. The simulator's
 * recording application drives a mixed workload and records what every member sees, so that the
 * simulator's property checker judges this real run exactly as it judges a seeded one.
 *
 * Run inside the isolated network namespace (see the package README):
 *   ../shared/tools/isolated-net npx vitest run packages/webrtc/test/group-real.test.ts
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineConfig, Group, Message, View } from '@synchrony/core';
import { checkProperties } from '../../sim/src/checker.js';
import { Recorder, type RecordedMember, type TraceEvent } from '../../sim/src/recorder.js';
import {
  Cleanups, CountingTransport, MixedTraffic, connectPeer, countingPeer, patternBytes, sameBytes, viewWhere, waitUntil, withTimeout,
  type ViewAt,
} from './group-fixtures.js';
import { startServer } from './helpers.js';

/** Silence after which a member is suspected, in every group of these tests. */
const FAILURE_TIMEOUT_MS = 1500;
/** Slack above the failure timeout for detecting a crash and agreeing on the view (a loaded machine). */
const CRASH_MARGIN_MS = 3000;
/** A graceful departure must not wait for suspicion: its view comes well before the failure timeout. */
const LEAVE_BOUND_MS = FAILURE_TIMEOUT_MS / 2;
/** Bound of any single wait for joins, views and settling, in ms. */
const WAIT_MS = 15_000;
const GROUP = 'real-group';

const cleanups = new Cleanups();
afterEach(() => cleanups.runAll());

/** The recorded processes of one run, and the ones that are gone (crashed, left or closed). */
class Run {
  readonly recorder = new Recorder(() => Date.now());
  readonly apps: RecordedMember[] = [];
  readonly gone = new Set<RecordedMember>();
  readonly errors: Error[] = [];

  constructor(private readonly signaling: string) {}

  /** Connects one more process and opens the recorded group on it (not joined yet). */
  async add(): Promise<RecordedMember> {
    const process = await connectPeer(this.signaling, cleanups, this.errors);
    const app = this.recorder.attach(process, GROUP, FAILURE_TIMEOUT_MS);
    this.apps.push(app);
    return app;
  }

  live(): RecordedMember[] {
    return this.apps.filter((app) => !this.gone.has(app));
  }

  fault(what: string): void {
    this.recorder.push({ k: 'fault', at: Date.now(), what });
  }

  /** Every live member installs a view satisfying `accept`; returns those views with their times. */
  async allSee(accept: (view: View) => boolean, timeoutMs = WAIT_MS): Promise<ViewAt[]> {
    try {
      return await Promise.all(this.live().map((app) => viewWhere(app.group, accept, timeoutMs)));
    } catch (error) {
      throw new Error(`${(error as Error).message}; views now: ${this.describeViews()}`);
    }
  }

  /** Each live member's installed view, for failure messages. */
  describeViews(): string {
    return this.live().map((a) => {
      const v = a.group.view;
      return `${a.group.me} ${v === undefined ? 'none' : `${v.id}${v.primary ? '' : '(not primary)'} [${v.members.join(' ')}]`}`;
    }).join('; ');
  }

  /** The live member that coordinates the current view (its most senior member). */
  coordinator(): RecordedMember {
    const first = this.live()[0]?.group.view?.members[0];
    const app = this.live().find((a) => a.group.me === first);
    if (app === undefined) throw new Error(`no live coordinator ${first}`);
    return app;
  }
}

/** Asserts that `views` are one view: same id, same members, primary. */
function expectOneView(views: readonly ViewAt[], members: readonly string[]): View {
  const first = views[0]?.view as View;
  for (const { view } of views) {
    expect(view.id).toBe(first.id);
    expect(view.members).toEqual(first.members);
    expect(view.primary).toBe(true);
  }
  expect([...first.members].sort()).toEqual([...members].sort());
  return first;
}

/** Removes `app` abruptly and returns how long the others took to install a view without it. */
async function crash(run: Run, app: RecordedMember): Promise<number> {
  const member = app.group.me;
  run.gone.add(app);
  const views = run.allSee((v) => !v.members.includes(member), FAILURE_TIMEOUT_MS + CRASH_MARGIN_MS + WAIT_MS);
  run.fault(`crash ${app.process.id}`);
  run.recorder.push({ k: 'crash', at: Date.now(), process: app.process.id }); // its pending calls may be cut short
  const startMs = Date.now();
  await app.process.close({ abrupt: true });
  const seen = await views;
  expectOneView(seen, run.live().map((a) => a.group.me));
  return Math.max(...seen.map((v) => v.atMs)) - startMs;
}

/** Makes `app` depart gracefully with `depart`; returns how long the others took to install a view without it. */
async function depart(run: Run, app: RecordedMember, how: string, departure: () => Promise<void>): Promise<number> {
  const member = app.group.me;
  run.gone.add(app);
  const views = run.allSee((v) => !v.members.includes(member));
  run.fault(`${how} ${app.process.id}`);
  const startMs = Date.now();
  await withTimeout(departure(), WAIT_MS, `${how} of ${app.process.id}`);
  const seen = await views;
  expectOneView(seen, run.live().map((a) => a.group.me));
  return Math.max(...seen.map((v) => v.atMs)) - startMs;
}

/** Joins a late process under traffic and checks that its state is the provider's at the cut. */
async function lateJoin(run: Run): Promise<RecordedMember> {
  const app = await run.add();
  run.fault(`join ${app.process.id}`);
  const first = await withTimeout(app.group.join(), WAIT_MS, 'the late joiner');
  const me = app.group.me;
  expectOneView(await run.allSee((v) => v.members.includes(me)), run.live().map((a) => a.group.me));

  const trace = run.recorder.trace;
  const setAt = trace.findIndex((e) => e.k === 'setState' && e.member === me);
  const set = trace[setAt] as Extract<TraceEvent, { k: 'setState' }> | undefined;
  expect(set, 'setState at the joiner').toBeDefined();
  const checkpoints = trace.filter((e): e is Extract<TraceEvent, { k: 'getState' }> => e.k === 'getState' && e.viewId === first.id - 1);
  expect(checkpoints.map((c) => c.state), 'the provider checkpoint at the cut').toContainEqual(set?.state);
  expect(set?.state.count, 'the joiner came in under traffic').toBeGreaterThan(0);
  // setState comes before the joiner sees its first view or any message.
  const firstSeen = trace.findIndex((e) => (e.k === 'view' || e.k === 'deliver') && e.member === me);
  expect(setAt).toBeLessThan(firstSeen);
  return app;
}

/** Stops the workload and waits until every live member holds the same state. */
async function quiesce(run: Run, traffic: MixedTraffic): Promise<void> {
  traffic.stop();
  await traffic.settled(run.live(), WAIT_MS);
  await withTimeout(Promise.all(run.live().map((a) => a.group.flush())), WAIT_MS, 'flush at every live member');
  const states = (): string[] => run.live().map((a) => JSON.stringify(a.state));
  await waitUntil(() => new Set(states()).size === 1, WAIT_MS, () => `states differ: ${states().join(' ')}`);
}

const TEN_MB = 10 * 1024 * 1024;
/**
 * Failure timeout of the 'bulk' group. All four processes share one Node event loop here, which
 * also encodes, fragments, reassembles and decodes 30 MB; on a loaded machine that can starve
 * heartbeats past 1.5 s, and this test is about the large message, not the failure detector.
 */
const BULK_FAILURE_TIMEOUT_MS = 5000;

/** Four joined processes on counting transports, in group 'bulk', collecting what each delivers. */
interface Bulk {
  readonly groups: Group[];
  readonly transports: CountingTransport[];
  readonly received: Message[][];
  readonly formed: View;
  readonly errors: Error[];
  /** Every view installed after the group formed, as 'member:id[size]', for failure messages. */
  readonly changes: string[];
}

async function bulkGroup(config: Partial<EngineConfig>): Promise<Bulk> {
  const server = await startServer();
  cleanups.push(() => server.close());
  const errors: Error[] = [];
  const peers = await Promise.all([0, 1, 2, 3].map(() => countingPeer(server.url, cleanups, errors, config)));
  const groups = peers.map(({ process }) => process.group('bulk', { failureTimeoutMs: BULK_FAILURE_TIMEOUT_MS }));
  const received = groups.map(() => [] as Message[]);
  groups.forEach((g, i) => g.on('message', (m) => received[i]?.push(m)));
  await withTimeout(Promise.all(groups.map((g) => g.join())), WAIT_MS, 'the four to join');
  const views = await Promise.all(groups.map((g) => viewWhere(g, (v) => v.members.length === 4, WAIT_MS)));
  const formed = expectOneView(views, groups.map((g) => g.me));
  const changes: string[] = [];
  for (const g of groups) g.on('view', (v) => changes.push(`${g.me}:${v.id}${v.primary ? '' : '!'}[${v.members.length}]`));
  return { groups, transports: peers.map((p) => p.transport), received, formed, errors, changes };
}

/** Member 1 multicasts `payload` (total order); resolves with the ms until every member delivered it. */
async function multicastAndWait(bulk: Bulk, payload: Uint8Array, timeoutMs = 30_000): Promise<number> {
  const startMs = Date.now();
  await withTimeout((bulk.groups[1] as Group).send(payload), WAIT_MS, 'the large send');
  const arrived = (): number => bulk.received.filter((list) => list.length > 0).length;
  await waitUntil(() => arrived() === 4, timeoutMs, () => `${arrived()} of 4 members got it; views since: ${bulk.changes.join(' ')}`);
  return Date.now() - startMs;
}

/** How many copies of a large frame the sender (member 1) handed its transport, per peer. */
function copiesPerLink(bulk: Bulk): number[] {
  return [...(bulk.transports[1] as CountingTransport).sent.values()].map((count) => count.largeFrames);
}

describe('a group over real WebRTC', () => {
  it('keeps every property through mixed traffic, a crash, a late joiner and graceful departures', async () => {
    const server = await startServer();
    cleanups.push(() => server.close());
    const run = new Run(server.url);

    // Four processes join at once and agree on one view of four.
    const four = await Promise.all([run.add(), run.add(), run.add(), run.add()]);
    await withTimeout(Promise.all(four.map((a) => a.group.join())), WAIT_MS, 'the four to join');
    const formed = expectOneView(await run.allSee((v) => v.members.length === 4), four.map((a) => a.group.me));

    // Mixed traffic from every member, running through every fault below.
    const traffic = new MixedTraffic(0x5eed);
    traffic.burst(four, 20);
    traffic.start(() => run.live(), 20);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const crashMs = await crash(run, four[3] as RecordedMember);
    const joiner = await lateJoin(run);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const leaver = run.live().find((a) => a !== joiner && a !== run.coordinator()) as RecordedMember;
    const leaveMs = await depart(run, leaver, 'leave', () => leaver.group.leave());
    const coordinator = run.coordinator();
    const closeMs = await depart(run, coordinator, 'close', () => coordinator.process.close());
    await traffic.settled([leaver, coordinator], WAIT_MS); // a departed member's sends settle too

    await quiesce(run, traffic);
    run.fault(`live ${run.live().map((a) => a.process.id).join(',')}`);
    const trace = run.recorder.trace;
    const deliveries = trace.filter((e) => e.k === 'deliver');
    console.info(
      `real group: first view ${formed.id}; view without the crashed member after ${crashMs} ms ` +
      `(failureTimeoutMs ${FAILURE_TIMEOUT_MS}); after a leave ${leaveMs} ms; after a graceful close of the coordinator ${closeMs} ms; ` +
      `${traffic.sent} sends, ${deliveries.length} deliveries, ${trace.filter((e) => e.k === 'view').length} view events`,
    );

    expect(crashMs).toBeLessThan(FAILURE_TIMEOUT_MS + CRASH_MARGIN_MS);
    expect(leaveMs).toBeLessThan(LEAVE_BOUND_MS);
    expect(closeMs).toBeLessThan(LEAVE_BOUND_MS);
    expect(new Set(deliveries.map((d) => d.order))).toEqual(new Set(['fifo', 'causal', 'total']));
    expect(deliveries.some((d) => d.safe)).toBe(true);
    expect(joiner.deliveries, 'the late joiner delivered traffic of its views').toBeGreaterThan(0);
    expect(checkProperties(trace, { final: true })).toBeUndefined();
    expect(run.errors).toEqual([]);
  }, 90_000);

  it('multicasts a 10 MB message that arrives whole and identical at every member', async () => {
    const bulk = await bulkGroup({});
    const payload = patternBytes(TEN_MB, 0xb16b00b5);
    const elapsedMs = await multicastAndWait(bulk, payload);
    const copies = copiesPerLink(bulk);
    console.info(`10 MB message: delivered at all 4 members after ${elapsedMs} ms; copies per link ${copies.join(', ')}; views since: ${bulk.changes.join(' ') || 'none'}`);

    for (const list of bulk.received) {
      expect(list).toHaveLength(1);
      const message = list[0] as Message;
      expect(message.sender).toBe(bulk.groups[1]?.me);
      expect(message.viewId).toBe(bulk.formed.id);
      expect(message.data).toBeInstanceOf(Uint8Array);
      expect(sameBytes(message.data as Uint8Array, payload)).toBe(true);
    }
    // Nobody was suspected while the channels were full.
    expect(bulk.changes, 'views installed during the transfer').toEqual([]);
    expect(bulk.errors).toEqual([]);
    // The links time a frame's retransmission by its size: the 10 MB frame crossed each link once,
    // not once per 150 ms of its transfer.
    expect(copies).toHaveLength(3);
    for (const n of copies) expect(n).toBe(1);
  }, 60_000);
});
