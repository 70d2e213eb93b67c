/**
 * What the runtime knows of a group beyond the `Group` interface (shared/API.md fixes it): its
 * memory figures (`groupStats`, for diagnostics and the tests that bound memory) and its channels
 * (`openChannel`, the plumbing of replicated objects). Any `Group` made by `createProcess` (the
 * simulator's and `connect()`'s included) has them.
 */
import type { Group, Order, SendOptions, View } from '../api.js';
import type { GroupStats } from '../group/group-engine.js';
import type { ChannelHandler } from './channels.js';

/** A channel opened on a group: multicasts its operations; `close` stops its deliveries. */
export interface Channel {
  readonly name: string;
  /** Multicasts an operation of this channel; settles as `Group.send` does. */
  send(op: unknown, options?: SendOptions): Promise<void>;
  close(): void;
}

export interface ChannelOptions {
  /** Never part of the checkpoint; sent FIFO (presence: cursors, names). Default false. */
  ephemeral?: boolean;
}

/**
 * What a member delivers and installs, as it happens: for inspectors (the demos' time-space
 * diagram), tracing and debugging. Every delivery is here: application messages, group requests,
 * and the operations of replicated objects (with their channel).
 */
export type TapEvent =
  | { readonly kind: 'view'; readonly view: View; readonly atMs: number }
  | {
    readonly kind: 'deliver';
    readonly sender: string;
    readonly viewId: number;
    readonly order: Order;
    /** The sender's number for the message in its view: (sender, viewId, seq) names it at every member. */
    readonly seq: number;
    /**
     * Deliveries at this member in this view before it. It differs between members when messages of
     * different orders interleave differently; among total-order messages alone their order is the
     * same everywhere.
     */
    readonly index: number;
    /** The channel (replicated object) it belongs to; undefined for an application message. */
    readonly channel: string | undefined;
    readonly request: boolean;
    readonly atMs: number;
  };

interface GroupInternals {
  stats(): GroupStats;
  tap(listener: (event: TapEvent) => void): () => void;
  identity(): string | undefined;
  openChannel(name: string, handler: ChannelHandler, options: ChannelOptions): Channel;
}

const internals = new WeakMap<Group, GroupInternals>();

/** Called by the runtime for each group handle it makes. */
export function registerGroup(group: Group, inside: GroupInternals): void {
  internals.set(group, inside);
}

function of(group: Group): GroupInternals {
  const inside = internals.get(group);
  if (inside === undefined) throw new TypeError('not a group of @synchrony/core');
  return inside;
}

/** The memory figures of a group. */
export function groupStats(group: Group): GroupStats {
  return of(group).stats();
}

/**
 * Subscribes to every delivery and view of a member (see TapEvent); returns the function that
 * unsubscribes. A listener that throws is reported on the process's 'error' and stops nothing.
 */
export function tapGroup(group: Group, listener: (event: TapEvent) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError('tapGroup takes a listener function');
  return of(group).tap(listener);
}

/**
 * Which founding of the group the member's views belong to (the founder's member id), for
 * diagnostics and the property checker: two groups founded apart under one name (a partition at
 * start-up, two signaling servers) number their views independently until one dissolves.
 */
export function groupIdentity(group: Group): string | undefined {
  return of(group).identity();
}

/**
 * Opens the channel `name` of a group (see channels.ts): before or after `join()`; a name can be
 * open once per group at a time (an Error otherwise).
 */
export function openChannel(group: Group, name: string, handler: ChannelHandler, options: ChannelOptions = {}): Channel {
  if (typeof name !== 'string' || name.length === 0 || name.length > 256) {
    throw new TypeError(`a channel name is a string of 1 to 256 characters, not ${String(name).slice(0, 40)}`);
  }
  return of(group).openChannel(name, handler, options);
}
