/**
 * One member's view-synchronous group engine: the state machine of DESIGN.md, sans-IO.
 * Inputs: `receive` (a validated message from a peer), `tick` (time passed), and the
 * application's calls. Outputs go through the host: messages to peers and events.
 *
 * Life of a member:
 *
 *   idle → joining → member (view after view) ──────────────→ left
 *                      │  ↑ the change completes with it
 *                      ↓  │
 *                    member, blocked (cut off from a majority: non-primary, frozen)
 *                      │
 *                      ↓ the group went on without it (excluded, or fell behind)
 *                    minority → joining again, as a new member
 *
 * The parts: the multicast of one view (view-stream.ts), this member's own sends (own-stream.ts),
 * deciding the next view (membership/: acceptor, leader round, suspicion, the cut), joining
 * (join-rounds.ts) and state transfer (state-transfer.ts). This file holds the life cycle and
 * the view change that ties them together.
 */
import type { Order, View } from '../api.js';
import { GroupClosedError, NotPrimaryError, OverloadError, ProtocolError } from '../errors.js';
import { incarnationOf, memberId, processOf } from '../ids.js';
import { Acceptor } from '../membership/acceptor.js';
import { compareBallots, type Ballot } from '../membership/ballot.js';
import { computeValue } from '../membership/compute-value.js';
import { LeaderRound, type RoundContext } from '../membership/leader-round.js';
import { isQuorum } from '../membership/quorum.js';
import { Suspicion } from '../membership/suspicion.js';
import type { FlushOkMsg, GroupMsg, JoinStatus, OrderCode, ViewValue } from '../wire/messages.js';
import type { GroupHost } from './group-host.js';
import { JoinRounds } from './join-rounds.js';
import { OwnStream, type SendTag } from './own-stream.js';
import { estimateBytes, StateTransfer } from './state-transfer.js';
import { ViewStream } from './view-stream.js';

export type GroupStatus = 'idle' | 'joining' | 'member' | 'minority' | 'left';

export interface GroupSettings {
  failureTimeoutMs: number;
  rejoin: boolean;
  secret: string | undefined;
}

/** What a group holds in memory now (for diagnostics, and the tests that bound memory). */
export interface GroupStats {
  /** Messages of the current view kept until stable and delivered, and their estimated bytes. */
  retainedMessages: number;
  retainedBytes: number;
  /** Own sends waiting for a view or for room in the window. */
  queuedSends: number;
  /** Messages buffered for a view not installed yet. */
  futureMessages: number;
}

const ORDERS: readonly Order[] = ['fifo', 'causal', 'total'];
/** Messages a member may receive before it installs their view: they wait for it. */
const BUFFERED = new Set(['d', 'k', 'o', 's']);

export class GroupEngine {
  status: GroupStatus = 'idle';
  me: string;
  /** The primary view this member is in (the protocol's view); undefined outside one. */
  private installed: View | undefined;
  /** The view the application saw last: the installed one, or a non-primary one. */
  private shown: View | undefined;
  /** The traffic of the installed view. */
  private stream: ViewStream | undefined;
  /** The value that ended the previous view: laggards and joiners that missed it get it again. */
  private lastValue: ViewValue | undefined;
  /**
   * In the installed view but cut off from a majority of it: the application sees a non-primary
   * view, sends are refused, nothing is delivered, and the member keeps its place (its promises,
   * its log) until either the view change completes with it, or it learns that the group went on
   * without it (then it rejoins as a new member).
   */
  private blocked = false;
  /** A view change runs (this member promised a ballot) or it is blocked: no sends, no deliveries. */
  private frozen = false;
  /** When this member last promised or accepted a ballot of another coordinator's. */
  private promisedAtMs: number | undefined;
  private readonly own: OwnStream;
  private readonly acceptor = new Acceptor();
  private readonly suspicion = new Suspicion();
  private readonly state: StateTransfer;
  private readonly joining = new JoinRounds();
  private leader: LeaderRound | undefined;
  /** Members asked by a round of this member's and silent since (reset when they answer). */
  private readonly unanswered = new Map<string, number>();
  /** Processes asking to join (member id → when they last asked). */
  private readonly pendingJoins = new Map<string, number>();
  private readonly leaveRequests = new Set<string>();
  /** Members that asked for a view change (they were blocked and see a majority again). */
  private readonly wanted = new Set<string>();
  private future: GroupMsg[] = [];
  private incarnation = 0;
  /** Coming back from a minority: never found the group, it exists. */
  private rejoining = false;
  private rejoinAtMs: number | undefined;
  private leaving = false;
  private lastProbeMs = -Infinity;
  /** The coordinator this blocked member has been nudging, and since when (no round from it yet). */
  private nudged: { coordinator: string; sinceMs: number } | undefined;
  /** When a member of an earlier view was last told how its view ended. */
  private readonly answeredStale = new Map<string, number>();
  /** After losing a ballot to a more senior coordinator, do not compete until then. */
  private quietUntilMs = 0;
  /** Inside a batch of inbound messages: act on them once, at its end. */
  private batching = false;

