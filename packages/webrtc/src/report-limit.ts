/**
 * Bad input from a peer that the transport itself sees (a malformed fragment, bad signaling data)
 * is reported once per peer and kind, then at most once every `intervalMs` with how many more there
 * were: the engine's rule for what it drops (process-engine.ts), so that a hostile peer cannot turn
 * garbage into a flood of 'error' events.
 */

/** Bad input of one kind from one peer is reported at most this often. */
export const REPORT_INTERVAL_MS = 10_000;
/** (peer, kind) pairs remembered at most; beyond it the memory starts over. */
const REMEMBERED_MAX = 10_000;

/** Decides which reports of bad input go out; see the file comment. */
export class ReportLimit {
  private readonly reported = new Map<string, { atMs: number; since: number }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly intervalMs = REPORT_INTERVAL_MS,
  ) {}

  /**
   * Whether a report of `reason` from `peer` goes out now: undefined if not (it is counted), else
   * the suffix to add to it (empty, or how many were held back since the last one).
   */
  admit(peer: string, reason: string): string | undefined {
    // Numbers (message ids, sizes, versions) vary within one kind of input.
    const kind = reason.replace(/\d+/g, 'N').split(' ').slice(0, 4).join(' ');
    const key = `${peer}\u0000${kind}`;
    const nowMs = this.now();
    const last = this.reported.get(key);
    if (last !== undefined && nowMs - last.atMs < this.intervalMs) {
      last.since += 1;
      return undefined;
    }
    if (this.reported.size >= REMEMBERED_MAX) this.reported.clear();
    this.reported.set(key, { atMs: nowMs, since: 0 });
    return last !== undefined && last.since > 0 ? ` (and ${last.since} more of this kind since the last report)` : '';
  }
}
