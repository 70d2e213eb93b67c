/**
 * The links to every peer process: batching, the two reliable lanes, acknowledgements,
 * heartbeats, and when each peer was last heard from (the failure detector's input).
 * One link per pair of processes serves every group they share.
 */
import type { EngineConfig } from '../config.js';
import type { Lane } from '../transport.js';
import { decodeFrame, encodeFrame, encodeFrameWith, encodeMessages, type Frame } from '../wire/frame.js';
import type { GroupMsg } from '../wire/messages.js';
import { payloadBytes } from '../wire/size.js';
import { ReliableLane } from './reliable-lane.js';

const LANES: readonly Lane[] = ['control', 'data'];
const MAX_MESSAGES_PER_FRAME = 512;
/** How fast a peer's lateness is forgotten. */
const GAP_HALF_LIFE_MS = 10_000;
/**
 * A frame that carries a checkpoint's chunks is acknowledged at the next flush, not after
 * `ackDelayMs`: its sender paces the chunks by what is acknowledged, and a joiner has nothing else
 * to send that the ack could ride on. Only those: a receiver of bulk traffic that acknowledged every
 * large frame at once spent a fifth of its time in wrtc's send, which blocks while the network
 * thread is busy receiving.
 */
const carriesState = (messages: readonly GroupMsg[]): boolean => messages.some((m) => m.t === 's');

/** DATA-like messages ride the data lane; membership traffic has a lane of its own. */
function laneOf(message: GroupMsg): 0 | 1 {
  switch (message.t) {
    case 'd': case 'k': case 'o': case 's': case 'r': return 1;
    default: return 0;
  }
}

interface Peer {
  lanes: [ReliableLane, ReliableLane];
  queued: [GroupMsg[], GroupMsg[]];
  /** Estimated payload bytes queued on the data lane, not yet in a frame. */
  queuedBytes: number;
  lastHeardMs: number | undefined;
  /** The longest gap between two frames of the peer lately (decaying: halved every GAP_HALF_LIFE_MS). */
  slowestGapMs: number;
  slowestGapAtMs: number;
  lastSentMs: number;
  saidGoodbye: boolean;
  /** A frame was held back from a retransmission (LinkEvents.mayCarry). */
  deferred: boolean;
}

export interface LinkEvents {
  send(to: string, bytes: Uint8Array, lane: Lane): void;
  messages(from: string, messages: GroupMsg[]): void;
  rejected(from: string, reason: string): void;
  goodbye(from: string): void;
  /** What was unacknowledged toward `peer` was dropped (a new epoch): whatever it carried must be sent again if needed. */
  reset?(peer: string): void;
  /**
   * Whether a frame numbered earlier with `messages` may be sent (again) to `peer` now: not while
   * it carries a group's messages the peer has not proved the secret for over the current
   * connection (auth/group-gate.ts). Such a frame waits for `resendDeferred`.
   */
  mayCarry?(peer: string, messages: readonly GroupMsg[]): boolean;
  /** The proofs of a secret ('P') in a frame that arrived ahead of a gap: taken at once (they must not wait behind frames that wait for them). */
  proofs?(from: string, messages: GroupMsg[]): void;
}

export class PeerLinks {
  private readonly peers = new Map<string, Peer>();
  private readonly dirty = new Set<string>();
  /** Peers owed an acknowledgement at the next flush (they sent a large frame). */
  private readonly ackNow = new Set<string>();

  /**
   * @param reliable the transport's connections lose nothing while they live (Transport.reliable):
   * frames are sent again only on a new connection, and the oldest one after a long wait.
   */
  constructor(
    private readonly config: EngineConfig,
    private readonly events: LinkEvents,
    private readonly reliable = false,
  ) {}

  private peer(id: string): Peer {
    let p = this.peers.get(id);
    if (p === undefined) {
      const { linkWindowFrames, linkOutOfOrderBytes } = this.config;
      p = {
        lanes: [new ReliableLane(linkWindowFrames, linkOutOfOrderBytes), new ReliableLane(linkWindowFrames, linkOutOfOrderBytes)],
        queued: [[], []],
        queuedBytes: 0,
        lastHeardMs: undefined,
        slowestGapMs: 0,
        slowestGapAtMs: 0,
        lastSentMs: -Infinity,
        saidGoodbye: false,
        deferred: false,
      };
      this.peers.set(id, p);
    }
    return p;
  }