  constructor(
    readonly name: string,
    private readonly host: GroupHost,
    readonly settings: GroupSettings,
  ) {
    this.me = memberId(host.processId, 0);
    this.own = new OwnStream(host.config, (event) => host.emit(event));
    this.state = new StateTransfer(name, host, (error) => this.report(error));
  }

  /** The view the application saw last (see `shown`). */
  get view(): View | undefined {
    return this.shown;
  }

  /** The highest ticket of a send so far: `flush` waits until everything up to it is stable. */
  get lastTicket(): number {
    return this.own.lastTicket;
  }

  // ---------------------------------------------------------------- application calls

  /** Starts joining (again): a new member id each time. */
  join(): void {
    if (this.status === 'joining' || this.status === 'member') return;
    this.incarnation += 1;
    this.me = memberId(this.host.processId, this.incarnation);
    this.status = 'joining';
    this.leaving = false;
    this.joining.start();
    this.future = [];
    this.resetViewState(); // `view` stays the last one shown until the next arrives
    this.joinRound();
  }

  /**
   * Queues or multicasts one message. `ticket` names it in later events; the caller numbers
   * its sends in increasing order (so it can register the ticket before any event names it).
   */
  send(ticket: number, data: unknown, order: Order, safe: boolean, tag: SendTag = {}): void {
    const refusal = this.sendRefusal();
    const item = { ticket, order: ORDERS.indexOf(order) as OrderCode, safe, tag, data, bytes: 0 };
    if (refusal !== undefined) {
      this.own.noteTicket(ticket);
      this.host.emit({ type: 'rejected', tickets: [ticket], error: refusal });
      return;
    }
    item.bytes = estimateBytes(data);
    if (!this.own.enqueue(item)) {
      this.host.emit({ type: 'rejected', tickets: [ticket], error: new OverloadError('too many queued sends') });
      return;
    }
    this.pump();
  }

  private sendRefusal(): Error | undefined {
    if (this.leaving || this.status === 'left') return new GroupClosedError('the group was left');
    if (this.status === 'idle') return new GroupClosedError('the group was not joined');
    if (this.status === 'minority' || this.blocked || (this.status === 'joining' && this.rejoining)) return new NotPrimaryError();
    return undefined;
  }

  /** Sends a point-to-point payload to a member (request replies). */
  direct(to: string, payload: unknown): void {
    if (this.status !== 'member') return;
    if (to === this.me) this.host.emit({ type: 'direct', from: this.me, payload });
    else this.host.send(to, { t: 'r', g: this.name, f: this.me, to, p: payload });
  }

  /** Asks to leave; the 'left' event follows once a view without this member is installed. */
  leave(): void {
    if (this.status === 'left') return;
    this.leaving = true;
    this.own.rejectQueued(new GroupClosedError('the group was left'));
    if (this.status !== 'member' || this.installed === undefined || this.installed.members.length === 1) {
      this.finishLeave();
      return;
    }
    for (const m of this.installed.members) {
      if (m === this.me) this.leaveRequests.add(m);
      else this.host.send(m, { t: 'l', g: this.name, v: this.installed.id, f: this.me });
    }
    this.pump();
  }

