/**
 * Writes of one kind (views, or checkpoints), one transaction at a time, coalesced: what is asked
 * for while a transaction runs waits in one batch, and the batch goes as the next transaction. In
 * the batch each group keeps only its last `keep` records (checkpoints: 1, the latest state wins;
 * views: the log's length, since older ones would be trimmed anyway), so memory stays bounded
 * however slow the disk: at most one batch running and one waiting.
 *
 * Each caller's promise settles with the transaction that carries its record, or the one that
 * carries the newer record that replaced it: it resolves once its record, or a newer one of its
 * group, is committed, and rejects with that transaction's error.
 */

/** The records to write, by group, oldest first. */
export type Batch<T> = Map<string, T[]>;

interface Waiting<T> {
  readonly batch: Batch<T>;
  readonly settle: Array<{ resolve(): void; reject(error: unknown): void }>;
}

/** The writes of one kind, coalesced (see the file's comment). */
export class CoalescingWriter<T> {
  /** Transactions under way (more than one only when `urgent` started one beside another). */
  private running = 0;
  private waiting: Waiting<T> | undefined;
  /** Resolved when nothing runs or waits. */
  private idleWaiters: Array<() => void> = [];

  constructor(
    /** Records kept per group in the waiting batch (the newest). */
    private readonly keep: number,
    /** Transactions that may run together: 1, or 2 to let an urgent batch start beside another. */
    private readonly maxRunning: number,
    private readonly write: (batch: Batch<T>) => Promise<void>,
  ) {}

  /**
   * Adds `record` for `group`. `urgent` (the page is going away): the batch starts now, beside
   * the transaction that runs (up to `maxRunning`), instead of after it; IndexedDB runs
   * transactions on one store in the order they were created, so the newer record lands last.
   */
  submit(group: string, record: T, urgent = false): Promise<void> {
    const waiting: Waiting<T> = (this.waiting ??= { batch: new Map<string, T[]>(), settle: [] });
    const records = waiting.batch.get(group) ?? [];
    records.push(record);
    if (records.length > this.keep) records.splice(0, records.length - this.keep);
    waiting.batch.set(group, records);
    const settled = new Promise<void>((resolve, reject) => waiting.settle.push({ resolve, reject }));
    if (this.running === 0 || (urgent && this.running < this.maxRunning)) this.startWaiting();
    return settled;
  }

  /** Resolves once every record submitted so far is written or failed. */
  idle(): Promise<void> {
    if (this.running === 0 && this.waiting === undefined) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private startWaiting(): void {
    const batch = this.waiting;
    if (batch === undefined) return;
    this.waiting = undefined;
    this.running += 1;
    // With the database open, `write` creates its transaction within microtasks of this call, so
    // an urgent batch is under way before the task of the page's exit handler ends.
    let written: Promise<void>;
    try {
      written = this.write(batch.batch);
    } catch (error) {
      written = Promise.reject(error);
    }
    void written.then(
      () => { for (const s of batch.settle) s.resolve(); },
      (error: unknown) => { for (const s of batch.settle) s.reject(error); },
    ).finally(() => {
      this.running -= 1;
      if (this.running === 0) this.startWaiting();
      if (this.running === 0 && this.waiting === undefined) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    });
  }
}
