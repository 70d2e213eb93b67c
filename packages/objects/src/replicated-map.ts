/**
 * ReplicatedMap: string keys to values, replicated by total order. `set` and `delete` are
 * operations multicast in the group's total order and applied at every member when delivered;
 * reads are local. A JS Map underneath: an update is O(1), and the checkpoint is its entries.
 */
import type { Group } from '@synchrony/core';
import { carriableCopy } from './carriable.js';
import { openObject } from './registry.js';
import { ReplicatedObject, type Origin } from './replicated-object.js';

/** A change of a {@link ReplicatedMap}. */
export type MapChange<V> =
  | { readonly type: 'set'; readonly key: string; readonly value: V; readonly previous: V | undefined; readonly sender: string }
  | { readonly type: 'delete'; readonly key: string; readonly previous: V; readonly sender: string };

/** A map operation, decoded. */
export type MapOp = { readonly kind: 'set'; readonly key: string; readonly value: unknown } | { readonly kind: 'delete'; readonly key: string };

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') throw new TypeError(`key must be a string, not ${typeof key}`);
}

/** Wire: `['s', key, value]` or `['d', key]`. */
function decodeMapOp(body: unknown): MapOp | undefined {
  if (!Array.isArray(body) || typeof body[1] !== 'string') return undefined;
  if (body[0] === 's' && body.length === 3 && body[2] !== undefined) return { kind: 'set', key: body[1], value: body[2] };
  if (body[0] === 'd' && body.length === 2) return { kind: 'delete', key: body[1] };
  return undefined;
}

/** Reads a checkpoint part: `[[key, value], ...]`. */
function readEntries(state: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (!Array.isArray(state)) return out;
  for (const entry of state as unknown[]) {
    if (Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string') out.set(entry[0], entry[1]);
  }
  return out;
}

/**
 * A map of string keys to values that msgpack carries, the same at every member.
 *
 * ```ts
 * const players = await ReplicatedMap.open<Player>(group, 'players');
 * await players.set('p1', { x: 1, y: 2 }); // applied here (and everywhere, in the same order)
 * players.get('p1');                       // local read
 * ```
 */
export class ReplicatedMap<V> extends ReplicatedObject<MapOp, MapChange<V>> {
  private entriesByKey = new Map<string, V>();

  /** The map `name` of `group` (the same instance each time): before or after `group.join()`. */
  static open<V>(group: Group, name: string): Promise<ReplicatedMap<V>> {
    return openObject(group, name, { kind: 'map', is: (o) => o instanceof ReplicatedMap, make: (g, n) => new ReplicatedMap<V>(g, n) });
  }

  private constructor(group: Group, name: string) {
    super(group, name);
  }

  /** Sets `key` to `value` everywhere; resolves when applied here. `value` is copied at the call. */
  set(key: string, value: V): Promise<void> {
    checkKey(key);
    return this.submit(['s', key, carriableCopy(value, 'value')]).applied;
  }

  /** Deletes `key` everywhere (nothing happens if it is absent when the operation is applied). */
  delete(key: string): Promise<void> {
    checkKey(key);
    return this.submit(['d', key]).applied;
  }

  /** The value of `key` here, or undefined. Treat it as read-only: it is the replica's own. */
  get(key: string): V | undefined {
    return this.entriesByKey.get(key);
  }

  /** Whether `key` is set here. */
  has(key: string): boolean {
    return this.entriesByKey.has(key);
  }

  /** The entries, in insertion order (a key deleted and set again comes last). */
  entries(): IterableIterator<[string, V]> {
    return this.entriesByKey.entries();
  }

  /** The keys, in insertion order. */
  keys(): IterableIterator<string> {
    return this.entriesByKey.keys();
  }

  /** The values, in insertion order (a key deleted and set again comes last). */
  values(): IterableIterator<V> {
    return this.entriesByKey.values();
  }

  /** How many keys are set. */
  get size(): number {
    return this.entriesByKey.size;
  }

  /** The entries, as `entries()`: `for (const [key, value] of map)`. */
  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  protected decode(body: unknown): MapOp | undefined {
    return decodeMapOp(body);
  }

  protected apply(op: MapOp, origin: Origin): undefined {
    const previous = this.entriesByKey.get(op.key);
    if (op.kind === 'set') {
      this.entriesByKey.set(op.key, op.value as V);
      this.emit({ type: 'set', key: op.key, value: op.value as V, previous, sender: origin.sender });
    } else if (this.entriesByKey.delete(op.key)) {
      this.emit({ type: 'delete', key: op.key, previous: previous as V, sender: origin.sender });
    }
    return undefined;
  }

  protected override snapshot(): unknown {
    return [...this.entriesByKey];
  }

  protected load(state: unknown): void {
    this.entriesByKey = readEntries(state) as Map<string, V>;
  }
}
