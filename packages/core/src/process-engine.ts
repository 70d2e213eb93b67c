/**
 * A process's engine: the links to its peers, the failure detector's readings, and one group
 * engine per group, all multiplexed over one link per pair of processes. Sans-IO: the driver
 * calls `receive` and `tick` and performs the frames handed to `io.send`.
 */
import type { EngineConfig } from './config.js';
import { ProtocolError } from './errors.js';
import { processOf } from './ids.js';
import { GroupEngine, type GroupSettings } from './group/group-engine.js';
import type { GroupEvent } from './group/group-host.js';
import { GroupGate } from './auth/group-gate.js';
import { PeerLinks } from './link/peer-links.js';
import { digestHash, type DigestEntry } from './membership/view-digest.js';
import type { Lane } from './transport.js';
import type { GroupMsg } from './wire/messages.js';

/** Bad input of one kind from one peer is reported at most this often. */
const REPORT_INTERVAL_MS = 10_000;

export interface ProcessIo {
  now(): number;
  send(to: string, bytes: Uint8Array, lane: Lane): void;
  /** Processes discovery says are interested in a group. */
  peers(group: string): readonly string[];
  /** Whether discovery has answered for the group yet (`Transport.discovered`). */
  discovered(group: string): boolean;
  /** Events of a group, delivered synchronously (state upcalls must see the deliveries before them). */
  emit(group: string, event: GroupEvent): void;
  /** A peer's bad input, dropped. */
  error(error: Error): void;
  /** The binding of the current connection with a peer (Transport.binding). */
  binding?(peer: string): string | undefined;
  /** The transport's connections lose nothing while they live (Transport.reliable). */
  readonly reliable?: boolean;
}

export interface StateUpcalls {
  getState(): unknown;
  setState(state: unknown): void;
}

export class ProcessEngine {
  private readonly groups = new Map<string, GroupEngine>();
  private readonly links: PeerLinks;
  /** Frames and messages dropped as malformed or hostile, by reason. */
  readonly dropped = new Map<string, number>();

  constructor(
    readonly processId: string,
    readonly config: EngineConfig,
    private readonly io: ProcessIo,
  ) {
    this.minFailureTimeoutMs = config.failureTimeoutMs;
    this.links = new PeerLinks(config, {
      send: (to, bytes, lane) => io.send(to, bytes, lane),
      messages: (from, messages) => this.dispatch(from, messages),
      rejected: (from, reason) => this.reject(from, reason),
      goodbye: () => this.tick(),
      reset: (peer) => this.gate.forgetSent(peer),
      mayCarry: (peer, messages) => this.gate.mayCarry(peer, messages),
      proofs: (from, messages) => this.dispatch(from, messages),
    }, io.reliable === true);
    this.gate = new GroupGate({
      processId,
      // A transport that binds proofs to its connections says undefined until a connection is up;
      // one that cannot bind them at all gets the pair of process ids (no man-in-the-middle defence).
      binding: io.binding !== undefined ? (peer) => io.binding!(peer) : (peer) => [processId, peer].sort().join('\u0000'),
      enqueue: (peer, message) => this.links.enqueue(peer, message),
      reject: (peer, reason) => this.reject(peer, reason),
      member: (group) => this.groups.get(group)?.status === 'member',
      proven: (peer) => this.links.resendDeferred(peer, this.io.now()),
      open: (peer) => this.links.touch(peer, this.io.now()),
    });
  }

  /** Proofs of the groups' secrets over each connection (auth/group-gate.ts). */
  private readonly gate: GroupGate;

  /**
   * A new connection with `peer` is up: group secrets are proved over it again, and what the
   * peer has not acknowledged is sent again (a connection it replaced may have lost it).
   */
  connected(peer: string): void {
    this.gate.connected(peer);
    this.links.resendUnacknowledged(peer, this.io.now());
  }

  /** The engine of a group, created on first use. */
  group(name: string, settings: GroupSettings, upcalls: StateUpcalls): GroupEngine {
    let engine = this.groups.get(name);
    if (engine === undefined) {
      let created: GroupEngine | undefined;
      engine = created = new GroupEngine(name, {
        processId: this.processId,
        config: this.config,
        now: () => this.io.now(),
        changed: () => { this.membershipChanged = true; },
        wake: () => { if (created !== undefined) this.active.add(created); },
        transferStarted: () => { if (created !== undefined) this.transfers.add(created); },
        pumpLater: () => { if (created !== undefined) this.owed.add(created); },
        send: (member, message) => {
          const peer = processOf(member) ?? member;
          if (this.gate.send(peer, name, message)) this.links.enqueue(peer, message);
        },
        // A peer refused for the group's secret is no process of the group: nobody waits for it.
        peers: () => this.io.peers(name).filter((peer) => !this.gate.refuses(peer, name)),
        discovered: () => this.io.discovered(name),
        lastHeard: (process) => this.links.lastHeard(process, this.io.now()),
        backlogBytes: (process) => this.links.backlogBytes(process),
        query: (process) => this.links.query(process),
        lateness: (process) => this.links.lateness(process, this.io.now()),
        emit: (event) => this.io.emit(name, event),
        getState: () => upcalls.getState(),
        setState: (state) => upcalls.setState(state),
      }, settings);
      this.groups.set(name, engine);
      this.gate.register(name, settings.secret);
      this.minFailureTimeoutMs = Math.min(this.minFailureTimeoutMs, settings.failureTimeoutMs);
    }
    return engine;
  }

