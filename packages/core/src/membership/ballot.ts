/**
 * Ballots order the competing attempts to decide one view change (Paxos, DESIGN.md §6):
 * `[round, rank]`, compared by round, then by the proposer's rank in the old view (lower
 * rank = more senior = wins a tie). Two proposers never share a ballot.
 */
export type Ballot = [round: number, rank: number];

export const ZERO_BALLOT: Ballot = [0, -1];

/** Negative when a is below b, 0 when equal, positive when above. */
export function compareBallots(a: Ballot, b: Ballot): number {
  if (a[0] !== b[0]) return a[0] - b[0];
  return b[1] - a[1];
}
