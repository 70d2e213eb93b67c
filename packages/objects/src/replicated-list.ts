/**
 * ReplicatedList: a sequence replicated by total order. `push`, `insert` and `remove` are
 * operations multicast in the group's total order and applied at every member when delivered;
 * reads are local. An {@link ItemTree} underneath: an update is O(log n), so a list of 100,000
 * items takes an insert in the middle as lightly as a push.
 *
 * An index is checked at the call against the list as this member sees it, and applied to the
 * list as it is when the operation is delivered, which concurrent updates may have changed: an
 * insert beyond the end then appends, and a remove beyond the end does nothing (no change event).
 */
import type { Group } from '@synchrony/core';
import { carriableCopy } from './carriable.js';
import { ItemTree } from './item-tree.js';
import { openObject } from './registry.js';
import { ReplicatedObject, type Origin } from './replicated-object.js';

/** A change of a {@link ReplicatedList}: an item went in at `index`, or came out of it. */
export type ListChange<T> =
  | { readonly type: 'insert'; readonly index: number; readonly item: T; readonly sender: string }
  | { readonly type: 'remove'; readonly index: number; readonly item: T; readonly sender: string };

/** A list operation, decoded. */
export type ListOp =
  | { readonly kind: 'push'; readonly item: unknown }
  | { readonly kind: 'insert'; readonly index: number; readonly item: unknown }
  | { readonly kind: 'remove'; readonly index: number };

const isIndex = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/** Wire: `['p', item]`, `['i', index, item]` or `['r', index]`. */
function decodeListOp(body: unknown): ListOp | undefined {
  if (!Array.isArray(body)) return undefined;
  if (body[0] === 'p' && body.length === 2 && body[1] !== undefined) return { kind: 'push', item: body[1] };
  if (body[0] === 'i' && body.length === 3 && isIndex(body[1]) && body[2] !== undefined) return { kind: 'insert', index: body[1], item: body[2] };
  if (body[0] === 'r' && body.length === 2 && isIndex(body[1])) return { kind: 'remove', index: body[1] };
  return undefined;
}

/** Checks an index argument: `0 ≤ index < length`, or `≤ length` where the end is a position too. */
function checkIndex(index: unknown, length: number, endToo: boolean): asserts index is number {
  if (typeof index !== 'number' || !Number.isInteger(index)) throw new TypeError(`index must be an integer, not ${String(index)}`);
  if (index < 0 || index > length || (index === length && !endToo)) {
    throw new RangeError(`index ${index} is out of range: the list has ${length} items here`);
  }
}

/**
 * A list of values that msgpack carries, the same at every member.
 *
 * ```ts
 * const strokes = await ReplicatedList.open<Stroke>(group, 'strokes');
 * await strokes.push({ points: [[0, 0], [5, 5]] });
 * strokes.toArray();
 * ```
 */
export class ReplicatedList<T> extends ReplicatedObject<ListOp, ListChange<T>> {
  private items = new ItemTree<T>();

  /** The list `name` of `group` (the same instance each time): before or after `group.join()`. */
  static open<T>(group: Group, name: string): Promise<ReplicatedList<T>> {
    return openObject(group, name, { kind: 'list', is: (o) => o instanceof ReplicatedList, make: (g, n) => new ReplicatedList<T>(g, n) });
  }

  private constructor(group: Group, name: string) {
    super(group, name);
  }

  /** Appends `item` (at the end of the list as it is when applied); resolves when applied here. */
  push(item: T): Promise<void> {
    return this.submit(['p', carriableCopy(item, 'item')]).applied;
  }

  /** Inserts `item` before position `index` (0 ≤ index ≤ length); resolves when applied here. */
  insert(index: number, item: T): Promise<void> {
    checkIndex(index, this.length, true);
    return this.submit(['i', index, carriableCopy(item, 'item')]).applied;
  }

  /** Removes the item at `index` (0 ≤ index < length); resolves when applied here. */
  remove(index: number): Promise<void> {
    checkIndex(index, this.length, false);
    return this.submit(['r', index]).applied;
  }

  /** The item at `index` here, or undefined. Treat it as read-only: it is the replica's own. */
  get(index: number): T | undefined {
    return this.items.get(index);
  }

  /** The items here, as a new array. */
  toArray(): T[] {
    return this.items.toArray();
  }

  /** How many items. */
  get length(): number {
    return this.items.length;
  }

  protected decode(body: unknown): ListOp | undefined {
    return decodeListOp(body);
  }

  protected apply(op: ListOp, origin: Origin): undefined {
    const length = this.items.length;
    if (op.kind === 'remove') {
      if (op.index >= length) return undefined;
      const item = this.items.remove(op.index);
      this.emit({ type: 'remove', index: op.index, item, sender: origin.sender });
      return undefined;
    }
    const index = op.kind === 'push' ? length : Math.min(op.index, length);
    this.items.insert(index, op.item as T);
    this.emit({ type: 'insert', index, item: op.item as T, sender: origin.sender });
    return undefined;
  }

  protected override snapshot(): unknown {
    return this.items.toArray();
  }

  protected load(state: unknown): void {
    this.items = ItemTree.from(Array.isArray(state) ? (state as T[]) : []);
  }
}
