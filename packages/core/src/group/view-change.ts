/**
 * A member's part in ending its installed view (DESIGN.md §5-7): as a participant, it promises
 * ballots, reports what it holds and accepts values (the Paxos acceptor); as the coordinator (the
 * most senior member it does not suspect) it leads rounds; cut off from a majority it is blocked,
 * probes for how its view ended, and nudges a coordinator that does not act. One instance per
 * installed view: a new view starts afresh.
 *
 * The member stops sending and delivering once it promised a round (`frozen`): what it holds now
 * may lie beyond the cut being decided from its report.
 */
import type { View } from '../api.js';
import type { EngineConfig } from '../config.js';
import { processOf } from '../ids.js';
import { Acceptor } from '../membership/acceptor.js';
import { compareBallots, type Ballot } from '../membership/ballot.js';
import { computeValue } from '../membership/compute-value.js';
import { LeaderRound, type RoundContext } from '../membership/leader-round.js';
import { isQuorum } from '../membership/quorum.js';
import type { Suspicion } from '../membership/suspicion.js';
import type { FlushOkMsg, GroupMsg, ViewValue } from '../wire/messages.js';
import type { ViewStream } from './view-stream.js';

/** What a view change needs from its member. */
export interface ChangeContext {
  readonly group: string;
  readonly me: string;
  readonly view: View;
  /** The value that installed `view`: its group identity goes on to the next. */
  readonly value: ViewValue;
  readonly stream: ViewStream;
  readonly config: EngineConfig;
  readonly failureTimeoutMs: number;
  readonly suspicion: Suspicion;
  /** Processes asking to join, by member id. */
  readonly pendingJoins: ReadonlyMap<string, number>;
  /** Members that asked to leave. */
  readonly leaveRequests: ReadonlySet<string>;
  now(): number;
  send(member: string, msg: GroupMsg): void;
  /** Every process discovery names for the group. */
  peers(): readonly string[];
  /** This member has no state yet (it waits for a checkpoint), and the providers that failed it. */
  stateless(): boolean;
  failedProviders(): readonly string[];
  /** Its provider failed it: only a view change can name another. */
  needsProvider(): boolean;
  /** A joiner left out of a change (not every member hears it) is no reason for another until then. */
  heldUntil(joiner: string): number | undefined;
  holdJoiner(joiner: string): void;
  /**
   * The change is decided: install its value. `told`: the members this member just sent the
   * decision to (as its coordinator), over links that deliver it.
   */
  install(value: ViewValue, told?: readonly string[]): void;
  /** Cut off from a majority: show it, refuse sends. */
  blocked(): void;
}

export class ViewChange {
  /** This member promised a round (or is blocked): no sends, no deliveries until the view ends. */
  frozen = false;
  /** Cut off from a majority of the view (see ChangeContext.blocked). */
  blocked = false;
  private readonly acceptor = new Acceptor();
  private leader: LeaderRound | undefined;
  /** When this member last promised or accepted a ballot of another coordinator's. */
  private promisedAtMs: number | undefined;
  /** Members asked by a round of this member's and silent since (reset when they answer). */
  private readonly unanswered = new Map<string, number>();
  /** Members that asked for a view change. */
  private readonly wanted = new Set<string>();
  /** After losing a ballot to a more senior coordinator, do not compete until then. */
  private quietUntilMs = 0;
  private lastProbeMs = -Infinity;
  /** The joiners each member said (in its last stability report) it hears. */
  private readonly heardBy = new Map<string, ReadonlySet<string>>();
  /** The coordinator this member has been asking for a change, and since when (no round from it yet). */
  private nudged: { coordinator: string; sinceMs: number } | undefined;

  constructor(private readonly ctx: ChangeContext) {}

  /** No change under way, none asked for, no round led, nobody nudged. */
  get idle(): boolean {
    return !this.frozen && !this.blocked && this.leader === undefined && this.wanted.size === 0 && this.nudged === undefined;
  }

  /** The sequencer orders total-order messages: the coordinator, unless a change is under way. */
  get sequencing(): boolean {
    return this.ctx.view.members[0] === this.ctx.me && !this.frozen;
  }

  /** Whether `member` is in the value this member accepted for the next view (it may yet be installed). */
  accepted(member: string): boolean {
    return this.acceptor.accepted?.[1].members.includes(member) === true;
  }