  /** Leaves at once without a view change (process closing, or a leave that timed out). */
  abandon(): void {
    if (this.status === 'left') return;
    this.tellDeparted();
    this.finishLeave();
  }

  private finishLeave(): void {
    this.status = 'left';
    this.leaving = true;
    const closed = new GroupClosedError('the group was left');
    this.own.rejectQueued(closed);
    this.own.rejectUnstable(closed);
    this.resetViewState();
    this.host.emit({ type: 'left' });
  }

  /** Processes whose links this member needs kept alive (heartbeats). */
  neededProcesses(): string[] {
    const out: string[] = [];
    if (this.status === 'member' && this.installed !== undefined) {
      for (const m of this.installed.members) if (m !== this.me) out.push(processOf(m) ?? m);
      for (const j of this.pendingJoins.keys()) out.push(processOf(j) ?? j);
    }
    return out;
  }

  stats(): GroupStats {
    return {
      retainedMessages: this.stream?.log.retained ?? 0,
      retainedBytes: this.stream?.log.retainedBytes ?? 0,
      queuedSends: this.own.queued,
      futureMessages: this.future.length,
    };
  }

  // ---------------------------------------------------------------- time

  tick(): void {
    const now = this.host.now();
    if (this.status === 'joining') {
      if (this.joining.due(now, this.host.config.joinRetryMs)) this.joinRound();
      return;
    }
    if (this.status === 'minority') {
      if (this.rejoinAtMs !== undefined && now >= this.rejoinAtMs) {
        this.rejoinAtMs = undefined;
        this.rejoining = true;
        this.status = 'idle';
        this.join();
      }
      return;
    }
    if (this.status !== 'member') return;
    for (const [j, at] of this.pendingJoins) {
      if (now - at > 3 * this.settings.failureTimeoutMs) this.pendingJoins.delete(j);
    }
    this.suspicion.check(this.installed!.members, this.me, now, this.host, this.settings.failureTimeoutMs, this.blocked);
    this.checkRoundProgress(now);
    this.pump();
  }

  /**
   * A member that promised a coordinator's round waits for it, frozen. If the round neither moves
   * nor ends for twice the failure timeout, its coordinator is stuck or has gone on without this
   * member (the view it was deciding may be long installed): suspect it for good, so that the next
   * member leads, or this one finds itself blocked and asks around how its view ended.
   */
  private checkRoundProgress(now: number): void {
    if (!this.frozen || this.blocked || this.promisedAtMs === undefined) return;
    if (now - this.promisedAtMs <= 2 * this.settings.failureTimeoutMs) return;
    const coordinator = this.installed!.members[this.acceptor.promised[1]];
    if (coordinator !== undefined && coordinator !== this.me) this.suspicion.depart(coordinator);
    this.promisedAtMs = now;
  }

  // ---------------------------------------------------------------- inbound

  /** A validated message from process `from` (which owns `msg.f`). */
  receive(from: string, msg: GroupMsg): void {
    switch (msg.t) {
      case 'j': return this.onJoin(from, msg.f, msg.au);
      case 'J': if (this.status === 'joining') this.joining.answered(from, msg.st); return;
      case 'x': return this.onDeparted(msg.f);
      case 'E': if (msg.to === this.me) this.onEnded(msg.v); return;
      case 'i': return this.onInstall(msg.v, msg.val, msg.f);
      case 'r': if (msg.to === this.me && this.status === 'member') this.host.emit({ type: 'direct', from: msg.f, payload: msg.p }); return;
      default: break;
    }
    if (this.status === 'left' && (msg.t === 'f' || msg.t === 'p') && msg.f !== this.me) {
      this.host.send(msg.f, { t: 'x', g: this.name, f: this.me }); // still counted as a member somewhere: say it is gone
      return;
    }
    if (this.status !== 'member' && this.status !== 'joining') return;
    if (!('v' in msg)) return;
    const view = this.installed;
    if (this.status === 'joining' || view === undefined) {
      if (BUFFERED.has(msg.t)) this.buffer(msg);
      return;
    }
    if (msg.v > view.id) return this.onAhead(msg, view, from);
    if (msg.v < view.id) return this.onStale(msg, view);
    if (!view.members.includes(msg.f)) {
      if (msg.t !== 'l') this.report(new ProtocolError(`${msg.t} from ${msg.f}, not a member of view ${msg.v}`, from));
      return;
    }
    this.onViewMessage(msg);
    if (!this.batching) this.pump();
  }

