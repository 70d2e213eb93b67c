/**
 * This member's own multicasts: the application's sends waiting for a view (or for room in the
 * window), the sequence numbers of the current view, and the sends multicast but not yet stable.
 *
 * Flow control (DESIGN.md, "positive acks with a bounded window"): at most `windowMessages`
 * own messages (and `windowBytes`, though one larger message may go alone) are not yet
 * delivered by every member; further sends queue here, so a fast sender waits instead of
 * growing the memory of every member. The window waits for delivery, not mere receipt: a
 * member that cannot deliver (a total-order gap while a frame is retransmitted, a joiner
 * loading its state) holds back every sender, so it never piles up more than a window of each.
 * Stability (receipt by all) settles the application's promises: a safe send resolves once
 * its message is stable, and `flush` once everything sent before it is.
 */
import type { EngineConfig } from '../config.js';
import { FifoQueue } from '../fifo-queue.js';
import type { OrderCode } from '../wire/messages.js';
import type { GroupEvent } from './group-host.js';

/**
 * A multicast that is not a plain application message: a group request (RPC), answered by every
 * member's handler; or an operation of a named channel (a replicated object), delivered to that
 * channel rather than to the 'message' listeners. An ephemeral channel is never checkpointed.
 */
export interface SendTag {
  request?: boolean;
  channel?: string;
  ephemeral?: boolean;
}

/** An application send that has not been multicast yet. */
export interface QueuedSend {
  /** Names the send in the events that settle it; increases with each send. */
  ticket: number;
  order: OrderCode;
  safe: boolean;
  /** What kind of multicast it is: an application message, a group request, a channel's op. */
  tag: SendTag;
  data: unknown;
  bytes: number;
}

interface Unstable {
  seq: number;
  ticket: number;
  safe: boolean;
  bytes: number;
}

/**
 * Sends of a member that was excluded before it learned how its view ended: whether each was
 * delivered (by the survivors, in the cut) is known only to the members of the next view. They stay
 * pending until one of them answers (a fate query, or the fates a rejoin's checkpoint carries).
 */
interface Orphans {
  member: string;
  viewId: number;
  sends: Unstable[];
}

export class OwnStream {
  /** The highest ticket so far: `flush` waits until everything up to it is stable. */
  lastTicket = 0;
  private readonly queue = new FifoQueue<QueuedSend>();
  private unstable = new FifoQueue<Unstable>();
  private orphans: Orphans[] = [];
  /** Own messages not yet delivered by every member, and their bytes. */
  private window = new FifoQueue<Unstable>();
  private windowBytes = 0;
  /** Every send up to this ticket was announced stable. */
  private stableThrough = 0;
  /** Seqs count this member's multicasts in the current view, all orders together, from 1. */
  private seq = 0;
  /** ...and this its causal ones (the own entry of its vector timestamps). */
  private causal = 0;

