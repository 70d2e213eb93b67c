/**
 * Which members of the installed view this member believes gone (DESIGN.md §5): silent beyond
 * the failure timeout, silent to the coordinator, or gone by their own word (DEPARTED). The
 * failure detector only suspects; the membership service turns suspicions into a view change.
 *
 * A suspicion is verified first: a member silent for half the failure timeout is asked to answer
 * at once (and again every quarter), and suspected only if it stays silent for the whole timeout.
 * A hidden browser tab runs its timers once a second, so its heartbeats can fall silent for a
 * second; but it answers a question as soon as the question arrives (its data channels are not
 * throttled).
 */
import { processOf } from '../ids.js';

/** How the failure detector hears from processes, and asks a silent one to answer. */
export interface Probe {
  lastHeard(process: string): number;
  query(process: string): void;
  /** How late the process's frames have come lately (0 when unknown). */
  lateness?(process: string): number;
}

/** A late peer gets at most this many failure timeouts before it is suspected. */
const MAX_PATIENCE = 4;

export class Suspicion {
  private readonly suspects = new Set<string>();
  /** Members that said they are gone: their suspicion is never withdrawn. */
  private readonly departedMembers = new Set<string>();
  /** Members given up on in this view (see giveUpOn). */
  private readonly stuck = new Set<string>();
  /** When each silent member was last asked to answer. */
  private readonly queriedAt = new Map<string, number>();

  /** Nobody is suspected. */
  get empty(): boolean {
    return this.suspects.size === 0;
  }

  has(member: string): boolean {
    return this.suspects.has(member);
  }

  add(member: string): void {
    this.suspects.add(member);
  }

  /** Whether the member said it no longer takes part. */
  departed(member: string): boolean {
    return this.departedMembers.has(member);
  }

  /** The member said it no longer takes part: suspected in this view and every later one it is still in. */
  depart(member: string): void {
    this.departedMembers.add(member);
    this.suspects.add(member);
  }

  /**
   * The member is heard but does not act (a coordinator that starts no change, a round that never
   * ends): suspected until the next view, even by a blocked member that hears it.
   */
  giveUpOn(member: string): void {
    this.stuck.add(member);
    this.suspects.add(member);
  }

  /**
   * Silence beyond `timeoutMs` makes a member suspected. Suspicion sticks while the group can
   * still change its view; but with `forgiving` (a blocked member) it is withdrawn once the
   * member is heard again, so that a healed partition can finish the change it interrupted.
   */
  check(members: readonly string[], me: string, nowMs: number, probe: Probe, timeoutMs: number, forgiving: boolean): void {
    for (const m of members) {
      const process = processOf(m);
      if (m === me || process === undefined) continue;
      const silentMs = nowMs - probe.lastHeard(process);
      // A peer whose frames have come late lately (a loaded machine) gets twice its lateness, up to
      // MAX_PATIENCE failure timeouts: a group on an overloaded machine forms slowly, but it forms.
      const patienceMs = Math.min(MAX_PATIENCE * timeoutMs, Math.max(timeoutMs, 2 * (probe.lateness?.(process) ?? 0)));
      if (!this.suspects.has(m)) {
        if (silentMs > patienceMs) this.suspects.add(m);
        else if (silentMs > timeoutMs / 2 && nowMs - (this.queriedAt.get(m) ?? -Infinity) >= timeoutMs / 4) {
          this.queriedAt.set(m, nowMs);
          probe.query(process);
        }
      } else if (forgiving && !this.departedMembers.has(m) && !this.stuck.has(m) && silentMs < timeoutMs / 2) {
        this.suspects.delete(m);
      }
    }
  }

  /** A new view: suspicions of the members it dropped are settled; a departed member that stayed is still suspected. */
  installed(members: readonly string[]): void {
    for (const m of [...this.suspects]) if (!members.includes(m) || !this.departedMembers.has(m)) this.suspects.delete(m);
    this.stuck.clear();
    this.queriedAt.clear();
  }

  clear(): void {
    this.suspects.clear();
    this.departedMembers.clear();
    this.stuck.clear();
    this.queriedAt.clear();
  }
}
