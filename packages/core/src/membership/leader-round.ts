/**
 * One attempt of a coordinator to decide the view after `viewId` (DESIGN.md §5-6), as
 * Paxos: phase 1 FLUSH collects promises and reports from the members; phase 2 PROPOSE
 * asks them to accept one value; a quorum of acceptances chooses it and COMMIT/INSTALL
 * tells everyone. A value accepted in an earlier ballot is proposed again unchanged, so a
 * view installed anywhere by a failed coordinator is the one its successor completes.
 */
import { compareBallots, type Ballot } from './ballot.js';
import { isQuorum } from './quorum.js';
import type { FlushOkMsg, ViewValue } from '../wire/messages.js';

/** What a round needs from the member that leads it. */
export interface RoundContext {
  readonly me: string;
  /** The members of the view being ended, by seniority. */
  readonly members: readonly string[];
  /** A member that has not answered is asked again after this long... */
  readonly retryMs: number;
  /** ...and suspected after this long. */
  readonly timeoutMs: number;
  suspected(member: string): boolean;
  suspect(member: string): void;
  /**
   * Since when `member` has been asked without answering, in this round or an earlier one for
   * the same view (rounds that outbid each other must not keep a silent member's clock at zero).
   */
  unansweredSince(member: string): number | undefined;
  /** Notes that `member` was asked now (its clock starts unless it is running). */
  asking(member: string, nowMs: number): void;
  /** Sends FLUSH for this round's ballot (to itself too: the leader is a member). */
  askFlush(member: string): void;
  /** Sends PROPOSE of `value` for this round's ballot. */
  askAccept(member: string, value: ViewValue): void;
  /** The value of a fresh decision, from the reports (compute-value.ts); undefined: not decidable yet. */
  computeValue(reports: ReadonlyMap<string, FlushOkMsg>): ViewValue | undefined;
  /** False once this round was given up (answering itself may end it: a higher ballot was promised). */
  leading(): boolean;
  /** The value is chosen: `accepted` accepted it; tell everyone and install it. */
  decide(value: ViewValue, accepted: ReadonlySet<string>): void;
}

export class LeaderRound {
  phase: 'flush' | 'propose' = 'flush';
  readonly reports = new Map<string, FlushOkMsg>();
  readonly accepts = new Set<string>();
  value: ViewValue | undefined;
  /** When each member was last asked, for retries. */
  private readonly askedAt = new Map<string, number>();

  constructor(
    readonly viewId: number,
    readonly ballot: Ballot,
  ) {}

  /** A member's FLUSH-OK for this round. */
  reported(report: FlushOkMsg): void {
    if (compareBallots(report.b, this.ballot) === 0) this.reports.set(report.f, report);
  }

  /** A member's ACCEPT for this round. */
  acceptedBy(member: string, ballot: Ballot): void {
    if (this.phase === 'propose' && compareBallots(ballot, this.ballot) === 0) this.accepts.add(member);
  }

  /** Moves the round on: asks who must be asked (again), suspects who stays silent, decides when it can. */
  step(ctx: RoundContext, nowMs: number): void {
    if (this.phase === 'flush' && !this.collectReports(ctx, nowMs)) return;
    const value = this.value!;
    // The coordinator accepts first, and proposes to nobody unless it did: a PROPOSE then tells
    // its receiver that the coordinator accepted the value (view-change.ts, onPropose, counts on it).
    if (!this.accepts.has(ctx.me)) {
      ctx.askAccept(ctx.me, value);
      if (!this.accepts.has(ctx.me)) return;
    }
    const proposeTo = new Set([...this.reports.keys(), ...value.members.filter((m) => ctx.members.includes(m))]);
    for (const m of proposeTo) {
      if (this.accepts.has(m) || ctx.suspected(m) || !this.due(ctx, m, nowMs)) continue;
      ctx.askAccept(m, value);
    }
    if (!ctx.leading()) return;
    this.suspectSilent(ctx, nowMs, [...proposeTo].filter((m) => !ctx.suspected(m)));
    if (isQuorum(ctx.members, this.accepts)) ctx.decide(value, this.accepts);
  }

  /** Phase 1; true once every member still trusted has reported and they are a quorum. */
  private collectReports(ctx: RoundContext, nowMs: number): boolean {
    const waitFor = ctx.members.filter((m) => !ctx.suspected(m));
    for (const m of ctx.members) {
      if (this.reports.has(m) || !this.due(ctx, m, nowMs)) continue;
      ctx.askFlush(m);
    }
    this.suspectSilent(ctx, nowMs, waitFor);
    if (!ctx.leading() || !waitFor.every((m) => this.reports.has(m) || ctx.suspected(m))) return false;
    if (!isQuorum(ctx.members, new Set(this.reports.keys()))) return false; // the member will see it is blocked
    this.value = this.acceptedValue() ?? ctx.computeValue(this.reports);
    if (this.value === undefined) {
      // Nobody who answered has the state. Ask again those that had none when they answered: a
      // checkpoint may have reached them since (the coordinator itself, or a joiner of the view
      // being ended), and a report is otherwise never renewed within a round.
      for (const [m, report] of this.reports) if (report.nl === 1) this.reports.delete(m);
      return false;
    }
    this.phase = 'propose';
    this.askedAt.clear();
    return true;
  }

  /** Whether `member` is due to be asked (first time, or again), and notes that it is. */
  private due(ctx: RoundContext, member: string, nowMs: number): boolean {
    if (nowMs - (this.askedAt.get(member) ?? -Infinity) < ctx.retryMs) return false;
    this.askedAt.set(member, nowMs);
    ctx.asking(member, nowMs);
    return true;
  }

  /** A member that does not answer within the failure timeout is suspected. */
  private suspectSilent(ctx: RoundContext, nowMs: number, waitFor: readonly string[]): void {
    for (const m of waitFor) {
      const since = ctx.unansweredSince(m);
      const answered = this.phase === 'flush' ? this.reports.has(m) : this.accepts.has(m);
      if (!answered && since !== undefined && nowMs - since > ctx.timeoutMs) ctx.suspect(m);
    }
  }

  /** The value accepted under the highest ballot among the reports, if any. */
  private acceptedValue(): ViewValue | undefined {
    let best: [Ballot, ViewValue] | undefined;
    for (const r of this.reports.values()) {
      if (r.ac !== undefined && (best === undefined || compareBallots(r.ac[0], best[0]) > 0)) best = r.ac;
    }
    return best?.[1];
  }
}
