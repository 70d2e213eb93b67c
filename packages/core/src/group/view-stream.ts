/**
 * The multicast traffic of one view at one member (DESIGN.md §1-4): its own sends going out
 * under the window, DATA from the others into the view log, the sequencer's ORDER records,
 * the stability reports that free memory and settle safe sends, and deliveries in order.
 * A new stream starts with each view; the view change (group-engine.ts) ends it with the cut.
 */
import type { Message, Order, View } from '../api.js';
import { ProtocolError } from '../errors.js';
import type { DataMsg, GroupMsg, OrderMsg, StableMsg, ViewValue } from '../wire/messages.js';
import type { GroupHost } from './group-host.js';
import type { OwnStream, QueuedSend } from './own-stream.js';
import { knowSize, payloadBytes } from '../wire/size.js';
import { ViewLog } from './view-log.js';

const ORDERS: readonly Order[] = ['fifo', 'causal', 'total'];

export class ViewStream {
  readonly log: ViewLog;
  /**
   * The last stability report sent, to send one only when it says something new: per sender what
   * it held, then per sender what it delivered, then the positions delivered and held.
   */
  private readonly reported: number[];
  private reportedJoiners = '';
  /** A changed report waits for the stability interval to pass. */
  private reportOwed = false;
  private lastStableReportMs = -Infinity;

  constructor(
    private readonly group: string,
    readonly view: View,
    private readonly me: string,
    private readonly host: GroupHost,
    private readonly own: OwnStream,
    /** The joiners this member hears (their requests are pending here), told in stability reports. */
    private readonly joiners: () => string[] = () => [],
  ) {
    this.log = new ViewLog(view.id, view.members, view.members.indexOf(me));
    this.reported = new Array<number>(2 * view.members.length + 2).fill(-1); // the first pump reports
  }

  /**
   * Everything that may happen after an input: multicast what the window allows and deliver
   * what the orders allow (unless `active` is false: a view change or a state transfer holds
   * them), announce total-order positions (the sequencer), report what this member holds,
   * settle own sends that became stable, free what everyone holds.
   *
   * A member that promised a view change (`frozen`) reports nothing more: what it holds now
   * may lie beyond the cut being decided from its flush report, and a member that has not heard
   * of the change yet must not count it as stable (it would deliver a safe message that the
   * survivors' cut leaves out).
   */
  pump(active: boolean, frozen: boolean, sequencer: boolean): void {
    const log = this.log;
    // Room the reports heard since the last pump made in the window: taken now, not a tick later.
    this.own.deliveredTo(log.deliveredEverywhere(log.myRank));
    // Until the window has no more room for the queued sends: this member's own deliveries, counted
    // at the end of a round, may be what frees it (always, in a group of one).
    do {
      if (active) {
        this.multicastQueued(sequencer);
        log.deliverReady((m) => this.deliver(m));
      }
      const announce = sequencer ? log.takeAnnouncements() : undefined;
      if (announce !== undefined) {
        const [q, l] = announce;
        this.broadcast({ t: 'o', g: this.group, v: log.viewId, f: this.me, q, l });
        if (active) log.deliverReady((m) => this.deliver(m));
      }
      if (!frozen) this.reportStability();
      this.own.stableTo(log.stable(log.myRank));
      this.own.deliveredTo(log.deliveredEverywhere(log.myRank));
    } while (active && this.own.ready);
    log.collect();
  }

  /** Multicasts the queued sends the window has room for (the first step of `pump`, for an active view). */
  multicastQueued(sequencer: boolean): void {
    for (let item = this.own.next(); item !== undefined; item = this.own.next()) this.multicast(item, sequencer);
  }

  /**
   * Nothing to do until something arrives: nothing retained (every message delivered and stable),
   * no report owed. A quiet view costs nothing on the wire: a member that was excluded without
   * noticing learns it from the process-level view digests (process-engine.ts), not from keepalives.
   */
  get quiet(): boolean {
    return this.log.retained === 0 && !this.reportOwed;
  }

  /** DATA from a member of this view; `sequencer` gives total-order messages their position. */
  onData(msg: DataMsg, sequencer: boolean): ProtocolError | undefined {
    const log = this.log;
    const rank = this.view.members.indexOf(msg.f);
    if (msg.o === 1 && msg.vt?.length !== log.size) {
      return new ProtocolError(`causal message from ${msg.f} with a vector of the wrong size`);
    }
    if (!log.add(msg, rank, payloadBytes(msg))) {
      return msg.n > log.holds()[rank]! + 1 ? new ProtocolError(`gap in the messages of ${msg.f}`) : undefined;
    }
    if (msg.o === 2 && sequencer) log.sequence(rank, msg.n);
    return undefined;
  }