  constructor(
    private readonly config: EngineConfig,
    private readonly emit: (event: GroupEvent) => void,
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  /** Nothing queued, in flight or waiting for its fate. */
  get quiet(): boolean {
    return this.queue.length === 0 && this.unstable.length === 0 && this.window.length === 0 && this.orphans.length === 0;
  }

  /** Queues a send; false when the queue is full (the caller refuses it). */
  enqueue(item: QueuedSend): boolean {
    this.lastTicket = Math.max(this.lastTicket, item.ticket);
    if (this.queue.length >= this.config.maxQueuedSends) return false;
    this.queue.push(item);
    return true;
  }

  /** A ticket that never reaches the queue still counts for `flush`. */
  noteTicket(ticket: number): void {
    this.lastTicket = Math.max(this.lastTicket, ticket);
  }

  /** The next send to multicast, if the window has room for it. */
  next(): QueuedSend | undefined {
    return this.ready ? this.queue.shift() : undefined;
  }

  /** Whether a send is queued and the window has room for it. */
  get ready(): boolean {
    const head = this.queue.peek();
    if (head === undefined) return false;
    return this.window.length < this.config.windowMessages &&
      (this.window.length === 0 || this.windowBytes + head.bytes <= this.config.windowBytes);
  }

  /** Numbers a send about to be multicast: its seq, and its causal count. */
  number(item: QueuedSend): { seq: number; causal: number } {
    this.seq += 1;
    if (item.order === 1) this.causal += 1;
    return { seq: this.seq, causal: this.causal };
  }

  /** The send went out as `seq`: a plain send is done; a safe one waits for stability. */
  multicast(item: QueuedSend, seq: number): void {
    const own: Unstable = { seq, ticket: item.ticket, safe: item.safe, bytes: item.bytes }; // one record in both queues
    this.unstable.push(own);
    this.window.push(own);
    this.windowBytes += item.bytes;
    if (!item.safe) this.emit({ type: 'sent', ticket: item.ticket });
  }

  /** Every own message up to `seq` is delivered by every member: it leaves the window. */
  deliveredTo(seq: number): void {
    for (let head = this.window.peek(); head !== undefined && head.seq <= seq; head = this.window.peek()) {
      this.windowBytes -= head.bytes;
      this.window.shift();
    }
  }

  /** Every own message up to `seq` is held by every member. */
  stableTo(seq: number): void {
    for (let head = this.unstable.peek(); head !== undefined && head.seq <= seq; head = this.unstable.peek()) {
      this.unstable.shift();
      this.settle(head);
    }
    this.recheck();
  }

  /**
   * Tells `flush` how far every send is settled: stable, or refused (a refused send was never
   * sent, so a flush does not wait for it).
   */
  recheck(): void {
    let first = this.unstable.peek()?.ticket ?? this.queue.peek()?.ticket ?? this.lastTicket + 1;
    for (const o of this.orphans) first = Math.min(first, o.sends[0]?.ticket ?? first);
    const through = first - 1;
    if (through > this.stableThrough) {
      this.stableThrough = through;
      this.emit({ type: 'stable', ticket: through });
    }
  }

  /** Sends not yet known to be stable (this view's, and those waiting for their fate). */
  get unsettled(): number {
    return this.unstable.length + this.orphans.reduce((sum, o) => sum + o.sends.length, 0);
  }

  /**
   * The view ended without this member, by the agreed cut: what the cut keeps of its messages
   * (seq up to `cutSeq`, but `dropped`) every survivor delivered, so those sends resolve; the rest
   * were delivered nowhere, and reject.
   */
  settleByCut(cutSeq: number, dropped: readonly number[], error: Error): void {
    const sends = this.unstable.toArray();
    this.resetView();
    this.decide(sends, (seq) => seq <= cutSeq && !dropped.includes(seq), error);
  }

  /** The view ended without this member, and it does not know the cut: its sends wait for their fate. */
  orphan(member: string, viewId: number): void {
    const sends = this.unstable.toArray();
    this.resetView();
    if (sends.length > 0) this.orphans.push({ member, viewId, sends });
  }

  /**
   * Whether an orphaned send's promise waits for its fate: a safe one (the others resolved when
   * they were multicast; their fate only moves `flush`).
   */
  get awaitsFate(): boolean {
    return this.orphans.some((o) => o.sends.some((own) => own.safe));
  }

  /** The views whose fate this member still waits for, as [member, view id]. */
  orphaned(): Array<[string, number]> {
    return this.orphans.map((o) => [o.member, o.viewId]);
  }

  /** The fate of `member`'s messages of view `viewId` is known: settle its orphaned sends. */
  settleOrphans(member: string, viewId: number, cutSeq: number, dropped: readonly number[], error: Error): void {
    const found = this.orphans.filter((o) => o.member === member && o.viewId === viewId);
    if (found.length === 0) return;
    this.orphans = this.orphans.filter((o) => !found.includes(o));
    for (const o of found) this.decide(o.sends, (seq) => seq <= cutSeq && !dropped.includes(seq), error);
  }

  /** Gives up on every orphaned send: the member left for good without learning their fate. */
  rejectOrphans(error: Error): void {
    const sends = this.orphans.flatMap((o) => o.sends);
    this.orphans = [];
    if (sends.length > 0) this.emit({ type: 'rejected', tickets: sends.map((o) => o.ticket), error });
    this.recheck();
  }

  private decide(sends: Unstable[], delivered: (seq: number) => boolean, error: Error): void {
    const refused: number[] = [];
    for (const own of sends) {
      if (delivered(own.seq)) this.settle(own);
      else refused.push(own.ticket);
    }
    if (refused.length > 0) this.emit({ type: 'rejected', tickets: refused, error });
    this.recheck();
  }

  /**
   * The view ended: whatever this member multicast in it was delivered by every survivor in the
   * cut (the cut holds every message any survivor holds, the sender's own included), so it is all
   * settled; the next view numbers from 1 again.
   */
  endView(): void {
    const done = this.unstable.toArray();
    this.resetView();
    for (const own of done) this.settle(own);
    this.recheck();
  }

  /** Forgets the current view's numbering (a new view, or none). */
  resetView(): void {
    this.seq = 0;
    this.causal = 0;
    this.unstable = new FifoQueue();
    this.window = new FifoQueue();
    this.windowBytes = 0;
  }

  /** Refuses every queued send (none of them went out). */
  rejectQueued(error: Error): void {
    if (this.queue.length === 0) return;
    const tickets = this.queue.clear().map((q) => q.ticket);
    this.emit({ type: 'rejected', tickets, error });
    this.recheck();
  }

  private settle(own: Unstable): void {
    if (own.safe) this.emit({ type: 'sent', ticket: own.ticket });
  }
}
