/**
 * The messages of one view at one member, and the rules that deliver them: FIFO per sender,
 * causal by vector timestamps, total by the sequencer's positions, safe once stable
 * (held by every member). Also the stability bookkeeping that frees memory, and the report
 * a member gives in a flush, and the delivery of the agreed cut at the end of the view.
 *
 * Seqs count a sender's multicasts in this view, all orders together, from 1. Links are FIFO,
 * so a member receives each sender's messages in seq order (`holds` is contiguous); only
 * the cut at a view change fills in what a member missed.
 */
import { FifoQueue } from '../fifo-queue.js';
import { SeqStore } from './seq-store.js';
import type { DataMsg, ViewValue } from '../wire/messages.js';

interface Entry {
  msg: DataMsg;
  delivered: boolean;
  bytes: number;
}

interface Sender {
  entries: SeqStore<Entry>;
  /** Highest seq held, contiguously from 1. */
  holds: number;
  /** The sender's causal count at `holds`. */
  causalAtHolds: number;
  /** Every seq at or below this was freed (delivered and stable). */
  freedTo: number;
  fifo: FifoQueue<number>;
  causal: FifoQueue<number>;
  causalDelivered: number;
  /** Highest seq of this sender known to have a total-order position. */
  positionedTo: number;
  /** Every seq at or below this was delivered here. */
  deliveredTo: number;
}

const key = (rank: number, seq: number): number => rank * 2 ** 32 + seq;

/** The least of column `column` over every row: what every member reported, at the least. */
const columnMin = (rows: readonly number[][], column: number): number => {
  let min = Infinity;
  for (const row of rows) min = Math.min(min, row[column]!);
  return min;
};

export type Deliver = (msg: DataMsg) => void;

export class ViewLog {
  private readonly senders: Sender[];
  /** acks[m][s]: what member m last reported holding of sender s. */
  private readonly acks: number[][];
  /** deliveredBy[m][s]: what member m last reported having delivered of sender s (a prefix). */
  private readonly deliveredBy: number[][];
  private readonly deliveredPositionsOf: number[];
  /** How many total-order positions each member holds (the sequencer's list is a prefix everywhere). */
  private readonly heldPositionsOf: number[];
  /** The total order: positions orderBase, orderBase + 1, ... as flattened (rank, seq) pairs. */
  private orderBase = 0;
  private order: number[] = [];
  private readonly positioned = new Set<number>();
  /** Next total-order position to deliver. */
  nextPosition = 0;
  /** Sequencer only: positions assigned but not yet announced. */
  private announceFrom = 0;
  retained = 0;
  retainedBytes = 0;

  constructor(
    readonly viewId: number,
    readonly members: readonly string[],
    readonly myRank: number,
  ) {
    this.senders = members.map(() => ({
      entries: new SeqStore(), holds: 0, causalAtHolds: 0, freedTo: 0, fifo: new FifoQueue(), causal: new FifoQueue(), causalDelivered: 0, positionedTo: 0,
      deliveredTo: 0,
    }));
    this.acks = members.map(() => members.map(() => 0));
    this.deliveredBy = members.map(() => members.map(() => 0));
    this.deliveredPositionsOf = members.map(() => 0);
    this.heldPositionsOf = members.map(() => 0);
  }

  get size(): number {
    return this.members.length;
  }

  holds(): number[] {
    return this.senders.map((s) => s.holds);
  }

  causalCounts(): number[] {
    return this.senders.map((s) => s.causalAtHolds);
  }

  causalDelivered(): number[] {
    return this.senders.map((s) => s.causalDelivered);
  }

  /** Per sender, the seq up to which this member delivered everything. */
  deliveredPrefix(): number[] {
    return this.senders.map((s) => s.deliveredTo);
  }

  /** Highest seq of sender `rank` held here, contiguously from 1. */
  holdsOf(rank: number): number {
    return this.senders[rank]!.holds;
  }

  /** The seq of sender `rank` up to which this member delivered everything. */
  deliveredOf(rank: number): number {
    return this.senders[rank]!.deliveredTo;
  }

