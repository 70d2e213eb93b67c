/**
 * The messages of one sender in one view, by seq: an array from the lowest seq not yet freed, in
 * place of a Map keyed by numbers (a hash lookup, a map entry and rehashing per message on the
 * hottest path of delivery). Seqs are dense, and freed from the front (view-log.ts `collect`).
 */
export class SeqStore<T> {
  private items: Array<T | undefined> = [];
  /** The seq of items[head]. */
  private base = 1;
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(seq: number): T | undefined {
    const i = seq - this.base;
    return i >= 0 ? this.items[this.head + i] : undefined;
  }

  has(seq: number): boolean {
    return this.get(seq) !== undefined;
  }

  /** Stores `value` under `seq`, which must not be below the lowest seq not yet freed. */
  set(seq: number, value: T): void {
    const i = seq - this.base;
    if (i < 0) throw new RangeError(`seq ${seq} was freed already (the store starts at ${this.base})`);
    if (this.items[this.head + i] === undefined) this.count += 1;
    this.items[this.head + i] = value;
  }

  /** Frees the lowest seq not yet freed, `seq`; returns whether it held a value. */
  deleteFirst(seq: number): boolean {
    if (seq !== this.base) throw new RangeError(`only the first seq (${this.base}) is freed, not ${seq}`);
    const had = this.items[this.head] !== undefined;
    if (had) this.count -= 1;
    this.items[this.head] = undefined;
    this.head += 1;
    this.base += 1;
    if (this.head >= this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return had;
  }

  /** [seq, value] in seq order. */
  *entries(): Generator<[number, T]> {
    for (let i = this.head; i < this.items.length; i++) {
      const value = this.items[i];
      if (value !== undefined) yield [this.base + i - this.head, value];
    }
  }

  *values(): Generator<T> {
    for (const [, value] of this.entries()) yield value;
  }
}
