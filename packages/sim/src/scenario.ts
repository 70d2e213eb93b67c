/**
 * Seeded random scenarios (TigerBeetle's VOPR in miniature). Faults are drawn per seed: a
 * safety phase with crashes, joins, leaves, partitions and heals, loss and a latency
 * spread, under a mixed multicast workload; then a liveness phase on a healed, lossless
 * network. The checker runs over the whole trace; a failure names the seed that replays it.
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

export async function runScenario(seed: number, options: ScenarioOptions = {}): Promise<ScenarioResult> {
  const plan = new Random(seed ^ 0x5bd1e995);
  const maxLatency = plan.int(2, 60);
  const dropRate = options.faults === false ? 0 : plan.pick([0, 0, 0.01, 0.02, 0.05]);
  const sim = new Simulator({ seed, latencyMs: [1, maxLatency], dropRate });
  const recorder = new Recorder(() => sim.now);
  const fault = (what: string): void => recorder.push({ k: 'fault', at: sim.now, what });
  const apps = new Map<string, RecordedMember>();
  const crashed = new Set<string>();
  const left = new Set<string>();
  let spawned = 0;
  let partitioned = false;

  const spawn = (): RecordedMember => {
    const process = sim.spawn(`p${++spawned}`);
    const app = recorder.attach(process, GROUP);
    apps.set(process.id, app);
    void app.group.join().catch(() => {});
    return app;
  };
  const live = (): RecordedMember[] => [...apps.values()].filter((a) => !crashed.has(a.process.id) && !left.has(a.process.id));
  const members = (): RecordedMember[] => live().filter((a) => a.group.view?.primary);
  /** The newest primary view anyone installed, its live members, and the live processes outside it. */
  const newest = (): { size: number; alive: number; pending: number } => {
    let view: View | undefined;
    for (const e of recorder.trace) if (e.k === 'view' && e.view.primary && e.view.id > (view?.id ?? -1)) view = e.view;
    const liveIds = new Set(live().map((a) => a.group.me));
    const alive = view?.members.filter((m) => liveIds.has(m)).length ?? 0;
    return { size: view?.members.length ?? 0, alive, pending: liveIds.size - alive };
  };
  /** One primary view everywhere, holding exactly the live processes. */
  const settled = (): boolean => {
    const views = live().map((a) => a.group.view);
    const first = views[0];
    const liveIds = new Set(live().map((a) => a.group.me));
    return first !== undefined && views.every((v) => v?.primary && v.id === first.id) &&
      first.members.length === liveIds.size && first.members.every((m) => liveIds.has(m));
  };
  /**
   * Whether one more process may crash (or leave, which is a crash if it cannot complete) and the
   * group still be able to go on: primary partition blocks, by design, once a majority of a view
   * is gone. One such fault until the group settles again; a majority of the newest view must
   * stay alive counting every process that may join it; and while a view change may be in
   * flight, whose successor can be as small as a bare majority, the view must be large enough
   * for that successor to lose one member.
   */
  let faultsSinceSettled = 0;
  const mayLoseOne = (): boolean => {
    if (settled()) faultsSinceSettled = 0;
    if (faultsSinceSettled > 0) return false;
    const { size, alive, pending } = newest();
    if ((alive - 1) * 2 <= size + pending) return false;
    return settled() ? size >= 4 : alive >= 5 && pending === 0;
  };

  fault(`seed ${seed} latency 1-${maxLatency} ms, loss ${dropRate * 100}%`);
  const initial = plan.int(3, 5);
  for (let i = 0; i < initial; i++) spawn();
  await sim.run(plan.int(0, 400));

  // The faulty phase: faults strike at any moment, view changes in progress included.
  const faultMs = options.faultMs ?? plan.int(6000, 12000);
  const end = sim.now + faultMs;
  let healAtMs = 0;
  while (sim.now < end) {
    await sim.run(plan.int(5, 120));
    const roll = plan.int(0, 99);
    const current = members();
    if (roll < 60 && current.length > 0) {
      const app = plan.pick(current);
      void app.send(plan.pick(ORDERS), plan.chance(0.2));
      continue;
    }
    if (options.faults === false) continue;
    if (roll < 67 && live().length < 7) {
      fault(`join p${spawned + 1}`);
      spawn();
    } else if (roll < 70 && current.length > 0 && mayLoseOne()) {
      const victim = plan.pick(live());
      crashed.add(victim.process.id);
      faultsSinceSettled += 1;
      sim.crash(victim.process);
      fault(`crash ${victim.process.id}`);
    } else if (roll < 72 && current.length > 3 && mayLoseOne()) {
      const leaver = plan.pick(current);
      left.add(leaver.process.id);
      faultsSinceSettled += 1;
      fault(`leave ${leaver.process.id}`);
      void leaver.group.leave();
    } else if (roll < 76 && !partitioned && live().length >= 2) {
      const ids = [...apps.keys()].filter((id) => !crashed.has(id)); // leavers too: alive until their leave completes
      const shuffled = ids.map((id) => [plan.int(0, 1_000_000), id] as const).sort((a, b) => a[0] - b[0]).map(([, id]) => id);
      const three = ids.length >= 4 && plan.chance(0.25);
      const cuts = three ? [plan.int(1, ids.length - 2)] : [plan.int(1, ids.length - 1)];
      if (three) cuts.push(plan.int(cuts[0]! + 1, ids.length - 1));
      const sides = [0, ...cuts].map((from, i) => shuffled.slice(from, [...cuts, ids.length][i]));
      sim.partition(...sides);
      partitioned = true;
      healAtMs = sim.now + plan.int(200, 3000);
      fault(`partition ${sides.map((side) => side.join(',')).join(' | ')}`);
    } else if (partitioned && sim.now >= healAtMs) {
      sim.heal();
      partitioned = false;
      fault('heal');
    }
  }

  // Liveness phase: faults stop.
  sim.heal();
  sim.setDropRate(0);
  fault('heal; loss off');
  await sim.run(6000);
  for (const app of members()) void app.send(plan.pick(ORDERS), plan.chance(0.3));
  await sim.run(4000);
  // Every member's flush must resolve while the simulation runs on (a pending one is a liveness failure).
  const flushing = members().map((a) => ({ id: a.process.id, done: false }));
  members().forEach((a, i) => void a.group.flush().catch(() => {}).finally(() => { flushing[i]!.done = true; }));
  await sim.run(1000);
  const stuck = flushing.filter((f) => !f.done).map((f) => f.id);
  if (stuck.length > 0) fault(`flush pending at ${stuck.join(',')}`);
  fault(`live ${live().map((a) => a.process.id).join(',')}`);

  const violation = checkProperties(recorder.trace, { final: true }) ?? sameFinalState(live()) ??
    (stuck.length > 0 ? { property: '10 liveness', detail: `flush never resolved at ${stuck.join(', ')}` } : undefined);
  for (const p of apps.values()) if (!crashed.has(p.process.id)) sim.crash(p.process);
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

