/**
 * The property checker of DESIGN.md, run over a recorded trace after every simulated run.
 * Each function checks one property and returns the first violation it finds, in words.
 */
import type { Trace, TraceEvent } from './recorder.js';

export interface Violation {
  property: string;
  detail: string;
}

type ViewEvent = Extract<TraceEvent, { k: 'view' }>;
type DeliverEvent = Extract<TraceEvent, { k: 'deliver' }>;
type SendEvent = Extract<TraceEvent, { k: 'send' }>;

interface MemberLog {
  member: string;
  process: string;
  /** Events in order: views and deliveries. */
  events: Array<ViewEvent | DeliverEvent>;
}

/**
 * The founding each member belongs to: views are named by (founding, id), since two groups founded
 * apart under one name number their views independently (until the smaller dissolves).
 */
let foundingOf = new Map<string, string>();
const viewKey = (member: string, viewId: number): string => `${foundingOf.get(member) ?? ''}/${viewId}`;

function foundings(trace: Trace): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of trace) if (e.k === 'view' && e.view.primary && !out.has(e.member)) out.set(e.member, e.gid ?? '');
  return out;
}

function byMember(trace: Trace): Map<string, MemberLog> {
  const out = new Map<string, MemberLog>();
  for (const e of trace) {
    if (e.k !== 'view' && e.k !== 'deliver') continue;
    let log = out.get(e.member);
    if (log === undefined) {
      log = { member: e.member, process: e.process, events: [] };
      out.set(e.member, log);
    }
    log.events.push(e);
  }
  return out;
}

/**
 * Deliveries of each member per primary view it installed: member → view id → deliveries.
 * A non-primary view does not end the primary view before it: a member cut off from the
 * majority still delivers that view's cut if the view change completes with it.
 */
function deliveriesByView(logs: Map<string, MemberLog>): Map<string, Map<number, DeliverEvent[]>> {
  const out = new Map<string, Map<number, DeliverEvent[]>>();
  for (const log of logs.values()) {
    const views = new Map<number, DeliverEvent[]>();
    let current: number | undefined;
    for (const e of log.events) {
      if (e.k === 'view') {
        if (!e.view.primary) continue;
        current = e.view.id;
        views.set(current, []);
      } else if (current !== undefined) views.get(current)!.push(e);
    }
    out.set(log.member, views);
  }
  return out;
}

export function checkProperties(trace: Trace, options: { final?: boolean } = {}): Violation | undefined {
  foundingOf = foundings(trace);
  const logs = byMember(trace);
  const perView = deliveriesByView(logs);
  const sends = new Map<string, SendEvent>();
  for (const e of trace) if (e.k === 'send') sends.set(e.id, e);
  const bug = trace.find((e): e is Extract<TraceEvent, { k: 'bug' }> => e.k === 'bug');
  if (bug !== undefined) return { property: '0 no broken invariant', detail: `${bug.process}: ${bug.message}` };
  return (
    viewAgreement(trace) ?? viewOrder(logs) ?? deliveredInView(logs) ?? noDuplicates(logs, sends) ??
    sameSet(perView, trace) ?? fifo(perView, sends) ?? causal(perView, logs, sends) ?? totalOrder(perView, trace, options.final === true) ??
    safe(perView, trace) ?? stateTransfer(trace) ?? rejectedNowhere(trace) ?? leftStaysOut(trace) ??
    (options.final ? settleAlways(trace) ?? liveness(trace, logs) : undefined)
  );
}

/**
 * A send that was rejected was delivered nowhere; one delivered anywhere resolved (API.md). Not
 * judged: what a process stopped abruptly rejects as it stops (it may have gone out, as with a crash).
 */
