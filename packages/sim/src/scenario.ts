/**
 * Seeded random scenarios (TigerBeetle's VOPR in miniature). Faults are drawn per seed: a
 * safety phase under a mixed workload, then a liveness phase on a healed, lossless network.
 * The checker runs over the whole trace; a failure names the seed that replays it.
 *
 * The fault model strikes anywhere, not only where the protocol expects it:
 * - crashes (half of them aimed at the sequencer or the next in line), abrupt closes;
 * - `leave()` and graceful `close()` of any process at any moment: while it joins, rejoins after
 *   an exclusion, is blocked in a minority, provides or receives state, or coordinates;
 * - turnover: several members of a settled group, or all of them, leave at once as newcomers join;
 * - two- and three-way partitions and their heals, one-way slow links;
 * - loss, reordering, and frames duplicated below the engine's reliability layer;
 * - group requests of every `replies` kind, with and without a timeout, during the churn;
 * - state providers whose `getState` throws, and request handlers that throw.
 * Departures that would leave a view without a live majority are held back: primary partition
 * blocks by design once a majority of a view is gone for good.
 */
import type { Order, View } from '@synchrony/core';
import { checkProperties, type Violation } from './checker.js';
import { Random } from './random.js';
import { Recorder, traceHash, type RecordedMember, type Trace } from './recorder.js';
import { Simulator } from './simulator.js';

export interface ScenarioOptions {
  /** Virtual ms of the faulty phase. Default drawn per seed, 6-12 s. */
  faultMs?: number;
  /** Whether faults happen at all. Default true. */
  faults?: boolean;
  /**
   * Reliable connections (SimulatorOptions.reliable), as over WebRTC: no random loss; partitions and
   * cut links break connections, which are replaced when frames pass again. Default false.
   */
  reliable?: boolean;
  /**
   * Partitions may strike while a turnover's leaves complete (by default they wait until the group
   * settles). Leaves cut off then time out together, a majority of the view gone at once, and the
   * group dissolves: no view change ends that view, so no member can tell the fate of a message
   * sent in it. A leave no longer waits for the fate of sends whose promises resolved (seed 5585
   * found it waiting for ever); a safe send's promise still does, and may never settle: the case
   * the default model holds back. Default false.
   */
  turnoverPartitions?: boolean;
}

export interface ScenarioResult {
  seed: number;
  violation: Violation | undefined;
  trace: Trace;
  hash: string;
  summary: string;
}

const GROUP = 'g';
const ORDERS: readonly Order[] = ['fifo', 'causal', 'total'];
const REPLIES = ['one', 'majority', 'all', 0, 1, 2, 5] as const;

/** One simulated process and what the scenario did to it. */
interface Actor {
  app: RecordedMember;
  /** Crashed or closed abruptly: its calls may stay pending. */
  crashed: boolean;
  /** Left or closed gracefully, or its join was refused: it is not meant to be in the group. */
  gone: boolean;
}

