/**
 * A bounded outbound queue drained at a limited rate (a token bucket holding one second's worth).
 *
 * The signaling server closes the socket of a client that sends more than its limit per second, and
 * a process that connects to many peers at once emits bursts of ICE candidates: pacing them here
 * keeps the socket, and with it every group of the process.
 */

/** Queue and pace items to a writer that may come and go (a socket that reconnects). */
export class PacedOutbox<T> {
  private items: T[] = [];
  private write: ((item: T) => void) | undefined;
  private tokens = 0;
  private tokensAtMs = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param perSecond items written per second at most, in bursts of as many
   * @param maxItems items held at most; beyond it `evict` chooses which one goes (default the oldest)
   * @param evict the index of the item to drop when full, or -1 to keep them all (items that must
   *   not be lost, whose number the owner bounds otherwise)
   */
  constructor(
    private readonly perSecond: number,
    private readonly maxItems: number,
    private readonly evict: (items: readonly T[]) => number = () => 0,
  ) {}

  /** Items waiting. */
  get length(): number {
    return this.items.length;
  }

  /** Starts writing to `write`, with a bucket that already spent `spent` tokens (e.g. on a hello). */
  attach(write: (item: T) => void, spent = 0): void {
    this.write = write;
    this.tokens = Math.max(0, this.perSecond - spent);
    this.tokensAtMs = Date.now();
    this.flush();
  }

  /** Stops writing; items stay queued. */
  detach(): void {
    this.write = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Queues an item, written as soon as the rate allows. */
  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.maxItems) {
      const victim = this.evict(this.items);
      if (victim >= 0) this.items.splice(victim, 1);
    }
    if (this.timer === undefined) this.flush();
  }

  /** Puts items at the head of the queue. */
  unshift(...items: T[]): void {
    this.items.unshift(...items);
  }

  /** Removes the first item that satisfies `match`; whether there was one. */
  removeFirst(match: (item: T) => boolean): boolean {
    const at = this.items.findIndex(match);
    if (at < 0) return false;
    this.items.splice(at, 1);
    return true;
  }

  /** Keeps only the items that satisfy `keep`. */
  retain(keep: (item: T) => boolean): void {
    this.items = this.items.filter(keep);
  }

  /** Drops everything and stops. */
  clear(): void {
    this.items = [];
    this.detach();
  }

  /** Writes what the bucket allows, and schedules the rest. */
  flush(): void {
    const write = this.write;
    if (write === undefined) return;
    const nowMs = Date.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((nowMs - this.tokensAtMs) * this.perSecond) / 1000);
    this.tokensAtMs = nowMs;
    let written = 0;
    for (; written < this.items.length && this.tokens >= 1; written += 1) {
      write(this.items[written] as T);
      this.tokens -= 1;
    }
    this.items.splice(0, written);
    if (this.items.length > 0 && this.timer === undefined && this.write !== undefined) {
      const waitMs = Math.ceil(((1 - this.tokens) * 1000) / this.perSecond);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, Math.max(1, waitMs));
    }
  }
}
