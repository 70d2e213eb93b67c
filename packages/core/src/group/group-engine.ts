/**
 * One member's view-synchronous group engine: the state machine of DESIGN.md, sans-IO.
 * Inputs: `receive` (a validated message from a peer), `tick` (time passed), and the
 * application's calls. Outputs go through the host: messages to peers and events.
 *
 * The life of a member is one value of `Phase`, each with only its own data:
 *
 *   idle ──join──→ joining ──a view takes it in──→ member ──its leave is installed──→ left
 *                   │  ↑                            │  │
 *              leave│  └──rejoin── minority ←───────┘  │ excluded (the group went on without it)
 *                   ↓                                   │ leave while cut off: waits for the fate of its sends
 *               withdrawing ──no view took it in──→ left ←┘
 *
 * Inside `member`, a view change may be under way (view-change.ts: frozen, or blocked when cut
 * off from a majority), the state may not have arrived yet, and the member may be leaving. The
 * parts: the multicast of one view (view-stream.ts), this member's own sends (own-stream.ts),
 * deciding the next view (view-change.ts, membership/), joining (join-rounds.ts), state transfer
 * (state-transfer.ts) and the fates of excluded members' sends (fates.ts). This file holds the
 * life cycle and the installation of views that ties them together.
 */
import type { Order, View } from '../api.js';
import { AccessDeniedError, GroupClosedError, NotPrimaryError, OverloadError, ProtocolError, StateTransferError } from '../errors.js';
import { incarnationOf, memberId, processOf } from '../ids.js';
import { isQuorum } from '../membership/quorum.js';
import { Suspicion } from '../membership/suspicion.js';
import type { GroupMsg, HelloMsg, JoinStatus, OrderCode, ViewValue } from '../wire/messages.js';
import { FateTable } from './fates.js';
import type { GroupHost } from './group-host.js';
import { JoinRounds, type Restart, type StoredRank } from './join-rounds.js';
import { OwnStream, type SendTag } from './own-stream.js';
import { StateTransfer, type Received } from './state-transfer.js';
import { estimateBytes } from '../wire/size.js';
import { ViewChange } from './view-change.js';
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

/**
 * A member waiting for the state gives up its join once every member that held it has been
 * suspected and silent this many failure timeouts: a view change needs one with the state, so none
 * can be decided without them (see stateHoldersGone).
 */
const STATE_HOLDERS_GONE_TIMEOUTS = 10;

/** A join that only members of a blocked view answer, this many failure timeouts long, fails with NotPrimaryError. */
const BLOCKED_GROUP_TIMEOUTS = 10;

/** A leave that no view change completes within this many failure timeouts is abandoned (as group-handle.ts bounds leave()). */
export const LEAVE_TIMEOUTS = 5;

interface MemberPhase {
  kind: 'member';
  view: View;
  /** The value that installed `view`: laggards and joiners that missed it get it again. */
  value: ViewValue;
  stream: ViewStream;
  change: ViewChange;
  /** The application asked to leave: each view change is asked to exclude this member. */
  leaving: boolean;
  /**
   * When members that said they are gone (DEPARTED) left too few others for a majority of the
   * view: no later view can be decided without them, so unless one was decided already (its
   * INSTALL arrives, or a departed member answers with it), the group dissolved (see `tick`).
   */
  quorumLostAtMs?: number;
  /** A leave of the engine's own (a failed join) that no view change completed by then is abandoned. */
  abandonAtMs?: number;
}

type Phase =
  | { kind: 'idle' }
  /** `restart`: a stored checkpoint to restart the group from, should this process found it. */
  | { kind: 'joining'; rounds: JoinRounds; rejoining: boolean; restart: Restart | undefined }
  /**
   * Left while joining (or while cut off): waits until every process of the group it may have
   * asked says no view or accepted value of theirs holds it (`waiting`), and until the fates of
   * its sends are known. A view that took it in meanwhile is installed, and then left.
   */
  | { kind: 'withdrawing'; waiting: Set<string>; lastAskMs: number }
  | MemberPhase
  /** Excluded: the group went on without this member. It rejoins as a new member at `rejoinAtMs`. */
  | { kind: 'minority'; rejoinAtMs: number | undefined }
  | { kind: 'left' };

const ORDERS: readonly Order[] = ['fifo', 'causal', 'total'];
/**
 * Failure timeouts a member whose group dissolved (it yielded to another group, or a majority of
 * its view said it is gone) waits to be taken in before it may found the group again (`dissolved`).
 */
const DISSOLVED_TIMEOUTS = 3;
/** Messages a member may receive before it installs their view: they wait for it. */
const BUFFERED = new Set(['d', 'k', 'o', 's', 'z', 'l', 'w']);

/**
 * A checkpoint's chunks (or the news that there is none) from the provider that the view's value
 * names while leaving it: a leaver provides on its way out when no survivor has the state
 * (compute-value.ts), so these are the one thing a non-member may send in the view.
 */
function fromLeavingProvider(msg: GroupMsg, value: ViewValue): boolean {
  return (msg.t === 's' || msg.t === 'z') && msg.f === value.provider && !value.members.includes(msg.f);
}

export class GroupEngine {
  me: string;
  private current: Phase = { kind: 'idle' };

  /** The phase of the member's life; every change of it (a view installed too) is told to the process. */
  private get phase(): Phase {
    return this.current;
  }

  private set phase(next: Phase) {
    this.current = next;
    this.host.changed?.();
    this.host.wake?.();
  }

  /** Discovery named processes outside the view: greet them (two groups founded apart meet). */
  private greetDue = true;
  private incarnation = 0;
  /** The view the application saw last: the installed one, or a notice that it is cut off. */
  private shown: View | undefined;
  private readonly own: OwnStream;
  private readonly state: StateTransfer;
  private readonly suspicion = new Suspicion();
  private readonly fates = new FateTable();
  /** Processes asking to join (member id → when they last asked). */
  private readonly pendingJoins = new Map<string, number>();
  private readonly leaveRequests = new Set<string>();
  /** When a member of an earlier view was last told how its view ended. */
  private readonly answeredStale = new Map<string, number>();
  /** Joiners left out of a change because not every member hears them, and until when that holds. */
  private readonly heldJoiners = new Map<string, { untilMs: number; times: number }>();
  /** When a process that spoke to this left member was last told it is gone. */
  private readonly toldGone = new Map<string, number>();
  /**
   * The value that ended this process's last membership, and the member it was: members of that
   * view that missed the decision (its coordinator failed or was cut off) ask around, and this
   * process answers them with it even after it left or while it rejoins.
   */
  private ending: { member: string; value: ViewValue } | undefined;
  private lastEndingAnswerMs = -Infinity;
  private future: GroupMsg[] = [];
  private lastFateQueryMs = -Infinity;
  private lastHelloMs = -Infinity;
  /**
   * This member's group dissolved: it yielded to another group of the same name (onHello; `greeter`
   * is the process whose greeting it believed), or a majority of its view said it is gone. Until
   * `untilMs` it rejoins as usual; a rejoin that no view took in by then founds the group again
   * without waiting for the greeter or for processes that never answered (joinRound). A greeting
   * from a group that does not exist (forged by a process of the room), or that cannot take it in,
   * must not keep the group from coming back.
   */
  private dissolved: { greeter: string | undefined; untilMs: number } | undefined;
  /** Inside a batch of inbound messages: act on them once, at its end. */
  private batching = false;
  /** Sends were multicast since the last pump, which the next flush runs (`multicastNow`). */
  private pumpOwed = false;

