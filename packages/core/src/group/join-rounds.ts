/**
 * A process asking to join a group: it repeats its JOIN to every process discovery names
 * until a member takes it into a view. If nobody holds the group (every process answers that it
 * is idle, or is joining too and has a higher id), the lowest such process founds it alone.
 * It waits `createAfterMs` from discovery's first answer, not from the join: a slow signaling
 * server must not make each process found a group of its own (they would never merge).
 * A process coming back from a minority founds a group only under the same rule: when every
 * process discovery names answered, and none of them is a member (members never answer a JOIN:
 * they take it in), the group it came from is gone, all of it.
 */
import type { JoinStatus } from '../wire/messages.js';

export class JoinRounds {
  /** When discovery first answered (undefined: not yet). */
  private discoveredMs: number | undefined;
  private lastRoundMs = -Infinity;
  /** Rounds since discovery answered. */
  private rounds = 0;
  /** What each process answered since the last round. */
  private readonly statuses = new Map<string, JoinStatus>();

  start(): void {
    this.discoveredMs = undefined;
    this.lastRoundMs = -Infinity;
    this.rounds = 0;
    this.statuses.clear();
  }

  /** Whether a round went out since discovery answered. */
  get discovered(): boolean {
    return this.discoveredMs !== undefined;
  }

  due(nowMs: number, retryMs: number): boolean {
    return nowMs - this.lastRoundMs >= retryMs;
  }

  answered(process: string, status: JoinStatus): void {
    this.statuses.set(process, status);
  }

  /** Whether this process should found the group now, from what its peers answered. */
  mayFound(nowMs: number, peers: readonly string[], processId: string, createAfterMs: number): boolean {
    if (this.discoveredMs === undefined || this.rounds === 0 || nowMs - this.discoveredMs < createAfterMs) return false;
    return peers.every((p) => {
      const status = this.statuses.get(p);
      return status === 'idle' || ((status === 'joining' || status === 'minority') && p > processId);
    });
  }

  /** A new round of JOINs goes out now, to the peers discovery named (`discovered`: if it has answered). */
  asked(nowMs: number, discovered: boolean): void {
    this.statuses.clear();
    this.lastRoundMs = nowMs;
    if (!discovered) return;
    this.discoveredMs ??= nowMs;
    this.rounds += 1;
  }
}
