/**
 * Fates: how each view change treated the messages of the members it excluded. A member that is
 * excluded without learning the cut (it heard only that the group went on) cannot tell whether its
 * pending safe sends were delivered by the survivors; the members of the next view can, and the
 * table travels in every checkpoint so that later members can answer too, the excluded member's
 * own rejoin included. Bounded: the oldest entries go first.
 */
export type Fate = [viewId: number, cutSeq: number, dropped: number[]];

/** Entries kept, at most. */
const MAX_FATES = 4096;

export class FateTable {
  private readonly fates = new Map<string, Fate>();

  /** Member `member` left view `viewId` with its messages cut at `cutSeq` but `dropped`. */
  record(member: string, viewId: number, cutSeq: number, dropped: number[]): void {
    this.fates.delete(member);
    this.fates.set(member, [viewId, cutSeq, dropped]);
    if (this.fates.size > MAX_FATES) this.fates.delete(this.fates.keys().next().value!);
  }

  /** Whether `member` was in a view and then excluded (it must never come back under that id). */
  has(member: string): boolean {
    return this.fates.has(member);
  }

  /**
   * How view `viewId` ended for `member`'s messages. A member excluded after a later view survived
   * this one: the cut held every message it sent in it (a survivor reports all it holds).
   */
  get(member: string, viewId: number): Fate | undefined {
    const fate = this.fates.get(member);
    if (fate === undefined || fate[0] < viewId) return undefined;
    return fate[0] === viewId ? fate : [viewId, Number.MAX_SAFE_INTEGER, []];
  }

  /** For the checkpoint. */
  export(): Array<[string, ...Fate]> {
    return [...this.fates].map(([member, fate]) => [member, ...fate]);
  }

  /** From a checkpoint: merged with what this member knows. Malformed entries are skipped. */
  merge(entries: unknown): void {
    if (!Array.isArray(entries)) return;
    for (const e of entries) {
      if (!Array.isArray(e) || e.length !== 4) continue;
      const [member, viewId, cutSeq, dropped] = e as unknown[];
      if (typeof member !== 'string' || typeof viewId !== 'number' || typeof cutSeq !== 'number' || !Array.isArray(dropped)) continue;
      if (!this.fates.has(member)) this.record(member, viewId, cutSeq, dropped.filter((d): d is number => typeof d === 'number'));
    }
  }

  clear(): void {
    this.fates.clear();
  }
}