  /**
   * The messages of a frame (or of several) arrive together: take them all, then deliver, send
   * and report once, rather than once per message. Under load that is most of the engine's work.
   */
  beginBatch(): void {
    this.batching = true;
  }

  endBatch(): void {
    this.batching = false;
    this.pump();
  }

  /**
   * Discovery answered, or found processes interested in the group: a joiner asks them at once
   * (not at its next round); discovery's first answer starts its rounds proper.
   */
  peersChanged(): void {
    if (this.status !== 'joining') return;
    if (!this.joining.discovered && this.host.discovered()) this.joinRound();
    else this.askToJoin(this.host.peers());
  }

  /** A message of the installed view, from one of its members. */
  private onViewMessage(msg: GroupMsg): void {
    const stream = this.stream!;
    switch (msg.t) {
      case 'd': { const error = stream.onData(msg, this.isSequencer()); if (error) this.report(error); return; }
      case 'k': return stream.onStable(msg);
      case 'o': return stream.onOrder(msg);
      case 'l': this.leaveRequests.add(msg.f); return;
      case 'w': this.wanted.add(msg.f); return;
      case 'f': return this.onFlush(msg.f, msg.b);
      case 'F': this.unanswered.delete(msg.f); this.leader?.reported(msg); return;
      case 'N': this.unanswered.delete(msg.f); return this.onNack(msg.b, msg.pb);
      case 'p': return this.onPropose(msg.f, msg.b, msg.val);
      case 'a': this.unanswered.delete(msg.f); this.leader?.acceptedBy(msg.f, msg.b); return;
      case 'c': { const value = this.acceptor.chosen(msg.b); if (value) this.install(value); return; }
      case 'L': return; // a blocked member's probe: it hears our heartbeats and will find us
      case 's': if (msg.to === this.me && this.state.receive(this.installed!.id, msg.i, msg.c, msg.d)) this.stateLoaded(); return;
      default: return;
    }
  }

  private buffer(msg: GroupMsg): void {
    if (this.future.length >= this.host.config.maxFutureMessages) {
      this.report(new ProtocolError('too many messages for a view not installed yet; dropped'));
      return;
    }
    this.future.push(msg);
  }

  /**
   * A message of a later view than the installed one. Of the next view, it waits for the view
   * (this member is about to install it); a round for a later view gets told where this member
   * is. Anything else names a view this member cannot be in: a member that misses a view is
   * excluded from the next, and nobody sends it that view's traffic. It is dropped and reported.
   */
  private onAhead(msg: GroupMsg & { v: number }, view: View, from: string): void {
    if (msg.v === view.id + 1 && BUFFERED.has(msg.t)) this.buffer(msg);
    else if (msg.t === 'f' || msg.t === 'p' || msg.t === 'w') this.host.send(msg.f, { t: 'L', g: this.name, v: view.id, f: this.me });
    else if (msg.v > view.id + 1) this.report(new ProtocolError(`${msg.t} for view ${msg.v}, but this member is in view ${view.id}`, from));
  }

  /**
   * A member of an earlier view still speaks in it (a round, a probe, a nudge, traffic, its
   * periodic stability report): tell it how that view ended, at most once per retry interval.
   * One view behind, it gets the value that ended it; further behind and not in this view, it
   * learns that the group went on without it. This is how a member excluded without noticing
   * (it never lost sight of the others: they share another group) finds out.
   */
  private onStale(msg: GroupMsg & { v: number }, view: View): void {
    const now = this.host.now();
    if (now - (this.answeredStale.get(msg.f) ?? -Infinity) < this.host.config.viewChangeRetryMs) return;
    this.answeredStale.set(msg.f, now);
    if (msg.v + 1 === view.id && this.lastValue !== undefined) this.sendInstall(msg.f, this.lastValue);
    else if (!view.members.includes(msg.f)) this.host.send(msg.f, { t: 'E', g: this.name, f: this.me, v: view.id, to: msg.f });
    else this.suspicion.add(msg.f); // in this view, yet it never installed the one before: it cannot take part
  }

