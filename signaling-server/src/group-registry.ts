/**
 * Who is connected under which peer id, and who is in which group.
 *
 * No sockets here: a {@link Member} is anything with an id, its groups and a `send`. The
 * registry keeps every member's `peers` view current by announcing each change.
 *
 * A standalone server knows every peer itself. In a cluster, a {@link Directory} (Redis) adds
 * the peers connected to the other servers: the registry merges them into the lists it announces,
 * tells the directory about its own members, and asks it to route signals it cannot deliver here.
 */

import type { ServerMessage } from './protocol.js';

/** A welcomed peer, as the registry sees it. */
export interface Member {
  readonly id: string;
  /** The incarnation key given in `hello`, if any: a later hello with the same id and key takes the id over. */
  readonly key: string | undefined;
  /** The groups this member is in; maintained by the registry only. */
  readonly groups: Set<string>;
  send(message: ServerMessage): void;
  /** Closes this member's socket because a newer socket of the same process took its id. */
  evict(): void;
}

/** A peer connected to another server of the cluster. */
export interface RemotePeer {
  readonly id: string;
  /** The server it is connected to. */
  readonly instance: string;
  /** Its position in the cluster-wide order of joining. */
  readonly seq: number;
}

/** The rest of the cluster, as the registry sees it; see redis-directory.ts. */
export interface Directory {
  /** The peers of `group` on other servers, as last read. */
  remote(group: string): readonly RemotePeer[];
  /** The cluster-wide join position of local member `id` in `group`, once the cluster has it. */
  localSeq(group: string, id: string): number | undefined;
  joined(group: string, id: string): void;
  left(group: string, id: string): void;
  /** The id is free again here (the socket closed). */
  released(member: Member): void;
  /** Relays `data` from local `from` to `to`, a peer on server `instance`. */
  relay(instance: string, from: string, to: string, data: unknown): void;
  /**
   * True while the cluster's lists may be incomplete (Redis is away, or came back and the other
   * servers are still writing their peers again): `peers` lists are held back meanwhile, since an
   * answer of "nobody" would have a joiner found a second group of the same name. The directory
   * announces every group when it ends.
   */
  holdingLists(): boolean;
}

/** The outcome of {@link GroupRegistry.join}. */
export type JoinOutcome = 'joined' | 'already-member' | 'full';

/** The outcome of {@link GroupRegistry.claimId}. */
export type ClaimOutcome = 'claimed' | 'taken';

/** The peer-id table and the group table of one server. */
export class GroupRegistry {
  private readonly members = new Map<string, Member>();
  // A Set keeps insertion order, so `peers` lists come out in order of joining.
  private readonly groups = new Map<string, Set<Member>>();
  private directory: Directory | undefined;

  /** @param peersPerGroup - the most members a group may hold */
  constructor(private readonly peersPerGroup: number) {}

  /** Number of groups with at least one member here. */
  get groupCount(): number {
    return this.groups.size;
  }

  /** Number of welcomed members. */
  get memberCount(): number {
    return this.members.size;
  }

  /** Joins a cluster: from now on lists include the peers of the other servers. */
  attach(directory: Directory): void {
    this.directory = directory;
  }

  /**
   * Registers `member` under its id. An id held by another member is refused, unless both carry
   * the same key: the holder is the same process's older socket, and is evicted.
   */
  claimId(member: Member): ClaimOutcome {
    const holder = this.members.get(member.id);
    if (holder !== undefined && holder !== member) {
      if (member.key === undefined || holder.key !== member.key) return 'taken';
      holder.evict(); // removes it from this registry
      this.remove(holder);
    }
    this.members.set(member.id, member);
    return 'claimed';
  }

  /** The member registered under `id` here, if any. */
  member(id: string): Member | undefined {
    return this.members.get(id);
  }

  /** Every member registered here. */
  allMembers(): Member[] {
    return [...this.members.values()];
  }

  /** The groups that have members here. */
  localGroups(): IterableIterator<string> {
    return this.groups.keys();
  }

