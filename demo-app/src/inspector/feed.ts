/**
 * Feeds the inspector's history: this tab's own deliveries and views from `tapGroup`, and every
 * other member's from the summaries they share.
 *
 * A tab only sees its own deliveries. To draw everyone's, each member multicasts, every 250 ms and
 * only when it has something new, a compact summary of its recent deliveries on an ephemeral
 * Presence (`inspector`): FIFO, never checkpointed, and coalesced, so a busy or slow member never
 * queues them up. Each summary repeats the last second, so one that a newer one replaced before it
 * went out costs nothing. Messages are named by (sender, view id, seq), the same at every member.
 *
 * The inspector's own channel (`presence:inspector`) is never recorded: its summaries would
 * otherwise fill the diagram they are drawn on, four times a second per member.
 */
import { tapGroup, type Group, type Order, type TapEvent } from '@synchrony/core';
import { Presence } from '@synchrony/objects';
import { epochNowMs, epochOfPerformanceMs } from '../shared/clock.js';
import type { DeliveryRecord, History, ViewRecord } from './history.js';

/** The presence the summaries travel on, and its channel as `tapGroup` names it (objects name channels `kind:name`). */
const FEED_NAME = 'inspector';
export const FEED_CHANNEL = `presence:${FEED_NAME}`;
/** How often a member shares what it delivered. */
const SHARE_EVERY_MS = 250;
/** Each summary repeats this much of the past, so a summary that never went out loses nothing. */
const OVERLAP_MS = 1000;
/** Deliveries per summary at most (the most recent). */
const MAX_PER_SUMMARY = 600;
/** This tab's deliveries kept for its summaries at most, while it cannot share them. */
const MAX_UNSHARED = 4 * MAX_PER_SUMMARY;
/** Views per summary: those of the last minute, at most this many. */
const MAX_VIEWS_PER_SUMMARY = 40;
const VIEW_SPAN_MS = 60_000;

const ORDERS: readonly Order[] = ['fifo', 'causal', 'total'];
/** Numbers per delivery in a summary: at, sender, viewId, seq, index, rank (-1: none), order, channel, t. */
const STRIDE = 9;

/**
 * A summary as it travels: `s`, the strings (member ids and channels) that the numbers point to;
 * `d`, deliveries, 9 numbers each (t relative to `b`); `v`, views as [at, id, primary, t, ...members].
 */
export interface Summary {
  readonly n: string;
  readonly b: number;
  readonly s: string[];
  readonly d: number[];
  readonly v: number[][];
}

/** A summary of `name`'s recent deliveries and views, as it travels. */
export function encodeSummary(name: string, deliveries: readonly DeliveryRecord[], views: readonly ViewRecord[]): Summary {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const ref = (value: string): number => {
    let i = index.get(value);
    if (i === undefined) {
      i = strings.push(value) - 1;
      index.set(value, i);
    }
    return i;
  };
  const base = Math.floor(deliveries[0]?.t ?? views[0]?.t ?? epochNowMs());
  const d: number[] = [];
  for (const r of deliveries) {
    d.push(ref(r.at), ref(r.sender), r.viewId, r.seq, r.index, r.rank ?? -1, ORDERS.indexOf(r.order),
      r.channel === undefined ? -1 : ref(r.channel), Math.round((r.t - base) * 10) / 10);
  }
  const v = views.map((r) => [ref(r.at), r.id, r.primary ? 1 : 0, Math.round(r.t - base), ...r.members.map(ref)]);
  return { n: name, b: base, s: strings, d, v };
}

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);

/** Reads a summary from member `from` into the history; anything malformed is skipped, never thrown. */
export function decodeSummary(raw: unknown, into: History, from: string): void {
  if (typeof raw !== 'object' || raw === null) return;
  const { n, b, s, d, v } = raw as Partial<Summary>;
  if (typeof b !== 'number' || !Array.isArray(s) || !s.every((x) => typeof x === 'string')) return;
  const str = (i: unknown): string | undefined => (isInt(i) && i >= 0 ? s[i] : undefined);
  if (typeof n === 'string') into.nameMember(from, n.slice(0, 40));
  if (Array.isArray(d)) {
    for (let i = 0; i + STRIDE <= d.length; i += STRIDE) {
      const [at, sender, viewId, seq, position, rank, order, channel, t] = d.slice(i, i + STRIDE) as unknown[];
      const atMember = str(at);
      const senderMember = str(sender);
      const orderName = isInt(order) ? ORDERS[order] : undefined;
      if (atMember === undefined || senderMember === undefined || orderName === undefined) continue;
      if (!isInt(viewId) || !isInt(seq) || !isInt(position) || !isInt(rank) || typeof t !== 'number') continue;
      if (typeof n === 'string') into.nameMember(atMember, n.slice(0, 40));
      into.addDelivery({
        at: atMember, sender: senderMember, viewId, seq, index: position, rank: rank >= 0 ? rank : undefined, order: orderName, channel: str(channel), t: b + t,
      });
    }
  }
  if (Array.isArray(v)) {
    for (const row of v) {
      if (!Array.isArray(row) || row.length < 4) continue;
      const [at, id, primary, t, ...members] = row as unknown[];
      const atMember = str(at);
      const names = members.map(str);
      if (atMember === undefined || !isInt(id) || typeof t !== 'number' || names.some((m) => m === undefined)) continue;
      into.addView({ at: atMember, id, primary: primary === 1, members: names as string[], t: b + t });
    }
  }
}