  /** An inbound frame from a peer. What it makes the engine send waits for the next `flush`. */
  receive(from: string, bytes: Uint8Array): void {
    this.links.receive(from, bytes, this.io.now());
    this.continueTransfers(); // an acknowledgement may have made room for a checkpoint's next chunks
  }

  /** Groups sending a checkpoint send its next chunks, as far as their links have room. */
  private continueTransfers(): void {
    for (const g of this.transfers) {
      if (g.transferring) g.continueTransfers();
      if (!g.transferring) this.transfers.delete(g);
    }
  }

  /**
   * Time passed: failure detection, retries, retransmissions, heartbeats, view digests. A quiet
   * group (engine `quiet`: nothing in flight, nothing due) is not ticked until one of its peers has
   * been silent for half the failure timeout (then it queries, and suspects on time), or something
   * arrives for it: a process in a thousand quiet groups does next to nothing per tick.
   */
  tick(): void {
    const now = this.io.now();
    // This process did not run for a while (an overloaded machine, a suspended tab): nobody could
    // be heard meanwhile, so that time does not count against them.
    const gap = now - this.lastTickAtMs;
    if (Number.isFinite(gap) && gap > this.minFailureTimeoutMs / 2) this.links.excuse(gap - this.config.tickMs, now);
    this.lastTickAtMs = now;
    const silent = this.needed === undefined ? new Set<string>() : this.links.silent(this.needed, now, this.minFailureTimeoutMs / 2);
    if (silent.size > 0) for (const g of this.groups.values()) if ([...silent].some((p) => g.watches(p))) this.active.add(g);
    let busy = false;
    for (const g of [...this.active]) {
      g.tick();
      if (g.quiet) this.active.delete(g);
      else busy = true;
    }
    if (busy || this.membershipChanged || this.needed === undefined) {
      const needed = new Set<string>();
      for (const g of this.groups.values()) for (const p of g.neededProcesses()) needed.add(p);
      this.needed = needed;
      this.digests.clear();
      this.membershipChanged = false;
    }
    const needed = this.needed;
    this.gate.tick(now);
    this.continueTransfers();
    this.links.tick(now, (peer) => needed.has(peer));
    if (now - this.lastDigestMs >= this.config.keepaliveMs) {
      this.lastDigestMs = now;
      for (const peer of needed) this.links.enqueue(peer, { t: 'V', g: '*', f: this.self, ...this.digest(peer) });
    }
    this.pumpOwed();
    this.links.flush(now);
  }

  /** Processes some group needs links to; recomputed whenever a group is busy or a view changed. */
  private needed: Set<string> | undefined;
  /** Groups not quiet, or woken by an input or a call: the only ones ticked (with those whose peers fall silent). */
  private readonly active = new Set<GroupEngine>();
  /**
   * Groups sending a checkpoint: each inbound frame may have made room for their next chunks, and
   * only they are asked (not every group of the process, on every frame).
   */
  private readonly transfers = new Set<GroupEngine>();
  /** Groups whose sends were multicast without the rest of a pump, owed before the next flush. */
  private readonly owed = new Set<GroupEngine>();
  /** Some group's phase or view changed since the needed peers and digests were computed. */
  private membershipChanged = true;
  /** The digest of the entries held with each peer, until a view changes. */
  private readonly digests = new Map<string, { h: number; n: number }>();
  private lastDigestMs = -Infinity;
  /** When each peer was last sent our entries (at most once per keepalive). */
  private readonly viewsSentMs = new Map<string, number>();

  /** This process's member id for process-level messages (no group's member). */
  private get self(): string {
    return `${this.processId}#0`;
  }

  private lastTickAtMs = -Infinity;
  /** The shortest failure timeout of any group (a peer silent for half of it wakes its groups). */
  private minFailureTimeoutMs: number;

  /** The (group, view, member) entries this process holds with `peer`, and their hash. */
  private entries(peer: string): DigestEntry[] {
    const out: DigestEntry[] = [];
    for (const [name, g] of this.groups) {
      const entry = g.digestFor(peer);
      if (entry !== undefined) out.push([name, entry[0], entry[1]]);
    }
    return out;
  }