function rejectedNowhere(trace: Trace): Violation | undefined {
  const rejected = new Map<string, number>();
  const crashed = new Set<string>();
  for (const e of trace) {
    if (e.k === 'crash') crashed.add(e.process);
    else if (e.k === 'sent' && !e.ok && !crashed.has(e.process)) rejected.set(e.id, e.at);
  }
  for (const e of trace) {
    if (e.k === 'deliver' && rejected.has(e.id)) {
      return { property: '12 rejected, delivered nowhere', detail: `${e.member} delivered ${e.id}, whose send was rejected at ${rejected.get(e.id)} ms` };
    }
  }
  return undefined;
}

/**
 * A member whose leave (or its process's graceful close) resolved is in no later view: no primary
 * view that holds it has a higher id than every view holding it installed anywhere before then (a
 * member that lags may still install those older views afterwards).
 */
function leftStaysOut(trace: Trace): Violation | undefined {
  const calls = new Map<string, Extract<TraceEvent, { k: 'call' }>>();
  const highest = new Map<string, number>();
  const gone = new Map<string, { at: number; below: number }>();
  for (const e of trace) {
    if (e.k === 'call') calls.set(e.id, e);
    else if (e.k === 'settled' && e.ok) {
      const call = calls.get(e.id);
      if ((call?.call === 'leave' || call?.call === 'close') && !gone.has(e.member)) gone.set(e.member, { at: e.at, below: highest.get(e.member) ?? 0 });
    } else if (e.k === 'view' && e.view.primary) {
      for (const m of e.view.members) {
        const left = gone.get(m);
        if (left !== undefined && e.view.id > left.below) {
          return { property: '13 a member that left stays out', detail: `${e.member} installed view ${e.view.id} with ${m}, whose leave resolved at ${left.at} ms` };
        }
        highest.set(m, Math.max(highest.get(m) ?? 0, e.view.id));
      }
    }
  }
  return undefined;
}

/** Every call and send of a process that did not crash has settled by the end of the run. */
function settleAlways(trace: Trace): Violation | undefined {
  const crashed = new Set<string>();
  for (const e of trace) if (e.k === 'crash') crashed.add(e.process);
  const pending = new Map<string, string>();
  for (const e of trace) {
    if ((e.k === 'call' || e.k === 'send') && !crashed.has(e.process)) pending.set(e.id, `${e.k === 'call' ? e.call : `send ${e.order}`} by ${e.member} at ${e.at} ms`);
    else if (e.k === 'settled' || e.k === 'sent') pending.delete(e.id);
  }
  const [first] = pending.values();
  return first === undefined ? undefined : { property: '11 every call settles', detail: `${first} never settled (${pending.size} pending)` };
}

function viewAgreement(trace: Trace): Violation | undefined {
  const seen = new Map<string, string>();
  for (const e of trace) {
    if (e.k !== 'view' || !e.view.primary) continue;
    const members = e.view.members.join(',');
    const key = viewKey(e.member, e.view.id);
    const other = seen.get(key);
    if (other === undefined) seen.set(key, members);
    else if (other !== members) {
      return { property: '1 view agreement', detail: `view ${e.view.id} is [${other}] and, at ${e.member}, [${members}]` };
    }
    if (!e.view.members.includes(e.member)) {
      return { property: '1 view agreement', detail: `${e.member} installed primary view ${e.view.id} without being in it` };
    }
  }
  return undefined;
}

/**
 * A member's primary views follow one another without a gap (a member id never comes back once
 * excluded). A non-primary view is a notice that the member is cut off from a majority of its last
 * primary view: it carries that view's id, and the next primary view has a larger one (API.md, View.id).
 */
function viewOrder(logs: Map<string, MemberLog>): Violation | undefined {
  for (const log of logs.values()) {
    let lastPrimary: ViewEvent | undefined;
    for (const e of log.events) {
      if (e.k !== 'view') continue;
      if (!e.view.primary) {
        if (lastPrimary === undefined) {
          return { property: '2 view order', detail: `${log.member} showed a non-primary view ${e.view.id} before any primary view` };
        }
        if (e.view.id !== lastPrimary.view.id) {
          return { property: '2 view order', detail: `${log.member}'s notice carries id ${e.view.id}, but its last primary view is ${lastPrimary.view.id}` };
        }
        continue;
      }
      if (lastPrimary !== undefined && e.view.id !== lastPrimary.view.id + 1) {
        return { property: '2 view order', detail: `${log.member} installed view ${e.view.id} after ${lastPrimary.view.id}` };
      }
      lastPrimary = e;
    }
  }
  return undefined;
}

