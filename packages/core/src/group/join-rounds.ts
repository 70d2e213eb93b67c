/**
 * A process asking to join a group: it repeats its JOIN to every process discovery names
 * until a member takes it into a view. If nobody holds the group (every process answers that it
 * is idle, or is joining too and has a higher id), the lowest such process founds it alone.
 * A process coming back from a minority never founds a group: the primary side exists.
 */
import type { JoinStatus } from '../wire/messages.js';

export class JoinRounds {
  private startedMs = 0;
  private lastRoundMs = -Infinity;
  private rounds = 0;
  /** What each process answered since the last round. */
  private readonly statuses = new Map<string, JoinStatus>();

  start(nowMs: number): void {
    this.startedMs = nowMs;
    this.lastRoundMs = -Infinity;
    this.rounds = 0;
    this.statuses.clear();
  }

  due(nowMs: number, retryMs: number): boolean {
    return nowMs - this.lastRoundMs >= retryMs;
  }

  answered(process: string, status: JoinStatus): void {
    this.statuses.set(process, status);
  }

  /** Whether this process should found the group now, from what its peers answered. */
  mayFound(nowMs: number, peers: readonly string[], processId: string, createAfterMs: number, rejoining: boolean): boolean {
    if (this.rounds === 0 || rejoining || nowMs - this.startedMs < createAfterMs) return false;
    return peers.every((p) => {
      const status = this.statuses.get(p);
      return status === 'idle' || (status === 'joining' && p > processId);
    });
  }

  /** A new round of JOINs goes out now. */
  asked(nowMs: number): void {
    this.statuses.clear();
    this.rounds += 1;
    this.lastRoundMs = nowMs;
  }
}
