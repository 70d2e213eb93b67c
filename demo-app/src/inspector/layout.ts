/**
 * The time-space diagram as data, from the history: one lane per member (the last view's members in
 * order of seniority, then those that left), messages with every delivery, and views with the time
 * they were first installed. Pure: the drawing (diagram.ts) and the tests read the same thing.
 */
import { processOf, type Order } from '@synchrony/core';
import { messageKey, type DeliveryRecord, type History, type ViewRecord } from './history.js';

/** Which deliveries to show. */
export interface DiagramFilter {
  readonly orders: ReadonlySet<Order>;
  /** Presence traffic (cursors, positions): many small FIFO messages. */
  readonly presence: boolean;
}

/** A member's line. */
export interface Lane {
  readonly member: string;
  /** First and last time it is seen in the window; `end` undefined while it is a member. */
  readonly start: number;
  readonly end: number | undefined;
  /** Spans in which it showed a cut-off notice (a non-primary view). */
  readonly cuts: ReadonlyArray<readonly [from: number, to: number | undefined]>;
}

/** A multicast: every delivery of it that the history holds. */
export interface MessageTrace {
  readonly key: string;
  readonly sender: string;
  readonly viewId: number;
  readonly seq: number;
  readonly order: Order;
  readonly channel: string | undefined;
  /** The first delivery anywhere: where its arrows start (the library reports deliveries, not sends). */
  readonly t0: number;
  readonly deliveries: readonly DeliveryRecord[];
}

/** A primary view, at the time the first member installed it. */
export interface ViewMark {
  readonly id: number;
  readonly t: number;
  readonly members: readonly string[];
}

export interface DiagramModel {
  readonly lanes: readonly Lane[];
  readonly messages: readonly MessageTrace[];
  readonly views: readonly ViewMark[];
  /** Messages in the window left out by the filter. */
  readonly hidden: number;
}

/** Messages drawn at most (the most recent). */
export const MAX_MESSAGES = 3000;

const isPresence = (channel: string | undefined): boolean => channel?.startsWith('presence:') === true;

/** Lays out the history between `from` and `to` (epoch ms). */
export function layOut(history: History, from: number, to: number, filter: DiagramFilter): DiagramModel {
  const views = viewMarks(history.views, from);
  const messages = new Map<string, { deliveries: DeliveryRecord[]; first: DeliveryRecord }>();
  let hidden = 0;
  for (const d of history.deliveries) {
    if (d.t < from || d.t > to) continue;
    const key = messageKey(d);
    const known = messages.get(key);
    if (known === undefined) messages.set(key, { deliveries: [d], first: d });
    else known.deliveries.push(d);
  }
  const shown: MessageTrace[] = [];
  for (const [key, { deliveries, first }] of messages) {
    if (!filter.orders.has(first.order) || (isPresence(first.channel) && !filter.presence)) {
      hidden += 1;
      continue;
    }
    const t0 = Math.min(...deliveries.map((d) => d.t));
    shown.push({ key, sender: first.sender, viewId: first.viewId, seq: first.seq, order: first.order, channel: first.channel, t0, deliveries });
  }
  shown.sort((a, b) => a.t0 - b.t0);
  const drawn = shown.length > MAX_MESSAGES ? shown.slice(shown.length - MAX_MESSAGES) : shown;
  return { lanes: lanes(history, from, drawn, views), messages: drawn, views: views.filter((v) => v.t >= from), hidden: hidden + shown.length - drawn.length };
}

/** Primary views by id, each at its earliest install; a view just before the window is kept (it tells the members). */
function viewMarks(records: readonly ViewRecord[], from: number): ViewMark[] {
  const byId = new Map<number, ViewMark>();
  for (const r of records) {
    if (!r.primary) continue;
    const known = byId.get(r.id);
    if (known === undefined || r.t < known.t) byId.set(r.id, { id: r.id, t: r.t, members: r.members });
  }
  const marks = [...byId.values()].sort((a, b) => a.id - b.id);
  const firstInside = marks.findIndex((m) => m.t >= from);
  return firstInside <= 0 ? marks : marks.slice(firstInside - 1);
}

function lanes(history: History, from: number, messages: readonly MessageTrace[], views: readonly ViewMark[]): Lane[] {
  const firstSeen = new Map<string, number>();
  const see = (member: string, t: number): void => {
    const known = firstSeen.get(member);
    if (known === undefined || t < known) firstSeen.set(member, Math.max(t, from));
  };
  for (const v of views) for (const m of v.members) see(m, v.t);
  for (const m of messages) {
    see(m.sender, m.t0);
    for (const d of m.deliveries) see(d.at, d.t);
  }
  const cutRecords = history.views.filter((r) => r.t >= from || !r.primary);
  for (const r of cutRecords) if (!r.primary && r.t >= from) see(r.at, r.t);

  const latest = views.at(-1);
  const current = new Set(latest?.members ?? []);
  const order = [
    ...(latest?.members ?? []).filter((m) => firstSeen.has(m)),
    ...[...firstSeen.keys()].filter((m) => !current.has(m)).sort((a, b) => firstSeen.get(a)! - firstSeen.get(b)!),
  ];
  return order.map((member) => {
    const cuts = cutsOf(member, history.views);
    const cutUntil = Math.max(...cuts.map(([, to]) => to ?? -Infinity));
    const end = current.has(member) ? undefined : endOf(member, views);
    // A member cut off stays on its line until its process is back under a new member id, though the
    // others excluded it earlier.
    return { member, start: firstSeen.get(member)!, end: end === undefined ? undefined : Math.max(end, cutUntil), cuts };
  });
}

/** When a member that is not in the last view went: the first view after its last one that leaves it out. */
function endOf(member: string, views: readonly ViewMark[]): number | undefined {
  let lastIn = -1;
  views.forEach((v, i) => {
    if (v.members.includes(member)) lastIn = i;
  });
  return views[lastIn + 1]?.t;
}

/**
 * A member's cut-off spans: from each notice to its next primary view, or, when it never had one
 * (it was excluded meanwhile), to the first view of its process's next member id (its rejoin).
 */
function cutsOf(member: string, records: readonly ViewRecord[]): Array<readonly [number, number | undefined]> {
  const mine = records.filter((r) => r.at === member).sort((a, b) => a.t - b.t);
  const spans: Array<readonly [number, number | undefined]> = [];
  let open: number | undefined;
  for (const r of mine) {
    if (!r.primary && open === undefined) open = r.t;
    else if (r.primary && open !== undefined) {
      spans.push([open, r.t]);
      open = undefined;
    }
  }
  if (open !== undefined) spans.push([open, rejoinedAt(member, open, records)]);
  return spans;
}

/** When the process of `member` installed its first primary view under a later member id, after `after`. */
function rejoinedAt(member: string, after: number, records: readonly ViewRecord[]): number | undefined {
  const process = processOf(member);
  if (process === undefined) return undefined;
  const later = records.filter((r) => r.primary && r.t > after && r.at !== member && processOf(r.at) === process).map((r) => r.t);
  return later.length === 0 ? undefined : Math.min(...later);
}
