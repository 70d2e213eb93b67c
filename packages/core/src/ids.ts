/**
 * Member ids. A process joins a group as a member `${processId}#${n}`: n counts the
 * process's joins of that group, so a member that was excluded and rejoins is a new member,
 * never the old one back (the virtual synchrony rule).
 */
export function memberId(processId: string, incarnation: number): string {
  return `${processId}#${incarnation}`;
}

/** Which of its process's joins a member id is (1, 2, ...), or 0 when the id is not of our shape. */
export function incarnationOf(member: string): number {
  const n = Number(member.slice(member.lastIndexOf('#') + 1));
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

/** The process that owns a member id, or undefined when the id is not of our shape. */
export function processOf(member: string): string | undefined {
  const at = member.lastIndexOf('#');
  if (at <= 0 || at === member.length - 1) return undefined;
  return member.slice(0, at);
}
