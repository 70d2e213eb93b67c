/**
 * Virtual time: a binary heap of callbacks ordered by (time, insertion order), so events
 * due at the same instant run in the order they were scheduled: deterministic.
 */
interface Item {
  atMs: number;
  order: number;
  run: () => void;
  cancelled: boolean;
}

export class EventQueue {
  private heap: Item[] = [];
  private counter = 0;
  nowMs = 0;

  schedule(delayMs: number, run: () => void): () => void {
    const item: Item = { atMs: this.nowMs + Math.max(0, delayMs), order: this.counter++, run, cancelled: false };
    this.push(item);
    return () => {
      item.cancelled = true;
    };
  }

  /** Runs every event due up to `untilMs`, advancing time; returns how many ran. */
  runUntil(untilMs: number): number {
    let ran = 0;
    while (this.heap.length > 0 && this.heap[0]!.atMs <= untilMs) {
      const item = this.pop();
      this.nowMs = item.atMs;
      if (item.cancelled) continue;
      item.run();
      ran += 1;
    }
    this.nowMs = Math.max(this.nowMs, untilMs);
    return ran;
  }

  private less(a: Item, b: Item): boolean {
    return a.atMs < b.atMs || (a.atMs === b.atMs && a.order < b.order);
  }

  private push(item: Item): void {
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): Item {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
