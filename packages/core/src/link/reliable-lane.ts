/**
 * One direction-pair of a reliable FIFO stream between two processes, over a transport that
 * may lose, duplicate or reorder frames (the simulator does all three; a data channel none).
 *
 * Sender side: frames carry (epoch, seq); an unacknowledged one is sent again once its time is
 * up: `retransmitMs`, plus the time its bytes take at a modest bandwidth (a 10 MB frame takes
 * seconds to cross, and sending it again while it still crosses only makes it slower), doubled
 * with each attempt (a peer that does not answer is not flooded). Over a transport whose connections
 * lose nothing (`reliable`), only the oldest frame is sent again, and much later: a copy would only
 * queue behind the original. Dropping the send state (`reset`) moves to a new epoch, so the
 * receiver starts over at seq 1 instead of waiting for frames that will never come.
 * Receiver side: frames of an older epoch are stale; a newer epoch restarts the stream;
 * within an epoch, frames are released in seq order exactly once. Frames that arrive ahead of a
 * gap are held up to a count and a byte budget (a peer must not make this process hold what it
 * likes before anything is checked); one beyond them is dropped and reported back to its sender
 * (`dropped`, the frame's `n`), which sends it again once the acknowledgement reaches it
 * (`noteDropped`, `redue`): over a reliable transport nothing else would (only the oldest
 * unacknowledged frame is ever sent again there).
 */
import { FifoQueue } from '../fifo-queue.js';
import type { GroupMsg } from '../wire/messages.js';

interface Pending {
  seq: number;
  messages: GroupMsg[];
  sentAtMs: number;
  /** When it was first sent, or later: when it became the oldest unacknowledged (see `acknowledge`). */
  firstSentMs: number;
  /** Encoded size, once known (the links encode after numbering). */
  bytes: number;
  /** Times sent again. */
  attempts: number;
}

/** When unacknowledged frames are due again. */
export interface RetransmitPolicy {
  /** A small frame's first timeout. */
  readonly retransmitMs: number;
  /** Bytes per ms a frame is allowed on top of it. */
  readonly retransmitBytesPerMs: number;
}

/** Each attempt doubles the timeout, up to this factor. */
const MAX_BACKOFF = 4;
/**
 * Over a reliable transport, the oldest unacknowledged frame is sent again after this long (then
 * doubling): only a safety net for a frame lost where nothing said so. A lost frame holds back the
 * acknowledgement of every later one, so the oldest is the one to send; once it arrives, the
 * cumulative acknowledgement covers what the receiver kept out of order.
 */
const RELIABLE_RESEND_MS = 2000;

export class ReliableLane {
  /** Sender: our epoch toward the peer. Starts at 1 so the receiver's 0 is "nothing yet". */
  epoch = 1;
  /** The seq the next pushed frame gets. */
  nextSeq = 1;
  private unacked = new FifoQueue<Pending>();
  /** Sender: when an acknowledgement last moved the oldest unacknowledged frame up. */
  private progressAtMs = -Infinity;
  /** Receiver: the peer's epoch we follow and the next seq we expect from it. */
  private recvEpoch = 0;
  private recvNext = 1;
  private readonly outOfOrder = new Map<number, { messages: GroupMsg[]; bytes: number }>();
  /** Receiver: encoded bytes of the frames in `outOfOrder`. */
  outOfOrderBytes = 0;
  /** Receiver: seqs of the frames dropped ahead of a gap since the last report (0, 0: none). */
  private droppedLo = 0;
  private droppedHi = 0;
  /** Sender: seqs the receiver reported dropped, to send again once acknowledged up to them (0, 0: none). */
  private redueLo = 0;
  private redueHi = 0;
  /** Receiver: an acknowledgement is owed since this time, or undefined. */
  ackOwedSinceMs: number | undefined;

  /**
   * @param maxOutOfOrder frames held ahead of a gap, at most
   * @param maxOutOfOrderBytes their encoded bytes, at most
   */
  constructor(
    private readonly maxOutOfOrder: number,
    private readonly maxOutOfOrderBytes = Infinity,
  ) {}

  get inFlight(): number {
    return this.unacked.length;
  }

  /** Encoded bytes of the frames not yet acknowledged. */
  inFlightBytes = 0;

  /** Assigns the next seq to a batch of messages and keeps it until acknowledged. */
  push(messages: GroupMsg[], nowMs: number): number {
    const seq = this.nextSeq++;
    this.unacked.push({ seq, messages, sentAtMs: nowMs, firstSentMs: nowMs, bytes: 0, attempts: 0 });
    return seq;
  }