  private digest(peer: string): { h: number; n: number } {
    let digest = this.digests.get(peer);
    if (digest === undefined) {
      const entries = this.entries(peer);
      digest = { h: digestHash(entries), n: entries.length };
      this.digests.set(peer, digest);
    }
    return digest;
  }

  /** A peer's digest: if it differs from ours, we send our entries (each side does), at most once per keepalive. */
  private onDigest(from: string, hash: number): void {
    if (!this.membershipChanged && this.digest(from).h === hash) return;
    const mine = this.entries(from);
    if (digestHash(mine) === hash) return;
    const now = this.io.now();
    if (now - (this.viewsSentMs.get(from) ?? -Infinity) < this.config.keepaliveMs) return;
    this.viewsSentMs.set(from, now);
    this.links.enqueue(from, { t: 'W', g: '*', f: this.self, l: mine });
  }

  /** A peer's entries: each group where its member is behind ours tells it how its view ended. */
  private onViews(entries: ReadonlyArray<[string, number, string]>): void {
    for (const [group, viewId, member] of entries) this.groups.get(group)?.peerAt(member, viewId);
  }

  /** Sends everything queued, batched: one frame per peer and lane (more past the batch limit). */
  flush(): void {
    this.pumpOwed();
    this.links.flush(this.io.now());
  }

  /** The pumps that sends put off until the flush (GroupEngine.multicastNow). */
  private pumpOwed(): void {
    if (this.owed.size === 0) return;
    for (const g of this.owed) g.pumpIfOwed();
    this.owed.clear();
  }

  /** The transport lost the connection to a peer: it counts as silent from now on. */
  peerDown(peer: string): void {
    this.links.down(peer);
    this.gate.disconnected(peer);
  }

  /** Reliable frames not yet acknowledged by their peers (a graceful close waits for them). */
  unacknowledged(): number {
    return this.links.unacknowledged();
  }

  /** Graceful goodbye to every peer we share a group with. */
  goodbye(): void {
    const peers = new Set<string>();
    for (const g of this.groups.values()) for (const p of g.neededProcesses()) peers.add(p);
    this.links.goodbye(peers, this.io.now());
  }

  /** The messages of one or more frames: each group takes its own, then acts on them once. */
  private dispatch(from: string, messages: GroupMsg[]): void {
    const touched = new Set<GroupEngine>();
    for (const msg of messages) {
      if (processOf(msg.f) !== from) {
        this.reject(from, `message signed by ${msg.f.slice(0, 64)}, which ${from.slice(0, 64)} does not own`);
        continue;
      }
      if (msg.t === 'V') {
        this.onDigest(from, msg.h);
        continue;
      }
      if (msg.t === 'W') {
        this.onViews(msg.l);
        continue;
      }
      const engine = this.groups.get(msg.g);
      if (engine === undefined) {
        if (msg.t === 'j') this.links.enqueue(from, { t: 'J', g: msg.g, f: `${this.processId}#0`, st: 'idle' });
        continue;
      }
      if (!this.gate.admit(from, msg, this.io.now(), (held) => this.dispatch(from, held))) continue;
      if (!touched.has(engine)) engine.beginBatch();
      touched.add(engine);
      engine.receive(from, msg);
    }
    for (const engine of touched) engine.endBatch();
  }

  /** Discovery found new processes interested in a group. */
  peersChanged(group: string): void {
    this.groups.get(group)?.peersChanged();
  }

  /** Discovery refused a group (Transport.onRefused): a join of it under way fails with `error`. */
  refused(group: string, error: Error): void {
    this.groups.get(group)?.refused(error);
  }

  /**
   * A peer's bad input: dropped and counted; reported once per peer and kind of input, then at
   * most once every REPORT_INTERVAL_MS with how many more there were (a hostile peer must not turn
   * into a flood of error events).
   */
  private reject(from: string, reason: string): void {
    const kind = reason.split(' ').slice(0, 3).join(' ');
    this.dropped.set(kind, (this.dropped.get(kind) ?? 0) + 1);
    const key = `${from}\u0000${kind}`;
    const now = this.io.now();
    const last = this.reported.get(key);
    if (last !== undefined && now - last.atMs < REPORT_INTERVAL_MS) {
      last.since += 1;
      return;
    }
    const more = last !== undefined && last.since > 0 ? ` (and ${last.since} more of this kind since the last report)` : '';
    if (this.reported.size > 10_000) this.reported.clear();
    this.reported.set(key, { atMs: now, since: 0 });
    this.io.error(new ProtocolError(`dropped input from ${from.slice(0, 64)}: ${reason}${more}`, from));
  }

  /** When each (peer, kind) of bad input was last reported, and how many were dropped since. */
  private readonly reported = new Map<string, { atMs: number; since: number }>();
}