  constructor(
    readonly name: string,
    private readonly host: GroupHost,
    readonly settings: GroupSettings,
  ) {
    this.me = memberId(host.processId, 0);
    this.own = new OwnStream(host.config, (event) => host.emit(event));
    this.state = new StateTransfer(name, host);
  }

  get status(): GroupStatus {
    const kind = this.phase.kind;
    return kind === 'withdrawing' ? 'joining' : kind;
  }

  /** The view the application saw last (see `shown`). */
  get view(): View | undefined {
    return this.shown;
  }

  /** The highest ticket of a send so far: `flush` waits until everything up to it is settled. */
  get lastTicket(): number {
    return this.own.lastTicket;
  }

  /**
   * Which founding of the group this member's views belong to (its founder's member id): two groups
   * founded apart under one name have different identities until one dissolves into the other.
   */
  get identity(): string | undefined {
    return this.phase.kind === 'member' ? this.phase.value.gid : this.ending?.value.gid;
  }

  /** Whether a leave is under way (the application's, or a failed join's). */
  get leaving(): boolean {
    return this.phase.kind === 'withdrawing' || (this.phase.kind === 'member' && this.phase.leaving);
  }

  // ---------------------------------------------------------------- application calls

  /**
   * Starts joining (again): a new member id each time. With `restart` (a stored checkpoint), this
   * process restarts the group from it if it is the one to found it (join-rounds.ts).
   */
  join(rejoining = false, restart?: Restart): void {
    this.host.wake?.();
    const kind = this.phase.kind;
    if (kind === 'joining' || kind === 'member' || kind === 'withdrawing') return;
    this.incarnation += 1;
    this.me = memberId(this.host.processId, this.incarnation);
    this.phase = { kind: 'joining', rounds: new JoinRounds(), rejoining, restart };
    this.future = [];
    this.state.reset();
    this.own.resetView();
    this.joinRound();
  }

  /**
   * Queues or multicasts one message. `ticket` names it in later events; the caller numbers
   * its sends in increasing order (so it can register the ticket before any event names it).
   */
  send(ticket: number, data: unknown, order: Order, safe: boolean, tag: SendTag = {}, bytes = estimateBytes(data)): void {
    this.host.wake?.();
    const refusal = this.sendRefusal();
    if (refusal !== undefined) {
      this.own.noteTicket(ticket);
      this.host.emit({ type: 'rejected', tickets: [ticket], error: refusal });
      this.own.recheck();
      return;
    }
    const item = { ticket, order: ORDERS.indexOf(order) as OrderCode, safe, tag, data, bytes };
    if (!this.own.enqueue(item)) {
      this.host.emit({ type: 'rejected', tickets: [ticket], error: new OverloadError('too many queued sends') });
      return;
    }
    this.multicastNow();
  }

  /**
   * A send goes out at once, as far as the window allows; the rest of a pump waits for the flush
   * that ends this turn of the event loop (`pumpIfOwed`), so a burst of sends costs one pump, not
   * one per send (a pump runs the view change's step, deliveries and reports: most of a send's
   * cost). Nothing else changed since the last pump but the queue, so nothing else is owed sooner.
   */
  private multicastNow(): void {
    if (this.batching) return; // endBatch pumps
    const phase = this.phase;
    if (phase.kind !== 'member' || !this.flowing(phase) || this.host.pumpLater === undefined) return this.pump();
    phase.stream.multicastQueued(phase.change.sequencing);
    if (!this.pumpOwed) {
      this.pumpOwed = true;
      this.host.pumpLater();
    }
  }

  /** Runs the pump that sends put off (`multicastNow`). */
  pumpIfOwed(): void {
    if (this.pumpOwed) this.pump();
  }

  private sendRefusal(): Error | undefined {
    const phase = this.phase;
    switch (phase.kind) {
      case 'left': case 'withdrawing': return new GroupClosedError('the group was left');
      case 'idle': return new GroupClosedError('the group was not joined');
      case 'minority': return new NotPrimaryError('not primary: this member was excluded from the group');
      case 'joining': return phase.rejoining ? new NotPrimaryError('not primary: rejoining the group') : undefined;
      case 'member':
        if (phase.leaving) return new GroupClosedError('the group is being left');
        return phase.change.blocked ? new NotPrimaryError('not primary: a majority of the view is unreachable') : undefined;
    }
  }

  /** Sends a point-to-point payload to a member (request replies). */
  direct(to: string, payload: unknown): void {
    if (this.phase.kind !== 'member') return;
    if (to === this.me) this.host.emit({ type: 'direct', from: this.me, payload });
    else this.host.send(to, { t: 'r', g: this.name, f: this.me, to, p: payload });
  }

  /** Asks to leave; the 'left' event follows once no view can hold this member any more. */
  leave(): void {
    this.host.wake?.();
    const phase = this.phase;
    const closed = new GroupClosedError('the group was left');
    switch (phase.kind) {
      case 'left': case 'withdrawing': return;
      case 'idle': return this.finishLeave();
      case 'minority': // no JOIN of its next life went out: only the fates of its sends are awaited
        this.own.rejectQueued(closed);
        this.phase = { kind: 'withdrawing', waiting: new Set(), lastAskMs: this.host.now() };
        return this.pump();
      case 'joining': // a view may be taking it in: withdraw, and wait until none can
        this.own.rejectQueued(closed);
        this.phase = { kind: 'withdrawing', waiting: new Set(this.host.peers()), lastAskMs: -Infinity };
        return this.pump();
      case 'member':
        phase.leaving = true;
        this.own.rejectQueued(closed);
        if (phase.view.members.length === 1) return this.finishLeave();
        this.requestLeave(phase);
        return this.pump();
    }
  }

