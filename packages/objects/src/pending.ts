/**
 * This member's updates that were sent and are not applied here yet, each with the promise that
 * its caller holds. An update is this member's own when it comes back from the member id it was
 * sent as: a member that was excluded and rejoined is a new member, and the updates it sent as
 * the old one will never come back to it (they settle with {@link Pending.rejectStale}).
 */

interface Entry {
  /** The member id the update was sent as. */
  readonly me: string;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** Promises of updates (or lock grants) keyed by their number, settled exactly once. */
export class Pending {
  private readonly entries = new Map<number, Entry>();

  /** How many are waiting. */
  get size(): number {
    return this.entries.size;
  }

  /** Whether update `n` is still waiting. */
  has(n: number): boolean {
    return this.entries.has(n);
  }

  /** Registers update `n`, sent as member `me`; the promise settles through this table. */
  add(n: number, me: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.entries.set(n, { me, resolve, reject });
    });
  }

  /** Update `n` came back from `sender`: resolves it if it is the one this member sent as `sender`. */
  resolve(n: number, sender: string): boolean {
    const entry = this.entries.get(n);
    if (entry === undefined || entry.me !== sender) return false;
    this.entries.delete(n);
    entry.resolve();
    return true;
  }

  /** Rejects update `n` (its send was refused, or it was refused where it was applied). */
  reject(n: number, error: Error): void {
    const entry = this.entries.get(n);
    if (entry === undefined) return;
    this.entries.delete(n);
    entry.reject(error);
  }

  /** Rejects every update sent as another member than `me`: this member was excluded since. */
  rejectStale(me: string, error: () => Error): void {
    for (const [n, entry] of this.entries) {
      if (entry.me === me) continue;
      this.entries.delete(n);
      entry.reject(error());
    }
  }

  /** Rejects every update. */
  rejectAll(error: () => Error): void {
    for (const entry of this.entries.values()) entry.reject(error());
    this.entries.clear();
  }
}