  /** A member of view `v` says this member is not in it: the group went on without it. */
  private onEnded(v: number): void {
    if (this.status === 'member' && this.installed !== undefined && v > this.installed.id) {
      this.goMinority('excluded from the group', v);
    }
  }

  private isSequencer(): boolean {
    return this.installed?.members[0] === this.me && !this.frozen;
  }

  private onJoin(from: string, joiner: string, proof: string | undefined): void {
    const reply = (st: JoinStatus): void => this.host.send(from, { t: 'J', g: this.name, f: this.me, st });
    if (processOf(joiner) !== from) return;
    if (this.lastValue?.joined.includes(joiner) && this.lastValue.members.includes(this.me)) {
      // It is a member already but missed the INSTALL (its coordinator failed or was cut off
      // right after choosing the view): only it and its fellow joiners can now form a quorum.
      this.sendInstall(joiner, this.lastValue);
      return;
    }
    if (this.status === 'member' && this.installed !== undefined) {
      if (this.settings.secret !== undefined && proof !== this.settings.secret) {
        reply('refused');
        this.report(new ProtocolError(`join of ${joiner} refused: wrong group secret`, from));
        return;
      }
      this.admit(joiner, from);
      return;
    }
    if (this.status === 'joining') reply(this.rejoining ? 'minority' : 'joining');
    else if (this.status === 'minority') reply('minority');
    else reply('idle');
  }

  /**
   * Notes a join request. A process joins under a new member id each time (its incarnation
   * grows), so a request of an older incarnation than one already seen is stale: a frame that
   * crossed a long partition, from a member that has since been excluded. Admitting it would put
   * a ghost in the view. And a newer incarnation means the process gave up the older member.
   */
  private admit(joiner: string, process: string): void {
    const incarnation = incarnationOf(joiner);
    const members = this.installed!.members;
    for (const m of [...members, ...this.pendingJoins.keys()]) {
      if (processOf(m) !== process || m === joiner) continue;
      if (incarnationOf(m) > incarnation) return; // stale
      if (this.pendingJoins.delete(m)) continue; // an older request of the same process
      this.suspicion.add(m); // an older member of the same process
    }
    if (!members.includes(joiner)) this.pendingJoins.set(joiner, this.host.now());
  }

  private onDeparted(member: string): void {
    this.pendingJoins.delete(member);
    if (this.installed?.members.includes(member)) {
      this.suspicion.depart(member);
      this.pump();
    }
  }

  // ---------------------------------------------------------------- joining

  private joinRound(): void {
    const now = this.host.now();
    const peers = this.host.peers();
    if (this.joining.mayFound(now, peers, this.host.processId, this.host.config.createAfterMs, this.rejoining)) {
      this.found();
      return;
    }
    this.joining.asked(now, this.host.discovered());
    this.askToJoin(peers);
  }

  private askToJoin(peers: readonly string[]): void {
    const join: GroupMsg = { t: 'j', g: this.name, f: this.me };
    if (this.settings.secret !== undefined) join.au = this.settings.secret;
    for (const p of peers) this.host.send(p, join);
  }

  /** Nobody holds the group: this process founds it, alone, in view 1. */
  private found(): void {
    this.install({
      id: 1, members: [this.me], joined: [this.me], left: [], cut: [], drops: [], orderBase: 0,
      order: [], msgs: [], needState: [], provider: this.me,
    });
  }

  // ---------------------------------------------------------------- data path

  /** After every input: view-change progress, then the view's traffic. */
  private pump(): void {
    if (this.status !== 'member') return;
    this.maybeLead();
    if (this.status !== 'member') return;
    this.stream!.pump(!this.frozen && !this.state.awaiting, this.frozen, this.isSequencer());
  }

  // ---------------------------------------------------------------- view change: members