  onStable(msg: StableMsg): void {
    this.log.report(this.view.members.indexOf(msg.f), msg);
  }

  /** Positions from the sequencer (the coordinator); anyone else's are ignored. */
  onOrder(msg: OrderMsg): void {
    if (msg.f === this.view.members[0]) this.log.applyOrder(msg.q, msg.l);
  }

  /** Sends a message to every other member of the view. */
  broadcast(msg: GroupMsg): void {
    for (const m of this.view.members) if (m !== this.me) this.host.send(m, msg);
  }

  /** Ends the view: delivers the agreed cut. Returns a sentence if the cut is inconsistent (a bug). */
  deliverCut(value: ViewValue): string | undefined {
    return this.log.deliverCut(value, (m) => this.deliver(m));
  }

  private multicast(item: QueuedSend, sequencer: boolean): void {
    const log = this.log;
    const { seq, causal } = this.own.number(item);
    const msg: DataMsg = { t: 'd', g: this.group, v: this.view.id, f: this.me, n: seq, o: item.order, cc: causal, p: item.data };
    if (item.safe) msg.sf = 1;
    if (item.tag.request === true) msg.k = 1;
    if (item.tag.channel !== undefined) msg.x = item.tag.channel;
    if (item.tag.ephemeral === true) msg.e = 1;
    if (item.order === 1) {
      const vt = log.causalDelivered();
      vt[log.myRank] = causal;
      msg.vt = vt;
    }
    if (typeof item.data === 'object' && item.data !== null && !(item.data instanceof Uint8Array)) knowSize(msg, item.bytes);
    log.add(msg, log.myRank, item.bytes);
    if (item.order === 2 && sequencer) log.sequence(log.myRank, seq);
    this.broadcast(msg);
    this.own.multicast(item, seq);
  }

  private deliver(msg: DataMsg): void {
    const message: Message = { sender: msg.f, data: msg.p, viewId: msg.v, order: ORDERS[msg.o]! };
    this.host.emit({ type: 'message', message, request: msg.k === 1, channel: msg.x, ephemeral: msg.e === 1, seq: msg.n });
  }

  /**
   * Tells the others what this member holds and delivered (for stability): when it changed, at most
   * every `stabilityIntervalMs`; but at once when some sender's messages advanced by half the
   * flow-control window since the last report. A sender whose window is full waits for exactly this
   * report: on the interval alone, one sender could move at most `windowMessages` per interval
   * (a window per 20-40 ms), whatever the network could carry. Compared field by field: no string built
   * per pump.
   */
  private reportStability(): void {
    const log = this.log;
    log.reportOwn();
    const size = log.size;
    const last = this.reported;
    const gap = Math.max(1, this.host.config.windowMessages >> 1);
    let changed = log.nextPosition !== last[2 * size] || log.heldPositions !== last[2 * size + 1];
    let urgent = log.nextPosition - last[2 * size]! >= gap || log.heldPositions - last[2 * size + 1]! >= gap;
    for (let s = 0; s < size; s++) {
      const held = log.holdsOf(s) - last[s]!;
      const delivered = log.deliveredOf(s) - last[size + s]!;
      if (held !== 0 || delivered !== 0) changed = true;
      if (held >= gap || delivered >= gap) urgent = true;
    }
    const joiners = this.joiners();
    const joinersKey = joiners.length === 0 ? '' : joiners.join(',');
    if (joinersKey !== this.reportedJoiners) changed = true;
    if (!changed) {
      this.reportOwed = false;
      return;
    }
    const now = this.host.now();
    if (!urgent && now - this.lastStableReportMs < this.host.config.stabilityIntervalMs) {
      this.reportOwed = true; // the next pump within the interval sends it
      return;
    }
    this.reportOwed = false;
    this.reportedJoiners = joinersKey;
    this.lastStableReportMs = now;
    const stable: StableMsg = {
      t: 'k', g: this.group, v: log.viewId, f: this.me, hc: log.causalCounts(), h: log.holds(), dl: log.deliveredPrefix(),
      dp: log.nextPosition, op: log.heldPositions,
    };
    for (let s = 0; s < size; s++) {
      last[s] = stable.h[s]!;
      last[size + s] = stable.dl[s]!;
    }
    last[2 * size] = stable.dp;
    last[2 * size + 1] = stable.op;
    if (joiners.length > 0) stable.jn = joiners;
    this.broadcast(stable);
  }
}
