/**
 * What the inspector knows of the group's recent past: every delivery and view install of every
 * member it has heard of, this tab's own (from `tapGroup`) and the others' (from their summaries),
 * for the last minute or so. Bounded: older records are dropped, and so is the excess beyond a
 * fixed number (a busy group keeps its most recent records).
 */
import type { Order } from '@synchrony/core';

/** A delivery of message (sender, viewId, seq) at member `at`, at epoch time `t`. */
export interface DeliveryRecord {
  readonly at: string;
  readonly sender: string;
  readonly viewId: number;
  readonly seq: number;
  /** Deliveries at `at` in this view before it, of every order (interleavings differ between members). */
  readonly index: number;
  /**
   * For a total-order message, its position in the view's total order (total-order deliveries before
   * it in the view): the same at every member. Undefined for FIFO and causal messages.
   */
  readonly rank: number | undefined;
  readonly order: Order;
  /** The replicated object it belongs to (`kind:name`), or undefined for an application message. */
  readonly channel: string | undefined;
  readonly t: number;
}

/** View `id` installed (or, not primary, shown as a cut-off notice) at member `at`. */
export interface ViewRecord {
  readonly at: string;
  readonly id: number;
  readonly members: readonly string[];
  readonly primary: boolean;
  readonly t: number;
}

/** How far back the history reaches (a little more than the widest window shown). */
export const HISTORY_MS = 65_000;
/** Deliveries kept at most, over every member. */
export const MAX_DELIVERIES = 40_000;
/** View records kept at most. */
const MAX_VIEWS = 2_000;

/** The message a delivery is of, the same at every member. */
export const messageKey = (d: Pick<DeliveryRecord, 'sender' | 'viewId' | 'seq'>): string => `${d.sender}|${d.viewId}|${d.seq}`;
const deliveryKey = (d: DeliveryRecord): string => `${d.at}|${messageKey(d)}`;
const viewKey = (v: ViewRecord): string => `${v.at}|${v.id}|${v.primary ? 1 : 0}`;

/** Records in time order by insertion, with a set of keys against duplicates. */
class Bounded<T extends { readonly t: number }> {
  private items: T[] = [];
  private readonly keys = new Set<string>();

  constructor(
    private readonly keyOf: (item: T) => string,
    private readonly max: number,
  ) {}

  /** Adds `item` unless it is known already; returns whether it was new. */
  add(item: T): boolean {
    const key = this.keyOf(item);
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    this.items.push(item);
    return true;
  }

  /** Drops records older than `oldest` and the excess beyond the bound. */
  prune(oldest: number): void {
    const kept = this.items.filter((item) => item.t >= oldest);
    const excess = kept.length - this.max;
    const next = excess > 0 ? kept.slice(excess) : kept;
    if (next.length === this.items.length) return;
    const keep = new Set(next);
    for (const item of this.items) if (!keep.has(item)) this.keys.delete(this.keyOf(item));
    this.items = next;
  }

  get all(): readonly T[] {
    return this.items;
  }
}

/** The history of one group, as this tab knows it. */
export class History {
  private readonly deliveryLog = new Bounded<DeliveryRecord>(deliveryKey, MAX_DELIVERIES);
  private readonly viewLog = new Bounded<ViewRecord>(viewKey, MAX_VIEWS);
  /** Display names of member ids, as the members' tabs announce them. */
  readonly names = new Map<string, string>();
  /** Changes since the last `takeChanged()`: whether something needs drawing again. */
  private changed = true;

  addDelivery(record: DeliveryRecord): void {
    if (this.deliveryLog.add(record)) this.changed = true;
  }

  addView(record: ViewRecord): void {
    if (this.viewLog.add(record)) this.changed = true;
  }

  nameMember(member: string, name: string): void {
    if (this.names.get(member) === name) return;
    this.names.set(member, name);
    this.changed = true;
  }

  get deliveries(): readonly DeliveryRecord[] {
    return this.deliveryLog.all;
  }

  get views(): readonly ViewRecord[] {
    return this.viewLog.all;
  }

  /** The time of the oldest record kept, or undefined when there is none. */
  get oldest(): number | undefined {
    const times = [this.deliveryLog.all[0]?.t, this.viewLog.all[0]?.t].filter((t): t is number => t !== undefined);
    return times.length === 0 ? undefined : Math.min(...times);
  }

  /** Drops what is older than `HISTORY_MS` before `nowMs`, and any excess. */
  prune(nowMs: number): void {
    this.deliveryLog.prune(nowMs - HISTORY_MS);
    this.viewLog.prune(nowMs - HISTORY_MS);
  }

  /** True once after anything was added. */
  takeChanged(): boolean {
    const changed = this.changed;
    this.changed = false;
    return changed;
  }
}