  /**
   * Records this member's own report, as `report` would, without building it: what it holds is
   * recorded as it adds messages, what it delivered here.
   */
  reportOwn(): void {
    const done = this.deliveredBy[this.myRank]!;
    for (let s = 0; s < this.size; s++) done[s] = Math.max(done[s]!, this.senders[s]!.deliveredTo);
    this.deliveredPositionsOf[this.myRank] = Math.max(this.deliveredPositionsOf[this.myRank]!, this.nextPosition);
    this.heldPositionsOf[this.myRank] = Math.max(this.heldPositionsOf[this.myRank]!, this.heldPositions);
  }

  /** Stores a message received in seq order; false for a duplicate or a gap. */
  add(msg: DataMsg, rank: number, sizeBytes: number): boolean {
    const s = this.senders[rank]!;
    if (msg.n !== s.holds + 1) return false;
    this.store(msg, rank, sizeBytes);
    s.holds = msg.n;
    s.causalAtHolds = msg.cc;
    this.acks[this.myRank]![rank] = msg.n;
    return true;
  }

  private store(msg: DataMsg, rank: number, sizeBytes: number): void {
    const s = this.senders[rank]!;
    if (s.entries.has(msg.n) || msg.n <= s.freedTo) return;
    s.entries.set(msg.n, { msg, delivered: false, bytes: sizeBytes });
    this.retained += 1;
    this.retainedBytes += sizeBytes;
    if (msg.o === 0) s.fifo.push(msg.n);
    else if (msg.o === 1) s.causal.push(msg.n);
  }

  /** Sequencer: gives the next position to a total-order message just added. */
  sequence(rank: number, seq: number): void {
    const k = key(rank, seq);
    if (this.positioned.has(k)) return;
    this.positioned.add(k);
    this.order.push(rank, seq);
    const s = this.senders[rank]!;
    s.positionedTo = Math.max(s.positionedTo, seq);
  }

  /** Sequencer: the positions not yet announced, as [first position, flattened pairs]. */
  takeAnnouncements(): [number, number[]] | undefined {
    const end = this.orderBase + this.order.length / 2;
    if (this.announceFrom >= end) return undefined;
    const from = this.announceFrom;
    this.announceFrom = end;
    return [from, this.order.slice((from - this.orderBase) * 2)];
  }

  /** Positions announced by the sequencer, from position `first` on. */
  applyOrder(first: number, pairs: number[]): void {
    const end = this.orderBase + this.order.length / 2;
    if (first > end) return;
    for (let i = (end - first) * 2; i < pairs.length; i += 2) {
      const rank = pairs[i]!;
      const seq = pairs[i + 1]!;
      if (rank >= this.size) return;
      this.positioned.add(key(rank, seq));
      this.order.push(rank, seq);
      const s = this.senders[rank]!;
      s.positionedTo = Math.max(s.positionedTo, seq);
    }
  }

  /** The total-order positions this member holds: every one below this number. */
  get heldPositions(): number {
    return this.orderBase + this.order.length / 2;
  }

  /**
   * Member `rank` reports, per sender, what it holds (`h`) and delivered (`dl`), and how many
   * total-order positions it delivered (`dp`) and holds (`op`).
   */
  report(rank: number, r: { h: number[]; dl: number[]; dp: number; op: number }): void {
    const row = this.acks[rank]!;
    const done = this.deliveredBy[rank]!;
    for (let s = 0; s < this.size; s++) {
      row[s] = Math.max(row[s]!, r.h[s] ?? 0);
      done[s] = Math.max(done[s]!, Math.min(r.dl[s] ?? 0, row[s]!));
    }
    this.deliveredPositionsOf[rank] = Math.max(this.deliveredPositionsOf[rank]!, r.dp);
    this.heldPositionsOf[rank] = Math.max(this.heldPositionsOf[rank]!, r.op);
  }