  private requestLeave(phase: MemberPhase): void {
    this.leaveRequests.add(this.me);
    for (const m of phase.view.members) if (m !== this.me) this.host.send(m, { t: 'l', g: this.name, v: phase.view.id, f: this.me });
  }

  /**
   * A leave that timed out (a partition outlasts it): stops waiting for a view change or for
   * answers, and leaves as soon as the fate of its own safe sends is known. A send the group may have
   * delivered (it went out in a view this member did not see end) is neither resolved nor rejected
   * on a guess: a member of the group's next view tells which, when one can be reached.
   */
  abandon(): void {
    this.host.wake?.();
    const phase = this.phase;
    if (phase.kind === 'left') return;
    this.tellDeparted();
    if (phase.kind === 'member') {
      this.own.orphan(this.me, phase.view.id);
      this.forgetMembership();
    }
    this.own.rejectQueued(new GroupClosedError('the group was left'));
    this.phase = { kind: 'withdrawing', waiting: new Set(), lastAskMs: this.host.now() };
    this.queryFates(this.host.now(), undefined);
    this.pump();
  }

  private finishLeave(): void {
    const wasMember = this.phase.kind === 'member';
    this.phase = { kind: 'left' };
    this.dissolved = undefined;
    const closed = new GroupClosedError('the group was left');
    this.own.rejectQueued(closed);
    if (wasMember) this.own.orphan(this.me, 0); // abandoned in a view: nobody will tell their fate
    this.own.rejectOrphans(closed);
    this.forgetMembership();
    this.host.emit({ type: 'left' });
  }

  /**
   * Whether a tick would do nothing but watch its peers: a member of a settled view with nothing in
   * flight, or a group not joined. The process ticks such groups only now and then, or when one of
   * their peers falls silent, so that a thousand quiet groups cost next to nothing.
   */
  get quiet(): boolean {
    const phase = this.phase;
    if (phase.kind === 'left' || phase.kind === 'idle') return true;
    if (phase.kind !== 'member') return false;
    return !phase.leaving && phase.change.idle && phase.stream.quiet && this.own.quiet && !this.state.awaiting &&
      this.pendingJoins.size === 0 && this.leaveRequests.size === 0 && this.suspicion.empty && !this.greetDue;
  }

  /** Whether the view has a member of process `peer`. */
  watches(peer: string): boolean {
    return this.phase.kind === 'member' && this.phase.view.members.some((m) => m !== this.me && processOf(m) === peer);
  }

  /**
   * This member's entry in the process's view digest for `peer` (process-engine.ts): the view this
   * member is in, if it holds a member of that process.
   */
  digestFor(peer: string): [viewId: number, member: string] | undefined {
    return this.watches(peer) ? [(this.phase as MemberPhase).view.id, this.me] : undefined;
  }

  /**
   * A peer's digest says its member `member` is in view `viewId` of this group, behind this member's
   * view: tell it how its view ended, as if it had spoken in it (onStale).
   */
  peerAt(member: string, viewId: number): void {
    const phase = this.phase;
    if (phase.kind !== 'member' || viewId >= phase.view.id) return;
    this.onStale({ t: 'L', g: this.name, v: viewId, f: member }, phase.view);
  }

  /** Processes whose links this member needs kept alive (heartbeats). */
  neededProcesses(): string[] {
    if (this.phase.kind !== 'member') return [];
    const out: string[] = [];
    for (const m of this.phase.view.members) if (m !== this.me) out.push(processOf(m) ?? m);
    for (const j of this.pendingJoins.keys()) out.push(processOf(j) ?? j);
    return out;
  }

  /** Whether a checkpoint is being sent to a joiner (state-transfer.ts paces it). */
  get transferring(): boolean {
    return this.state.sending;
  }

  /** Sends the checkpoint taken at the cut of `value` to its joiners (state-transfer.ts). */
  private provide(value: ViewValue, checkpoint: Uint8Array[] | Error, paced: boolean): void {
    this.state.provide(value, this.me, checkpoint, paced);
    if (this.state.sending) this.host.transferStarted?.();
  }

  /** Sends more of the checkpoint being sent, as far as the links to the joiners have room. */
  continueTransfers(): void {
    if (this.phase.kind === 'member') this.state.sendMore(this.phase.view.id);
  }

  stats(): GroupStats {
    const stream = this.phase.kind === 'member' ? this.phase.stream : undefined;
    return {
      retainedMessages: stream?.log.retained ?? 0,
      retainedBytes: stream?.log.retainedBytes ?? 0,
      queuedSends: this.own.queued,
      futureMessages: this.future.length,
    };
  }

  // ---------------------------------------------------------------- time

  tick(): void {
    const now = this.host.now();
    const phase = this.phase;
    switch (phase.kind) {
      case 'joining':
        if (phase.rounds.due(now, this.host.config.joinRetryMs)) this.joinRound();
        return;
      case 'withdrawing':
      case 'minority':
        this.queryFates(now, undefined);
        if (phase.kind === 'minority' && phase.rejoinAtMs !== undefined && now >= phase.rejoinAtMs) this.join(true);
        if (phase.kind === 'withdrawing') this.pump();
        return;
      case 'member':
        if (phase.quorumLostAtMs !== undefined && now - phase.quorumLostAtMs >= this.settings.failureTimeoutMs) return this.dissolve(phase.quorumLostAtMs);
        if (this.stateHoldersGone(phase, now)) {
          this.failJoin(phase, new StateTransferError('no member could provide the state: every member that held it is gone'));
        }
        if (phase.abandonAtMs !== undefined && now >= phase.abandonAtMs) return this.abandon();
        for (const [j, at] of this.pendingJoins) if (now - at > 3 * this.settings.failureTimeoutMs) this.pendingJoins.delete(j);
        this.suspicion.check(phase.view.members, this.me, now, this.host, this.settings.failureTimeoutMs, phase.change.blocked);
        phase.change.checkRoundProgress(now);
        this.queryFates(now, undefined);
        this.greet(now, phase);
        return this.pump();
      default:
        return;
    }
  }

  // ---------------------------------------------------------------- inbound