/** Every delivery belongs to the member's last primary view, whose member sent it. */
function deliveredInView(logs: Map<string, MemberLog>): Violation | undefined {
  for (const log of logs.values()) {
    let view: ViewEvent['view'] | undefined;
    for (const e of log.events) {
      if (e.k === 'view') {
        if (e.view.primary) view = e.view;
      } else if (view === undefined || e.viewId !== view.id || !view.members.includes(e.sender)) {
        return { property: '4 delivered in its own view', detail: `${log.member} delivered ${e.id} of view ${e.viewId} in view ${view?.id}` };
      }
    }
  }
  return undefined;
}

function noDuplicates(logs: Map<string, MemberLog>, sends: Map<string, SendEvent>): Violation | undefined {
  const viewOf = new Map<string, number>();
  for (const log of logs.values()) {
    const seen = new Set<string>();
    for (const e of log.events) {
      if (e.k !== 'deliver') continue;
      if (seen.has(e.id)) return { property: '5 no duplicate', detail: `${log.member} delivered ${e.id} twice` };
      seen.add(e.id);
      const send = sends.get(e.id);
      if (send === undefined || send.member !== e.sender) {
        return { property: '5 nothing unsent', detail: `${log.member} delivered ${e.id}, never sent by ${e.sender}` };
      }
      const v = viewOf.get(e.id);
      if (v !== undefined && v !== e.viewId) return { property: '4 one view', detail: `${e.id} delivered in views ${v} and ${e.viewId}` };
      viewOf.set(e.id, e.viewId);
    }
  }
  return undefined;
}

function sameSet(perView: Map<string, Map<number, DeliverEvent[]>>, trace: Trace): Violation | undefined {
  const installed = installedViews(trace);
  const reference = new Map<string, { member: string; ids: string }>();
  for (const [member, views] of perView) {
    for (const [viewId, deliveries] of views) {
      if (!installed.get(member)?.has(viewId + 1)) continue;
      const ids = deliveries.map((d) => d.id).sort().join(',');
      const ref = reference.get(viewKey(member, viewId));
      if (ref === undefined) reference.set(viewKey(member, viewId), { member, ids });
      else if (ref.ids !== ids) {
        return { property: '3 same set', detail: `in view ${viewId}, ${ref.member} delivered {${ref.ids}} but ${member} {${ids}}` };
      }
    }
  }
  return undefined;
}

function sendIndex(sends: Map<string, SendEvent>, id: string): number {
  return Number(id.slice(id.lastIndexOf('/') + 1)) + (sends.has(id) ? 0 : NaN);
}

function fifo(perView: Map<string, Map<number, DeliverEvent[]>>, sends: Map<string, SendEvent>): Violation | undefined {
  for (const [member, views] of perView) {
    for (const [viewId, deliveries] of views) {
      const last = new Map<string, number>();
      for (const d of deliveries) {
        const key = `${d.sender}/${d.order}`;
        const index = sendIndex(sends, d.id);
        if ((last.get(key) ?? 0) > index) {
          return { property: '6 FIFO', detail: `${member} delivered ${d.id} after a later ${d.order} message of ${d.sender} in view ${viewId}` };
        }
        last.set(key, index);
      }
    }
  }
  return undefined;
}