  private onFlush(from: string, ballot: Ballot): void {
    const view = this.installed!;
    this.nudged = undefined; // a round is under way
    if (!this.acceptor.promise(ballot)) {
      this.host.send(from, { t: 'N', g: this.name, v: view.id, f: this.me, b: ballot, pb: this.acceptor.promised });
      return;
    }
    this.frozen = true;
    this.promisedAtMs = from === this.me ? undefined : this.host.now();
    if (this.leader !== undefined && compareBallots(this.leader.ballot, ballot) < 0) this.leader = undefined; // outbid
    // A more senior member leads this change, even if this one suspects it: let it finish
    // rather than outbid it (two coordinators outbidding each other decide nothing).
    if (ballot[1] < view.members.indexOf(this.me)) this.quietUntilMs = Math.max(this.quietUntilMs, this.host.now() + this.settings.failureTimeoutMs);
    const report: FlushOkMsg = { t: 'F', g: this.name, v: view.id, f: this.me, b: ballot, ...this.stream!.log.flushReport() };
    if (this.acceptor.accepted !== undefined) report.ac = this.acceptor.accepted;
    if (this.state.awaiting) report.nl = 1;
    if (from === this.me) this.leader?.reported(report);
    else this.host.send(from, report);
  }

  private onPropose(from: string, ballot: Ballot, value: ViewValue): void {
    const view = this.installed!;
    if (!this.acceptor.accept(ballot, value, view.id + 1)) {
      this.host.send(from, { t: 'N', g: this.name, v: view.id, f: this.me, b: ballot, pb: this.acceptor.promised });
      return;
    }
    this.frozen = true;
    this.promisedAtMs = from === this.me ? undefined : this.host.now();
    if (from === this.me) this.leader?.acceptedBy(this.me, ballot);
    else this.host.send(from, { t: 'a', g: this.name, v: view.id, f: this.me, b: ballot });
  }

  private onNack(ballot: Ballot, promised: Ballot): void {
    this.acceptor.saw(promised[0]);
    const round = this.leader;
    if (round === undefined || compareBallots(ballot, round.ballot) !== 0) return;
    this.leader = undefined; // retry with a higher ballot; give a more senior coordinator room first
    if (promised[1] < this.installed!.members.indexOf(this.me)) {
      this.quietUntilMs = this.host.now() + this.host.config.viewChangeRetryMs;
    }
  }

  private sendInstall(to: string, value: ViewValue): void {
    this.host.send(to, { t: 'i', g: this.name, v: value.id - 1, f: this.me, val: value });
  }

  private onInstall(v: number, value: ViewValue, from: string): void {
    if (value.id !== v + 1) return;
    if (this.status === 'joining') {
      if (value.joined.includes(this.me)) this.install(value);
      return;
    }
    // From a member of this view or of the next one (a member that is behind asks the latter).
    const view = this.installed;
    if (this.status === 'member' && view?.id === v && (view.members.includes(from) || value.members.includes(from))) {
      this.install(value);
      this.pump();
    }
  }

  // ---------------------------------------------------------------- view change: coordinator

  private maybeLead(): void {
    const view = this.installed!;
    const now = this.host.now();
    const voters = new Set(view.members.filter((m) => !this.suspicion.has(m)));
    const quorum = isQuorum(view.members, voters);
    if (!quorum) this.block();
    const coordinator = view.members.find((m) => voters.has(m));
    if (this.blocked) this.probe(now, quorum ? coordinator : undefined);
    if (!quorum || coordinator !== this.me || now < this.quietUntilMs) return;
    if (this.leader === undefined) {
      const reason = this.blocked || this.wanted.size > 0 || this.pendingJoins.size > 0 ||
        view.members.some((m) => this.suspicion.has(m) || this.leaveRequests.has(m));
      if (!reason) return;
      this.leader = new LeaderRound(view.id, this.acceptor.nextBallot(view.members.indexOf(this.me)));
    }
    this.leader.step(this.roundContext(this.leader), now);
  }

