/**
 * A process asking to join a group: it repeats its JOIN to every process discovery names
 * until a member takes it into a view. If nobody holds the group (every process answers that it
 * is idle, or is joining too and has a higher id), the lowest such process founds it alone.
 * It waits `createAfterMs` from discovery's first answer, not from the join: a slow signaling
 * server must not make each process found a group of its own (they would never merge).
 * After a total failure the processes that come back restart the group from the stored checkpoint
 * that reflects the most updates (persistence): among the candidates, the best stored rank founds,
 * then the lowest id. A process coming back from a minority founds a group only under the same rule: when every
 * process discovery names answered, and none of them is a member (a member answers 'member', or
 * nothing when it cannot be reached), the group it came from is gone, all of it. Founding takes two
 * such rounds in a row (see mayFound).
 */
import type { JoinStatus } from '../wire/messages.js';

/**
 * How much of a group's history a process's stored checkpoint reflects (persistence): the view it
 * was taken in, then how many messages of that view it had delivered. A process that stores
 * nothing ranks below any that does.
 */
export type StoredRank = readonly [viewId: number, position: number];

export const NO_RANK: StoredRank = [-1, -1];

/** A stored checkpoint to restart the group from, should this process found it. */
export interface Restart {
  readonly rank: StoredRank;
  readonly state: unknown;
}

/** Negative when a ranks below b. */
export function compareRanks(a: StoredRank, b: StoredRank): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}

export class JoinRounds {
  /** When discovery first answered (undefined: not yet). */
  private discoveredMs: number | undefined;
  private lastRoundMs = -Infinity;
  /** Rounds since discovery answered. */
  private rounds = 0;
  /** What each process answered since the last round. */
  private readonly statuses = new Map<string, JoinStatus>();
  /** The stored rank each candidate answered with. */
  private readonly ranks = new Map<string, StoredRank>();
  /** Every process that answered a round, ever. */
  private readonly heard = new Set<string>();
  /** Processes whose last answer this round was 'member' from a blocked view (cut off from a majority of it). */
  private readonly blocked = new Set<string>();
  /** Since when every member that answered has been blocked (undefined: one was not, or none answered). */
  private blockedSinceMs: number | undefined;

  start(): void {
    this.blockedSinceMs = undefined;
    this.blocked.clear();
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

  answered(process: string, status: JoinStatus, rank: StoredRank = NO_RANK, blocked = false): void {
    this.heard.add(process);
    this.statuses.set(process, status);
    this.ranks.set(process, rank);
    if (status === 'member' && blocked) this.blocked.add(process);
    else this.blocked.delete(process);
  }

  /**
   * How long every member that answered has been in a blocked view (0: not so). Such a group
   * cannot take anyone in until a majority of its view is back, which may be never (its senior
   * half crashed): a join that waits on it alone must give up at some point.
   */
  blockedForMs(nowMs: number): number {
    return this.blockedSinceMs === undefined ? 0 : nowMs - this.blockedSinceMs;
  }

  /** Those of `peers` that answered some round. */
  answering(peers: readonly string[]): string[] {
    return peers.filter((p) => this.heard.has(p));
  }

  /** Whether this process should found the group now, from what its peers answered. */
  mayFound(nowMs: number, peers: readonly string[], processId: string, createAfterMs: number, rank: StoredRank = NO_RANK): boolean {
    if (this.discoveredMs === undefined || this.rounds === 0 || nowMs - this.discoveredMs < createAfterMs) return false;
    const clean = peers.every((p) => {
      const status = this.statuses.get(p);
      if (status === 'idle') return true;
      if (status !== 'joining' && status !== 'minority') return false;
      const order = compareRanks(this.ranks.get(p) ?? NO_RANK, rank);
      return order < 0 || (order === 0 && p > processId);
    });
    // Two clean rounds in a row: an answer 'joining' may be stale by the time it is read (its
    // process was taken into a group right after it answered); in the next round it answers 'member'.
    this.cleanRounds = clean ? this.cleanRounds + 1 : 0;
    return this.cleanRounds >= 2;
  }

  private cleanRounds = 0;

  /** A new round of JOINs goes out now, to the peers discovery named (`discovered`: if it has answered). */
  asked(nowMs: number, discovered: boolean): void {
    const members = [...this.statuses].filter(([, status]) => status === 'member').map(([process]) => process);
    if (members.length > 0 && members.every((process) => this.blocked.has(process))) this.blockedSinceMs ??= this.lastRoundMs;
    else this.blockedSinceMs = undefined;
    this.blocked.clear();
    this.statuses.clear();
    this.ranks.clear();
    this.lastRoundMs = nowMs;
    if (!discovered) return;
    this.discoveredMs ??= nowMs;
    this.rounds += 1;
  }
}