function causal(
  perView: Map<string, Map<number, DeliverEvent[]>>,
  logs: Map<string, MemberLog>,
  sends: Map<string, SendEvent>,
): Violation | undefined {
  // A causal message depends on the causal messages its sender delivered in that view before sending it.
  const depsOf = new Map<string, string[]>();
  for (const views of perView.values()) {
    for (const deliveries of views.values()) {
      for (const d of deliveries) {
        if (d.order !== 'causal' || depsOf.has(d.id)) continue;
        const send = sends.get(d.id)!;
        const senderLog = logs.get(send.member);
        let count = 0;
        const deps: string[] = [];
        for (const e of senderLog?.events ?? []) {
          if (e.k !== 'deliver') continue;
          if (count++ >= send.deliveredBefore) break;
          if (e.order === 'causal' && e.viewId === d.viewId) deps.push(e.id);
        }
        depsOf.set(d.id, deps);
      }
    }
  }
  for (const [member, views] of perView) {
    for (const deliveries of views.values()) {
      const done = new Set<string>();
      for (const d of deliveries) {
        if (d.order === 'causal') {
          const missing = depsOf.get(d.id)!.find((dep) => !done.has(dep));
          if (missing !== undefined) return { property: '6 causal', detail: `${member} delivered ${d.id} before its predecessor ${missing}` };
        }
        done.add(d.id);
      }
    }
  }
  return undefined;
}

/**
 * One total order. Total order is uniform for safe messages only, as in Isis: the sequencer
 * delivers a plain total-order message as soon as it gives it a position, so one that crashes
 * before anyone hears of the position may have delivered in an order the survivors do not
 * complete. So: every member that survives the view (installs the next one; or is in the last
 * view of a finished run) delivers total-order messages in one order, and every member, crashed
 * or not, delivers safe total-order messages in one order.
 */
function totalOrder(perView: Map<string, Map<number, DeliverEvent[]>>, trace: Trace, final: boolean): Violation | undefined {
  const installed = installedViews(trace);
  const lastId = new Map<string, number>();
  for (const [member, views] of installed) {
    const founding = foundingOf.get(member) ?? '';
    for (const id of views) lastId.set(founding, Math.max(lastId.get(founding) ?? -1, id));
  }
  const everyone = new Map<string, Array<{ member: string; ids: string[] }>>();
  const survivors = new Map<string, Array<{ member: string; ids: string[] }>>();
  for (const [member, views] of perView) {
    for (const [viewId, deliveries] of views) {
      const key = viewKey(member, viewId);
      const total = deliveries.filter((d) => d.order === 'total');
      (everyone.get(key) ?? everyone.set(key, []).get(key)!).push({ member, ids: total.filter((d) => d.safe).map((d) => d.id) });
      const survived = installed.get(member)?.has(viewId + 1) === true || (final && viewId === lastId.get(foundingOf.get(member) ?? ''));
      if (survived) (survivors.get(key) ?? survivors.set(key, []).get(key)!).push({ member, ids: total.map((d) => d.id) });
    }
  }
  return sameOrder(survivors, '') ?? sameOrder(everyone, 'safe ');
}

function sameOrder(sequences: Map<string, Array<{ member: string; ids: string[] }>>, what: string): Violation | undefined {
  for (const [viewId, list] of sequences) {
    for (let i = 1; i < list.length; i++) {
      const a = list[0]!;
      const b = list[i]!;
      const inB = new Set(b.ids);
      const inA = new Set(a.ids);
      const ca = a.ids.filter((id) => inB.has(id)).join(',');
      const cb = b.ids.filter((id) => inA.has(id)).join(',');
      if (ca !== cb) return { property: `6 ${what}total order`, detail: `view ${viewId}: ${a.member} [${ca}] vs ${b.member} [${cb}]` };
    }
  }
  return undefined;
}

/** Member → the ids of the primary views it installed. */
function installedViews(trace: Trace): Map<string, Set<number>> {
  const installed = new Map<string, Set<number>>();
  for (const e of trace) if (e.k === 'view' && e.view.primary) (installed.get(e.member) ?? installed.set(e.member, new Set()).get(e.member)!).add(e.view.id);
  return installed;
}