  /**
   * Some member asked for a change, naming the members it suspects. A member suspected itself
   * has no say: when two members cannot hear each other, only the first one reported goes.
   */
  wants(member: string, suspects: readonly string[]): void {
    this.wanted.add(member);
    const { view, suspicion, me } = this.ctx;
    // Only the coordinator acts on another member's suspicions (it decides the change); a member
    // that is not, or that is suspected itself, does not take them on.
    if (suspicion.has(member) || view.members.find((m) => !suspicion.has(m)) !== me) return;
    for (const s of suspects) {
      if (s === me || !view.members.includes(s)) continue;
      suspicion.add(s);
      this.reported.add(s);
    }
  }

  /**
   * Members that another member reported it cannot hear: the change excludes them even if they
   * answer the coordinator (which hears them), or the view would take them back at once and flap.
   */
  private readonly reported = new Set<string>();

  /** After every input: progress of the change, as a participant or the coordinator. */
  step(): void {
    const { view, suspicion, me } = this.ctx;
    const now = this.ctx.now();
    const voters = new Set(view.members.filter((m) => !suspicion.has(m)));
    const quorum = isQuorum(view.members, voters);
    if (!quorum) this.block();
    const coordinator = view.members.find((m) => voters.has(m));
    if (this.blocked) this.probe(now, quorum ? coordinator : undefined);
    else if (coordinator !== undefined && coordinator !== me) this.askForChange(now, coordinator);
    if (!quorum || coordinator !== me || now < this.quietUntilMs) return;
    if (this.leader === undefined) {
      if (!this.hasReason()) return;
      this.leader = new LeaderRound(view.id, this.acceptor.nextBallot(view.members.indexOf(me)));
    }
    this.leader.step(this.roundContext(this.leader), now);
  }

  /** A member's stability report named the joiners it hears. */
  heard(member: string, joiners: readonly string[]): void {
    this.heardBy.set(member, new Set(joiners));
  }

  /**
   * Reasons for a change. A joiner is one once every member it can count on hears it: one that
   * some member cannot reach would only be suspected by it at once, and the view would flap.
   */
  private hasReason(): boolean {
    const { view, suspicion, pendingJoins, leaveRequests, me } = this.ctx;
    const now = this.ctx.now();
    const heardByAll = (j: string): boolean =>
      view.members.every((m) => m === me || suspicion.has(m) || this.heardBy.get(m)?.has(j) === true);
    const joiner = [...pendingJoins.keys()].some((j) => (this.ctx.heldUntil(j) ?? -Infinity) <= now && heardByAll(j));
    return this.blocked || this.wanted.size > 0 || joiner || this.ctx.needsProvider() ||
      view.members.some((m) => suspicion.has(m) || leaveRequests.has(m));
  }

  /**
   * A member that is frozen in a round that neither moves nor ends for twice the failure timeout:
   * its coordinator is stuck or went on without this member. Suspect it for good, so that the next
   * member leads, or this one finds itself blocked and asks around how its view ended.
   */
  checkRoundProgress(now: number): void {
    if (!this.frozen || this.blocked || this.promisedAtMs === undefined) return;
    if (now - this.promisedAtMs <= 2 * this.ctx.failureTimeoutMs) return;
    const coordinator = this.ctx.view.members[this.acceptor.promised[1]];
    if (coordinator !== undefined && coordinator !== this.ctx.me) this.ctx.suspicion.giveUpOn(coordinator);
    this.promisedAtMs = now;
  }

  // ---------------------------------------------------------------- participant

