/**
 * Counter: a number that members add to. Each `add` is an operation multicast in total order, so
 * every member sums the same deltas in the same order and reads the same value (floating-point
 * sums included: the order of the additions is the same everywhere).
 */
import type { Group } from '@synchrony/core';
import { openObject } from './registry.js';
import { ReplicatedObject, type Origin } from './replicated-object.js';

/** A change of a {@link Counter}: `delta` was added, and the value is now `value`. */
export interface CounterChange {
  readonly type: 'add';
  readonly delta: number;
  readonly value: number;
  readonly sender: string;
}

/** A counter operation, decoded: the delta. */
export type CounterOp = number;

const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * A replicated number.
 *
 * ```ts
 * const votes = await Counter.open(group, 'votes');
 * await votes.add(1);
 * votes.value;
 * ```
 */
export class Counter extends ReplicatedObject<CounterOp, CounterChange> {
  private current = 0;

  /** The counter `name` of `group` (the same instance each time): before or after `group.join()`. */
  static open(group: Group, name: string): Promise<Counter> {
    return openObject(group, name, { kind: 'counter', is: (o) => o instanceof Counter, make: (g, n) => new Counter(g, n) });
  }

  private constructor(group: Group, name: string) {
    super(group, name);
  }

  /** Adds `n` (a finite number, negative to subtract) everywhere; resolves when applied here. */
  add(n: number): Promise<void> {
    if (typeof n !== 'number') throw new TypeError(`n must be a number, not ${typeof n}`);
    if (!Number.isFinite(n)) throw new RangeError(`n must be finite, not ${n}`);
    return this.submit(n === 0 ? 0 : n).applied;
  }

  /** The value here. */
  get value(): number {
    return this.current;
  }

  protected decode(body: unknown): CounterOp | undefined {
    return isFiniteNumber(body) ? body : undefined;
  }

  protected apply(delta: CounterOp, origin: Origin): undefined {
    this.current += delta;
    this.emit({ type: 'add', delta, value: this.current, sender: origin.sender });
    return undefined;
  }

  protected override snapshot(): unknown {
    return this.current;
  }

  protected load(state: unknown): void {
    this.current = typeof state === 'number' ? state : 0; // a sum may have overflowed to ±Infinity
  }
}