  private roundContext(round: LeaderRound): RoundContext {
    const view = this.installed!;
    return {
      me: this.me,
      members: view.members,
      retryMs: this.host.config.viewChangeRetryMs,
      timeoutMs: this.settings.failureTimeoutMs,
      suspected: (m) => this.suspicion.has(m),
      suspect: (m) => this.suspicion.add(m),
      unansweredSince: (m) => this.unanswered.get(m),
      asking: (m, nowMs) => { if (m !== this.me && !this.unanswered.has(m)) this.unanswered.set(m, nowMs); },
      askFlush: (m) => {
        if (m === this.me) this.onFlush(this.me, round.ballot);
        else this.host.send(m, { t: 'f', g: this.name, v: view.id, f: this.me, b: round.ballot });
      },
      askAccept: (m, value) => {
        if (m === this.me) this.onPropose(this.me, round.ballot, value);
        else this.host.send(m, { t: 'p', g: this.name, v: view.id, f: this.me, b: round.ballot, val: value });
      },
      computeValue: (reports) => computeValue({
        viewId: view.id, members: view.members, reports, ownMessages: this.stream!.log.messages(),
        joiners: [...this.pendingJoins.keys()], leavers: this.leaveRequests,
      }),
      leading: () => this.leader === round,
      decide: (value, accepted) => {
        for (const m of new Set([...view.members, ...value.members])) {
          if (m === this.me) continue;
          if (accepted.has(m)) this.host.send(m, { t: 'c', g: this.name, v: view.id, f: this.me, b: round.ballot });
          else this.sendInstall(m, value);
        }
        this.install(value);
      },
    };
  }

  /**
   * Cut off from a majority of the view: show the application a non-primary view, refuse sends,
   * deliver nothing more, give up any round this member leads (its clocks would be stale), but
   * keep the promises and the log: the view change may yet complete with this member.
   */
  private block(): void {
    if (this.blocked) return;
    this.blocked = true;
    this.frozen = true;
    this.leader = undefined;
    this.own.rejectQueued(new NotPrimaryError('not primary: a majority of the view is unreachable'));
    if (!this.state.awaiting) this.showBlocked(); // else once its state and first view are shown
  }

  private showBlocked(): void {
    const view = this.installed!;
    const reachable = view.members.filter((m) => !this.suspicion.has(m));
    const unreachable = view.members.filter((m) => this.suspicion.has(m));
    this.show({ id: view.id + 1, members: reachable, primary: false, joined: [], left: unreachable });
  }

  /**
   * While blocked, now and then: nudge the coordinator into a view change once a majority is in
   * reach again, and ask the processes outside our reach of the view (suspected members, other
   * processes of the group) whether the group went on without us; they answer with the value
   * that ended our view or with an ENDED.
   */
  private probe(now: number, coordinator: string | undefined): void {
    if (now - this.lastProbeMs < this.host.config.viewChangeRetryMs) return;
    this.lastProbeMs = now;
    const view = this.installed!;
    if (coordinator !== undefined && coordinator !== this.me) this.nudge(coordinator, now);
    const lag: GroupMsg = { t: 'L', g: this.name, v: view.id, f: this.me };
    const inReach = new Set<string>();
    for (const m of view.members) {
      if (!this.suspicion.has(m)) inReach.add(processOf(m) ?? m);
      else this.host.send(m, lag);
    }
    const asked = new Set(view.members.map((m) => processOf(m) ?? m));
    for (const p of this.host.peers()) if (!asked.has(p) && !inReach.has(p)) this.host.send(p, lag);
  }

  /**
   * Asks the coordinator for a view change; one that starts none within the failure timeout,
   * though it is heard (it may be stuck in an earlier view), is suspected: the next one leads.
   */
  private nudge(coordinator: string, now: number): void {
    if (this.nudged?.coordinator !== coordinator) this.nudged = { coordinator, sinceMs: now };
    else if (now - this.nudged.sinceMs > this.settings.failureTimeoutMs) {
      this.suspicion.depart(coordinator); // heard, so a blocked member would forgive plain suspicion at once
      this.nudged = undefined;
      return;
    }
    this.host.send(coordinator, { t: 'w', g: this.name, v: this.installed!.id, f: this.me });
  }

  // ---------------------------------------------------------------- installing a view