  /** Queues a message for a peer; it goes out, batched, at the next `flush`. */
  enqueue(to: string, message: GroupMsg): void {
    const p = this.peer(to);
    const lane = laneOf(message);
    p.queued[lane].push(message);
    if (lane === 1) p.queuedBytes += payloadBytes(message);
    this.dirty.add(to);
  }

  /**
   * Bytes on their way to a peer on the data lane: queued, or sent and not yet acknowledged. A
   * sender of bulk (a checkpoint) keeps this under a bound, so that the group's traffic to that
   * peer never waits behind more than that.
   */
  backlogBytes(peer: string): number {
    const p = this.peers.get(peer);
    return p === undefined ? 0 : p.queuedBytes + p.lanes[1].inFlightBytes;
  }

  /**
   * Sends everything queued: one frame per lane per peer, or more past the batch limits (messages,
   * and about `batchBytes`). A frame that still comes out larger than half of `maxFrameBytes` (large
   * messages the estimate missed) is split in two: a frame must always be small enough to arrive.
   */
  flush(nowMs: number): void {
    this.lastBatch = undefined;
    for (const id of this.dirty) {
      const p = this.peer(id);
      p.queuedBytes = 0;
      for (const lane of [0, 1] as const) {
        const queue = p.queued[lane];
        while (queue.length > 0) {
          let batch = this.takeBatch(queue);
          let carriable = this.mayCarry(id, batch);
          if (!carriable) {
            // Queued before the connection changed: numbered, but held back until the peer proves
            // (resendDeferred). Proofs among them go at once, in a frame of their own.
            const proofs = batch.filter((m) => m.t === 'P');
            if (proofs.length > 0) {
              queue.unshift(...batch.filter((m) => m.t !== 'P'));
              batch = proofs;
              carriable = true;
            }
          }
          let bytes = this.encode(p, lane, p.lanes[lane].nextSeq, batch);
          while (bytes.length > this.config.maxFrameBytes / 2 && batch.length > 1) {
            const half = batch.length >> 1;
            queue.unshift(...batch.slice(half));
            batch = batch.slice(0, half);
            bytes = this.encode(p, lane, p.lanes[lane].nextSeq, batch);
          }
          const seq = p.lanes[lane].push(batch, nowMs);
          p.lanes[lane].sized(seq, bytes.length);
          if (carriable) this.send(id, p, lane, bytes, nowMs);
          else {
            p.deferred = true;
            this.touch(id, nowMs); // a connection that is down is made again by what goes to the peer
          }
        }
      }
    }
    this.dirty.clear();
    for (const id of this.ackNow) {
      const p = this.peer(id);
      if (p.lanes[0].ackOwedSinceMs !== undefined || p.lanes[1].ackOwedSinceMs !== undefined) this.emit(id, p, 0, undefined, [], nowMs);
    }
    this.ackNow.clear();
    for (const id of this.queryNow) this.sendFlag(id, { q: 1 }, nowMs);
    this.queryNow.clear();
  }

  /** The next batch of a queue: up to MAX_MESSAGES_PER_FRAME messages and about `batchBytes` of payload. */
  private takeBatch(queue: GroupMsg[]): GroupMsg[] {
    let bytes = 0;
    let count = 0;
    while (count < queue.length && count < MAX_MESSAGES_PER_FRAME) {
      bytes += payloadBytes(queue[count]!);
      count += 1;
      if (bytes >= this.config.batchBytes) break;
    }
    return queue.splice(0, count);
  }

  /** The batch encoded last in this flush, and its bytes: the next peer's is usually the same multicast. */
  private lastBatch: { messages: GroupMsg[]; bytes: Uint8Array } | undefined;