  /** FLUSH: promise the ballot and report what this member holds. */
  onFlush(from: string, ballot: Ballot): void {
    const { view, me } = this.ctx;
    this.nudged = undefined; // a round is under way
    if (!this.acceptor.promise(ballot)) {
      this.ctx.send(from, { t: 'N', g: this.ctx.group, v: view.id, f: me, b: ballot, pb: this.acceptor.promised });
      return;
    }
    this.frozen = true;
    this.promisedAtMs = from === me ? undefined : this.ctx.now();
    if (this.leader !== undefined && compareBallots(this.leader.ballot, ballot) < 0) this.leader = undefined; // outbid
    // A more senior member leads this change, even if this one suspects it: let it finish
    // rather than outbid it (two coordinators outbidding each other decide nothing).
    if (ballot[1] < view.members.indexOf(me)) this.quietUntilMs = Math.max(this.quietUntilMs, this.ctx.now() + this.ctx.failureTimeoutMs);
    const report: FlushOkMsg = { t: 'F', g: this.ctx.group, v: view.id, f: me, b: ballot, ...this.ctx.stream.log.flushReport() };
    if (this.acceptor.accepted !== undefined) report.ac = this.acceptor.accepted;
    if (this.ctx.stateless()) report.nl = 1;
    const failed = this.ctx.failedProviders();
    if (failed.length > 0) report.np = [...failed];
    if (this.ctx.pendingJoins.size > 0) report.jn = [...this.ctx.pendingJoins.keys()];
    if (from === me) this.leader?.reported(report);
    else this.ctx.send(from, report);
  }

  onReport(report: FlushOkMsg): void {
    this.unanswered.delete(report.f);
    this.leader?.reported(report);
  }

  /** PROPOSE: accept the value unless a higher ballot was promised. */
  onPropose(from: string, ballot: Ballot, value: ViewValue): void {
    const { view, me } = this.ctx;
    if (!this.acceptor.accept(ballot, value, view.id + 1)) {
      this.ctx.send(from, { t: 'N', g: this.ctx.group, v: view.id, f: me, b: ballot, pb: this.acceptor.promised });
      return;
    }
    this.frozen = true;
    this.promisedAtMs = from === me ? undefined : this.ctx.now();
    if (from === me) {
      this.leader?.acceptedBy(me, ballot);
      return;
    }
    this.ctx.send(from, { t: 'a', g: this.ctx.group, v: view.id, f: me, b: ballot });
    // The coordinator accepted its value before it proposed it (askAccept: itself first, in the
    // same step). So when it and this member make a quorum of the view (in a view of two or three,
    // or with the senior member among them), the value is chosen now: install it, as a COMMIT would
    // say. Otherwise a coordinator that decided and crashed before its COMMIT or INSTALL left could
    // strand the group: joiners of the view it installed would wait for it for ever, and this
    // member, unable to make a quorum without it, with them.
    if (isQuorum(view.members, new Set([from, me]))) this.ctx.install(value);
  }

  onAccepted(member: string, ballot: Ballot): void {
    this.unanswered.delete(member);
    this.leader?.acceptedBy(member, ballot);
  }

  /** COMMIT: the value of `ballot` is chosen; install it if this member accepted it. */
  onCommit(ballot: Ballot): void {
    const value = this.acceptor.chosen(ballot);
    if (value !== undefined) this.ctx.install(value);
  }

  /** NACK: a round of this member's was outbid. */
  onNack(from: string, ballot: Ballot, promised: Ballot): void {
    this.unanswered.delete(from);
    this.acceptor.saw(promised[0]);
    const round = this.leader;
    if (round === undefined || compareBallots(ballot, round.ballot) !== 0) return;
    this.leader = undefined; // retry with a higher ballot; give a more senior coordinator room first
    if (promised[1] < this.ctx.view.members.indexOf(this.ctx.me)) {
      this.quietUntilMs = this.ctx.now() + this.ctx.config.viewChangeRetryMs;
    }
  }

  // ---------------------------------------------------------------- coordinator

  private roundContext(round: LeaderRound): RoundContext {
    const { view, me, group } = this.ctx;
    return {
      me,
      members: view.members,
      retryMs: this.ctx.config.viewChangeRetryMs,
      timeoutMs: this.ctx.failureTimeoutMs,
      suspected: (m) => this.ctx.suspicion.has(m),
      suspect: (m) => this.ctx.suspicion.add(m),
      unansweredSince: (m) => this.unanswered.get(m),
      asking: (m, nowMs) => { if (m !== me && !this.unanswered.has(m)) this.unanswered.set(m, nowMs); },
      askFlush: (m) => {
        if (m === me) this.onFlush(me, round.ballot);
        else this.ctx.send(m, { t: 'f', g: group, v: view.id, f: me, b: round.ballot });
      },
      askAccept: (m, value) => {
        if (m === me) this.onPropose(me, round.ballot, value);
        else this.ctx.send(m, { t: 'p', g: group, v: view.id, f: me, b: round.ballot, val: value });
      },
      computeValue: (reports) => computeValue({
        viewId: view.id, members: view.members, reports, ownMessages: this.ctx.stream.log.messages(),
        joiners: [...this.ctx.pendingJoins.keys()], leavers: new Set([...this.ctx.leaveRequests, ...this.reported]),
        gid: this.ctx.value.gid, born: this.ctx.value.born,
      }),
      leading: () => this.leader === round,
      decide: (value, accepted) => {
        for (const j of this.ctx.pendingJoins.keys()) if (!value.members.includes(j)) this.ctx.holdJoiner(j);
        const told: string[] = [];
        for (const m of new Set([...view.members, ...value.members])) {
          if (m === me) continue;
          if (accepted.has(m)) this.ctx.send(m, { t: 'c', g: group, v: view.id, f: me, b: round.ballot });
          else this.ctx.send(m, { t: 'i', g: group, v: view.id, f: me, val: value });
          told.push(m);
        }
        this.ctx.install(value, told);
      },
    };
  }