  /** A validated message from process `from` (which owns `msg.f`). */
  receive(from: string, msg: GroupMsg): void {
    this.host.wake?.();
    switch (msg.t) {
      case 'j': return this.onJoin(from, msg.f);
      case 'J': return this.onStatus(from, msg.st, msg.rk, msg.bl === 1);
      case 'x': return this.onDeparted(from, msg.f);
      case 'E': if (msg.to === this.me) this.onEnded(msg.v, msg.f); return;
      case 'i': return this.onInstall(msg.v, msg.val, msg.f);
      case 'r': if (msg.to === this.me && this.phase.kind === 'member') this.host.emit({ type: 'direct', from: msg.f, payload: msg.p }); return;
      case 'Q': return this.onFateQuery(msg.f, msg.v);
      case 'A': if (msg.u !== 1 && processOf(msg.to) === this.host.processId) this.settleFate(msg.to, msg.v, msg.c, msg.d); return;
      case 'h': return this.onHello(from, msg);
      default: break;
    }
    const phase = this.phase;
    if (phase.kind !== 'member' && this.answerWithEnding(msg)) return;
    if (phase.kind === 'left') return this.tellGone(from, msg);
    if (phase.kind === 'joining' || phase.kind === 'withdrawing') {
      if (BUFFERED.has(msg.t)) this.buffer(msg);
      return;
    }
    if (phase.kind !== 'member' || !('v' in msg)) return;
    const view = phase.view;
    if (msg.v > view.id) return this.onAhead(msg, view);
    if (msg.v < view.id) return this.onStale(msg, view);
    if (!view.members.includes(msg.f) && !fromLeavingProvider(msg, phase.value)) {
      if (msg.t !== 'l') this.report(new ProtocolError(`${msg.t} from ${msg.f}, not a member of view ${msg.v}`, from));
      return;
    }
    this.onViewMessage(phase, msg);
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
    this.host.wake?.();
    this.greetDue = true;
    if (this.phase.kind !== 'joining') return;
    if (!this.phase.rounds.discovered && this.host.discovered()) this.joinRound();
    else this.askToJoin(this.host.peers());
  }

  /**
   * Discovery refused the group and forgot it (Transport.onRefused): a joiner would wait for an
   * answer that never comes. Its join fails with `error`, and it is back to idle, as after a join
   * the members refused; a later join() asks discovery again. A member (discovery refused it
   * again on a reconnection) goes on with the processes it knows; the transport reported the
   * refusal already. A withdrawing joiner finishes its leave: nobody is left to ask.
   */
  refused(error: Error): void {
    this.host.wake?.();
    const phase = this.phase;
    if (phase.kind === 'withdrawing') return this.pump();
    if (phase.kind !== 'joining') return;
    this.phase = { kind: 'idle' };
    this.own.rejectQueued(error);
    this.host.emit({ type: 'join-failed', error });
  }

