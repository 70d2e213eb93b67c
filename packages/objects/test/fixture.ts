/**
 * A group of simulated members for the objects' tests: processes spawned one by one into one
 * group, every process error collected (a test fails on one it did not expect), and a helper to
 * advance virtual time until a condition holds.
 */
import type { Group, Process } from '@synchrony/core';
import { Simulator, type SimulatorOptions } from '@synchrony/sim';
import { expect } from 'vitest';

export interface Member {
  readonly name: string;
  readonly process: Process;
  readonly group: Group;
  /** What the process reported on 'error'. */
  readonly errors: Error[];
}

export interface Fixture {
  readonly sim: Simulator;
  readonly members: Map<string, Member>;
  member(name: string): Member;
  /** Spawns a process and opens the group; `join` (default true) starts joining it. */
  spawn(name: string, options?: { join?: boolean }): Member;
  /** Advances virtual time 1 ms at a time until `condition` holds; false if it did not within `maxMs`. */
  until(condition: () => boolean, maxMs?: number): Promise<boolean>;
  /** Every member's process errors, as one list (for `expect(...).toEqual([])`). */
  errors(): string[];
}

export function fixture(options: Partial<SimulatorOptions> = {}): Fixture {
  const sim = new Simulator({ seed: 1, latencyMs: [1, 10], ...options });
  const members = new Map<string, Member>();
  const member = (name: string): Member => {
    const found = members.get(name);
    if (found === undefined) throw new Error(`no member ${name}`);
    return found;
  };
  const spawn = (name: string, { join = true } = {}): Member => {
    const process = sim.spawn(name);
    const group = process.group('g');
    const errors: Error[] = [];
    process.on('error', (error) => errors.push(error));
    const m: Member = { name, process, group, errors };
    members.set(name, m);
    if (join) group.join().catch(() => {});
    return m;
  };
  const until = async (condition: () => boolean, maxMs = 10_000): Promise<boolean> => {
    for (let waited = 0; waited < maxMs; waited++) {
      if (condition()) return true;
      await sim.run(1);
    }
    return condition();
  };
  const errors = (): string[] => [...members.values()].flatMap((m) => m.errors.map((e) => `${m.name}: ${e.message}`));
  return { sim, members, member, spawn, until, errors };
}

/** Spawns `names` one by one into one group and waits until they all share one primary view. */
export async function startGroup(names: readonly string[], options: Partial<SimulatorOptions> = {}): Promise<Fixture> {
  const f = fixture(options);
  for (const name of names) {
    f.spawn(name);
    await f.sim.run(400);
  }
  const together = (): boolean => {
    const first = f.member(names[0]!).group.view;
    return names.every((n) => {
      const view = f.member(n).group.view;
      return view?.primary === true && view.id === first?.id && view.members.length === names.length;
    });
  };
  expect(await f.until(together)).toBe(true);
  return f;
}

/** Settles `promise` into a value to inspect: still pending, resolved or rejected (with the error's name). */
export function outcome<T>(promise: Promise<T>): { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: Error } {
  const out: { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: Error } = { state: 'pending' };
  promise.then(
    (value) => { out.state = 'resolved'; out.value = value; },
    (error: Error) => { out.state = 'rejected'; out.error = error; },
  );
  return out;
}
