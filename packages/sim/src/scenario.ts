/**
 * Seeded random scenarios (TigerBeetle's VOPR in miniature). Faults are drawn per seed: a
 * safety phase with crashes, joins, leaves, partitions and heals, loss and a latency
 * spread, under a mixed multicast workload; then a liveness phase on a healed, lossless
 * network. The checker runs over the whole trace; a failure names the seed that replays it.
 */
import type { Order } from '@synchrony/core';
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
  let lastFaultMs = -Infinity;

  const spawn = (): RecordedMember => {
    const process = sim.spawn(`p${++spawned}`);
    const app = recorder.attach(process, GROUP);
    apps.set(process.id, app);
    void app.group.join().catch(() => {});
    return app;
  };
  const live = (): RecordedMember[] => [...apps.values()].filter((a) => !crashed.has(a.process.id) && !left.has(a.process.id));
  const members = (): RecordedMember[] => live().filter((a) => a.group.view?.primary);
  /** The newest primary view any live process holds, and how many of its members are alive. */
  const newest = (): { size: number; alive: number } => {
    let best: readonly string[] = [];
    let bestId = -1;
    for (const a of live()) if (a.group.view?.primary && a.group.view.id > bestId) [bestId, best] = [a.group.view.id, a.group.view.members];
    const aliveIds = new Set(live().map((a) => a.group.me));
    return { size: best.length, alive: best.filter((m) => aliveIds.has(m)).length };
  };

  fault(`seed ${seed} latency 1-${maxLatency} ms, loss ${dropRate * 100}%`);
  const initial = plan.int(3, 5);
  for (let i = 0; i < initial; i++) spawn();
  await sim.run(plan.int(0, 400));

  const faultMs = options.faultMs ?? plan.int(6000, 12000);
  const end = sim.now + faultMs;
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
    // Crashes and partitions strike a settled group (one agreed view, nobody joining): a partition
    // that races a view change can leave every side short of a quorum of the newest view, and the
    // group then blocks by design (see the README's limits), which is not what these runs measure.
    const ids = new Set(live().map((a) => a.group.view?.id ?? -1));
    const liveIds = new Set(live().map((a) => a.group.me));
    const settled = ids.size === 1 && !ids.has(-1) &&
      live().every((a) => a.group.view?.primary && a.group.view.members.every((m) => liveIds.has(m)));
    const quiet = settled && sim.now - lastFaultMs > 1500;
    if (roll < 67 && live().length < 7) {
      fault(`join p${spawned + 1}`);
      spawn();
    } else if (roll < 70 && quiet && !partitioned) {
      const { size, alive } = newest();
      const pending = live().length - members().length;
      if ((alive - 1) * 2 > size + pending && current.length > 0) {
        const victim = plan.pick(current);
        crashed.add(victim.process.id);
        sim.crash(victim.process);
        fault(`crash ${victim.process.id}`);
        lastFaultMs = sim.now;
      }
    } else if (roll < 72 && current.length > 3) {
      const leaver = plan.pick(current);
      left.add(leaver.process.id);
      fault(`leave ${leaver.process.id}`);
      void leaver.group.leave();
    } else if (roll < 76 && quiet && !partitioned && live().length >= 3) {
      const ids = [...apps.keys()].filter((id) => !crashed.has(id)); // leavers too: alive until their leave completes
      const cut = plan.int(1, ids.length - 1);
      const shuffled = ids.map((id) => [plan.int(0, 1_000_000), id] as const).sort((a, b) => a[0] - b[0]).map(([, id]) => id);
      const sides = [shuffled.slice(0, cut), shuffled.slice(cut)];
      sim.partition(...sides);
      partitioned = true;
      lastFaultMs = sim.now;
      fault(`partition ${sides.map((s) => s.join(',')).join(' | ')}`);
    } else if (roll < 80 && partitioned && sim.now - lastFaultMs > 1200) {
      sim.heal();
      partitioned = false;
      lastFaultMs = sim.now;
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
  await Promise.all(members().map((a) => a.group.flush().catch(() => {})));
  await sim.run(1000);
  fault(`live ${live().map((a) => a.process.id).join(',')}`);

  const violation = checkProperties(recorder.trace, { final: true }) ?? sameFinalState(live());
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