function safe(perView: Map<string, Map<number, DeliverEvent[]>>, trace: Trace): Violation | undefined {
  const members = new Map<string, readonly string[]>();
  for (const e of trace) if (e.k === 'view' && e.view.primary) members.set(viewKey(e.member, e.view.id), e.view.members);
  const installed = installedViews(trace);
  const safeDelivered = new Map<string, { viewId: number; ids: Set<string> }>();
  for (const [member, views] of perView) {
    for (const [viewId, deliveries] of views) {
      const key = viewKey(member, viewId);
      for (const d of deliveries) if (d.safe) (safeDelivered.get(key) ?? safeDelivered.set(key, { viewId, ids: new Set() }).get(key)!).ids.add(d.id);
    }
  }
  for (const [key, { viewId, ids }] of safeDelivered) {
    for (const member of members.get(key) ?? []) {
      if (!installed.get(member)?.has(viewId) || !installed.get(member)?.has(viewId + 1)) continue;
      const got = new Set((perView.get(member)?.get(viewId) ?? []).map((d) => d.id));
      const missing = [...ids].find((id) => !got.has(id));
      if (missing !== undefined) return { property: '7 safe', detail: `${member} survived view ${viewId} without safe ${missing}` };
    }
  }
  return undefined;
}

function stateTransfer(trace: Trace): Violation | undefined {
  const provided = new Map<string, string[]>();
  for (const e of trace) {
    if (e.k !== 'getState') continue;
    const key = viewKey(e.member, e.viewId + 1);
    (provided.get(key) ?? provided.set(key, []).get(key)!).push(JSON.stringify(e.state));
  }
  const pending = new Map<string, string>();
  for (const e of trace) {
    if (e.k === 'setState') pending.set(e.member, JSON.stringify(e.state));
    if (e.k === 'view' && e.view.primary && pending.has(e.member)) {
      const state = pending.get(e.member)!;
      pending.delete(e.member);
      if (!(provided.get(viewKey(e.member, e.view.id)) ?? []).includes(state)) {
        return { property: '9 state transfer', detail: `${e.member} got ${state} for view ${e.view.id}, not the provider's checkpoint at the cut` };
      }
    }
  }
  return undefined;
}

function liveness(trace: Trace, logs: Map<string, MemberLog>): Violation | undefined {
  const lastView = new Map<string, ViewEvent>();
  for (const e of trace) if (e.k === 'view') lastView.set(e.process, e);
  const live = new Set<string>();
  for (const e of trace) if (e.k === 'fault' && e.what.startsWith('live ')) e.what.slice(5).split(',').forEach((p) => live.add(p));
  const finals = [...live].map((p) => lastView.get(p));
  const first = finals[0];
  if (first === undefined) return undefined;
  for (const [i, v] of finals.entries()) {
    if (v === undefined || !v.view.primary || v.view.id !== first.view.id || v.gid !== first.gid) {
      return { property: '10 liveness', detail: `${[...live][i]} ended in ${v ? `view ${v.view.id}${v.view.primary ? '' : ' (not primary)'}` : 'no view'}, others in ${first.view.id}` };
    }
  }
  const finalMembers = new Set(first.view.members);
  // Indexed once: a long real run (the soak) has hundreds of thousands of events.
  const outcomes = new Map<string, Extract<TraceEvent, { k: 'sent' }>>();
  for (const e of trace) if (e.k === 'sent' && !outcomes.has(e.id)) outcomes.set(e.id, e);
  const selfDelivered = new Set<string>();
  for (const member of finalMembers) for (const d of logs.get(member)?.events ?? []) if (d.k === 'deliver') selfDelivered.add(`${member}\u0000${d.id}`);
  for (const e of trace) {
    if (e.k !== 'send' || !finalMembers.has(e.member)) continue;
    const outcome = outcomes.get(e.id);
    if (outcome === undefined) return { property: '10 liveness', detail: `send ${e.id} of final member ${e.member} never settled` };
    if (outcome.ok && !selfDelivered.has(`${e.member}\u0000${e.id}`)) return { property: '10 liveness', detail: `${e.member} never delivered its own ${e.id}` };
  }
  return undefined;
}