  /** Notes the encoded size of the frame `seq`, the one just pushed (its timeout grows with it). */
  sized(seq: number, bytes: number): void {
    const last = this.unacked.at(this.unacked.length - 1);
    if (last?.seq !== seq) return;
    this.inFlightBytes += bytes - last.bytes;
    last.bytes = bytes;
  }

  /**
   * The peer acknowledged everything up to `seq` of `epoch`, heard at `nowMs`. If that moved the
   * oldest unacknowledged frame up, the new oldest one's clocks count from now, as TCP restarts its
   * retransmission timer on an acknowledgement of new data: a frame numbered when it was queued
   * may wait behind megabytes that the link writes out first, and the peer that acknowledges them
   * is neither losing frames nor stalled. Without it, a 1 MiB frame that waited 3 s behind 15 others
   * on a slow data channel was sent again (a fifth more bytes on the wire), and a longer wait would
   * have counted as a peer that stopped reading (`ackDueMs`).
   */
  acknowledge(epoch: number, seq: number, nowMs: number): void {
    if (epoch !== this.epoch) return;
    let moved = false;
    for (let head = this.unacked.peek(); head !== undefined && head.seq <= seq; head = this.unacked.peek()) {
      this.inFlightBytes -= head.bytes;
      this.unacked.shift();
      moved = true;
    }
    if (!moved) return;
    this.progressAtMs = nowMs;
    const head = this.unacked.peek();
    if (head !== undefined) head.firstSentMs = Math.max(head.firstSentMs, nowMs);
  }

  /**
   * When the oldest unacknowledged frame should have been acknowledged at the latest: by its third
   * retransmission (each timeout its first one doubled, so a loss or a partition shorter than the
   * failure timeout is repaired before then); Infinity with none.
   */
  ackDueMs(policy: RetransmitPolicy): number {
    const oldest = this.unacked.peek();
    if (oldest === undefined) return Infinity;
    return oldest.firstSentMs + (1 + 2 + 4) * (policy.retransmitMs + oldest.bytes / policy.retransmitBytesPerMs);
  }

  /** This process was stalled for `stallMs`: the waits for acknowledgements move on by that much. */
  excuse(stallMs: number): void {
    for (const p of this.unacked) p.firstSentMs += stallMs;
  }

  /**
   * Frames due for retransmission at `nowMs`; their clocks restart, with a longer timeout. Over a
   * `reliable` transport, only the oldest, only after RELIABLE_RESEND_MS, and counted from the last
   * acknowledgement that moved it up if that came later (see `acknowledge`). Over a lossy one each
   * frame has its own clock: nothing queues ahead of it there, the frames go straight out.
   */
  due(nowMs: number, policy: RetransmitPolicy, reliable = false): Array<{ seq: number; messages: GroupMsg[] }> {
    const out: Array<{ seq: number; messages: GroupMsg[] }> = [];
    const oldest = this.unacked.peek();
    for (const p of reliable ? (oldest === undefined ? [] : [oldest]) : this.unacked) {
      const firstMs = reliable ? RELIABLE_RESEND_MS : policy.retransmitMs;
      const timeoutMs = (firstMs + p.bytes / policy.retransmitBytesPerMs) * Math.min(2 ** p.attempts, MAX_BACKOFF);
      const sinceMs = reliable ? Math.max(p.sentAtMs, this.progressAtMs) : p.sentAtMs;
      if (nowMs - sinceMs >= timeoutMs) {
        p.sentAtMs = nowMs;
        p.attempts += 1;
        out.push({ seq: p.seq, messages: p.messages });
      }
    }
    return out;
  }

  /** Every unacknowledged frame, oldest first, to be sent again now; their clocks restart. */
  all(nowMs: number): Array<{ seq: number; messages: GroupMsg[] }> {
    for (const p of this.unacked) p.sentAtMs = nowMs;
    return this.unacked.toArray().map(({ seq, messages }) => ({ seq, messages }));
  }

  /** Forgets everything unacknowledged: the peer is gone or no longer needed. */
  reset(): void {
    this.unacked = new FifoQueue();
    this.inFlightBytes = 0;
    this.epoch += 1;
    this.nextSeq = 1;
    this.redueLo = this.redueHi = 0;
  }

