/**
 * The simulated network: per-frame latency drawn from a seeded range (so frames reorder),
 * loss, partitions into sides, crashed processes, and the discovery registry that stands in
 * for the signaling server. Every frame crosses it as bytes, encoded and decoded for real.
 */
import { decodeFrame, type Lane, type Transport } from '@synchrony/core';
import type { EventQueue } from './event-queue.js';
import type { Random } from './random.js';

export interface NetworkOptions {
  latencyMs: [number, number];
  dropRate: number;
  /** Probability that a frame that gets through arrives twice (each copy with its own latency). */
  duplicateRate?: number;
  /**
   * Connections that lose nothing while they live, as WebRTC's reliable data channels
   * (Transport.reliable): no random loss; a frame that a partition, a cut link or `dropNext` stops
   * breaks the connection of the pair, and the next frame that can pass opens a new one
   * (`onConnected` at both ends).
   */
  reliable?: boolean;
}

interface Node {
  transport: SimTransport;
  crashed: boolean;
}

export class SimNetwork {
  private readonly nodes = new Map<string, Node>();
  private readonly interest = new Map<string, Set<string>>();
  private sides: Map<string, number> | undefined;
  /** Directed links that carry nothing ("from>to"), on top of the partition. */
  private readonly cut = new Set<string>();
  /** Discovery split into sides (two signaling servers that do not know each other). */
  private discoverySides: Map<string, number> | undefined;
  /** Latency of particular directed links, overriding `options.latencyMs` (a slow link). */
  private readonly linkLatencyMs = new Map<string, [number, number]>();
  framesSent = 0;
  framesDropped = 0;
  bytesSent = 0;
  /**
   * With `countMessages` on, the group messages each process sends (frames decoded as they leave):
   * what the protocol costs, whatever the batching. Off by default (decoding every frame is not free).
   */
  countMessages = false;
  readonly messagesSent = new Map<string, number>();

  constructor(
    private readonly queue: EventQueue,
    private readonly random: Random,
    public options: NetworkOptions,
  ) {}

  attach(id: string): SimTransport {
    if (this.nodes.has(id)) throw new Error(`a process named ${id} already exists`);
    const transport = new SimTransport(id, this);
    this.nodes.set(id, { transport, crashed: false });
    return transport;
  }

  isCrashed(id: string): boolean {
    return this.nodes.get(id)?.crashed ?? true;
  }

  crash(id: string): void {
    const node = this.nodes.get(id);
    if (node === undefined || node.crashed) return;
    node.crashed = true;
    for (const group of [...this.interest.keys()]) this.withdraw(id, group);
  }

  partition(sides: string[][]): void {
    if (!Array.isArray(sides) || sides.some((side) => !Array.isArray(side))) throw new TypeError('partition takes sides: arrays of processes');
    this.sides = new Map();
    sides.forEach((side, i) => side.forEach((id) => this.sides!.set(id, i)));
  }

  heal(): void {
    this.sides = undefined;
  }

  /** Gives the link from `from` to `to` its own latency range; `undefined` restores the default. */
  setLinkLatency(from: string, to: string, latencyMs: [number, number] | undefined): void {
    if (latencyMs === undefined) this.linkLatencyMs.delete(`${from}>${to}`);
    else this.linkLatencyMs.set(`${from}>${to}`, latencyMs);
  }

  /**
   * Every frame `from` sends goes through `tamper` first (a hostile or broken peer): it may return
   * other bytes, or undefined to drop the frame. `undefined` as `tamper` stops it.
   */
  tamper(from: string, tamper: ((bytes: Uint8Array, to: string) => Uint8Array | undefined) | undefined): void {
    if (tamper === undefined) this.tamperers.delete(from);
    else this.tamperers.set(from, tamper);
  }

  private readonly tamperers = new Map<string, (bytes: Uint8Array, to: string) => Uint8Array | undefined>();