  // ---------------------------------------------------------------- blocked

  /**
   * Cut off from a majority of the view: show the application a notice, refuse sends, deliver
   * nothing more, give up any round this member leads (its clocks would be stale), but keep the
   * promises and the log: the view change may yet complete with this member.
   */
  private block(): void {
    if (this.blocked) return;
    this.blocked = true;
    this.frozen = true;
    this.leader = undefined;
    this.ctx.blocked();
  }

  /**
   * While blocked, now and then: nudge the coordinator into a view change once a majority is in
   * reach again, and ask the processes outside our reach of the view (suspected members, other
   * processes of the group) whether the group went on without us; they answer with the value
   * that ended our view or with an ENDED.
   */
  private probe(now: number, coordinator: string | undefined): void {
    if (now - this.lastProbeMs < this.ctx.config.viewChangeRetryMs) return;
    this.lastProbeMs = now;
    const { view, me, group, suspicion } = this.ctx;
    if (coordinator !== undefined && coordinator !== me) this.nudge(coordinator, now, []);
    const lag: GroupMsg = { t: 'L', g: group, v: view.id, f: me };
    const inReach = new Set<string>();
    for (const m of view.members) {
      if (!suspicion.has(m)) inReach.add(processOf(m) ?? m);
      else this.ctx.send(m, lag);
    }
    const asked = new Set(view.members.map((m) => processOf(m) ?? m));
    for (const p of this.ctx.peers()) if (!asked.has(p) && !inReach.has(p)) this.ctx.send(p, lag);
  }

  /**
   * A member that is not the coordinator but has a reason for a change the coordinator may not
   * see (it suspects a member the coordinator still hears, or it lost its state provider) asks
   * the coordinator for one, naming its suspects.
   */
  private askForChange(now: number, coordinator: string): void {
    const { view, suspicion, me } = this.ctx;
    const suspects = view.members.filter((m) => m !== me && suspicion.has(m));
    const needsState = this.ctx.needsProvider();
    // A round of this coordinator's is under way: wait for it (checkRoundProgress watches it).
    const roundOfCoordinator = this.frozen && view.members[this.acceptor.promised[1]] === coordinator;
    if ((suspects.length === 0 && !needsState) || roundOfCoordinator) {
      this.nudged = undefined;
      return;
    }
    if (now - this.lastProbeMs < this.ctx.config.viewChangeRetryMs) return;
    this.lastProbeMs = now;
    this.nudge(coordinator, now, suspects);
  }

  /**
   * Asks the coordinator for a view change; one that starts none within the failure timeout,
   * though it is heard (it may be stuck in an earlier view, or gone), is suspected: the next one leads.
   */
  private nudge(coordinator: string, now: number, suspects: string[]): void {
    if (this.nudged?.coordinator !== coordinator) this.nudged = { coordinator, sinceMs: now };
    else if (now - this.nudged.sinceMs > this.ctx.failureTimeoutMs) {
      this.ctx.suspicion.giveUpOn(coordinator); // heard, so a blocked member would forgive plain suspicion at once
      this.nudged = undefined;
      return;
    }
    const want: GroupMsg = { t: 'w', g: this.ctx.group, v: this.ctx.view.id, f: this.ctx.me };
    if (suspects.length > 0) want.s = suspects;
    this.ctx.send(coordinator, want);
  }
}