  private install(value: ViewValue): void {
    const wasMember = this.status === 'member' && this.stream !== undefined;
    // A member with its state delivers the cut and is then exactly at it: it needs no transfer,
    // even if it reported none in the flush (its state arrived after it answered).
    const hasState = wasMember && !this.state.awaiting;
    if (hasState) {
      const bug = this.stream!.deliverCut(value);
      if (bug !== undefined) this.report(new Error(`protocol invariant broken: ${bug}`));
    }
    // The checkpoint is taken exactly at the cut: after the old view's last delivery, before the new view.
    const checkpoint = value.provider === this.me && value.needState.length > 0 ? this.state.checkpoint() : undefined;
    if (!value.members.includes(this.me)) {
      if (checkpoint !== undefined) this.state.provide(value, this.me, checkpoint); // a leaver's last duty
      if (this.leaving) this.finishLeave();
      else this.goMinority('excluded from the group', value.id);
      return;
    }
    this.own.endView(); // what it sent was delivered by every survivor in the cut
    this.resetViewState();
    this.status = 'member';
    this.rejoining = false;
    this.lastValue = value;
    const view: View = { id: value.id, members: value.members, primary: true, joined: value.joined, left: value.left };
    this.installed = view;
    this.stream = new ViewStream(this.name, view, this.me, this.host, this.own);
    this.suspicion.installed(value.members);
    this.answeredStale.clear();
    for (const j of this.pendingJoins.keys()) if (value.members.includes(j)) this.pendingJoins.delete(j);
    for (const l of [...this.leaveRequests]) if (!value.members.includes(l)) this.leaveRequests.delete(l);
    if (checkpoint !== undefined) this.state.provide(value, this.me, checkpoint);
    if (value.needState.includes(this.me) && value.provider !== this.me && !hasState) this.state.await();
    else this.show(view);
    const future = this.future;
    this.future = [];
    for (const msg of future) if ('v' in msg && msg.v === value.id) this.onViewMessage(msg);
    else if ('v' in msg && msg.v > value.id) this.future.push(msg);
  }

  /** The checkpoint is loaded: the member's first view, at last. */
  private stateLoaded(): void {
    this.show(this.installed!);
    if (this.blocked) this.showBlocked();
  }

  private resetViewState(): void {
    this.stream = undefined;
    this.own.resetView();
    this.acceptor.reset();
    this.frozen = false;
    this.promisedAtMs = undefined;
    this.blocked = false;
    this.wanted.clear();
    this.leader = undefined;
    this.unanswered.clear();
    this.nudged = undefined;
    this.state.reset();
  }

  private show(view: View): void {
    this.shown = view;
    this.host.emit({ type: 'view', view });
  }

  // ---------------------------------------------------------------- leaving the primary

  /**
   * The group went on without this member (it was excluded, or it fell behind): a non-primary
   * view unless one is showing already, then (by default) a rejoin as a new member.
   */
  private goMinority(reason: string, viewId: number): void {
    if (this.leaving) {
      this.tellDeparted();
      this.finishLeave(); // cut off while leaving: it is gone either way
      return;
    }
    const old = this.installed;
    this.tellDeparted();
    this.status = 'minority';
    this.installed = undefined;
    this.resetViewState();
    this.suspicion.clear();
    this.pendingJoins.clear();
    this.leaveRequests.clear();
    const error = new NotPrimaryError(`not primary: ${reason}`);
    this.own.rejectQueued(error);
    this.own.rejectUnstable(error);
    if (this.shown?.primary === true) { // a joiner that never saw a view rejoins silently
      const id = Math.max(viewId, (old?.id ?? 0) + 1);
      this.show({ id, members: [this.me], primary: false, joined: [], left: old?.members.filter((m) => m !== this.me) ?? [] });
    }
    // A member of the primary side told us, so it is in reach: ask to come back at once.
    if (this.settings.rejoin) this.rejoinAtMs = this.host.now();
  }

  private tellDeparted(): void {
    if (this.installed === undefined || this.status !== 'member') return;
    for (const m of this.installed.members) if (m !== this.me) this.host.send(m, { t: 'x', g: this.name, f: this.me });
  }

  private report(error: Error): void {
    this.host.emit({ type: 'error', error });
  }
}
