/**
 * A token bucket: allows bursts up to `capacity`, and `ratePerSecond` sustained.
 *
 * Time is passed in rather than read, so the bucket is deterministic under test.
 */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  /**
   * @param ratePerSecond - tokens added per second
   * @param capacity - the most tokens held, i.e. the largest burst
   * @param nowMs - the current time, in ms, on any monotonic clock
   */
  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number,
    nowMs: number,
  ) {
    this.tokens = capacity;
    this.lastMs = nowMs;
  }

  /** Takes one token; false when the bucket is empty. */
  take(nowMs: number): boolean {
    const elapsedMs = Math.max(0, nowMs - this.lastMs);
    this.lastMs = nowMs;
    this.tokens = Math.min(this.capacity, this.tokens + (elapsedMs * this.ratePerSecond) / 1000);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