  /** Encodes a frame of the lane, with the acknowledgements owed to the peer. */
  private encode(p: Peer, lane: 0 | 1, seq: number | undefined, messages: GroupMsg[]): Uint8Array {
    const [e0, s0] = p.lanes[0].ack();
    const [e1, s1] = p.lanes[1].ack();
    const header: Omit<Frame, 'm'> = { l: lane, e: p.lanes[lane].epoch, a: [e0, s0, e1, s1] };
    const d0 = p.lanes[0].dropped();
    const d1 = p.lanes[1].dropped();
    if (d0 !== undefined || d1 !== undefined) header.n = [...(d0 ?? [0, 0]), ...(d1 ?? [0, 0])] as [number, number, number, number];
    if (seq !== undefined) header.s = seq;
    return encodeFrameWith(header, this.encodedBatch(messages));
  }

  /** `messages` encoded, or the last batch's bytes when it held the very same messages. */
  private encodedBatch(messages: GroupMsg[]): Uint8Array {
    const last = this.lastBatch;
    if (last !== undefined && last.messages.length === messages.length && last.messages.every((m, i) => m === messages[i])) return last.bytes;
    const bytes = encodeMessages(messages);
    this.lastBatch = { messages, bytes };
    return bytes;
  }

  private send(id: string, p: Peer, lane: 0 | 1, bytes: Uint8Array, nowMs: number, sequenced = true): void {
    p.lanes[0].ackOwedSinceMs = undefined;
    p.lanes[1].ackOwedSinceMs = undefined;
    p.lanes[0].reportedDropped();
    p.lanes[1].reportedDropped();
    p.lastSentMs = nowMs;
    this.events.send(id, bytes, sequenced ? LANES[lane]! : 'control');
  }

  /** Encodes and sends one frame (a retransmission, or an unsequenced heartbeat); returns its size. */
  private emit(id: string, p: Peer, lane: 0 | 1, seq: number | undefined, messages: GroupMsg[], nowMs: number): number {
    const bytes = this.encode(p, lane, seq, messages);
    this.send(id, p, lane, bytes, nowMs, seq !== undefined);
    return bytes.length;
  }

  /** Takes an inbound frame: acknowledgements, then its messages in lane order. */
  receive(from: string, bytes: Uint8Array, nowMs: number): void {
    const decoded = decodeFrame(bytes, this.config.maxFrameBytes);
    if (typeof decoded === 'string') {
      this.events.rejected(from, decoded);
      return;
    }
    for (const reason of decoded.rejected) this.events.rejected(from, reason);
    const { frame } = decoded;
    const p = this.peer(from);
    if (p.lastHeardMs !== undefined && Number.isFinite(p.lastHeardMs)) {
      const gap = nowMs - p.lastHeardMs;
      if (gap > this.slowestGap(p, nowMs)) {
        p.slowestGapMs = gap;
        p.slowestGapAtMs = nowMs;
      }
    }
    p.lastHeardMs = nowMs;
    if (frame.a !== undefined) {
      p.lanes[0].acknowledge(frame.a[0], frame.a[1], nowMs);
      p.lanes[1].acknowledge(frame.a[2], frame.a[3], nowMs);
      if (frame.n !== undefined) {
        p.lanes[0].noteDropped(frame.a[0], frame.n[0], frame.n[1]);
        p.lanes[1].noteDropped(frame.a[2], frame.n[2], frame.n[3]);
      }
      // Frames the peer dropped ahead of a gap go again once it acknowledged what came before them.
      for (const lane of [0, 1] as const) {
        for (const { seq, messages } of p.lanes[lane].redue(nowMs)) this.resend(from, p, lane, seq, messages, nowMs);
      }
    }
    if (frame.s !== undefined) {
      if (carriesState(frame.m)) this.ackNow.add(from);
      if (this.events.proofs !== undefined && p.lanes[frame.l].isAhead(frame.e, frame.s)) {
        const proofs = frame.m.filter((m) => m.t === 'P');
        if (proofs.length > 0) this.events.proofs(from, proofs);
      }
      for (const batch of p.lanes[frame.l].receive(frame.e, frame.s, frame.m, nowMs, bytes.length)) {
        if (batch.length > 0) this.events.messages(from, batch);
      }
    } else if (frame.m.length > 0) {
      this.events.rejected(from, 'unsequenced frame carrying messages');
    }
    if (frame.q === 1 && !p.saidGoodbye) this.emit(from, p, 0, undefined, [], nowMs); // "are you there?": yes
    if (frame.b === 1 && !p.saidGoodbye) {
      p.saidGoodbye = true;
      this.events.goodbye(from);
    }
  }

