/**
 * The cluster as one server sees it, through Redis: a {@link Directory} for its registry.
 *
 * Loaded only when the server is given `redis` (by a dynamic import), so a standalone server never
 * loads a Redis client. Keys, channels and scripts are described in redis-scripts.ts.
 *
 * - Writes: each local join, leave and id claim goes to Redis at once; the change is announced on
 *   the `groups` channel, and every server with local members in that group reads it again
 *   (coalesced: at most one read in flight per group, and one more if changes came meanwhile).
 * - Presence: this server's liveness key expires `presenceTtlMs` after its last refresh, and with it
 *   every entry it wrote; each refresh also checks the servers seen in the lists it holds, and reads
 *   again the groups of any that died, so their peers drop out of discovery within about one TTL.
 * - Outages: commands are not queued while Redis is away (no unbounded buffer); local service goes
 *   on (peers of this server still meet, hellos are welcomed on the local check alone), lists of
 *   other servers are kept as last read. When Redis is back (or was restarted empty) the liveness
 *   key is found missing and the server writes everything it holds again: a resync.
 */

import { createHash, randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';
import type { Directory, GroupRegistry, Member, RemotePeer } from '../group-registry.js';
import { redacted, type ResolvedOptions } from '../options.js';
import { parseClusterMessage, type ClusterMessage } from './cluster-messages.js';
import { ClusterKeys, CLAIM_ID, JOIN_GROUP, READ_GROUP, RELEASE_ID } from './redis-scripts.js';

/** Group and id keys outlive a silent server by this much at most (they are refreshed far more often). */
const SLOW_KEY_TTL_MS = 15 * 60_000;
/** Every this many presence refreshes, the slow keys are refreshed too. */
const SLOW_REFRESH_EVERY = 100;
/** How long the first connection to Redis may take before the server refuses to start. */
const FIRST_CONNECT_MS = 5000;
/** Reconnection delays to Redis: doubling from 50 ms, at most this. */
const RECONNECT_DELAY_MAX_MS = 1000;
/** Lists are held back at most this long while Redis is away; then local knowledge is better than none. */
const HOLD_LISTS_MAX_MS = 10_000;
const NO_KEY = '-';

type Client = ReturnType<typeof createClient>;

/** What the server needs to know of its cluster link. */
export interface ClusterStatus {
  readonly server: string;
  readonly redis: 'ready' | 'down';
}

/** One server's link to the cluster; see the file comment. */
export class RedisDirectory implements Directory {
  readonly server = randomBytes(8).toString('hex');
  private readonly keys: ClusterKeys;
  private readonly remoteLists = new Map<string, readonly RemotePeer[]>();
  private readonly localSeqs = new Map<string, Map<string, number>>();
  private readonly reading = new Set<string>();
  private readonly rereads = new Set<string>();
  private readonly client: Client;
  private readonly subscriber: Client;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private ticks = 0;
  private closed = false;
  /** Redis was lost and is not back yet. */
  private outage = false;
  /** `peers` lists are held back until then (see Directory.holdingLists). */
  private holdUntilMs = 0;
  private holdTimer: ReturnType<typeof setTimeout> | undefined;

  private constructor(
    private readonly registry: GroupRegistry,
    private readonly options: Required<NonNullable<ResolvedOptions['redis']>>,
    private readonly peersPerGroup: number,
    private readonly reportBug: (error: unknown) => void,
  ) {
    this.keys = new ClusterKeys(options.prefix);
    let everReady = false;
    this.client = createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: FIRST_CONNECT_MS,
        // Before the first connection, give up (the server refuses to start); after it, never.
        reconnectStrategy: (retries, cause) => (everReady ? Math.min(50 * 2 ** retries, RECONNECT_DELAY_MAX_MS) : retries >= 3 ? cause : 100),
      },
    });
    this.client.on('ready', () => {
      if (!everReady) {
        everReady = true;
        return;
      }
      // Back after an outage: Redis may have restarted empty. Write our peers again now, and hold
      // lists until the other servers, reconnecting on their own backoff, have done the same.
      this.outage = false;
      this.holdLists(this.options.presenceTtlMs + RECONNECT_DELAY_MAX_MS);
      void this.tick();
    });
    this.subscriber = this.client.duplicate();
    for (const client of [this.client, this.subscriber]) client.on('error', (error: unknown) => this.onRedisError(error));
    this.subscriber.on('ready', () => this.rereadAll()); // notifications were missed while it was away
  }

  /** Connects to Redis and joins the cluster; rejects when Redis cannot be reached. */
  static async start(registry: GroupRegistry, options: NonNullable<ResolvedOptions['redis']>, peersPerGroup: number, reportBug: (error: unknown) => void): Promise<RedisDirectory> {
    const directory = new RedisDirectory(registry, options, peersPerGroup, reportBug);
    try {
      await directory.client.connect();
      await directory.subscriber.connect();
      await directory.subscriber.subscribe(directory.keys.groupsChannel, (group) => directory.onGroupChanged(group));
      await directory.subscriber.subscribe(directory.keys.inbox(directory.server), (text) => directory.onMessage(text));
      await directory.refreshPresence();
    } catch (error) {
      await directory.close();
      throw new Error(`cannot reach Redis at ${redacted(options.url)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const periodMs = Math.max(100, Math.floor(options.presenceTtlMs / 3));
    directory.ticker = setInterval(() => void directory.tick(), periodMs);
    return directory;
  }

  /** Whether Redis is reachable now, for /healthz. */
  get status(): ClusterStatus {
    return { server: this.server, redis: this.client.isReady ? 'ready' : 'down' };
  }

  holdingLists(): boolean {
    return Date.now() < this.holdUntilMs;
  }

  remote(group: string): readonly RemotePeer[] {
    return this.remoteLists.get(group) ?? [];
  }

  localSeq(group: string, id: string): number | undefined {
    return this.localSeqs.get(group)?.get(id);
  }

  /** Claims `id` cluster-wide; true when it is this server's now. Without Redis, the local check stands (resync claims it later). */
  async claim(id: string, key: string | undefined): Promise<boolean> {
    const result = await this.run(CLAIM_ID, [this.keys.id(id)], [this.keys.prefix, this.server, keyHash(key), String(SLOW_KEY_TTL_MS)]);
    if (typeof result !== 'string' || result === 'ok') return true;
    if (result === 'taken') return false;
    const owner = result.slice('moved '.length);
    this.send(owner, { t: 'evict', id, keyHash: keyHash(key) });
    return true;
  }

  joined(group: string, id: string): void {
    void this.writeJoin(group, id, this.peersPerGroup);
  }

  left(group: string, id: string): void {
    this.localSeqs.get(group)?.delete(id);
    if (this.localSeqs.get(group)?.size === 0) this.localSeqs.delete(group);
    if (this.registry.localMembers(group).length === 0) this.remoteLists.delete(group);
    void this.command(async () => {
      await this.client.zRem(this.keys.group(group), `${id} ${this.server}`);
      await this.client.publish(this.keys.groupsChannel, group);
    });
  }

  released(member: Member): void {
    void this.run(RELEASE_ID, [this.keys.id(member.id)], [this.server, keyHash(member.key)]);
  }

  relay(instance: string, from: string, to: string, data: unknown): void {
    this.send(instance, { t: 'signal', from, to, data, via: this.server }, () => this.unreachable(from, to));
  }

  /** Leaves the cluster: the liveness key goes at once, so the others drop this server's peers now. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.ticker);
    clearTimeout(this.holdTimer);
    if (this.client.isReady) await this.command(() => this.client.del(this.keys.instance(this.server)));
    for (const client of [this.subscriber, this.client]) {
      if (client.isOpen) await client.close().catch(() => client.destroy());
    }
  }

  private async writeJoin(group: string, id: string, limit: number): Promise<void> {
    const seq = await this.run(JOIN_GROUP, [this.keys.group(group), this.keys.seq], [this.keys.prefix, id, this.server, String(limit), String(SLOW_KEY_TTL_MS)]);
    if (typeof seq !== 'number') return; // Redis is away: the resync writes it
    const member = this.registry.member(id);
    if (member === undefined || !member.groups.has(group)) return; // left meanwhile (its leave follows)
    if (seq < 0) {
      // Full across the cluster, though not as this server last read it: take the join back.
      this.registry.leave(member, group);
      member.send({ type: 'error', code: 'group-full', message: `the group has ${this.peersPerGroup} peers already`, fatal: false, group });
      return;
    }
    let seqs = this.localSeqs.get(group);
    if (seqs === undefined) this.localSeqs.set(group, (seqs = new Map()));
    seqs.set(id, seq);
    await this.command(() => this.client.publish(this.keys.groupsChannel, group));
    this.reread(group);
  }

  private onGroupChanged(group: string): void {
    if (this.registry.localMembers(group).length > 0) this.reread(group);
  }

  /** Reads `group` again, at most one read in flight per group. */
  private reread(group: string): void {
    if (this.reading.has(group)) {
      this.rereads.add(group);
      return;
    }
    this.reading.add(group);
    void this.readGroup(group).finally(() => {
      this.reading.delete(group);
      if (this.rereads.delete(group)) this.reread(group);
    });
  }

  private async readGroup(group: string): Promise<void> {
    const flat = await this.run(READ_GROUP, [this.keys.group(group)], [this.keys.prefix]);
    if (!Array.isArray(flat) || this.registry.localMembers(group).length === 0) return;
    const remote: RemotePeer[] = [];
    const seqs = new Map<string, number>();
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const [id, server] = String(flat[i]).split(' ');
      const seq = Number(flat[i + 1]);
      if (id === undefined || server === undefined) continue;
      if (server !== this.server) remote.push({ id, instance: server, seq });
      else if (this.registry.member(id)?.groups.has(group)) seqs.set(id, seq);
    }
    const before = signature(this.remote(group), this.localSeqs.get(group));
    this.remoteLists.set(group, remote);
    this.localSeqs.set(group, seqs);
    if (signature(remote, seqs) !== before) this.registry.announce(group);
  }

  private rereadAll(): void {
    for (const group of this.registry.localGroups()) this.reread(group);
  }

  /** One presence period: refresh, resync after a gap, find dead servers. */
  private async tick(): Promise<void> {
    if (this.closed || !this.client.isReady) return;
    this.ticks += 1;
    if (this.ticks % SLOW_REFRESH_EVERY === 0) this.refreshSlowKeys();
    const wasPresent = await this.refreshPresence();
    if (wasPresent === false) await this.resync();
    await this.rereadGroupsOfDeadServers();
  }

  /** Sets the liveness key; false when it was missing (expired, or Redis restarted empty). */
  private async refreshPresence(): Promise<boolean | undefined> {
    const previous = await this.command(() => this.client.set(this.keys.instance(this.server), '1', { expiration: { type: 'PX', value: this.options.presenceTtlMs }, GET: true }));
    return previous === undefined ? undefined : previous !== null;
  }

  private async rereadGroupsOfDeadServers(): Promise<void> {
    const servers = new Set<string>();
    for (const list of this.remoteLists.values()) for (const peer of list) servers.add(peer.instance);
    const dead = new Set<string>();
    await Promise.all([...servers].map(async (server) => {
      if ((await this.command(() => this.client.exists(this.keys.instance(server)))) === 0) dead.add(server);
    }));
    if (dead.size === 0) return;
    for (const [group, list] of this.remoteLists) if (list.some((peer) => dead.has(peer.instance))) this.reread(group);
  }

  /** Writes again everything this server holds: after Redis lost it, or this server was taken for dead. */
  private async resync(): Promise<void> {
    for (const member of this.registry.allMembers()) {
      if (!(await this.claim(member.id, member.key))) {
        member.evict(); // a live peer elsewhere claimed the id while this server was away from Redis
        this.registry.remove(member);
      }
    }
    for (const group of [...this.registry.localGroups()]) {
      // No limit: these peers are in the group already; refusing them now would split it.
      for (const member of this.registry.localMembers(group)) await this.writeJoin(group, member.id, Number.MAX_SAFE_INTEGER);
    }
  }

  private refreshSlowKeys(): void {
    for (const group of this.registry.localGroups()) {
      void this.command(() => this.client.pExpire(this.keys.group(group), SLOW_KEY_TTL_MS));
      for (const member of this.registry.localMembers(group)) void this.command(() => this.client.pExpire(this.keys.id(member.id), SLOW_KEY_TTL_MS));
    }
  }

  private onMessage(text: string): void {
    const message = parseClusterMessage(text);
    if (message === undefined) return;
    const member = this.registry.member(message.t === 'evict' ? message.id : message.to);
    switch (message.t) {
      case 'signal':
        if (member === undefined) return this.send(message.via, { t: 'unreachable', to: message.from, peer: message.to });
        return member.send({ type: 'signal', from: message.from, data: message.data });
      case 'unreachable':
        return this.unreachable(message.to, message.peer);
      case 'evict':
        if (member !== undefined && keyHash(member.key) === message.keyHash) {
          member.evict();
          this.registry.remove(member);
        }
    }
  }

  private unreachable(to: string, peer: string): void {
    this.registry.member(to)?.send({ type: 'error', code: 'peer-unreachable', message: 'no such peer in a group shared with you', fatal: false, peer });
  }

  private send(server: string, message: ClusterMessage, onFailure?: () => void): void {
    void this.command(() => this.client.publish(this.keys.inbox(server), JSON.stringify(message))).then((receivers) => {
      if (receivers === undefined || (receivers === 0 && message.t === 'signal')) onFailure?.();
    });
  }

  private run(script: string, keys: string[], args: string[]): Promise<unknown> {
    return this.command(() => this.client.eval(script, { keys, arguments: args }));
  }

  /** Runs a Redis command; undefined when Redis is away (an operating condition, not a bug). */
  private async command<T>(call: () => Promise<T>): Promise<T | undefined> {
    if (this.closed && !this.client.isOpen) return undefined;
    try {
      return await call();
    } catch (error) {
      if (!this.client.isReady) return undefined;
      this.reportBug(error);
      return undefined;
    }
  }

  /** Holds lists back for `ms` from now, then announces every group. */
  private holdLists(ms: number): void {
    if (this.closed) return;
    this.holdUntilMs = Date.now() + ms;
    clearTimeout(this.holdTimer);
    this.holdTimer = setTimeout(() => {
      this.holdUntilMs = 0;
      for (const group of this.registry.localGroups()) this.registry.announce(group);
      this.rereadAll();
    }, ms);
  }

  private onRedisError(error: unknown): void {
    // Once per outage: the client retries every second and reports each failure.
    if (this.closed || this.outage || this.client.isReady) return;
    this.outage = true;
    this.holdLists(HOLD_LISTS_MAX_MS);
    console.warn(`synchrony-signaling: Redis at ${redacted(this.options.url)} unavailable (${error instanceof Error ? error.message : String(error)}); serving local peers, reconnecting`);
  }
}

function keyHash(key: string | undefined): string {
  return key === undefined ? NO_KEY : createHash('sha256').update(key).digest('hex');
}

function signature(remote: readonly RemotePeer[], seqs: ReadonlyMap<string, number> | undefined): string {
  return `${remote.map((peer) => `${peer.id}@${peer.seq}`).join(',')}|${[...(seqs ?? [])].map(([id, seq]) => `${id}@${seq}`).join(',')}`;
}