  /** A message of the installed view, from one of its members. */
  private onViewMessage(phase: MemberPhase, msg: GroupMsg): void {
    const { stream, change } = phase;
    switch (msg.t) {
      case 'd': { const error = stream.onData(msg, change.sequencing); if (error) this.report(error); return; }
      case 'k':
        change.heard(msg.f, msg.jn ?? []);
        return stream.onStable(msg);
      case 'o': return stream.onOrder(msg);
      case 'l': this.leaveRequests.add(msg.f); return;
      case 'w': return change.wants(msg.f, msg.s ?? []);
      case 'f': return change.onFlush(msg.f, msg.b);
      case 'F': return change.onReport(msg);
      case 'N': return change.onNack(msg.f, msg.b, msg.pb);
      case 'p': return change.onPropose(msg.f, msg.b, msg.val);
      case 'a': return change.onAccepted(msg.f, msg.b);
      case 'c': return change.onCommit(msg.b);
      case 'L': return change.wants(msg.f, []); // a member of this view is blocked: it needs a change
      case 's': {
        const received = msg.to === this.me ? this.state.receive(msg.f, msg.v, msg.i, msg.c, msg.d) : undefined;
        if (received !== undefined) this.onCheckpoint(phase, received);
        return;
      }
      case 'z': // its provider's getState threw (reported there): the next view change names another
        if (msg.to === this.me) this.state.refused(msg.f);
        return;
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
   * (this member is about to install it); a round or a probe of a later view gets told where this
   * member is, so that it answers with how this member's view ended. Anything else means that this
   * member is behind (it missed a view, so it is excluded from the next and will hear so): that is
   * no peer's fault, and it is dropped without a report.
   */
  private onAhead(msg: GroupMsg & { v: number }, view: View): void {
    if (msg.v === view.id + 1 && BUFFERED.has(msg.t)) this.buffer(msg);
    else if (msg.t === 'f' || msg.t === 'p' || msg.t === 'w' || msg.t === 'L') this.host.send(msg.f, { t: 'L', g: this.name, v: view.id, f: this.me });
  }

  /**
   * A member of an earlier view still speaks in it (a round, a probe, a nudge, traffic, its
   * periodic stability report): tell it how that view ended, at most once per retry interval.
   * One view behind, it gets the value that ended it; further behind and not in this view, it
   * learns that the group went on without it. This is how a member excluded without noticing
   * (it never lost sight of the others: they share another group) finds out.
   */
  private onStale(msg: GroupMsg & { v: number }, view: View): void {
    const phase = this.phase as MemberPhase;
    const now = this.host.now();
    if (now - (this.answeredStale.get(msg.f) ?? -Infinity) < this.host.config.viewChangeRetryMs) return;
    this.answeredStale.set(msg.f, now);
    if (msg.v + 1 === view.id) this.sendInstall(msg.f, phase.value);
    else if (!view.members.includes(msg.f)) this.host.send(msg.f, { t: 'E', g: this.name, f: this.me, v: view.id, to: msg.f });
    else this.suspicion.add(msg.f); // in this view, yet it never installed the one before: it cannot take part
  }

  /**
   * A member of view `v` says this member is not in it: the group went on without it. A joiner
   * hears it when a view took it in and then excluded it before it ever heard of that view: it
   * joins again under a new member id.
   */
  private onEnded(v: number, informer: string): void {
    if (this.phase.kind === 'member' && v > this.phase.view.id) this.goMinority(informer);
    else if (this.phase.kind === 'joining') {
      this.phase = { kind: 'idle' };
      this.join(true);
    }
  }

  /** A member of the view whose end this process knows is still in it: it gets the value (see `ending`). */
  private answerWithEnding(msg: GroupMsg): boolean {
    const ending = this.ending;
    if (ending === undefined || !('v' in msg) || msg.v !== ending.value.id - 1 || msg.f === ending.member) return false;
    if (msg.t !== 'L' && msg.t !== 'w' && msg.t !== 'f' && msg.t !== 'p' && msg.t !== 'k') return false;
    const now = this.host.now();
    if (now - this.lastEndingAnswerMs >= this.host.config.viewChangeRetryMs / 4) {
      this.lastEndingAnswerMs = now;
      this.host.send(msg.f, { t: 'i', g: this.name, v: msg.v, f: ending.member, val: ending.value });
    }
    return true;
  }

  /**
   * A left member still hears from its group (it was taken into a view as it left, or a member has
   * not noticed yet): it says it is gone, so that the group excludes it rather than wait on it.
   */
  private tellGone(from: string, msg: GroupMsg): void {
    if (msg.f === this.me || this.incarnation === 0) return;
    const now = this.host.now();
    if (now - (this.toldGone.get(from) ?? -Infinity) < this.host.config.viewChangeRetryMs) return;
    this.toldGone.set(from, now);
    this.host.send(msg.f, { t: 'x', g: this.name, f: this.me });
  }

  /** A JOIN (of a process that proved the group's secret, if it has one: auth/group-gate.ts). */
  private onJoin(from: string, joiner: string): void {
    const reply = (st: JoinStatus): void => {
      const blocked = st === 'member' && this.phase.kind === 'member' && this.phase.change.blocked;
      this.host.send(from, { t: 'J', g: this.name, f: this.me, st, ...(blocked ? { bl: 1 as const } : {}) });
    };
    if (processOf(joiner) !== from) return;
    const phase = this.phase;
    if (phase.kind === 'member') {
      if (phase.value.joined.includes(joiner) && phase.value.members.includes(this.me)) {
        // It is a member already but missed the INSTALL (its coordinator failed or was cut off
        // right after choosing the view): only it and its fellow joiners can now form a quorum.
        this.sendInstall(joiner, phase.value);
        return;
      }
      this.admit(phase, joiner, from);
      reply('member'); // a group exists: the joiner must not found another
      return;
    }
    if (phase.kind === 'joining') {
      const status: GroupMsg = { t: 'J', g: this.name, f: this.me, st: phase.rejoining ? 'minority' : 'joining' };
      if (phase.restart !== undefined) status.rk = [phase.restart.rank[0], phase.restart.rank[1]];
      this.host.send(from, status);
    }
    else if (phase.kind === 'minority') reply('minority');
    else reply('idle');
  }

  private onStatus(from: string, status: JoinStatus, rank: StoredRank | undefined, blocked: boolean): void {
    if (this.phase.kind === 'withdrawing') {
      if (status === 'clear') {
        this.phase.waiting.delete(from);
        this.pump();
      }
      return;
    }
    if (this.phase.kind !== 'joining') return;
    if (status !== 'refused' && status !== 'open') {
      this.phase.rounds.answered(from, status, rank, blocked);
      return;
    }
    this.phase = { kind: 'idle' };
    const error = status === 'refused'
      ? new AccessDeniedError('the members refused this process: it does not prove the group secret')
      : new AccessDeniedError('this process refused the group: its members hold no secret, and this process has one');
    this.own.rejectQueued(error);
    this.host.emit({ type: 'join-failed', error });
  }

  /**
   * Notes a join request. A process joins under a new member id each time (its incarnation
   * grows), so a request of an older incarnation than one already seen is stale: a frame that
   * crossed a long partition, from a member that has since been excluded. Admitting it would put
   * a ghost in the view. And a newer incarnation means the process gave up the older member.
   */
  private admit(phase: MemberPhase, joiner: string, process: string): void {
    if (this.fates.has(joiner)) {
      // It was taken into a view it never heard of, then excluded: it must come back as a new member.
      this.host.send(joiner, { t: 'E', g: this.name, f: this.me, v: phase.view.id, to: joiner });
      return;
    }
    const incarnation = incarnationOf(joiner);
    const members = phase.view.members;
    for (const m of [...members, ...this.pendingJoins.keys()]) {
      if (processOf(m) !== process || m === joiner) continue;
      if (incarnationOf(m) > incarnation) return; // stale
      if (this.pendingJoins.delete(m)) continue; // an older request of the same process
      this.suspicion.add(m); // an older member of the same process
    }
    if (!members.includes(joiner)) this.pendingJoins.set(joiner, this.host.now());
  }

  /**
   * A member (or joiner) says it is gone. A joiner that leaves as it joins waits for the answer:
   * 'holding' while it is in this member's view or accepted value (the group excludes it first).
   */
  private onDeparted(from: string, member: string): void {
    this.pendingJoins.delete(member);
    const phase = this.phase;
    const holds = phase.kind === 'member' && (phase.view.members.includes(member) || phase.change.accepted(member));
    if (phase.kind === 'member' && phase.view.members.includes(member)) {
      this.suspicion.depart(member);
      const staying = phase.view.members.filter((m) => !this.suspicion.departed(m));
      if (phase.quorumLostAtMs === undefined && !isQuorum(phase.view.members, new Set(staying))) phase.quorumLostAtMs = this.host.now();
      this.pump();
    }
    if (member !== this.me) this.host.send(from, { t: 'J', g: this.name, f: this.me, st: holds ? 'holding' : 'clear' });
  }

  // ---------------------------------------------------------------- joining

  private joinRound(): void {
    if (this.phase.kind !== 'joining') return;
    const { rounds, restart } = this.phase;
    const now = this.host.now();
    const peers = this.host.peers();
    if (!this.phase.rejoining && rounds.blockedForMs(now) >= BLOCKED_GROUP_TIMEOUTS * this.settings.failureTimeoutMs) {
      // Only members cut off from a majority of their view answer, and have for long: the join()
      // fails rather than wait for a majority that may never come back (a rejoin keeps trying).
      const error = new NotPrimaryError('not primary: the members of the group in reach are cut off from a majority of their view');
      this.host.emit({ type: 'join-failed', error });
      this.own.rejectQueued(new GroupClosedError('the join failed'));
      this.phase = { kind: 'withdrawing', waiting: new Set(peers), lastAskMs: -Infinity };
      return this.pump();
    }
    // Its group dissolved, and no view took it in in time: the group it yielded to does not exist,
    // or cannot take it in. The greeter, and processes that never answered a JOIN of this rejoin (a
    // silent process of the room), no longer keep the processes of the dissolved group from
    // founding it again, under the usual rule (the lowest founds, the others join it). A group
    // that lives on answers 'member' through its other members; one out of reach merges later.
    const dissolved = this.dissolved;
    const candidates = dissolved !== undefined && now >= dissolved.untilMs ? rounds.answering(peers).filter((p) => p !== dissolved.greeter) : peers;
    if (rounds.mayFound(now, candidates, this.host.processId, this.host.config.createAfterMs, restart?.rank)) {
      this.found(restart);
      return;
    }
    rounds.asked(now, this.host.discovered());
    this.askToJoin(peers);
  }

  private askToJoin(peers: readonly string[]): void {
    const join: GroupMsg = { t: 'j', g: this.name, f: this.me };
    for (const p of peers) this.host.send(p, join);
  }

  /**
   * Nobody holds the group: this process founds it, alone, in view 1; or, restarting it after a
   * total failure, from its stored checkpoint, in the view after the stored one (view ids go on
   * increasing, so a later checkpoint always ranks above an earlier one).
   */
  private found(restart: Restart | undefined): void {
    if (restart !== undefined) {
      try {
        this.host.setState(restart.state);
      } catch (error) {
        this.report(new StateTransferError('setState failed on the stored checkpoint; the group starts empty', error instanceof Error ? error : undefined));
      }
    }
    this.install({
      id: restart === undefined ? 1 : restart.rank[0] + 1, members: [this.me], joined: [this.me], left: [], cut: [], drops: [], orderBase: 0,
      order: [], msgs: [], needState: [], provider: this.me, gid: this.me, born: Math.floor(this.host.now()),
    });
  }

  // ---------------------------------------------------------------- data path

  /** After every input: view-change progress, then the view's traffic. */
  private pump(): void {
    this.pumpOwed = false;
    const phase = this.phase;
    if (phase.kind === 'withdrawing') return this.withdraw(phase);
    if (phase.kind !== 'member') return;
    phase.change.step();
    if (this.phase !== phase) return;
    phase.stream.pump(this.flowing(phase), phase.change.frozen, phase.change.sequencing);
  }

  /** Whether the view's traffic may flow: no view change holds it, and the state is in. */
  private flowing(phase: MemberPhase): boolean {
    return !phase.change.frozen && !this.state.awaiting;
  }

  /**
   * Leaving as it joins: asks the processes that may take it in to drop it (DEPARTED), again each
   * retry interval, until each answered 'clear' (or is gone from discovery: it crashed or left).
   */
  private withdraw(phase: Extract<Phase, { kind: 'withdrawing' }>): void {
    const now = this.host.now();
    const peers = new Set(this.host.peers());
    for (const p of phase.waiting) if (!peers.has(p)) phase.waiting.delete(p);
    // Only a safe send's promise waits for the fate of its message; if nobody can ever tell it (the
    // view dissolved, a majority of it gone at once), the others must not hold the leave for ever.
    if (phase.waiting.size === 0 && !this.own.awaitsFate) return this.finishLeave();
    if (now - phase.lastAskMs < this.host.config.viewChangeRetryMs) return;
    phase.lastAskMs = now;
    for (const p of phase.waiting) this.host.send(p, { t: 'x', g: this.name, f: this.me });
  }

  private sendInstall(to: string, value: ViewValue): void {
    this.host.send(to, { t: 'i', g: this.name, v: value.id - 1, f: this.me, val: value });
  }

  private onInstall(v: number, value: ViewValue, from: string): void {
    if (value.id !== v + 1) return;
    const phase = this.phase;
    switch (phase.kind) {
      case 'joining': case 'withdrawing':
        if (value.joined.includes(this.me)) this.install(value);
        return;
      case 'member':
        // From a member of this view or of the next one (a member that is behind asks the latter).
        if (phase.view.id === v && (phase.view.members.includes(from) || value.members.includes(from))) {
          this.install(value);
          this.pump();
        }
        return;
      case 'left':
        if (value.members.includes(this.me)) this.host.send(from, { t: 'x', g: this.name, f: this.me });
        return;
      default:
        return;
    }
  }

  // ---------------------------------------------------------------- installing a view

  private install(value: ViewValue, told: readonly string[] = []): void {
    const previous = this.phase.kind === 'member' ? this.phase : undefined;
    // A member with its state delivers the cut and is then exactly at it: it needs no transfer,
    // even if it reported none in the flush (its state arrived after it answered).
    const hasState = previous !== undefined && !this.state.awaiting;
    if (previous !== undefined) {
      if (hasState) {
        // A member the change excluded without hearing from it may lack some of the cut: it
        // delivers what it can (a prefix of the agreed order) and goes. A survivor lacks nothing.
        const bug = previous.stream.deliverCut(value);
        if (bug !== undefined && value.members.includes(this.me)) this.report(new Error(`protocol invariant broken: ${bug}`));
      }
      this.recordFates(previous.view, value);
    }
    // The checkpoint is taken exactly at the cut: after the old view's last delivery, before the new view.
    const provides = value.provider === this.me && value.needState.some((m) => m !== this.me);
    const checkpoint = provides ? this.takeCheckpoint() : undefined;
    if (!value.members.includes(this.me)) {
      if (checkpoint !== undefined) this.provide(value, checkpoint, false); // a leaver's last duty, at once
      if (previous === undefined) return;
      this.ending = { member: this.me, value };
      const rank = previous.view.members.indexOf(this.me);
      const leaving = previous.leaving;
      this.own.settleByCut(value.cut[rank] ?? 0, dropsOf(value, rank), leaving ? new GroupClosedError('the group was left') : new NotPrimaryError('not primary: excluded from the group'));
      // Tell the old view: whoever did not hear of the decision must not wait for this member to lead it.
      if (leaving) {
        this.tellDeparted();
        this.finishLeave();
      } else this.goMinority(undefined);
      return;
    }
    const leaving = previous?.leaving === true || this.phase.kind === 'withdrawing';
    this.own.endView(); // what it sent was delivered by every survivor in the cut
    this.dissolved = undefined; // taken in (by the group it yielded to, or by its own, founded again)
    const view: View = { id: value.id, members: value.members, primary: true, joined: value.joined, left: value.left };
    const stream = new ViewStream(this.name, view, this.me, this.host, this.own, () => [...this.pendingJoins.keys()]);
    const phase: MemberPhase = { kind: 'member', view, value, stream, change: this.newChange(view, value, stream), leaving };
    this.phase = phase;
    this.suspicion.installed(value.members);
    this.answeredStale.clear();
    // Those it told of the decision itself will hear it: their messages of the old view still in
    // flight (a late ACCEPT, a stability report) need no second INSTALL, unless they go on.
    for (const m of told) this.answeredStale.set(m, this.host.now());
    for (const j of this.pendingJoins.keys()) if (value.members.includes(j)) this.pendingJoins.delete(j);
    for (const j of [...this.heldJoiners.keys()]) if (value.members.includes(j) || !this.pendingJoins.has(j)) this.heldJoiners.delete(j);
    for (const l of [...this.leaveRequests]) if (!value.members.includes(l)) this.leaveRequests.delete(l);
    if (checkpoint !== undefined) this.provide(value, checkpoint, true);
    const needsState = value.needState.includes(this.me) && value.provider !== this.me && !hasState;
    if (!needsState) {
      this.state.done();
      this.show(view, missedBy(value));
    } else if (leaving) {
      this.state.await(''); // taken in as it left: it needs no state, delivers nothing, and goes
    } else if (value.provider === '') {
      this.state.await('');
      this.failJoin(phase, new StateTransferError('no member could provide the state: every provider failed'));
    } else this.state.await(value.provider);
    if (leaving) this.requestLeave(phase);
    const future = this.future;
    this.future = [];
    for (const msg of future) {
      if (!('v' in msg) || msg.v < value.id) continue;
      if (msg.v !== value.id || this.phase !== phase) this.future.push(msg);
      // As on arrival in a view: only its members speak in it. A message of a view with this id
      // from anyone else (a group of this name founded apart, or a forged one) is dropped.
      else if (value.members.includes(msg.f) || fromLeavingProvider(msg, value)) this.onViewMessage(phase, msg);
    }
  }

  private newChange(view: View, value: ViewValue, stream: ViewStream): ViewChange {
    return new ViewChange({
      group: this.name, me: this.me, view, value, stream,
      config: this.host.config, failureTimeoutMs: this.settings.failureTimeoutMs, suspicion: this.suspicion,
      pendingJoins: this.pendingJoins, leaveRequests: this.leaveRequests,
      now: () => this.host.now(),
      send: (member, msg) => this.host.send(member, msg),
      peers: () => this.host.peers(),
      stateless: () => this.state.awaiting,
      failedProviders: () => this.state.failed,
      needsProvider: () => this.state.awaiting && this.state.failed.includes(this.state.provider ?? ''),
      heldUntil: (joiner) => this.heldJoiners.get(joiner)?.untilMs,
      holdJoiner: (joiner) => {
        // The first time, a member had most likely not heard its request yet: retry soon. A joiner
        // left out again and again is out of some member's reach: back off up to 8 failure timeouts.
        const times = (this.heldJoiners.get(joiner)?.times ?? 0) + 1;
        const holdMs = times === 1 ? this.host.config.joinRetryMs : Math.min(8, 2 ** (times - 2)) * this.settings.failureTimeoutMs;
        this.heldJoiners.set(joiner, { untilMs: this.host.now() + holdMs, times });
      },
      install: (next, told) => this.install(next, told),
      blocked: () => {
        this.own.rejectQueued(new NotPrimaryError('not primary: a majority of the view is unreachable'));
        if (!this.state.awaiting) this.showBlocked(); // else once its state and first view are shown
      },
    });
  }

  /** The checkpoint at the cut: the application's state (with its objects') and the fates. */
  private takeCheckpoint(): Uint8Array[] | Error {
    const chunks = this.state.checkpoint(() => ({ s: this.host.getState(), f: this.fates.export() }));
    if (chunks instanceof Error) this.report(chunks);
    return chunks;
  }

  /** The joiner's checkpoint is in (or failed to decode): load it, or ask for another provider. */
  private onCheckpoint(phase: MemberPhase, received: Received): void {
    const provider = this.state.provider;
    if ('error' in received) { // the next view change names another provider
      this.state.refused(provider ?? '');
      this.report(new ProtocolError(`the checkpoint from ${provider} does not decode: ${received.error.message}`));
      return;
    }
    const { s, f } = (received.state ?? {}) as { s?: unknown; f?: unknown };
    this.fates.merge(f);
    try {
      this.host.setState(s ?? null);
    } catch (error) {
      const cause = error instanceof Error ? error : new Error(String(error));
      this.state.await(''); // no state: it delivers nothing while it leaves
      this.failJoin(phase, new StateTransferError(`setState failed: ${cause.message}`, cause));
      return;
    }
    this.state.done();
    this.show(phase.view, missedBy(phase.value));
    if (phase.change.blocked) this.showBlocked();
    // A rejoin's checkpoint tells how the views its earlier lives were excluded from ended.
    for (const [member, viewId] of this.own.orphaned()) {
      const fate = this.fates.get(member, viewId);
      if (fate !== undefined) this.own.settleOrphans(member, viewId, fate[1], fate[2], new NotPrimaryError('not primary: excluded before the message was delivered'));
    }
  }

  /**
   * Whether this member, still waiting for the group's state, has seen every member that held it
   * suspected and silent for ten failure timeouts: the provider crashed with the checkpoint
   * undelivered, and the others of the view are joiners too. A holder that is only slow is waited
   * for: 4 processes joining 1000 groups at once on 2 cores fall silent for seconds (bench:groups
   * failed joins at three timeouts); one only cut off comes back within that, or finds the joiners
   * gone and goes on without them.
   */
  private stateHoldersGone(phase: MemberPhase, now: number): boolean {
    if (!this.state.awaiting || phase.leaving) return false;
    const limitMs = STATE_HOLDERS_GONE_TIMEOUTS * this.settings.failureTimeoutMs;
    const silent = (m: string): boolean => now - this.host.lastHeard(processOf(m) ?? m) >= limitMs;
    const holders = phase.view.members.filter((m) => m !== this.me && !phase.value.needState.includes(m));
    // Every member waits for the state, from a leaver that provides it on its way out: if its
    // getState threw, or it falls silent (or says goodbye) with the checkpoint still not in, the
    // state is lost (no view change can name another provider).
    const provider = this.state.provider ?? '';
    if (holders.length === 0) {
      return provider !== '' && !phase.view.members.includes(provider) && (this.state.failed.includes(provider) || silent(provider));
    }
    return holders.every((m) => this.suspicion.has(m) && silent(m));
  }

  /** `join()` cannot complete: it rejects, and the member, which has no state, leaves the view. */
  private failJoin(phase: MemberPhase, error: StateTransferError): void {
    this.host.emit({ type: 'join-failed', error });
    phase.leaving = true;
    this.own.rejectQueued(new GroupClosedError('the join failed'));
    this.requestLeave(phase);
    // As a leave() that times out: a view that cannot change without the members that are gone
    // (the holders were the senior half) would hold this member, answering joiners that a group
    // exists, for ever.
    phase.abandonAtMs = this.host.now() + LEAVE_TIMEOUTS * this.settings.failureTimeoutMs;
  }

  /** How the change treated the messages of the members it excluded: they may ask (fates.ts). */
  private recordFates(old: View, value: ViewValue): void {
    old.members.forEach((m, rank) => {
      if (!value.members.includes(m)) this.fates.record(m, old.id, value.cut[rank] ?? 0, dropsOf(value, rank));
    });
  }

  private show(view: View, missed: readonly string[] = []): void {
    this.shown = view;
    this.host.emit({ type: 'view', view, missed });
  }

  /** The notice that this member is cut off from a majority of its view: it carries that view's id. */
  private showBlocked(): void {
    if (this.phase.kind !== 'member') return;
    const view = this.phase.view;
    const reachable = view.members.filter((m) => !this.suspicion.has(m));
    const unreachable = view.members.filter((m) => this.suspicion.has(m));
    this.show({ id: view.id, members: reachable, primary: false, joined: [], left: unreachable });
  }

  // ---------------------------------------------------------------- leaving the primary

  /**
   * The group went on without this member (it was excluded, or it fell behind): a notice unless
   * one is showing already, then (by default) a rejoin as a new member. Its sends whose fate it
   * does not know (no cut came with the news) wait for a member of the next view to tell it.
   */
  private goMinority(informer: string | undefined): void {
    const phase = this.phase;
    if (phase.kind !== 'member') return;
    this.tellDeparted();
    this.own.orphan(this.me, phase.view.id);
    const leaving = phase.leaving;
    this.forgetMembership();
    this.own.rejectQueued(leaving ? new GroupClosedError('the group was left') : new NotPrimaryError('not primary: excluded from the group'));
    if (this.shown?.primary === true && this.shown.members.includes(this.me)) {
      this.show({ id: phase.view.id, members: [this.me], primary: false, joined: [], left: phase.view.members.filter((m) => m !== this.me) });
    }
    if (leaving) {
      this.phase = { kind: 'withdrawing', waiting: new Set(), lastAskMs: this.host.now() };
      this.queryFates(this.host.now(), informer);
      this.pump();
      return;
    }
    // A member of the primary side told us, so it is in reach: ask to come back at once.
    this.phase = { kind: 'minority', rejoinAtMs: this.settings.rejoin ? this.host.now() : undefined };
    this.queryFates(this.host.now(), informer);
  }

  /**
   * A majority of the view said it is gone (they yielded to another group, or abandoned it), and no
   * view decided before they went came in a failure timeout: no later view can be decided, so the
   * group as this member knew it is gone. It leaves the view as if excluded, and rejoins.
   */
  private dissolve(sinceMs: number): void {
    this.dissolved = { greeter: undefined, untilMs: sinceMs + DISSOLVED_TIMEOUTS * this.settings.failureTimeoutMs };
    this.goMinority(undefined);
  }

  private forgetMembership(): void {
    this.suspicion.clear();
    this.pendingJoins.clear();
    this.heldJoiners.clear();
    this.leaveRequests.clear();
    this.answeredStale.clear();
    this.state.reset();
  }

  /** Says this member is gone to the view it was in and to every process of the group (pending joins). */
  private tellDeparted(): void {
    if (this.incarnation === 0) return;
    const to = new Set(this.host.peers());
    if (this.phase.kind === 'member') for (const m of this.phase.view.members) if (m !== this.me) to.add(processOf(m) ?? m);
    for (const p of to) this.host.send(p, { t: 'x', g: this.name, f: this.me });
  }

  // ---------------------------------------------------------------- fates of an excluded member's sends

  /** Asks how the views this member was excluded from ended for its sends (the informer first, then everyone). */
  private queryFates(now: number, informer: string | undefined): void {
    const orphaned = this.own.orphaned();
    if (orphaned.length === 0 || (informer === undefined && now - this.lastFateQueryMs < this.host.config.viewChangeRetryMs)) return;
    this.lastFateQueryMs = now;
    const to = informer !== undefined ? [processOf(informer) ?? informer] : this.host.peers();
    for (const [member, viewId] of orphaned) for (const p of to) this.host.send(p, { t: 'Q', g: this.name, v: viewId, f: member });
  }

  private onFateQuery(asker: string, viewId: number): void {
    if (this.phase.kind !== 'member') return;
    const fate = this.fates.get(asker, viewId);
    const answer: GroupMsg = fate === undefined
      ? { t: 'A', g: this.name, v: viewId, f: this.me, to: asker, c: 0, d: [], u: 1 }
      : { t: 'A', g: this.name, v: viewId, f: this.me, to: asker, c: fate[1], d: fate[2] };
    this.host.send(asker, answer);
  }

  private settleFate(member: string, viewId: number, cutSeq: number, dropped: readonly number[]): void {
    this.own.settleOrphans(member, viewId, cutSeq, dropped, new NotPrimaryError('not primary: excluded before the message was delivered'));
    this.pump();
  }

  // ---------------------------------------------------------------- two groups founded apart

  /**
   * Now and then, greets the processes of the group's name that are outside the view and not
   * asking to join: a member of another group founded apart under the same name answers, and the
   * smaller group dissolves into the larger one (see onHello).
   */
  private greet(now: number, phase: MemberPhase): void {
    if (!this.greetDue || now - this.lastHelloMs < this.host.config.helloIntervalMs || phase.change.frozen) return;
    this.lastHelloMs = now;
    const inside = new Set([...phase.view.members, ...this.pendingJoins.keys()].map((m) => processOf(m) ?? m));
    const outside = this.host.peers().filter((p) => !inside.has(p));
    for (const p of outside) this.host.send(p, this.hello(phase));
    // Nobody outside: nothing to greet until discovery names someone new (peersChanged).
    if (outside.length === 0) this.greetDue = false;
  }

  private hello(phase: MemberPhase): HelloMsg {
    return { t: 'h', g: this.name, f: this.me, gid: phase.value.gid, born: phase.value.born, n: phase.view.members.length };
  }

  /**
   * A member of a group of the same name but another identity: the larger group stays, and on
   * equal sizes the older one (then the smaller id). The other's members leave their group and
   * join this one as new members, with state transfer: their state is dropped unless the
   * application merges it in its setState. A member of the losing group dissolves itself.
   */
  private onHello(from: string, msg: HelloMsg): void {
    const phase = this.phase;
    if (phase.kind !== 'member' || msg.gid === phase.value.gid || phase.change.blocked) return;
    const mine = phase.view.members.length;
    const yields = mine < msg.n || (mine === msg.n && (phase.value.born > msg.born || (phase.value.born === msg.born && phase.value.gid > msg.gid)));
    if (!yields) {
      this.host.send(msg.f, this.hello(phase));
      return;
    }
    this.report(new Error(`group ${this.name} was founded twice; this member's group (${phase.value.gid}) yields to ${msg.gid}`));
    this.dissolved = { greeter: from, untilMs: this.host.now() + DISSOLVED_TIMEOUTS * this.settings.failureTimeoutMs };
    this.goMinority(undefined);
  }

  private report(error: Error): void {
    this.host.emit({ type: 'error', error });
  }
}

/** The seqs of rank `rank` that a value's cut drops. */
function dropsOf(value: ViewValue, rank: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < value.drops.length; i += 2) if (value.drops[i] === rank) out.push(value.drops[i + 1]!);
  return out;
}

/** Members of the old view that had no state at the cut: they delivered none of its messages. */
function missedBy(value: ViewValue): string[] {
  return value.needState.filter((m) => !value.joined.includes(m));
}
