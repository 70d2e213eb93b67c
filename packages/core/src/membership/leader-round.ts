/**
 * One attempt of a coordinator to decide the view after `viewId` (DESIGN.md §5-6), as
 * Paxos: phase 1 FLUSH collects promises and reports from the members; phase 2 PROPOSE
 * asks them to accept one value; a quorum of acceptances chooses it and COMMIT/INSTALL
 * tells everyone. A value accepted in an earlier ballot is proposed again unchanged, so a
 * view installed anywhere by a failed coordinator is the one its successor completes.
 */
import { compareBallots, type Ballot } from './ballot.js';
import type { FlushOkMsg, ViewValue } from '../wire/messages.js';

export class LeaderRound {
  phase: 'flush' | 'propose' = 'flush';
  readonly reports = new Map<string, FlushOkMsg>();
  readonly accepts = new Set<string>();
  value: ViewValue | undefined;
  /** When each member was last asked (for retries), and first asked (for timeouts). */
  readonly askedAt = new Map<string, number>();
  readonly firstAskedAt = new Map<string, number>();

  constructor(
    readonly viewId: number,
    readonly ballot: Ballot,
  ) {}

  asked(member: string, nowMs: number): void {
    this.askedAt.set(member, nowMs);
    if (!this.firstAskedAt.has(member)) this.firstAskedAt.set(member, nowMs);
  }

  /** The value accepted under the highest ballot among the reports, if any. */
  acceptedValue(): ViewValue | undefined {
    let best: [Ballot, ViewValue] | undefined;
    for (const r of this.reports.values()) {
      if (r.ac !== undefined && (best === undefined || compareBallots(r.ac[0], best[0]) > 0)) best = r.ac;
    }
    return best?.[1];
  }

  /** Restarts the clocks of the current phase (its messages are being sent afresh). */
  enterPhase(phase: 'flush' | 'propose'): void {
    this.phase = phase;
    this.askedAt.clear();
    this.firstAskedAt.clear();
  }
}
