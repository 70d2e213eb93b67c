/**
 * Primary partition (DESIGN.md §7): a change needs a majority of the previous view. Equal
 * halves are broken deterministically in favour of the half that holds the most senior
 * member, as Akka's keep-majority does, so any two quorums of one view intersect.
 */
export function isQuorum(members: readonly string[], voters: ReadonlySet<string>): boolean {
  let count = 0;
  for (const m of members) if (voters.has(m)) count += 1;
  if (count * 2 > members.length) return true;
  return count * 2 === members.length && members.length > 0 && voters.has(members[0]!);
}