  /**
   * The binding of the "connection" between two processes (Transport.binding): the same at both
   * ends, unless a man in the middle sits on it (`manInTheMiddle`), who terminates two connections
   * of its own, so that each end sees another binding.
   */
  binding(self: string, peer: string): string {
    const ends = [self, peer].sort().join('|');
    return this.middlemen.has(ends) ? `${ends}|seen by ${self}` : ends;
  }

  /** A man in the middle on the link of `a` and `b` from now on (new connections, new bindings). */
  manInTheMiddle(a: string, b: string): void {
    this.middlemen.add([a, b].sort().join('|'));
    for (const [self, peer] of [[a, b], [b, a]] as const) this.nodes.get(self)?.transport.connectedTo(peer);
  }

  /** The man in the middle of `a` and `b` is gone: they connect again, directly (a new binding). */
  withoutManInTheMiddle(a: string, b: string): void {
    if (!this.middlemen.delete([a, b].sort().join('|'))) return;
    for (const [self, peer] of [[a, b], [b, a]] as const) this.nodes.get(self)?.transport.connectedTo(peer);
  }

  private readonly middlemen = new Set<string>();

  /** The next `count` frames from `from` to `to` are lost (the first of a burst, or its last). */
  dropNext(from: string, to: string, count = 1): void {
    this.toDrop.set(`${from}>${to}`, (this.toDrop.get(`${from}>${to}`) ?? 0) + count);
  }

  private readonly toDrop = new Map<string, number>();

  /** Frames from `from` to `to` are lost (both ways unless `oneWay`), until `restoreLinks`. */
  cutLink(from: string, to: string, oneWay = false): void {
    this.cut.add(`${from}>${to}`);
    if (!oneWay) this.cut.add(`${to}>${from}`);
  }

  restoreLinks(): void {
    this.cut.clear();
  }

  /**
   * Discovery answers each process with the processes of its own side only, as two signaling
   * servers that do not share rooms would: groups of one name can be founded apart.
   */
  splitDiscovery(sides: string[][]): void {
    this.discoverySides = new Map();
    sides.forEach((side, i) => side.forEach((id) => this.discoverySides!.set(id, i)));
    for (const group of this.interest.keys()) this.notify(group);
  }

  healDiscovery(): void {
    this.discoverySides = undefined;
    for (const group of this.interest.keys()) this.notify(group);
  }

  /** Restores the default latency on every link. */
  clearLinkLatencies(): void {
    this.linkLatencyMs.clear();
  }

  /** Whether frames can pass between two processes right now. */
  connected(a: string, b: string): boolean {
    if (this.cut.has(`${a}>${b}`)) return false;
    if (this.sides === undefined) return true;
    return (this.sides.get(a) ?? -1) === (this.sides.get(b) ?? -1);
  }