  /** Highest seq of `sender` known to be held by every member. */
  stable(sender: number): number {
    return columnMin(this.acks, sender);
  }

  /** Highest seq of `sender` known to be delivered by every member (flow control waits for it). */
  deliveredEverywhere(sender: number): number {
    return columnMin(this.deliveredBy, sender);
  }

  private positionsHeldEverywhere(): number {
    let min = this.heldPositions;
    this.heldPositionsOf.forEach((held, rank) => { if (rank !== this.myRank) min = Math.min(min, held); });
    return min;
  }

  private deliverable(entry: Entry, rank: number): boolean {
    return entry.msg.sf !== 1 || entry.msg.n <= this.stable(rank);
  }

  private causallyReady(msg: DataMsg, rank: number): boolean {
    const vt = msg.vt!;
    for (let k = 0; k < this.size; k++) {
      const have = this.senders[k]!.causalDelivered;
      if (k === rank ? vt[k] !== have + 1 : vt[k]! > have) return false;
    }
    return true;
  }

  private mark(entry: Entry, rank: number, deliver: Deliver): void {
    entry.delivered = true;
    const s = this.senders[rank]!;
    if (entry.msg.o === 1) s.causalDelivered += 1;
    while (s.entries.get(s.deliveredTo + 1)?.delivered === true) s.deliveredTo += 1;
    deliver(entry.msg);
  }

  /** Delivers everything the orders allow now, in a loop until nothing more is ready. */
  deliverReady(deliver: Deliver): void {
    for (let progress = true; progress; ) {
      progress = false;
      for (let rank = 0; rank < this.size; rank++) {
        const s = this.senders[rank]!;
        while (s.fifo.length > 0) {
          const entry = s.entries.get(s.fifo.peek()!)!;
          if (!this.deliverable(entry, rank)) break;
          s.fifo.shift();
          this.mark(entry, rank, deliver);
          progress = true;
        }
        while (s.causal.length > 0) {
          const entry = s.entries.get(s.causal.peek()!)!;
          if (!this.deliverable(entry, rank) || !this.causallyReady(entry.msg, rank)) break;
          s.causal.shift();
          this.mark(entry, rank, deliver);
          progress = true;
        }
      }
      while (this.deliverPosition(deliver)) progress = true;
    }
  }

  private deliverPosition(deliver: Deliver): boolean {
    const i = (this.nextPosition - this.orderBase) * 2;
    if (i >= this.order.length) return false;
    const rank = this.order[i]!;
    const entry = this.senders[rank]?.entries.get(this.order[i + 1]!);
    if (entry === undefined || !this.deliverable(entry, rank)) return false;
    // A safe message's position, too, must be held by every member: then whoever survives knows
    // it, the cut keeps it, and the order is the same at every member, even one that crashes.
    if (entry.msg.sf === 1 && this.positionsHeldEverywhere() <= this.nextPosition) return false;
    this.nextPosition += 1;
    if (!entry.delivered) this.mark(entry, rank, deliver);
    return true;
  }

  /** Frees what every member holds and this member delivered; prunes positions all delivered. */
  collect(): void {
    for (let rank = 0; rank < this.size; rank++) {
      const s = this.senders[rank]!;
      const stable = this.stable(rank);
      while (s.freedTo < stable) {
        const entry = s.entries.get(s.freedTo + 1);
        if (entry === undefined || !entry.delivered) break;
        s.entries.deleteFirst(s.freedTo + 1);
        this.retained -= 1;
        this.retainedBytes -= entry.bytes;
        s.freedTo += 1;
      }
    }
    if (this.order.length <= 512) return; // prune only what is worth the copy
    let floor = this.nextPosition;
    for (const delivered of this.deliveredPositionsOf) floor = Math.min(floor, delivered);
    const prunable = floor - this.orderBase;
    if (prunable > 256 && prunable * 2 >= this.order.length / 2) {
      for (let i = 0; i < prunable * 2; i += 2) this.positioned.delete(key(this.order[i]!, this.order[i + 1]!));
      this.order = this.order.slice(prunable * 2);
      this.orderBase = floor;
    }
  }