  /**
   * Periodic work: retransmissions, owed acknowledgements, heartbeats to the peers some group
   * needs, and forgetting the send state of peers no group needs any more.
   */
  tick(nowMs: number, needed: (peer: string) => boolean): void {
    for (const [id, p] of this.peers) {
      const isNeeded = needed(id);
      if (!isNeeded && (p.lanes[0].inFlight > 0 || p.lanes[1].inFlight > 0)) {
        const silentMs = nowMs - (p.lastHeardMs ?? -Infinity);
        if (silentMs > this.config.failureTimeoutMs || p.saidGoodbye) {
          p.lanes[0].reset();
          p.lanes[1].reset();
          this.events.reset?.(id);
        }
      }
      for (const lane of [0, 1] as const) {
        for (const { seq, messages } of p.lanes[lane].due(nowMs, this.config, this.reliable)) {
          this.resend(id, p, lane, seq, messages, nowMs);
        }
      }
      const owed = [p.lanes[0].ackOwedSinceMs, p.lanes[1].ackOwedSinceMs].some(
        (since) => since !== undefined && nowMs - since >= this.config.ackDelayMs,
      );
      const idle = nowMs - p.lastSentMs >= this.config.heartbeatIntervalMs;
      if (owed || (isNeeded && idle && !p.saidGoodbye)) this.emit(id, p, 0, undefined, [], nowMs);
    }
  }

  /** Sends again, now, every frame `peer` has not acknowledged (a new connection replaced one that may have lost them). */
  resendUnacknowledged(peer: string, nowMs: number): void {
    const p = this.peers.get(peer);
    if (p === undefined || p.saidGoodbye) return;
    p.deferred = false;
    for (const lane of [0, 1] as const) {
      for (const { seq, messages } of p.lanes[lane].all(nowMs)) this.resend(peer, p, lane, seq, messages, nowMs);
    }
  }

  /** The frames held back from `peer` (LinkEvents.mayCarry) may go now: sends everything unacknowledged again, if any was. */
  resendDeferred(peer: string, nowMs: number): void {
    if (this.peers.get(peer)?.deferred === true) this.resendUnacknowledged(peer, nowMs);
  }

  private mayCarry(id: string, messages: readonly GroupMsg[]): boolean {
    return this.events.mayCarry === undefined || this.events.mayCarry(id, messages);
  }

  /** Sends a numbered frame again, unless it must wait (LinkEvents.mayCarry). */
  private resend(id: string, p: Peer, lane: 0 | 1, seq: number, messages: GroupMsg[], nowMs: number): void {
    if (!this.mayCarry(id, messages)) {
      p.deferred = true;
      return;
    }
    this.emit(id, p, lane, seq, messages, nowMs);
  }

  /**
   * Sends the peer a heartbeat (unsequenced, no messages) unless something went to it lately: a
   * transport that makes connections on demand makes one.
   */
  touch(peer: string, nowMs: number): void {
    const p = this.peer(peer);
    if (nowMs - p.lastSentMs >= this.config.heartbeatIntervalMs) this.emit(peer, p, 0, undefined, [], nowMs);
  }

  /**
   * Asks a peer that has been silent to answer at once (best effort, unsequenced), at the next
   * `flush`: one question per peer, however many groups ask. Each group's failure detector asks on
   * its own, and a process in a thousand groups with a silent peer would otherwise send it a
   * thousand questions (and get a thousand answers) per round, each a write to the network.
   */
  query(peer: string): void {
    this.queryNow.add(peer);
  }