  send(from: string, to: string, frame: Uint8Array): void {
    if (this.isCrashed(from) || from === to) return;
    const tamper = this.tamperers.get(from);
    const bytes = tamper === undefined ? frame : tamper(frame, to);
    if (bytes === undefined) return;
    if (this.countMessages) {
      const decoded = decodeFrame(bytes, Infinity);
      if (typeof decoded !== 'string') this.messagesSent.set(from, (this.messagesSent.get(from) ?? 0) + decoded.frame.m.length);
    }
    this.framesSent += 1;
    this.bytesSent += bytes.length;
    const dropping = this.toDrop.get(`${from}>${to}`) ?? 0;
    if (dropping > 0) this.toDrop.set(`${from}>${to}`, dropping - 1);
    const reliable = this.options.reliable === true;
    if (dropping > 0 || !this.connected(from, to) || (!reliable && this.random.chance(this.options.dropRate))) {
      this.lost(from, to);
      return;
    }
    if (reliable) this.reconnectIfBroken(from, to);
    const copies = this.random.chance(this.options.duplicateRate ?? 0) ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) this.carry(from, to, bytes);
  }

  /** One copy of a frame on its way, with a latency of its own (so copies and frames reorder). */
  private carry(from: string, to: string, bytes: Uint8Array): void {
    const [min, max] = this.linkLatencyMs.get(`${from}>${to}`) ?? this.options.latencyMs;
    const delay = this.random.int(min, max);
    this.queue.schedule(delay, () => {
      const target = this.nodes.get(to);
      if (target === undefined || target.crashed || this.isCrashed(from) || !this.connected(from, to)) {
        this.lost(from, to);
        return;
      }
      target.transport.deliver(from, bytes);
    });
  }

  /** A frame from `from` to `to` is lost: with reliable connections, theirs broke. */
  private lost(from: string, to: string): void {
    this.framesDropped += 1;
    if (this.options.reliable === true) this.broken.add([from, to].sort().join('|'));
  }

  /**
   * Frames pass between `from` and `to` again after their connection broke: a new connection,
   * announced at both ends in a moment (not from inside the sender's own send).
   */
  private reconnectIfBroken(from: string, to: string): void {
    const pair = [from, to].sort().join('|');
    if (!this.broken.delete(pair)) return;
    this.queue.schedule(0, () => {
      for (const [self, peer] of [[from, to], [to, from]] as const) {
        const node = this.nodes.get(self);
        if (node !== undefined && !node.crashed) node.transport.connectedTo(peer);
      }
    });
  }

  /** Pairs whose connection lost a frame and has not been replaced yet (reliable connections only). */
  private readonly broken = new Set<string>();

  announce(id: string, group: string): void {
    if (this.isCrashed(id)) return;
    let set = this.interest.get(group);
    if (set === undefined) {
      set = new Set();
      this.interest.set(group, set);
    }
    if (set.has(id)) return;
    set.add(id);
    this.notify(group);
  }

  withdraw(id: string, group: string): void {
    const set = this.interest.get(group);
    if (set?.delete(id)) this.notify(group);
  }

  peers(id: string, group: string): string[] {
    const sides = this.discoverySides;
    const mine = sides?.get(id) ?? -1;
    return [...(this.interest.get(group) ?? [])].filter((p) => p !== id && (sides === undefined || (sides.get(p) ?? -1) === mine));
  }

  private notify(group: string): void {
    for (const id of this.interest.get(group) ?? []) {
      this.nodes.get(id)?.transport.peersChanged(group, this.peers(id, group));
    }
  }
}

/** One process's view of the simulated network: the same `Transport` the WebRTC mesh offers. */
export class SimTransport implements Transport {
  private frameHandler: (from: string, frame: Uint8Array) => void = () => {};
  private peersHandler: (group: string, peers: readonly string[]) => void = () => {};
  private connectedHandler: (peer: string) => void = () => {};

  constructor(
    readonly localId: string,
    private readonly network: SimNetwork,
  ) {}

  /** As the network's connections (NetworkOptions.reliable). */
  get reliable(): boolean {
    return this.network.options.reliable === true;
  }

  send(to: string, frame: Uint8Array, _lane: Lane): void {
    this.network.send(this.localId, to, frame);
  }

  onFrame(handler: (from: string, frame: Uint8Array) => void): void {
    this.frameHandler = handler;
  }

  announce(group: string): void {
    this.network.announce(this.localId, group);
  }

  withdraw(group: string): void {
    this.network.withdraw(this.localId, group);
  }

  peers(group: string): readonly string[] {
    return this.network.peers(this.localId, group);
  }

  onPeers(handler: (group: string, peers: readonly string[]) => void): void {
    this.peersHandler = handler;
  }

  deliver(from: string, frame: Uint8Array): void {
    this.frameHandler(from, frame);
  }

  binding(peer: string): string {
    return this.network.binding(this.localId, peer);
  }

  onConnected(handler: (peer: string) => void): void {
    this.connectedHandler = handler;
  }

  /** A new connection with `peer` (a new binding). */
  connectedTo(peer: string): void {
    this.connectedHandler(peer);
  }

  peersChanged(group: string, peers: readonly string[]): void {
    this.peersHandler(group, peers);
  }

  async close(): Promise<void> {
    this.network.crash(this.localId);
  }
}