/** The feed of one tab; `dispose()` stops it. */
export class InspectorFeed {
  private readonly own: DeliveryRecord[] = [];
  private readonly ownViews: ViewRecord[] = [];
  private sharedUpTo = 0;
  /** Total-order deliveries in the current view so far: the next one's position in the view's total order. */
  private totalInView = 0;
  private presence: Presence<Summary> | undefined;
  private readonly stops: Array<() => void> = [];

  private constructor(
    private readonly group: Group,
    private readonly history: History,
    private readonly myName: () => string,
    private readonly report: (error: unknown) => void,
  ) {}

  /** Taps `group` and opens the summaries' presence: call before `group.join()` to see the first view. */
  static async start(group: Group, history: History, myName: () => string, report: (error: unknown) => void): Promise<InspectorFeed> {
    const feed = new InspectorFeed(group, history, myName, report);
    feed.stops.push(tapGroup(group, (event) => feed.record(event)));
    const presence = await Presence.open<Summary>(group, FEED_NAME);
    feed.presence = presence;
    feed.stops.push(presence.on('change', (change) => {
      if (change.type === 'set' && change.member !== group.me) decodeSummary(change.state, history, change.member);
    }));
    const timer = setInterval(() => feed.share(), SHARE_EVERY_MS);
    feed.stops.push(() => clearInterval(timer));
    return feed;
  }

  dispose(): void {
    for (const stop of this.stops.splice(0)) stop();
  }

  private record(event: TapEvent): void {
    const at = this.group.me;
    this.history.nameMember(at, this.myName());
    const t = epochOfPerformanceMs(event.atMs);
    if (event.kind === 'view') {
      if (event.view.primary) this.totalInView = 0;
      const view: ViewRecord = { at, id: event.view.id, members: event.view.members, primary: event.view.primary, t };
      this.ownViews.push(view);
      this.history.addView(view);
      return;
    }
    const rank = event.order === 'total' ? this.totalInView++ : undefined;
    if (event.channel === FEED_CHANNEL) return;
    const delivery: DeliveryRecord = {
      at, sender: event.sender, viewId: event.viewId, seq: event.seq, index: event.index, rank, order: event.order, channel: event.channel, t,
    };
    this.own.push(delivery);
    this.history.addDelivery(delivery);
  }

  /** Multicasts the recent past when there is something new; a tab cut off shares nothing (its sends are refused). */
  private share(): void {
    const now = epochNowMs();
    // What no summary will repeat any more goes, shared or not (a tab cut off shares nothing).
    dropBefore(this.own, Math.min(now - OVERLAP_MS * 2, this.sharedUpTo - OVERLAP_MS));
    dropBefore(this.ownViews, now - VIEW_SPAN_MS);
    if (this.own.length > MAX_UNSHARED) this.own.splice(0, this.own.length - MAX_UNSHARED);
    const newest = Math.max(this.own.at(-1)?.t ?? 0, this.ownViews.at(-1)?.t ?? 0);
    if (newest <= this.sharedUpTo || this.presence === undefined || this.group.view?.primary !== true) return;
    const since = Math.max(0, this.sharedUpTo - OVERLAP_MS);
    const deliveries = this.own.filter((r) => r.t > since).slice(-MAX_PER_SUMMARY);
    const views = this.ownViews.slice(-MAX_VIEWS_PER_SUMMARY);
    this.sharedUpTo = newest;
    this.presence.set(encodeSummary(this.myName(), deliveries, views)).catch((error: unknown) => {
      // Refused when this member is cut off or gone meanwhile: the next summary repeats it.
      if (!(error instanceof Error && (error.name === 'NotPrimaryError' || error.name === 'GroupClosedError'))) this.report(error);
    });
  }
}

/** Drops the records older than `oldest` from a time-ordered array, in place. */
function dropBefore<T extends { readonly t: number }>(records: T[], oldest: number): void {
  let n = 0;
  while (n < records.length && records[n]!.t < oldest) n += 1;
  if (n > 0) records.splice(0, n);
}