  /** What this member tells a view-change coordinator. */
  flushReport(): { h: number[]; hc: number[]; ob: number; ol: number[]; pu: number[]; ms: DataMsg[] } {
    const ms: DataMsg[] = [];
    this.senders.forEach((s, rank) => {
      const stable = this.stable(rank);
      for (const [seq, entry] of s.entries.entries()) if (seq > stable) ms.push(entry.msg);
    });
    const pu = this.senders.map((s) => s.positionedTo);
    return { h: this.holds(), hc: this.causalCounts(), ob: this.orderBase, ol: this.order.slice(), pu, ms };
  }

  /** Every retained message (the coordinator pools its own with the reports). */
  *messages(): Generator<DataMsg> {
    for (const s of this.senders) for (const entry of s.entries.values()) yield entry.msg;
  }

  isPositioned(rank: number, seq: number): boolean {
    return this.positioned.has(key(rank, seq));
  }

  /**
   * Ends the view: delivers every message of the agreed cut not yet delivered, in a
   * deterministic order (the final total order, then causal, then FIFO), and nothing else.
   * Returns a sentence when the cut names a message this member does not have (a bug).
   */
  deliverCut(value: ViewValue, deliver: Deliver): string | undefined {
    for (const msg of value.msgs) {
      const rank = this.members.indexOf(msg.f);
      if (rank >= 0 && msg.n <= (value.cut[rank] ?? 0)) this.store(msg, rank, 0);
    }
    const dropped = new Set<number>();
    for (let i = 0; i < value.drops.length; i += 2) dropped.add(key(value.drops[i]!, value.drops[i + 1]!));
    const pending = (rank: number, seq: number): Entry | undefined => {
      const entry = this.senders[rank]!.entries.get(seq);
      return entry !== undefined && !entry.delivered && !dropped.has(key(rank, seq)) ? entry : undefined;
    };
    for (let i = 0; i < value.order.length; i += 2) {
      const position = value.orderBase + i / 2;
      if (position < this.nextPosition) continue;
      const rank = value.order[i]!;
      const seq = value.order[i + 1]!;
      const entry = pending(rank, seq);
      if (entry === undefined && !this.senders[rank]!.entries.get(seq)?.delivered) {
        return `cut of view ${this.viewId} orders ${rank}:${seq}, which is missing`;
      }
      if (entry !== undefined) this.mark(entry, rank, deliver);
    }
    const cutSeqs = (rank: number, order: 0 | 1): number[] => {
      const out: number[] = [];
      const s = this.senders[rank]!;
      for (let seq = s.freedTo + 1; seq <= (value.cut[rank] ?? 0); seq++) {
        const entry = pending(rank, seq);
        if (entry?.msg.o === order) out.push(seq);
      }
      return out;
    };
    const causal = this.senders.map((_, rank) => cutSeqs(rank, 1));
    for (let progress = true; progress; ) {
      progress = false;
      causal.forEach((queue, rank) => {
        while (queue.length > 0) {
          const entry = this.senders[rank]!.entries.get(queue[0]!)!;
          if (!this.causallyReady(entry.msg, rank)) break;
          queue.shift();
          this.mark(entry, rank, deliver);
          progress = true;
        }
      });
    }
    if (causal.some((q) => q.length > 0)) return `cut of view ${this.viewId} leaves causal messages undeliverable`;
    for (let rank = 0; rank < this.size; rank++) {
      for (const seq of cutSeqs(rank, 0)) this.mark(this.senders[rank]!.entries.get(seq)!, rank, deliver);
    }
    for (let rank = 0; rank < this.size; rank++) {
      const s = this.senders[rank]!;
      for (let seq = s.freedTo + 1; seq <= (value.cut[rank] ?? 0); seq++) {
        const entry = pending(rank, seq);
        if (entry !== undefined) return `cut of view ${this.viewId} leaves ${rank}:${seq} undelivered`;
      }
    }
    return undefined;
  }
}