  /** Peers to ask to answer at the next `flush`. */
  private readonly queryNow = new Set<string>();

  /** Sends a goodbye to each peer (best effort, unsequenced). */
  goodbye(peers: Iterable<string>, nowMs: number): void {
    for (const id of peers) this.sendFlag(id, { b: 1 }, nowMs);
  }

  /** An unsequenced frame with no messages, only a flag. */
  private sendFlag(id: string, flag: Pick<Frame, 'q'> | Pick<Frame, 'b'>, nowMs: number): void {
    const p = this.peer(id);
    const frame: Frame = { l: 0, e: p.lanes[0].epoch, m: [], ...flag };
    p.lastSentMs = nowMs;
    this.events.send(id, encodeFrame(frame), 'control');
  }

  /**
   * When the peer was last heard from, for the failure detector; a peer first needed now counts
   * as heard now. A peer that keeps sending but stops acknowledging (it stopped reading: a hung
   * consumer) counts as silent from when its oldest unacknowledged frame should have been
   * acknowledged at the latest: it is suspected and excluded, rather than make every sender keep
   * its frames and wait on it.
   */
  lastHeard(peer: string, nowMs: number): number {
    const p = this.peer(peer);
    if (p.saidGoodbye) return -Infinity;
    p.lastHeardMs ??= nowMs;
    const stalled = Math.min(p.lanes[0].ackDueMs(this.config), p.lanes[1].ackDueMs(this.config));
    return Math.min(p.lastHeardMs, stalled);
  }

  private slowestGap(p: Peer, nowMs: number): number {
    return p.slowestGapMs * 2 ** (-(nowMs - p.slowestGapAtMs) / GAP_HALF_LIFE_MS);
  }

  /**
   * The longest recent gap between two frames of `peer` (decaying): how late its frames come on
   * this machine and network now. The failure detector waits longer for a peer that is late
   * (a loaded machine, a congested link) before it suspects it: see membership/suspicion.ts.
   */
  lateness(peer: string, nowMs: number): number {
    const p = this.peers.get(peer);
    return p === undefined ? 0 : this.slowestGap(p, nowMs);
  }

  /**
   * This process itself was stalled for `stallMs` (its event loop did not run: an overloaded
   * machine, a suspended tab): nobody was heard meanwhile, through no fault of theirs. Every peer's
   * silence, and every wait for an acknowledgement, is moved on by that much.
   */
  excuse(stallMs: number, nowMs: number): void {
    for (const p of this.peers.values()) {
      if (p.lastHeardMs !== undefined && Number.isFinite(p.lastHeardMs)) p.lastHeardMs = Math.min(nowMs, p.lastHeardMs + stallMs);
      p.lanes[0].excuse(stallMs);
      p.lanes[1].excuse(stallMs);
    }
  }

  /** Which of `peers` have been silent (lastHeard) for more than `thresholdMs`. */
  silent(peers: Iterable<string>, nowMs: number, thresholdMs: number): Set<string> {
    const out = new Set<string>();
    for (const peer of peers) if (nowMs - this.lastHeard(peer, nowMs) > thresholdMs) out.add(peer);
    return out;
  }

  /**
   * The connection to the peer is known gone (from the transport): treat it as silent, and let go
   * of what it sent ahead of a gap (reported dropped: a peer that comes back sends it again).
   */
  down(peer: string): void {
    const p = this.peers.get(peer);
    if (p === undefined) return;
    p.lastHeardMs = -Infinity;
    p.lanes[0].release();
    p.lanes[1].release();
  }

  /** Bytes held out of order from every peer (frames that arrived ahead of a gap). */
  heldOutOfOrderBytes(): number {
    let total = 0;
    for (const p of this.peers.values()) total += p.lanes[0].outOfOrderBytes + p.lanes[1].outOfOrderBytes;
    return total;
  }

  /** Reliable frames not yet acknowledged, to every peer. */
  unacknowledged(): number {
    let total = 0;
    for (const p of this.peers.values()) total += p.lanes[0].inFlight + p.lanes[1].inFlight;
    return total;
  }
}
