/**
 * One member's view-synchronous group engine: the state machine of DESIGN.md, sans-IO.
 * Inputs: `receive` (a validated message from a peer), `tick` (time passed), and the
 * application's calls. Outputs go through the host: messages to peers and events.
 *
 * Life of a member:  idle → joining → member (view after view) → left
 *                                        ↘ minority (excluded or cut off) → joining again, as a new member
 */
import type { Message, Order, View } from '../api.js';
import { GroupClosedError, NotPrimaryError, OverloadError, ProtocolError } from '../errors.js';
import { memberId, processOf } from '../ids.js';
import { compareBallots, ZERO_BALLOT, type Ballot } from '../membership/ballot.js';
import { computeValue } from '../membership/compute-value.js';
import { LeaderRound } from '../membership/leader-round.js';
import { isQuorum } from '../membership/quorum.js';
import type { DataMsg, FlushOkMsg, GroupMsg, JoinStatus, OrderCode, ViewValue } from '../wire/messages.js';
import type { GroupHost } from './group-host.js';
import { chunkState, estimateBytes, StateAssembly } from './state-transfer.js';
import { ViewLog } from './view-log.js';

export type GroupStatus = 'idle' | 'joining' | 'member' | 'minority' | 'left';

export interface GroupSettings {
  failureTimeoutMs: number;
  rejoin: boolean;
  secret: string | undefined;
}

interface QueuedSend {
  ticket: number;
  order: OrderCode;
  safe: boolean;
  request: boolean;
  data: unknown;
  bytes: number;
}

interface OwnUnstable {
  seq: number;
  ticket: number;
  safe: boolean;
  bytes: number;
}

const ORDERS: readonly Order[] = ['fifo', 'causal', 'total'];

export class GroupEngine {
  status: GroupStatus = 'idle';
  me: string;
  /** The primary view this member is in (the protocol's view); undefined outside one. */
  private installed: View | undefined;
  /** The view the application saw last: the installed one, or a non-primary one. */
  private shown: View | undefined;
  /**
   * In the installed view but cut off from a majority of it: the application sees a non-primary
   * view, sends are refused, nothing is delivered, and the member keeps its place (its promises,
   * its log) until either the view change completes with it, or it learns that the group went on
   * without it (then it rejoins as a new member).
   */
  private blocked = false;
  /** Members of the installed view that asked for a view change (they were blocked and can see a majority again). */
  private readonly wanted = new Set<string>();
  private lastProbeMs = -Infinity;
  private incarnation = 0;
  private rejoining = false;
  private log: ViewLog | undefined;
  private lastValue: ViewValue | undefined;
  // sending
  private mySeq = 0;
  private myCausal = 0;
  /** The highest ticket of a send so far: `flush` waits until everything up to it is stable. */
  lastTicket = 0;
  private readonly queue: QueuedSend[] = [];
  private unstableOwn: OwnUnstable[] = [];
  private unstableBytes = 0;
  private stableThrough = 0;
  private lastStableReportMs = -Infinity;
  private reportedHolds = '';
  // membership
  private readonly pendingJoins = new Map<string, number>();
  private readonly leaveRequests = new Set<string>();
  private suspects = new Set<string>();
  private departed = new Set<string>();
  private promised: Ballot = ZERO_BALLOT;
  private highestRound = 0;
  private accepted: [Ballot, ViewValue] | undefined;
  private frozen = false;
  private leader: LeaderRound | undefined;
  private stateWanted: StateAssembly | undefined;
  private awaitingState = false;
  private future: GroupMsg[] = [];
  // joining
  private joinStartedMs = 0;
  private lastJoinRoundMs = -Infinity;
  private joinRounds = 0;
  private statuses = new Map<string, JoinStatus>();
  private rejoinAtMs: number | undefined;
  private leaving = false;
  /** After losing a ballot to a more senior coordinator, do not compete until then. */
  private quietUntilMs = 0;

  constructor(
    readonly name: string,
    private readonly host: GroupHost,
    readonly settings: GroupSettings,
  ) {
    this.me = memberId(host.processId, 0);
  }

  /** The view the application saw last (see `shown`). */
  get view(): View | undefined {
    return this.shown;
  }

  private show(view: View): void {
    this.shown = view;
    this.host.emit({ type: 'view', view });
  }

