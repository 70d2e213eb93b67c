/**
 * defineObject: a replicated object of your own, as a deterministic reducer. Its operations are
 * multicast in total order and `apply` runs at every member on the same state with the same
 * operations in the same order, so every member holds the same state, provided `apply` depends on
 * nothing else (no clock, no randomness, no I/O: use `context` for who sent it and in which view).
 */
import type { Group } from '@synchrony/core';
import { carriableCopy } from './carriable.js';
import { openObject } from './registry.js';
import { ReplicatedObject, type Origin, type ResetChange } from './replicated-object.js';

/** What `apply` knows of an operation besides its content. */
export interface ApplyContext {
  /** The member that sent it. */
  readonly sender: string;
  /** The view in which it was sent and delivered. */
  readonly viewId: number;
}

/** The definition of a custom object. */
export interface ObjectDefinition<S, Op> {
  /** The kind of object: objects of different definitions never share a channel, even under one name. */
  readonly name: string;
  /** A fresh initial state (called for each replica, and to start over). */
  initial(): S;
  /**
   * Applies `op` to `state`: either returns the new state, or changes `state` in place and returns
   * nothing. Must be deterministic. If it throws, the operation is skipped everywhere (what it
   * changed before throwing stays changed, the same everywhere) and the sender's promise rejects.
   */
  apply(state: S, op: Op, context: ApplyContext): S | void;
}

/** A change of a custom object: `op` was applied. */
export interface UpdateChange<Op> {
  readonly type: 'update';
  readonly op: Op;
  readonly sender: string;
  readonly viewId: number;
}

/** An instance of a custom object. */
export interface CustomObject<S, Op> {
  readonly group: Group;
  readonly name: string;
  /** The state here. Treat it as read-only: only `apply` may change it. */
  readonly state: S;
  /** Multicasts `op` (copied at the call) in total order; resolves when applied here. */
  update(op: Op): Promise<void>;
  /** Subscribes to the object's changes; returns the function that unsubscribes. */
  on(event: 'change', listener: (change: UpdateChange<Op> | ResetChange) => void): () => void;
}

/** The class that {@link defineObject} returns. */
export interface CustomObjectClass<S, Op> {
  /** The object `name` of `group` (the same instance each time): before or after `group.join()`. */
  open(group: Group, name: string): Promise<CustomObject<S, Op>>;
  readonly definition: ObjectDefinition<S, Op>;
}

function checkDefinition(definition: unknown): void {
  const d = definition as Partial<ObjectDefinition<unknown, unknown>> | undefined;
  if (typeof d !== 'object' || d === null) throw new TypeError('definition must be an object { name, initial, apply }');
  if (typeof d.name !== 'string' || d.name.length === 0) throw new TypeError('definition.name must be a non-empty string');
  if (typeof d.initial !== 'function') throw new TypeError('definition.initial must be a function');
  if (typeof d.apply !== 'function') throw new TypeError('definition.apply must be a function');
}

const asError = (x: unknown): Error => (x instanceof Error ? x : new Error(String(x)));

/**
 * Defines a replicated object by its reducer.
 *
 * ```ts
 * const Tally = defineObject({
 *   name: 'tally',
 *   initial: () => ({ votes: {} as Record<string, number> }),
 *   apply(state, op: { vote: string }) { state.votes[op.vote] = (state.votes[op.vote] ?? 0) + 1; },
 * });
 * const poll = await Tally.open(group, 'poll');
 * await poll.update({ vote: 'yes' });
 * poll.state.votes.yes;
 * ```
 */
export function defineObject<S, Op>(definition: ObjectDefinition<S, Op>): CustomObjectClass<S, Op> {
  checkDefinition(definition);
  const kind = `object:${definition.name}`;

  class Defined extends ReplicatedObject<Op, UpdateChange<Op>> implements CustomObject<S, Op> {
    static readonly definition = definition;
    private current: S = definition.initial();

    static open(group: Group, name: string): Promise<CustomObject<S, Op>> {
      return openObject(group, name, { kind, is: (o) => o instanceof Defined, make: (g, n) => new Defined(g, n) });
    }

    get state(): S {
      return this.current;
    }

    update(op: Op): Promise<void> {
      return this.submit(carriableCopy(op, 'op')).applied;
    }

    protected decode(body: unknown): Op | undefined {
      return body === undefined ? undefined : (body as Op);
    }

    protected apply(op: Op, origin: Origin): Error | undefined {
      try {
        const next = definition.apply(this.current, op, { sender: origin.sender, viewId: origin.viewId });
        if (next !== undefined) this.current = next;
      } catch (error) {
        return asError(error);
      }
      this.emit({ type: 'update', op, sender: origin.sender, viewId: origin.viewId });
      return undefined;
    }

    protected override snapshot(): unknown {
      return this.current;
    }

    protected load(state: unknown): void {
      this.current = state === undefined ? definition.initial() : (state as S);
    }
  }
  return Defined;
}
