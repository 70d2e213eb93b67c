/**
 * A member's side of deciding the next view (Paxos, DESIGN.md §6): the highest ballot it
 * promised, and the value it accepted last with its ballot. A member never goes back on a
 * promise, so two coordinators can never get one view id chosen with two different values.
 */
import { compareBallots, ZERO_BALLOT, type Ballot } from './ballot.js';
import type { ViewValue } from '../wire/messages.js';

export class Acceptor {
  promised: Ballot = ZERO_BALLOT;
  accepted: [Ballot, ViewValue] | undefined;
  /** The highest round seen in any ballot, so that this member's own next ballot is above it. */
  private highestRound = 0;

  /** Phase 1 (FLUSH): promises `ballot` unless a higher one was promised. */
  promise(ballot: Ballot): boolean {
    this.saw(ballot[0]);
    if (compareBallots(ballot, this.promised) < 0) return false;
    this.promised = ballot;
    return true;
  }

  /** Phase 2 (PROPOSE): accepts the value of `ballot` unless a higher ballot was promised. */
  accept(ballot: Ballot, value: ViewValue, nextViewId: number): boolean {
    this.saw(ballot[0]);
    if (compareBallots(ballot, this.promised) < 0 || value.id !== nextViewId) return false;
    this.promised = ballot;
    this.accepted = [ballot, value];
    return true;
  }

  /** The value chosen under ballot `committed`, if this member accepted it (or a later one, which is the same value). */
  chosen(committed: Ballot): ViewValue | undefined {
    return this.accepted !== undefined && compareBallots(this.accepted[0], committed) >= 0 ? this.accepted[1] : undefined;
  }

  /** Notes a round seen elsewhere (a refusal names the ballot that won). */
  saw(round: number): void {
    this.highestRound = Math.max(this.highestRound, round);
  }

  /** A ballot for a round of this member's own, above every round it has seen. */
  nextBallot(rank: number): Ballot {
    const ballot: Ballot = [Math.max(this.highestRound, this.promised[0]) + 1, rank];
    this.highestRound = ballot[0];
    return ballot;
  }

  /** A new view: nothing promised or accepted for the next change yet. */
  reset(): void {
    this.promised = ZERO_BALLOT;
    this.accepted = undefined;
  }
}