  // ---------------------------------------------------------------- application calls

  /** Starts joining (again): a new member id each time. */
  join(): void {
    if (this.status === 'joining' || this.status === 'member') return;
    this.incarnation += 1;
    this.me = memberId(this.host.processId, this.incarnation);
    this.status = 'joining';
    this.leaving = false;
    this.joinStartedMs = this.host.now();
    this.lastJoinRoundMs = -Infinity;
    this.joinRounds = 0;
    this.statuses.clear();
    this.future = [];
    this.resetViewState(); // `view` stays the last one installed until the next arrives
    this.joinRound();
  }

  /**
   * Queues or multicasts one message. `ticket` names it in later events; the caller numbers
   * its sends in increasing order (so it can register the ticket before any event names it).
   */
  send(ticket: number, data: unknown, order: Order, safe: boolean, request = false): void {
    this.lastTicket = Math.max(this.lastTicket, ticket);
    const refusal = this.sendRefusal();
    if (refusal !== undefined) {
      this.host.emit({ type: 'rejected', tickets: [ticket], error: refusal });
      return;
    }
    if (this.queue.length >= this.host.config.maxQueuedSends) {
      this.host.emit({ type: 'rejected', tickets: [ticket], error: new OverloadError('too many queued sends') });
      return;
    }
    this.queue.push({ ticket, order: ORDERS.indexOf(order) as OrderCode, safe, request, data, bytes: estimateBytes(data) });
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
    this.rejectQueue(new GroupClosedError('the group was left'));
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
    this.rejectQueue(new GroupClosedError('the group was left'));
    this.rejectUnstable(new GroupClosedError('the group was left'));
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

  // ---------------------------------------------------------------- time

  tick(): void {
    const now = this.host.now();
    if (this.status === 'joining') {
      if (now - this.lastJoinRoundMs >= this.host.config.joinRetryMs) this.joinRound();
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
    this.detectFailures(now);
    this.pump();
  }

  /**
   * Silence beyond the timeout makes a member suspected. Suspicion sticks while the group can
   * still change its view; but a blocked member forgets it once it hears the member again, so
   * that a healed partition can finish the view change it interrupted.
   */
  private detectFailures(now: number): void {
    const timeoutMs = this.settings.failureTimeoutMs;
    for (const m of this.installed!.members) {
      const process = processOf(m);
      if (m === this.me || process === undefined) continue;
      const silentMs = now - this.host.lastHeard(process);
      if (!this.suspects.has(m)) {
        if (silentMs > timeoutMs) this.suspects.add(m);
      } else if (this.blocked && !this.departed.has(m) && silentMs < timeoutMs / 2) {
        this.suspects.delete(m);
      }
    }
  }

  // ---------------------------------------------------------------- inbound

  /** A validated message from process `from` (which owns `msg.f`). */
  receive(from: string, msg: GroupMsg): void {
    switch (msg.t) {
      case 'j': return this.onJoin(from, msg.f, msg.au);
      case 'J': if (this.status === 'joining') this.statuses.set(from, msg.st); return;
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
    if (this.status === 'joining' || this.installed === undefined || !('v' in msg)) {
      if ('v' in msg && (msg.t === 'd' || msg.t === 'k' || msg.t === 'o' || msg.t === 's')) this.buffer(msg);
      return;
    }
    if (msg.v > this.installed.id) {
      if (msg.v === this.installed.id + 1 && (msg.t === 'd' || msg.t === 'k' || msg.t === 'o' || msg.t === 's')) this.buffer(msg);
      else if (msg.t === 'f' || msg.t === 'p') this.host.send(msg.f, { t: 'L', g: this.name, v: this.installed.id, f: this.me });
      else if (msg.v > this.installed.id + 1) this.goMinority('this member fell behind the group', msg.v);
      return;
    }
    if (msg.v < this.installed.id) return this.onStale(msg);
    if (!this.installed.members.includes(msg.f)) {
      if (msg.t !== 'l') this.report(new ProtocolError(`${msg.t} from ${msg.f}, not a member of view ${msg.v}`, from));
      return;
    }
    this.onViewMessage(msg);
    this.pump();
  }

  private onViewMessage(msg: GroupMsg): void {
    switch (msg.t) {
      case 'd': return this.onData(msg);
      case 'k': this.log!.report(this.rankOf(msg.f), msg.h, msg.dp); return;
      case 'o': if (msg.f === this.installed!.members[0]) this.log!.applyOrder(msg.q, msg.l); return;
      case 'l': this.leaveRequests.add(msg.f); return;
      case 'w': this.wanted.add(msg.f); return;
      case 'f': return this.onFlush(msg.f, msg.b);
      case 'F': if (this.leader && compareBallots(msg.b, this.leader.ballot) === 0) this.leader.reports.set(msg.f, msg); return;
      case 'N': return this.onNack(msg.b, msg.pb);
      case 'p': return this.onPropose(msg.f, msg.b, msg.val);
      case 'a': if (this.leader?.phase === 'propose' && compareBallots(msg.b, this.leader.ballot) === 0) this.leader.accepts.add(msg.f); return;
      case 'c': if (this.accepted && compareBallots(this.accepted[0], msg.b) >= 0) this.install(this.accepted[1]); return;
      case 'L': return; // a blocked member's probe: it hears our heartbeats and will find us
      case 's': return this.onState(msg.to, msg.i, msg.c, msg.d);
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

  private rankOf(member: string): number {
    return this.installed!.members.indexOf(member);
  }

  private onData(msg: DataMsg): void {
    const log = this.log!;
    const rank = this.rankOf(msg.f);
    if (msg.o === 1 && msg.vt?.length !== log.size) {
      this.report(new ProtocolError(`causal message from ${msg.f} with a vector of the wrong size`));
      return;
    }
    if (!log.add(msg, rank, estimateBytes(msg.p))) {
      if (msg.n > log.holds()[rank]! + 1) this.report(new ProtocolError(`gap in the messages of ${msg.f}`));
      return;
    }
    if (msg.o === 2 && this.isSequencer()) log.sequence(rank, msg.n);
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
    if (this.status === 'member' && this.installed?.primary) {
      if (this.settings.secret !== undefined && proof !== this.settings.secret) {
        reply('refused');
        this.report(new ProtocolError(`join of ${joiner} refused: wrong group secret`, from));
        return;
      }
      if (!this.installed.members.includes(joiner)) this.pendingJoins.set(joiner, this.host.now());
      return;
    }
    if (this.status === 'joining') reply(this.rejoining ? 'minority' : 'joining');
    else if (this.status === 'minority') reply('minority');
    else reply('idle');
  }

  private onDeparted(member: string): void {
    this.pendingJoins.delete(member);
    if (this.installed?.members.includes(member)) {
      this.departed.add(member);
      this.suspects.add(member);
      this.pump();
    }
  }

  // ---------------------------------------------------------------- joining

  private joinRound(): void {
    const now = this.host.now();
    const peers = this.host.peers();
    if (this.joinRounds > 0 && !this.rejoining && now - this.joinStartedMs >= this.host.config.createAfterMs) {
      const mine = this.host.processId;
      const free = peers.every((p) => {
        const st = this.statuses.get(p);
        return st === 'idle' || (st === 'joining' && p > mine);
      });
      if (free) {
        this.create();
        return;
      }
    }
    this.statuses.clear();
    this.joinRounds += 1;
    this.lastJoinRoundMs = now;
    const join: GroupMsg = { t: 'j', g: this.name, f: this.me };
    if (this.settings.secret !== undefined) join.au = this.settings.secret;
    for (const p of peers) this.host.send(p, join);
  }

  /** Nobody holds the group: this process founds it, alone, in view 1. */
  private create(): void {
    const value: ViewValue = {
      id: 1, members: [this.me], joined: [this.me], left: [], cut: [], drops: [], orderBase: 0,
      order: [], msgs: [], needState: [], provider: this.me,
    };
    this.install(value);
  }

  // ---------------------------------------------------------------- data path

  /** After every input: deliveries, sends, reports, view-change progress, memory. */
  private pump(): void {
    if (this.status !== 'member') return;
    this.maybeLead();
    if (this.status !== 'member') return;
    const log = this.log!;
    if (!this.frozen && !this.awaitingState) {
      this.drainQueue();
      log.deliverReady((m) => this.deliver(m));
    }
    const announce = this.isSequencer() ? log.takeAnnouncements() : undefined;
    if (announce !== undefined) {
      const [q, l] = announce;
      this.broadcast({ t: 'o', g: this.name, v: log.viewId, f: this.me, q, l });
      if (!this.frozen && !this.awaitingState) log.deliverReady((m) => this.deliver(m));
    }
    this.reportStability();
    this.settleOwn();
    log.collect();
  }

  private drainQueue(): void {
    const config = this.host.config;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      const full = this.unstableOwn.length >= config.windowMessages ||
        (this.unstableOwn.length > 0 && this.unstableBytes + next.bytes > config.windowBytes);
      if (full) return;
      this.queue.shift();
      this.multicast(next);
    }
  }

  private multicast(item: QueuedSend): void {
    const log = this.log!;
    const view = this.installed!;
    const seq = ++this.mySeq;
    if (item.order === 1) this.myCausal += 1;
    const msg: DataMsg = { t: 'd', g: this.name, v: view.id, f: this.me, n: seq, o: item.order, cc: this.myCausal, p: item.data };
    if (item.safe) msg.sf = 1;
    if (item.request) msg.k = 1;
    if (item.order === 1) {
      const vt = log.causalDelivered();
      vt[log.myRank] = this.myCausal;
      msg.vt = vt;
    }
    log.add(msg, log.myRank, item.bytes);
    if (item.order === 2 && this.isSequencer()) log.sequence(log.myRank, seq);
    this.broadcast(msg);
    this.unstableOwn.push({ seq, ticket: item.ticket, safe: item.safe, bytes: item.bytes });
    this.unstableBytes += item.bytes;
    if (!item.safe) this.host.emit({ type: 'sent', ticket: item.ticket });
  }

  private broadcast(msg: GroupMsg): void {
    for (const m of this.installed!.members) if (m !== this.me) this.host.send(m, msg);
  }

  private deliver(msg: DataMsg): void {
    const message: Message = { sender: msg.f, data: msg.p, viewId: msg.v, order: ORDERS[msg.o]! };
    this.host.emit({ type: 'message', message, request: msg.k === 1 });
  }

  private reportStability(): void {
    const log = this.log!;
    const holds = log.holds();
    log.report(log.myRank, holds, log.nextPosition);
    const now = this.host.now();
    const summary = `${holds.join(',')}/${log.nextPosition}`;
    if (summary === this.reportedHolds || now - this.lastStableReportMs < this.host.config.stabilityIntervalMs) return;
    this.reportedHolds = summary;
    this.lastStableReportMs = now;
    this.broadcast({ t: 'k', g: this.name, v: log.viewId, f: this.me, h: holds, hc: log.causalCounts(), dp: log.nextPosition });
  }

  /** Resolves safe sends and flushes whose messages became stable. */
  private settleOwn(): void {
    const stable = this.log!.stable(this.log!.myRank);
    while (this.unstableOwn.length > 0 && this.unstableOwn[0]!.seq <= stable) this.stabilise(this.unstableOwn.shift()!);
    this.announceStable();
  }

  private stabilise(own: OwnUnstable): void {
    this.unstableBytes -= own.bytes;
    if (own.safe) this.host.emit({ type: 'sent', ticket: own.ticket });
  }

  private announceStable(): void {
    const through = (this.unstableOwn[0]?.ticket ?? this.queue[0]?.ticket ?? this.lastTicket + 1) - 1;
    if (through > this.stableThrough) {
      this.stableThrough = through;
      this.host.emit({ type: 'stable', ticket: through });
    }
  }

  // ---------------------------------------------------------------- view change: members

  private onFlush(from: string, ballot: Ballot): void {
    this.highestRound = Math.max(this.highestRound, ballot[0]);
    if (compareBallots(ballot, this.promised) < 0) {
      this.host.send(from, { t: 'N', g: this.name, v: this.installed!.id, f: this.me, b: ballot, pb: this.promised });
      return;
    }
    this.promised = ballot;
    this.frozen = true;
    if (this.leader && compareBallots(this.leader.ballot, ballot) < 0) this.leader = undefined;
    const report: FlushOkMsg = { t: 'F', g: this.name, v: this.installed!.id, f: this.me, b: ballot, ...this.log!.flushReport() };
    if (this.accepted !== undefined) report.ac = this.accepted;
    if (this.awaitingState) report.nl = 1;
    if (from === this.me) this.leader?.reports.set(this.me, report);
    else this.host.send(from, report);
  }

  private onPropose(from: string, ballot: Ballot, value: ViewValue): void {
    this.highestRound = Math.max(this.highestRound, ballot[0]);
    if (compareBallots(ballot, this.promised) < 0 || value.id !== this.installed!.id + 1) {
      this.host.send(from, { t: 'N', g: this.name, v: this.installed!.id, f: this.me, b: ballot, pb: this.promised });
      return;
    }
    this.promised = ballot;
    this.accepted = [ballot, value];
    this.frozen = true;
    if (from === this.me) this.leader?.accepts.add(this.me);
    else this.host.send(from, { t: 'a', g: this.name, v: this.installed!.id, f: this.me, b: ballot });
  }

  private onNack(ballot: Ballot, promised: Ballot): void {
    this.highestRound = Math.max(this.highestRound, promised[0]);
    if (this.leader === undefined || compareBallots(ballot, this.leader.ballot) !== 0) return;
    this.leader = undefined; // retry with a higher ballot; give a more senior coordinator room first
    if (promised[1] < this.installed!.members.indexOf(this.me)) {
      this.quietUntilMs = this.host.now() + this.host.config.viewChangeRetryMs;
    }
  }

  /**
   * A member of an earlier view asks something of it (a round, a probe, a nudge): tell it how
   * that view ended. One view behind, it gets the value that ended it; further behind and not
   * in this view, it learns that the group went on without it.
   */
  private onStale(msg: GroupMsg): void {
    const asks = msg.t === 'f' || msg.t === 'p' || msg.t === 'c' || msg.t === 'L' || msg.t === 'w';
    if (!asks || !('v' in msg)) return;
    const view = this.installed!;
    if (msg.v + 1 === view.id && this.lastValue !== undefined) this.sendInstall(msg.f, this.lastValue);
    else if (!view.members.includes(msg.f)) this.host.send(msg.f, { t: 'E', g: this.name, f: this.me, v: view.id, to: msg.f });
  }

  /** A member of view `v` says this member is not in it: the group went on without it. */
  private onEnded(v: number): void {
    if (this.status === 'member' && this.installed !== undefined && v > this.installed.id) {
      this.goMinority('excluded from the group', v);
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
    if (this.status === 'member' && this.installed!.id === v && this.installed!.members.includes(from)) {
      this.install(value);
      this.pump();
    }
  }

  // ---------------------------------------------------------------- view change: coordinator

  private maybeLead(): void {
    const view = this.installed!;
    const now = this.host.now();
    const voters = new Set(view.members.filter((m) => !this.suspects.has(m)));
    const quorum = isQuorum(view.members, voters);
    if (!quorum) this.block();
    const coordinator = view.members.find((m) => voters.has(m));
    if (this.blocked) this.probe(now, quorum ? coordinator : undefined);
    if (!quorum || coordinator !== this.me || now < this.quietUntilMs) return;
    if (this.leader === undefined) {
      const reason = this.blocked || this.wanted.size > 0 || this.pendingJoins.size > 0 ||
        view.members.some((m) => this.suspects.has(m) || this.leaveRequests.has(m));
      if (!reason) return;
      const myRank = view.members.indexOf(this.me);
      this.leader = new LeaderRound(view.id, [Math.max(this.highestRound, this.promised[0]) + 1, myRank]);
      this.highestRound = this.leader.ballot[0];
    }
    this.lead(now);
  }

  private lead(now: number): void {
    const round = this.leader!;
    const view = this.installed!;
    const retryMs = this.host.config.viewChangeRetryMs;
    const waitFor = view.members.filter((m) => !this.suspects.has(m));
    if (round.phase === 'flush') {
      for (const m of view.members) {
        if (round.reports.has(m) || now - (round.askedAt.get(m) ?? -Infinity) < retryMs) continue;
        round.asked(m, now);
        if (m === this.me) this.onFlush(this.me, round.ballot);
        else this.host.send(m, { t: 'f', g: this.name, v: view.id, f: this.me, b: round.ballot });
      }
      this.suspectSilent(round, now, waitFor);
      if (this.leader !== round || !waitFor.every((m) => round.reports.has(m) || this.suspects.has(m))) return;
      const voters = new Set(round.reports.keys());
      if (!isQuorum(view.members, voters)) return; // maybeLead declares the minority
      round.value = round.acceptedValue() ?? computeValue({
        viewId: view.id, members: view.members, reports: round.reports, ownMessages: this.log!.messages(),
        joiners: [...this.pendingJoins.keys()], leavers: this.leaveRequests,
      });
      round.enterPhase('propose');
    }
    const value = round.value!;
    const proposeTo = new Set([...round.reports.keys(), ...value.members.filter((m) => view.members.includes(m))]);
    for (const m of proposeTo) {
      if (round.accepts.has(m) || this.suspects.has(m) || now - (round.askedAt.get(m) ?? -Infinity) < retryMs) continue;
      round.asked(m, now);
      if (m === this.me) this.onPropose(this.me, round.ballot, value);
      else this.host.send(m, { t: 'p', g: this.name, v: view.id, f: this.me, b: round.ballot, val: value });
    }
    if (this.leader !== round) return;
    this.suspectSilent(round, now, [...proposeTo].filter((m) => !this.suspects.has(m)));
    if (!isQuorum(view.members, round.accepts)) return;
    for (const m of new Set([...view.members, ...value.members])) {
      if (m === this.me) continue;
      if (round.accepts.has(m)) this.host.send(m, { t: 'c', g: this.name, v: view.id, f: this.me, b: round.ballot });
      else this.sendInstall(m, value);
    }
    this.install(value);
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
    this.rejectQueue(new NotPrimaryError('not primary: a majority of the view is unreachable'));
    if (!this.awaitingState) this.showBlocked(); // else once its state and first view are shown
  }

  private showBlocked(): void {
    const view = this.installed!;
    const reachable = view.members.filter((m) => !this.suspects.has(m));
    this.show({ id: view.id + 1, members: reachable, primary: false, joined: [], left: view.members.filter((m) => this.suspects.has(m)) });
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
    if (coordinator !== undefined && coordinator !== this.me) this.host.send(coordinator, { t: 'w', g: this.name, v: view.id, f: this.me });
    const lag: GroupMsg = { t: 'L', g: this.name, v: view.id, f: this.me };
    const inReach = new Set<string>();
    for (const m of view.members) {
      if (!this.suspects.has(m)) inReach.add(processOf(m) ?? m);
      else this.host.send(m, lag);
    }
    const asked = new Set(view.members.map((m) => processOf(m) ?? m));
    for (const p of this.host.peers()) if (!asked.has(p) && !inReach.has(p)) this.host.send(p, lag);
  }

  /** A member that does not answer the coordinator within the failure timeout is suspected. */
  private suspectSilent(round: LeaderRound, now: number, waitFor: readonly string[]): void {
    for (const m of waitFor) {
      const since = round.firstAskedAt.get(m);
      const answered = round.phase === 'flush' ? round.reports.has(m) : round.accepts.has(m);
      if (!answered && since !== undefined && now - since > this.settings.failureTimeoutMs) this.suspects.add(m);
    }
  }

  // ---------------------------------------------------------------- installing a view

  private install(value: ViewValue): void {
    const wasMember = this.status === 'member' && this.log !== undefined;
    // A member with its state delivers the cut and is then exactly at it: it needs no transfer,
    // even if it reported none in the flush (its state arrived after it answered).
    const hasState = wasMember && !this.awaitingState;
    if (hasState) {
      const bug = this.log!.deliverCut(value, (m) => this.deliver(m));
      if (bug !== undefined) this.report(new Error(`protocol invariant broken: ${bug}`));
    }
    if (!value.members.includes(this.me)) {
      if (this.leaving) this.finishLeave();
      else this.goMinority('excluded from the group', value.id);
      return;
    }
    // The checkpoint is taken exactly at the cut: after the old view's last delivery, before the new view.
    const checkpoint = value.provider === this.me && value.needState.length > 0 ? this.takeCheckpoint() : undefined;
    const ownDone = this.unstableOwn;
    this.resetViewState();
    for (const own of ownDone) this.stabilise(own); // delivered by every survivor in the cut
    this.status = 'member';
    this.rejoining = false;
    this.lastValue = value;
    const view: View = { id: value.id, members: value.members, primary: true, joined: value.joined, left: value.left };
    this.installed = view;
    this.log = new ViewLog(value.id, value.members, value.members.indexOf(this.me));
    for (const m of [...this.suspects]) if (!value.members.includes(m) || !this.departed.has(m)) this.suspects.delete(m);
    for (const j of this.pendingJoins.keys()) if (value.members.includes(j)) this.pendingJoins.delete(j);
    for (const l of [...this.leaveRequests]) if (!value.members.includes(l)) this.leaveRequests.delete(l);
    if (checkpoint !== undefined) this.provideState(value, checkpoint);
    if (value.needState.includes(this.me) && value.provider !== this.me && !hasState) {
      this.awaitingState = true;
      this.stateWanted = undefined;
    } else {
      this.show(view);
    }
    const future = this.future;
    this.future = [];
    for (const msg of future) if ('v' in msg && msg.v === value.id) this.onViewMessage(msg);
    else if ('v' in msg && msg.v > value.id) this.future.push(msg);
  }

  private resetViewState(): void {
    this.log = undefined;
    this.mySeq = 0;
    this.myCausal = 0;
    this.unstableOwn = [];
    this.unstableBytes = 0;
    this.promised = ZERO_BALLOT;
    this.accepted = undefined;
    this.frozen = false;
    this.blocked = false;
    this.wanted.clear();
    this.leader = undefined;
    this.awaitingState = false;
    this.stateWanted = undefined;
    this.reportedHolds = '';
    this.lastStableReportMs = -Infinity;
  }

  private takeCheckpoint(): Uint8Array[] {
    try {
      return chunkState(this.host.getState(), this.host.config.stateChunkBytes);
    } catch (error) {
      this.report(new Error(`getState failed: ${(error as Error).message}`));
      return chunkState(null, this.host.config.stateChunkBytes);
    }
  }

  private provideState(value: ViewValue, chunks: Uint8Array[]): void {
    for (const to of value.needState) {
      if (to === this.me) continue;
      chunks.forEach((d, i) => this.host.send(to, { t: 's', g: this.name, v: value.id, f: this.me, to, i, c: chunks.length, d }));
    }
  }

  private onState(to: string, index: number, count: number, data: Uint8Array): void {
    if (to !== this.me || !this.awaitingState) return;
    this.stateWanted ??= new StateAssembly(this.installed!.id, count);
    if (this.stateWanted.count !== count) return;
    this.stateWanted.add(index, data);
    if (!this.stateWanted.complete) return;
    const state = this.stateWanted.value();
    this.stateWanted = undefined;
    this.awaitingState = false;
    if (state instanceof Error) this.report(state);
    else {
      try {
        this.host.setState(state);
      } catch (error) {
        this.report(new Error(`setState failed: ${(error as Error).message}`));
      }
    }
    this.show(this.installed!);
    if (this.blocked) this.showBlocked();
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
    this.suspects.clear();
    this.departed.clear();
    this.pendingJoins.clear();
    this.leaveRequests.clear();
    const error = new NotPrimaryError(`not primary: ${reason}`);
    this.rejectQueue(error);
    this.rejectUnstable(error);
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

  private rejectQueue(error: Error): void {
    if (this.queue.length === 0) return;
    const tickets = this.queue.map((q) => q.ticket);
    this.queue.length = 0;
    this.host.emit({ type: 'rejected', tickets, error });
  }

  private rejectUnstable(error: Error): void {
    if (this.unstableOwn.length === 0) return;
    const tickets = this.unstableOwn.map((o) => o.ticket);
    this.unstableOwn = [];
    this.unstableBytes = 0;
    this.host.emit({ type: 'rejected', tickets, error });
  }

  private report(error: Error): void {
    this.host.emit({ type: 'error', error });
  }

  /** Messages and bytes held for the current view (the memory tests watch these). */
  retained(): { messages: number; bytes: number; queued: number; future: number } {
    return {
      messages: this.log?.retained ?? 0,
      bytes: this.log?.retainedBytes ?? 0,
      queued: this.queue.length,
      future: this.future.length,
    };
  }
}