  /** The receiver of our `epoch` dropped the frames `lo`..`hi` ahead of a gap: they go again once acknowledged up to them. */
  noteDropped(epoch: number, lo: number, hi: number): void {
    if (epoch !== this.epoch || lo === 0 || hi < lo || lo >= this.nextSeq) return;
    this.redueLo = this.redueHi === 0 ? lo : Math.min(this.redueLo, lo);
    this.redueHi = Math.max(this.redueHi, Math.min(hi, this.nextSeq - 1));
  }

  /**
   * The frames reported dropped, to send again now that the receiver takes them in order (it
   * acknowledged everything before them); none while an older frame is still missing there (it
   * comes first: in flight, or sent again as the oldest). Their clocks restart.
   */
  redue(nowMs: number): Array<{ seq: number; messages: GroupMsg[] }> {
    if (this.redueHi === 0) return [];
    const head = this.unacked.peek();
    if (head !== undefined && head.seq < this.redueLo) return [];
    const out: Array<{ seq: number; messages: GroupMsg[] }> = [];
    for (const p of this.unacked) {
      if (p.seq > this.redueHi) break;
      p.sentAtMs = nowMs;
      out.push({ seq: p.seq, messages: p.messages });
    }
    this.redueLo = this.redueHi = 0;
    return out;
  }

  /** Receiver: the frames dropped ahead of a gap since the last report, or undefined. */
  dropped(): [number, number] | undefined {
    return this.droppedHi === 0 ? undefined : [this.droppedLo, this.droppedHi];
  }

  /** Receiver: the drops were reported (in a frame just sent). */
  reportedDropped(): void {
    this.droppedLo = this.droppedHi = 0;
  }

  private noteDrop(lo: number, hi: number): void {
    this.droppedLo = this.droppedHi === 0 ? lo : Math.min(this.droppedLo, lo);
    this.droppedHi = Math.max(this.droppedHi, hi);
  }

  /**
   * Receiver: lets go of every frame held out of order (the peer's connection is gone), reporting
   * them as dropped, so that the peer sends them again if it comes back.
   */
  release(): void {
    if (this.outOfOrder.size === 0) return;
    let lo = Infinity;
    let hi = 0;
    for (const seq of this.outOfOrder.keys()) {
      lo = Math.min(lo, seq);
      hi = Math.max(hi, seq);
    }
    this.noteDrop(lo, hi);
    this.outOfOrder.clear();
    this.outOfOrderBytes = 0;
  }

  /**
   * Takes a frame of the peer's stream; returns the batches now deliverable, in order.
   * Duplicates and stale frames yield nothing (but still owe an acknowledgement).
   */
  receive(epoch: number, seq: number, messages: GroupMsg[], nowMs: number, bytes = 0): GroupMsg[][] {
    if (epoch < this.recvEpoch) return [];
    if (epoch > this.recvEpoch) {
      this.recvEpoch = epoch;
      this.recvNext = 1;
      this.outOfOrder.clear();
      this.outOfOrderBytes = 0;
      this.droppedLo = this.droppedHi = 0;
    }
    this.ackOwedSinceMs ??= nowMs;
    if (seq < this.recvNext) return [];
    if (seq > this.recvNext) {
      if (this.outOfOrder.has(seq)) return [];
      if (this.outOfOrder.size < this.maxOutOfOrder && this.outOfOrderBytes + bytes <= this.maxOutOfOrderBytes) {
        this.outOfOrder.set(seq, { messages, bytes });
        this.outOfOrderBytes += bytes;
      } else {
        this.noteDrop(seq, seq);
      }
      return [];
    }
    const ready = [messages];
    this.recvNext += 1;
    for (let next = this.outOfOrder.get(this.recvNext); next !== undefined; next = this.outOfOrder.get(this.recvNext)) {
      this.outOfOrder.delete(this.recvNext);
      this.outOfOrderBytes -= next.bytes;
      ready.push(next.messages);
      this.recvNext += 1;
    }
    // A drop report for frames now taken in order is moot.
    if (this.droppedHi !== 0 && this.droppedHi < this.recvNext) this.droppedLo = this.droppedHi = 0;
    else if (this.droppedHi !== 0) this.droppedLo = Math.max(this.droppedLo, this.recvNext);
    return ready;
  }

  /** Whether a frame (epoch, seq) of the peer would be held ahead of a gap (or dropped there), not taken now. */
  isAhead(epoch: number, seq: number): boolean {
    if (epoch < this.recvEpoch) return false;
    return seq > (epoch > this.recvEpoch ? 1 : this.recvNext);
  }

  /** The cumulative acknowledgement to piggyback: [epoch, highest seq received in order]. */
  ack(): [number, number] {
    return [this.recvEpoch, this.recvNext - 1];
  }
}