export async function runScenario(seed: number, options: ScenarioOptions = {}): Promise<ScenarioResult> {
  const plan = new Random(seed ^ 0x5bd1e995);
  const faults = options.faults !== false;
  const maxLatency = plan.int(2, 60);
  const reliable = options.reliable === true;
  const drawnDropRate = faults ? plan.pick([0, 0, 0.01, 0.02, 0.05]) : 0;
  const dropRate = reliable ? 0 : drawnDropRate;
  const duplicateRate = faults ? plan.pick([0, 0, 0.01, 0.05]) : 0;
  // A third of the seeds run a group with a secret: every member proves it over every connection.
  const secret = plan.chance(0.3) ? `secret of seed ${seed}` : undefined;
  const sim = new Simulator({ seed, latencyMs: [1, maxLatency], dropRate, duplicateRate, reliable });
  const recorder = new Recorder(() => sim.now);
  const fault = (what: string): void => recorder.push({ k: 'fault', at: sim.now, what });
  const actors = new Map<string, Actor>();
  let spawned = 0;
  let partitioned = false;

  const spawn = (): Actor => {
    const process = sim.spawn(`p${++spawned}`);
    const app = recorder.attach(process, GROUP, undefined, secret);
    app.failingProvider = faults && plan.chance(0.1);
    app.failingHandler = faults && plan.chance(0.1);
    app.answerRequests();
    const actor: Actor = { app, crashed: false, gone: false };
    actors.set(process.id, actor);
    // A rejoin that no member can give the state to (every provider's getState throws) stays out.
    process.on('error', (error) => { if (error.name === 'StateTransferError') actor.gone = true; });
    void app.join().catch(() => { actor.gone = true; }); // refused: no provider could give it the state
    return actor;
  };
  const live = (): Actor[] => [...actors.values()].filter((a) => !a.crashed && !a.gone);
  const members = (): Actor[] => live().filter((a) => a.app.group.view?.primary === true);
  /** The newest primary view anyone installed. */
  const newestView = (): View | undefined => {
    let view: View | undefined;
    for (const e of recorder.trace) if (e.k === 'view' && e.view.primary && e.view.id > (view?.id ?? -1)) view = e.view;
    return view;
  };
  /** The newest view's size, its live members, and the live processes outside it. */
  const newest = (): { size: number; alive: number; pending: number } => {
    const view = newestView();
    const liveIds = new Set(live().map((a) => a.app.group.me));
    const alive = view?.members.filter((m) => liveIds.has(m)).length ?? 0;
    return { size: view?.members.length ?? 0, alive, pending: liveIds.size - alive };
  };
  /** One primary view everywhere, holding exactly the live processes. */
  const settled = (): boolean => {
    const views = live().map((a) => a.app.group.view);
    const first = views[0];
    const liveIds = new Set(live().map((a) => a.app.group.me));
    return first !== undefined && views.every((v) => v?.primary && v.id === first.id) &&
      first.members.length === liveIds.size && first.members.every((m) => liveIds.has(m));
  };
  /**
   * Whether one more process may go for good (a crash, or a leave that cannot complete) with the
   * group still able to go on: one such departure until the group settles again; a majority of
   * the newest view must stay alive counting every process that may join it; and while a view
   * change may be in flight, whose successor can be as small as a bare majority, the view must be
   * large enough for that successor to lose one member.
   */
  let faultsSinceSettled = 0;
  const mayLoseOne = (victim: Actor): boolean => {
    if (settled()) faultsSinceSettled = 0;
    if (faultsSinceSettled > 0) return false;
    const { size, alive, pending } = newest();
    if ((alive - 1) * 2 <= size + pending) return false;
    if (!currentViewsSurvive(victim)) return false;
    return settled() ? size >= 4 : alive >= 5 && pending === 0;
  };
  /**
   * Every view that some live process still holds as its last (a view change may be completing it
   * or deciding its successor) keeps a live majority without the victim: a view decided by a
   * coordinator that then crashes may be installed nowhere else, and the one before it must go on.
   */
  const currentViewsSurvive = (victim: Actor): boolean => {
    const liveMembers = new Set(live().filter((a) => a !== victim).map((a) => a.app.group.me));
    const lastViews = new Map<string, View>();
    for (const e of recorder.trace) if (e.k === 'view' && e.view.primary) lastViews.set(e.member, e.view);
    for (const a of live()) {
      const view = lastViews.get(a.app.group.me);
      if (view !== undefined && view.members.filter((m) => liveMembers.has(m)).length * 2 <= view.members.length) return false;
    }
    return true;
  };
  /** A victim: half the time the sequencer (the coordinator) or the next in line. */
  const victim = (): Actor => {
    const view = newestView();
    const aimed = view?.members[plan.chance(0.6) ? 0 : 1];
    const target = plan.chance(0.5) ? live().find((a) => a.app.group.me === aimed) : undefined;
    return target ?? plan.pick(live());
  };
  const crash = (actor: Actor, how: string): void => {
    actor.crashed = true;
    faultsSinceSettled += 1;
    recorder.push({ k: 'crash', at: sim.now, process: actor.app.process.id });
    fault(`${how} ${actor.app.process.id}`);
    if (how === 'close abruptly') void actor.app.process.close({ abrupt: true });
    else sim.crash(actor.app.process);
  };
  const depart = (actor: Actor, how: 'leave' | 'close'): void => {
    actor.gone = true;
    faultsSinceSettled += 1;
    fault(`${how} ${actor.app.process.id} (${describe(actor)})`);
    if (how === 'leave') void actor.app.leave().catch(() => {});
    else void actor.app.close().catch(() => {});
  };
  const describe = (actor: Actor): string => {
    const view = actor.app.group.view;
    if (view === undefined) return 'joining';
    if (!view.primary) return 'cut off';
    return view.members[0] === actor.app.group.me ? 'coordinator' : `member of view ${view.id}`;
  };
  const slowLinks: Array<{ from: string; to: string; untilMs: number }> = [];
  /**
   * A turnover takes out up to every member at once, as graceful leaves, which complete with the
   * view change that excludes them. A partition before they complete would make them leaves that
   * time out: a majority gone at once, which the rule above holds back. So no partition until
   * the group has settled since (or for 5 s).
   */
  let turnoverAtMs: number | undefined;
  const turnoverUnsettled = (): boolean => {
    if (options.turnoverPartitions === true) return false;
    if (turnoverAtMs !== undefined && (settled() || sim.now - turnoverAtMs > 5000)) turnoverAtMs = undefined;
    return turnoverAtMs !== undefined;
  };

  fault(`seed ${seed} latency 1-${maxLatency} ms, ${reliable ? 'reliable connections' : `loss ${dropRate * 100}%`}, duplicates ${duplicateRate * 100}%${secret === undefined ? '' : ', a group secret'}`);
  const initial = plan.int(3, 5);
  for (let i = 0; i < initial; i++) spawn();
  await sim.run(plan.int(0, 400));

  // The faulty phase: faults strike at any moment, view changes in progress included.
  const faultMs = options.faultMs ?? plan.int(6000, 12000);
  const end = sim.now + faultMs;
  let healAtMs = 0;
  while (sim.now < end) {
    await sim.run(plan.int(5, 120));
    for (const link of slowLinks.filter((l) => sim.now >= l.untilMs)) {
      sim.network.setLinkLatency(link.from, link.to, undefined);
      slowLinks.splice(slowLinks.indexOf(link), 1);
    }
    const roll = plan.int(0, 99);
    const current = members();
    if (roll < 52 && current.length > 0) {
      void plan.pick(current).app.send(plan.pick(ORDERS), plan.chance(0.2));
      continue;
    }
    if (roll < 56 && live().length > 0) {
      const caller = plan.pick(live());
      void caller.app.request(plan.pick(REPLIES), plan.chance(0.5) ? plan.int(50, 2000) : undefined).catch(() => {});
      continue;
    }
    if (roll < 58 && live().length > 0) {
      void plan.pick(live()).app.flush().catch(() => {});
      continue;
    }
    if (!faults) continue;
    if (roll < 64 && live().length < 7) {
      fault(`join p${spawned + 1}`);
      spawn();
    } else if (roll < 72 && live().length > 0) {
      const target = victim();
      if (!mayLoseOne(target) || (roll >= 67 && roll < 71 && live().length <= 3)) continue;
      if (roll < 67) crash(target, 'crash');
      else if (roll < 70) depart(target, 'leave');
      else if (roll < 71) depart(target, 'close');
      else crash(target, 'close abruptly');
    } else if (roll < 76 && !partitioned && live().length >= 2 && !turnoverUnsettled()) {
      const ids = [...actors.keys()].filter((id) => !actors.get(id)!.crashed); // leavers too: alive until their leave completes
      const shuffled = ids.map((id) => [plan.int(0, 1_000_000), id] as const).sort((a, b) => a[0] - b[0]).map(([, id]) => id);
      const three = ids.length >= 4 && plan.chance(0.25);
      const cuts = three ? [plan.int(1, ids.length - 2)] : [plan.int(1, ids.length - 1)];
      if (three) cuts.push(plan.int(cuts[0]! + 1, ids.length - 1));
      const sides = [0, ...cuts].map((from, i) => shuffled.slice(from, [...cuts, ids.length][i]));
      sim.partition(...sides);
      partitioned = true;
      healAtMs = sim.now + plan.int(200, 3000);
      fault(`partition ${sides.map((side) => side.join(',')).join(' | ')}`);
    } else if (roll < 78 && live().length >= 2) {
      const [from, to] = [plan.pick(live()), plan.pick(live())].map((a) => a.app.process.id) as [string, string];
      if (from === to) continue;
      const latency: [number, number] = [plan.int(100, 300), plan.int(300, 700)];
      sim.network.setLinkLatency(from, to, latency);
      slowLinks.push({ from, to, untilMs: sim.now + plan.int(500, 3000) });
      fault(`slow link ${from} -> ${to} ${latency[0]}-${latency[1]} ms`);
    } else if (roll < 80 && !partitioned && settled() && members().length >= 2 && live().length < 7) {
      // Turnover: several members, or all of them, leave at once as newcomers join. The state then
      // passes to the newcomers through a leaver when no survivor is left to provide it.
      const current = members();
      const leaving = plan.chance(0.5) ? current : current.filter(() => plan.chance(0.5));
      if (leaving.length < 2) continue;
      const joining = Math.min(plan.int(1, 2), 7 - live().length);
      fault(`turnover: ${leaving.length} of ${current.length} leave, ${joining} join`);
      turnoverAtMs = sim.now;
      for (let i = 0; i < joining; i++) spawn();
      await sim.run(plan.int(0, 40));
      for (const actor of leaving) depart(actor, plan.chance(0.8) ? 'leave' : 'close');
    } else if (partitioned && sim.now >= healAtMs) {
      sim.heal();
      partitioned = false;
      fault('heal');
    }
  }

  // Liveness phase: faults stop.
  sim.heal();
  sim.network.clearLinkLatencies();
  sim.setDropRate(0, 0);
  fault('heal; loss off');
  await sim.run(6000);
  for (const actor of members()) void actor.app.send(plan.pick(ORDERS), plan.chance(0.3));
  await sim.run(3000);
  for (const actor of members().slice(0, 2)) void actor.app.request(plan.pick(REPLIES)).catch(() => {});
  await sim.run(1000);
  // Every member's flush must resolve while the simulation runs on (a pending one is a liveness failure).
  const flushing = members().map((a) => ({ id: a.app.process.id, done: false }));
  members().forEach((a, i) => void a.app.flush().catch(() => {}).finally(() => { flushing[i]!.done = true; }));
  await sim.run(1000);
  const stuck = flushing.filter((f) => !f.done).map((f) => f.id);
  if (stuck.length > 0) fault(`flush pending at ${stuck.join(',')}`);
  fault(`live ${live().map((a) => a.app.process.id).join(',')}`);

  const violation = checkProperties(recorder.trace, { final: true }) ?? sameFinalState(live().map((a) => a.app)) ??
    (stuck.length > 0 ? { property: '10 liveness', detail: `flush never resolved at ${stuck.join(', ')}` } : undefined);
  for (const actor of actors.values()) if (!actor.crashed) sim.crash(actor.app.process);
  const summary = `${spawned} processes, ${recorder.trace.filter((e) => e.k === 'deliver').length} deliveries, ` +
    `${recorder.trace.filter((e) => e.k === 'view').length} view events, ${sim.network.framesSent} frames`;
  return { seed, violation, trace: recorder.trace, hash: traceHash(recorder.trace), summary };
}

function sameFinalState(apps: RecordedMember[]): Violation | undefined {
  const states = apps.map((a) => `${a.process.id}=${JSON.stringify(a.state)}`);
  const first = JSON.stringify(apps[0]?.state);
  if (apps.some((a) => JSON.stringify(a.state) !== first)) {
    return { property: '9 same final state', detail: states.join(' ') };
  }
  return undefined;
}
