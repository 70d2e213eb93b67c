/**
 * Plain sequential models of the replicated objects: what one process would compute if it
 * applied the group's delivered total order one step at a time, with the simplest data
 * structures (an array spliced, a Map, a queue). The model-based test feeds them the order it
 * reconstructs from every member's trace and compares them with every member's replica.
 */
import type { View } from '@synchrony/core';
import type { ListOp } from '../../src/replicated-list.js';
import type { LockOp } from '../../src/lock.js';
import type { MapOp } from '../../src/replicated-map.js';

/** One step of the global order: a primary view, or an operation with its origin. */
export type Step = { view: View } | { op: unknown; sender: string; n: number };

/** A model: fold steps, then show the state in the shape the test compares. */
export interface Model {
  step(step: Step): void;
  state(): unknown;
}

/** The custom object of the test: an order-sensitive hash of the operations. */
export const hashStep = (state: { h: number }, op: number): void => {
  state.h = (Math.imul(state.h, 31) + op) | 0;
};

export function mapModel(): Model {
  const map = new Map<string, unknown>();
  return {
    step(s) {
      if (!('op' in s)) return;
      const op = s.op as MapOp;
      if (op.kind === 'set') map.set(op.key, op.value);
      else map.delete(op.key);
    },
    state: () => [...map],
  };
}

export function listModel(): Model {
  const list: unknown[] = [];
  return {
    step(s) {
      if (!('op' in s)) return;
      const op = s.op as ListOp;
      if (op.kind === 'push') list.push(op.item);
      else if (op.kind === 'insert') list.splice(Math.min(op.index, list.length), 0, op.item);
      else if (op.index < list.length) list.splice(op.index, 1);
    },
    state: () => [...list],
  };
}

export function counterModel(): Model {
  let value = 0;
  return {
    step(s) {
      if ('op' in s) value += s.op as number;
    },
    state: () => value,
  };
}

/** The lock: a holder and a FIFO queue of (member, acquire number); views drop the departed. */
export function lockModel(): Model {
  let holder: [string, number] | undefined;
  let queue: Array<[string, number]> = [];
  const next = (): void => {
    holder = queue.shift();
  };
  return {
    step(s) {
      if ('view' in s) {
        queue = queue.filter(([m]) => s.view.members.includes(m));
        if (holder !== undefined && !s.view.members.includes(holder[0])) next();
        return;
      }
      const op = s.op as LockOp;
      if (op.kind === 'acquire') {
        if (holder === undefined) holder = [s.sender, s.n];
        else queue.push([s.sender, s.n]);
      } else if (holder !== undefined && holder[0] === s.sender && holder[1] === op.hold) next();
      else queue = queue.filter(([m, n]) => m !== s.sender || n !== op.hold); // a withdrawn request
    },
    state: () => ({ holder: holder?.[0], waiters: queue.map(([m]) => m) }),
  };
}

export function customModel(): Model {
  const state = { h: 0 };
  return {
    step(s) {
      if ('op' in s) hashStep(state, s.op as number);
    },
    state: () => ({ ...state }),
  };
}
