/**
 * The steps of the WebRTC group benchmarks, each over child processes running `connect()`:
 * form a group from a cold start, crash a member, add a newcomer. Each returns what it measured.
 */
import type { Report } from './messages.js';
import { isEv, type Child } from './fleet.js';

type ViewReport = Extract<Report, { ev: 'view' }>;
type ConnectedReport = Extract<Report, { ev: 'connected' }>;

/** A member of the running group: its child process and its member id. */
export interface Member {
  child: Child;
  me: string;
}

/** What forming a group measured. */
export interface Formation {
  /** Per process: from calling connect() to its first view. */
  firstViewMs: number[];
  /** From the first connect() call until every process installed the view with all of them. */
  fullViewMs: number;
  /** The members by seniority (members[0] is the coordinator). */
  members: Member[];
  viewId: number;
}

const viewWith = (size: number) => (r: Report): r is ViewReport => r.ev === 'view' && r.primary && r.members.length === size;

/** Tells `children` to connect() and join `group` at once; waits until all share one full view. */
export async function formGroup(children: readonly Child[], signaling: string, group: string, failureTimeoutMs: number, timeoutMs: number): Promise<Formation> {
  for (const c of children) c.send({ cmd: 'group', signaling, group, failureTimeoutMs });
  const full = await Promise.all(children.map((c) => c.waitFor(viewWith(children.length), timeoutMs, `view of ${children.length}`)));
  const starts = await Promise.all(children.map((c) => c.waitFor(isEv('connected'), timeoutMs, 'connected')));
  const firstViewMs = children.map((c, i) => c.reports.find(isEv('view'))!.at - starts[i]!.startAt);
  const members = full[0]!.members.map((me) => ({ child: children[full.findIndex((v) => v.me === me)]!, me }));
  if (new Set(full.map((v) => v.id)).size !== 1 || members.some((m) => m.child === undefined)) {
    throw new Error(`the ${children.length} processes disagree on the full view`);
  }
  return { firstViewMs, fullViewMs: Math.max(...full.map((v) => v.at)) - Math.min(...starts.map((s) => s.startAt)), members, viewId: full[0]!.id };
}

/** What a crash measured. */
export interface Failover {
  /** From the victim's abrupt close until the last survivor installed the view without it. */
  detectMs: number;
  survivors: Member[];
  viewId: number;
}

/** `leaver` leaves gracefully (`group.leave()`); measures from that call until the last survivor's view without it. */
export async function leaveMember(members: readonly Member[], leaver: Member, timeoutMs: number): Promise<Failover> {
  const survivors = members.filter((m) => m !== leaver);
  const marks = survivors.map((m) => m.child.reports.length);
  const leaveMark = leaver.child.reports.length;
  leaver.child.send({ cmd: 'leave' });
  const leaving = await waitAfter(leaver.child, leaveMark, isEv('leaving'), timeoutMs, 'leaving');
  const without = (r: Report): r is ViewReport => r.ev === 'view' && r.primary && !r.members.includes(leaver.me);
  const views = await Promise.all(survivors.map((m, i) => waitAfter(m.child, marks[i]!, without, timeoutMs, 'view without the leaver')));
  return { detectMs: Math.max(...views.map((v) => v.at)) - leaving.at, survivors, viewId: views[0]!.id };
}

/** Crashes `victim` (abrupt close, or SIGKILL with `kill`) and waits for the survivors' next view. */
export async function crashMember(members: readonly Member[], victim: Member, kill: boolean, timeoutMs: number): Promise<Failover> {
  const survivors = members.filter((m) => m !== victim);
  const marks = survivors.map((m) => m.child.reports.length);
  let crashAt: number;
  if (kill) {
    crashAt = performance.timeOrigin + performance.now();
    victim.child.kill();
  } else {
    victim.child.send({ cmd: 'crash' });
    crashAt = (await victim.child.waitFor(isEv('crashing'), timeoutMs, 'crashing')).at;
  }
  const without = (r: Report): r is ViewReport => r.ev === 'view' && r.primary && !r.members.includes(victim.me);
  const views = await Promise.all(survivors.map((m, i) => waitAfter(m.child, marks[i]!, without, timeoutMs, 'view without the victim')));
  return { detectMs: Math.max(...views.map((v) => v.at)) - crashAt, survivors, viewId: views[0]!.id };
}

/** What adding one process to a running group measured. */
export interface Arrival {
  /** From the newcomer's connect() call to its first view (which includes everyone). */
  firstViewMs: number;
  /** ...to the moment every member installed that view. */
  everywhereMs: number;
  members: Member[];
}

/** The newcomer connects and joins the running group of `members`. */
export async function addNewcomer(members: readonly Member[], newcomer: Child, signaling: string, group: string, failureTimeoutMs: number, timeoutMs: number): Promise<Arrival> {
  const marks = members.map((m) => m.child.reports.length);
  const size = members.length + 1;
  newcomer.send({ cmd: 'group', signaling, group, failureTimeoutMs });
  const first = await newcomer.waitFor(viewWith(size), timeoutMs, 'first view');
  const start = await newcomer.waitFor(isEv('connected'), timeoutMs, 'connected');
  const others = await Promise.all(members.map((m, i) => waitAfter(m.child, marks[i]!, viewWith(size), timeoutMs, 'view with the newcomer')));
  const last = Math.max(first.at, ...others.map((v) => v.at));
  const order = first.members.map((me) => (me === first.me ? { child: newcomer, me } : members.find((m) => m.me === me)!));
  return { firstViewMs: first.at - (start as ConnectedReport).startAt, everywhereMs: last - start.startAt, members: order };
}

/** Like `waitFor`, but only reports that arrive after the first `mark` ones count. */
function waitAfter<R extends Report>(child: Child, mark: number, match: (r: Report) => r is R, timeoutMs: number, what: string): Promise<R> {
  const fresh = (r: Report): r is R => child.reports.indexOf(r) >= mark && match(r);
  return child.waitFor(fresh, timeoutMs, what);
}
