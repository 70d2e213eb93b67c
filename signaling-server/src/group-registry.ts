/**
 * Who is connected under which peer id, and who is in which group.
 *
 * No sockets here: a {@link Member} is anything with an id, its groups and a `send`. The
 * registry keeps every member's `peers` view current by announcing each change.
 */

import type { ServerMessage } from './protocol.js';

/** A welcomed peer, as the registry sees it. */
export interface Member {
  readonly id: string;
  /** The groups this member is in; maintained by the registry only. */
  readonly groups: Set<string>;
  send(message: ServerMessage): void;
}

/** The outcome of {@link GroupRegistry.join}. */
export type JoinOutcome = 'joined' | 'already-member' | 'full';

/** The peer-id table and the group table of one server. */
export class GroupRegistry {
  private readonly members = new Map<string, Member>();
  // A Set keeps insertion order, so `peers` lists come out in order of joining.
  private readonly groups = new Map<string, Set<Member>>();

  /** @param peersPerGroup - the most members a group may hold */
  constructor(private readonly peersPerGroup: number) {}

  /** Number of groups with at least one member. */
  get groupCount(): number {
    return this.groups.size;
  }

  /** Number of welcomed members. */
  get memberCount(): number {
    return this.members.size;
  }

  /** Registers `member` under its id; false when the id is taken by another live member. */
  claimId(member: Member): boolean {
    if (this.members.has(member.id)) return false;
    this.members.set(member.id, member);
    return true;
  }

  /** Adds `member` to `group` and announces the new membership to everyone in it. */
  join(member: Member, group: string): JoinOutcome {
    let members = this.groups.get(group);
    if (members?.has(member)) {
      member.send({ type: 'peers', group, peers: peersOf(members, member) });
      return 'already-member';
    }
    if (members !== undefined && members.size >= this.peersPerGroup) return 'full';
    if (members === undefined) {
      members = new Set();
      this.groups.set(group, members);
    }
    members.add(member);
    member.groups.add(group);
    this.announce(group, members);
    return 'joined';
  }

  /** Removes `member` from `group` (a no-op when it is not in it) and tells those who remain. */
  leave(member: Member, group: string): void {
    const members = this.groups.get(group);
    if (members === undefined || !members.delete(member)) return;
    member.groups.delete(group);
    if (members.size === 0) this.groups.delete(group);
    else this.announce(group, members);
  }

  /** Removes `member` from every group and frees its id: the socket is gone. */
  remove(member: Member): void {
    for (const group of [...member.groups]) this.leave(member, group);
    if (this.members.get(member.id) === member) this.members.delete(member.id);
  }

  /** The member `id` when it shares at least one group with `from`, else undefined. */
  findSharingPeer(from: Member, id: string): Member | undefined {
    const target = this.members.get(id);
    if (target === undefined || target === from) return undefined;
    // Scan the smaller group set: both are bounded by groupsPerSocket anyway.
    const [small, large] = from.groups.size <= target.groups.size ? [from.groups, target.groups] : [target.groups, from.groups];
    for (const group of small) if (large.has(group)) return target;
    return undefined;
  }

  private announce(group: string, members: Set<Member>): void {
    for (const member of members) member.send({ type: 'peers', group, peers: peersOf(members, member) });
  }
}

function peersOf(members: Set<Member>, self: Member): string[] {
  const peers: string[] = [];
  for (const member of members) if (member !== self) peers.push(member.id);
  return peers;
}