  /** The members of `group` here, in order of joining. */
  localMembers(group: string): readonly Member[] {
    return [...(this.groups.get(group) ?? [])];
  }

  /** Adds `member` to `group` and announces the new membership to everyone in it. */
  join(member: Member, group: string): JoinOutcome {
    let members = this.groups.get(group);
    if (members?.has(member)) {
      if (this.directory?.holdingLists() !== true) member.send({ type: 'peers', group, peers: this.listOf(group, member) });
      return 'already-member';
    }
    if (this.sizeOf(group) >= this.peersPerGroup) return 'full';
    if (members === undefined) {
      members = new Set();
      this.groups.set(group, members);
    }
    members.add(member);
    member.groups.add(group);
    this.directory?.joined(group, member.id);
    this.announce(group);
    return 'joined';
  }

  /** Removes `member` from `group` (a no-op when it is not in it) and tells those who remain. */
  leave(member: Member, group: string): void {
    const members = this.groups.get(group);
    if (members === undefined || !members.delete(member)) return;
    member.groups.delete(group);
    this.directory?.left(group, member.id);
    if (members.size === 0) this.groups.delete(group);
    else this.announce(group);
  }

  /** Removes `member` from every group and frees its id: the socket is gone. Idempotent. */
  remove(member: Member): void {
    for (const group of [...member.groups]) this.leave(member, group);
    if (this.members.get(member.id) === member) {
      this.members.delete(member.id);
      this.directory?.released(member);
    }
  }

  /**
   * Delivers a signal from local `from` to `id`, if `id` shares a group with it, here or on
   * another server. False when no such peer is known.
   */
  relay(from: Member, id: string, data: unknown): boolean {
    if (id === from.id) return false;
    const target = this.members.get(id);
    if (target !== undefined) {
      if (!sharesGroup(from.groups, target.groups)) return false;
      target.send({ type: 'signal', from: from.id, data });
      return true;
    }
    const directory = this.directory;
    if (directory === undefined) return false;
    for (const group of from.groups) {
      const peer = directory.remote(group).find((remote) => remote.id === id);
      if (peer !== undefined) {
        directory.relay(peer.instance, from.id, id, data);
        return true;
      }
    }
    return false;
  }

  /** Sends every member here in `group` its current list (the cluster's view of it changed). */
  announce(group: string): void {
    const members = this.groups.get(group);
    if (members === undefined || this.directory?.holdingLists() === true) return;
    for (const member of members) member.send({ type: 'peers', group, peers: this.listOf(group, member) });
  }

  /** How many peers `group` has, here and elsewhere. */
  private sizeOf(group: string): number {
    return this.listOf(group, undefined).length;
  }

  /**
   * Everyone in `group` but `self`, in order of joining. In a cluster, that order is the
   * cluster's sequence; members whose join the cluster has not numbered yet come last.
   */
  private listOf(group: string, self: Member | undefined): string[] {
    const local = [...(this.groups.get(group) ?? [])];
    const directory = this.directory;
    if (directory === undefined) return local.filter((member) => member !== self).map((member) => member.id);
    const entries: Array<{ id: string; seq: number; order: number }> = local.map((member, order) => ({
      id: member.id,
      seq: directory.localSeq(group, member.id) ?? Number.POSITIVE_INFINITY,
      order,
    }));
    // A peer listed both here and elsewhere moved here from a server that died; this copy is the live one.
    for (const remote of directory.remote(group)) if (!this.members.has(remote.id)) entries.push({ id: remote.id, seq: remote.seq, order: 0 });
    entries.sort((a, b) => a.seq - b.seq || a.order - b.order);
    const seen = new Set<string>(self === undefined ? [] : [self.id]);
    const ids: string[] = [];
    for (const entry of entries) {
      if (seen.has(entry.id)) continue;
      seen.add(entry.id);
      ids.push(entry.id);
    }
    return ids;
  }
}

function sharesGroup(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  // Scan the smaller set: both are bounded by groupsPerSocket anyway.
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const group of small) if (large.has(group)) return true;
  return false;
}
