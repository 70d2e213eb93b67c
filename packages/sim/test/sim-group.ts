/**
 * A small group on the simulator, recorded for the checker, for the named scenarios of
 * ordering, delivery, flush, batching and group requests. Members are added one by one and
 * the group settles into one view; then a test provokes one situation and checks both the
 * specific outcome and every property of the checker.
 */
import type { EngineConfig, Order } from '@synchrony/core';
import { expect } from 'vitest';
import { checkProperties } from '../src/checker.js';
import { Recorder, type RecordedMember, type TraceEvent } from '../src/recorder.js';
import { Simulator } from '../src/simulator.js';

export interface GroupOptions {
  seed?: number;
  latencyMs?: [number, number];
  dropRate?: number;
  /** Connections that lose nothing while they live (SimulatorOptions.reliable). */
  reliable?: boolean;
  /** Virtual ms each first member is given to join before the next (default 400; more on slow networks). */
  settleMs?: number;
  config?: Partial<EngineConfig>;
}

export type Deliver = Extract<TraceEvent, { k: 'deliver' }>;

/** A multicast made through the fixture: its id in the trace, and when (and whether) its promise settled. */
export interface Sent {
  id: string;
  at: number;
  settled: { at: number; ok: boolean } | undefined;
  done: Promise<void>;
}

export async function startGroup(names: readonly string[], options: GroupOptions = {}) {
  const sim = new Simulator({
    seed: options.seed ?? 1, latencyMs: options.latencyMs ?? [1, 10], dropRate: options.dropRate ?? 0, reliable: options.reliable, config: options.config,
  });
  const recorder = new Recorder(() => sim.now);
  const apps = new Map<string, RecordedMember>();

  const app = (name: string): RecordedMember => {
    const found = apps.get(name);
    if (found === undefined) throw new Error(`no member ${name}`);
    return found;
  };
  /** Spawns a process, opens the group with the recording application, and starts joining. */
  const add = async (name: string, settleMs = 400): Promise<RecordedMember> => {
    const member = recorder.attach(sim.spawn(name), 'g');
    apps.set(name, member);
    void member.group.join().catch(() => {});
    await sim.run(settleMs);
    return member;
  };
  /** Advances time 1 ms at a time until `condition` holds; false if it did not within `maxMs`. */
  const runUntil = async (condition: () => boolean, maxMs = 5000): Promise<boolean> => {
    for (let waited = 0; waited < maxMs; waited++) {
      if (condition()) return true;
      await sim.run(1);
    }
    return condition();
  };
  const crash = (name: string): void => {
    recorder.push({ k: 'fault', at: sim.now, what: `crash ${name}` });
    sim.crash(name);
  };
  /**
   * Multicasts a recorded payload `{ id, safe, ...extra }` (the recorder reads `id` and `safe`),
   * so the checker sees the send, its deliveries and its outcome.
   */
  const send = (name: string, order: Order, options: { safe?: boolean; extra?: Record<string, unknown> } = {}): Sent => {
    const member = app(name);
    const safe = options.safe === true;
    const me = member.group.me;
    const id = `${me}/${++member.sends}`;
    const at = sim.now;
    recorder.push({ k: 'send', at, process: name, member: me, id, order, safe, deliveredBefore: member.deliveries });
    const sent: Sent = { id, at, settled: undefined, done: Promise.resolve() };
    const outcome = (ok: boolean) => (): void => {
      sent.settled = { at: sim.now, ok };
      recorder.push({ k: 'sent', at: sim.now, process: name, member: me, id, ok });
    };
    sent.done = member.group.send({ ...options.extra, id, safe }, { order, safe }).then(outcome(true), outcome(false));
    return sent;
  };
  /** The deliveries recorded at a process, in order (optionally only those of one message). */
  const deliveries = (name: string, id?: string): Deliver[] =>
    recorder.trace.filter((e): e is Deliver => e.k === 'deliver' && e.process === name && (id === undefined || e.id === id));
  const delivered = (name: string, id: string): boolean => deliveries(name, id).length > 0;
  /** When a process delivered a message (undefined if it did not). */
  const deliveredAt = (name: string, id: string): number | undefined => deliveries(name, id)[0]?.at;
  /** When a process installed its first primary view, from time `since` on, whose members satisfy `test`. */
  const viewAt = (name: string, test: (members: readonly string[]) => boolean, since = 0): number | undefined =>
    recorder.trace.find((e) => e.k === 'view' && e.process === name && e.at >= since && e.view.primary && test(e.view.members))?.at;
  /** No property of the checker is violated by the run so far. */
  const check = (): void => {
    expect(checkProperties(recorder.trace)).toBeUndefined();
  };

  for (const name of names) await add(name, options.settleMs);
  await sim.run(1000);
  const first = app(names[0]!).group.view;
  expect(first?.members).toHaveLength(names.length);
  for (const name of names) expect(app(name).group.view?.id).toBe(first?.id);

  return { sim, recorder, apps, app, add, runUntil, crash, send, deliveries, delivered, deliveredAt, viewAt, check };
}

export type TestGroup = Awaited<ReturnType<typeof startGroup>>;

/** The process name of a member id (`b#1` → `b`). */
export const processName = (member: string): string => member.slice(0, member.lastIndexOf('#'));
