/**
 * Which members of the installed view this member believes gone (DESIGN.md §5): silent beyond
 * the failure timeout, silent to the coordinator, or gone by their own word (DEPARTED). The
 * failure detector only suspects; the membership service turns suspicions into a view change.
 */
import { processOf } from '../ids.js';

export class Suspicion {
  private readonly suspects = new Set<string>();
  /** Members that said they are gone: their suspicion is never withdrawn. */
  private readonly departed = new Set<string>();

  has(member: string): boolean {
    return this.suspects.has(member);
  }

  add(member: string): void {
    this.suspects.add(member);
  }

  /** The member said it no longer takes part. */
  depart(member: string): void {
    this.departed.add(member);
    this.suspects.add(member);
  }

  /**
   * Silence beyond `timeoutMs` makes a member suspected. Suspicion sticks while the group can
   * still change its view; but with `forgiving` (a blocked member) it is withdrawn once the
   * member is heard again, so that a healed partition can finish the change it interrupted.
   */
  check(members: readonly string[], me: string, nowMs: number, lastHeard: (process: string) => number, timeoutMs: number, forgiving: boolean): void {
    for (const m of members) {
      const process = processOf(m);
      if (m === me || process === undefined) continue;
      const silentMs = nowMs - lastHeard(process);
      if (!this.suspects.has(m)) {
        if (silentMs > timeoutMs) this.suspects.add(m);
      } else if (forgiving && !this.departed.has(m) && silentMs < timeoutMs / 2) {
        this.suspects.delete(m);
      }
    }
  }

  /** A new view: suspicions of the members it dropped are settled; a departed member that stayed is still suspected. */
  installed(members: readonly string[]): void {
    for (const m of [...this.suspects]) if (!members.includes(m) || !this.departed.has(m)) this.suspects.delete(m);
  }

  clear(): void {
    this.suspects.clear();
    this.departed.clear();
  }
}
