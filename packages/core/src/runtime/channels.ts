/**
 * Channels: named sub-streams of a group, the plumbing of replicated objects (@synchrony/objects).
 * A channel's operations are multicast in the group's own order and views, but delivered to the
 * channel's handler instead of the 'message' listeners, and each channel's state is a part of the
 * group's checkpoint, next to the application's own getState/setState.
 *
 * A channel may be opened before or after the group is joined. Until it is opened, what belongs
 * to it is kept as it arrives: the checkpoint part that the joiner received, then every operation
 * and primary view since, in delivery order. Opening the channel hands it that state and replays
 * the rest, so a late handler ends exactly where an early one would have. Such a backlog grows with
 * the traffic of a channel that is never opened: open your objects before `join()` to have none.
 * An ephemeral channel (presence) is never checkpointed, and its backlog keeps only the last
 * operation of each sender.
 *
 * The checkpoint of a group, as it travels: `{ a: application state, c: { [channel]: [state, backlog] } }`.
 */
import type { Message, Order, View } from '../api.js';

/** Where and how a channel's operation was delivered. */
export interface ChannelMeta {
  readonly sender: string;
  readonly viewId: number;
  readonly order: Order;
}

/** What a replicated object gives its channel: a deterministic reducer and its checkpoint. */
export interface ChannelHandler {
  /** An operation, in the group's delivery order (the sender's own included). */
  deliver(op: unknown, meta: ChannelMeta): void;
  /** A view (primary, or a notice that this member is cut off), in order with the deliveries. */
  view?(view: View): void;
  /** This channel's part of the checkpoint, taken exactly at the cut. Not called for ephemeral channels. */
  getState?(): unknown;
  /**
   * The part a joiner receives, before any operation of its first view; `undefined` when the
   * checkpoint holds nothing for this channel: back to the initial state (a member that rejoins
   * after an exclusion starts over from the group's checkpoint, never from its own stale state).
   */
  setState?(state: unknown): void;
  /**
   * This member is out of the group for good (it left, its join failed, or its process closed):
   * nothing more will be delivered; operations still waiting for their delivery never will be.
   */
  closed?(error: Error): void;
}

type BacklogItem = { op: unknown; meta: ChannelMeta } | { view: View };

interface Unclaimed {
  state: unknown;
  hasState: boolean;
  log: BacklogItem[];
  /** Ephemeral channels: the last operation of each sender. */
  last: Map<string, { op: unknown; meta: ChannelMeta }>;
}

/** The checkpoint part of a channel: its state (absent: none yet) and the backlog after it. */
type Part = [state: unknown, backlog: Array<[op: unknown, meta: ChannelMeta] | [view: View]>];

interface Composite {
  a: unknown;
  c?: Record<string, Part>;
}

const isComposite = (x: unknown): x is Composite =>
  typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Uint8Array) && 'a' in x;

/** The channels of one group at one member, and the checkpoint that composes their states. */
export class ChannelRegistry {
  private readonly open = new Map<string, { handler: ChannelHandler; ephemeral: boolean }>();
  private readonly unclaimed = new Map<string, Unclaimed>();

  constructor(
    private readonly app: { getState(): unknown; setState(state: unknown): void },
  ) {}

  has(name: string): boolean {
    return this.open.has(name);
  }

  /** Opens a channel: hands it what arrived for it so far. */
  attach(name: string, handler: ChannelHandler, ephemeral: boolean): void {
    if (this.open.has(name)) throw new Error(`channel ${name} is open already`);
    this.open.set(name, { handler, ephemeral });
    const backlog = this.unclaimed.get(name);
    this.unclaimed.delete(name);
    if (backlog === undefined) return;
    if (backlog.hasState && !ephemeral) handler.setState?.(backlog.state);
    for (const item of backlog.log) replay(handler, item);
    for (const item of backlog.last.values()) handler.deliver(item.op, item.meta);
  }

  detach(name: string): void {
    this.open.delete(name);
  }

  /** The member is out of the group for good: every open channel hears it once. */
  close(error: Error, report: (error: Error) => void): void {
    for (const [name, { handler }] of this.open) {
      try {
        handler.closed?.(error);
      } catch (thrown) {
        report(new Error(`channel ${name} failed as the group closed: ${(thrown as Error).message}`));
      }
    }
  }

  /** An operation of channel `name` was delivered. */
  deliver(name: string, message: Message, ephemeral: boolean): void {
    const meta: ChannelMeta = { sender: message.sender, viewId: message.viewId, order: message.order };
    const channel = this.open.get(name);
    if (channel !== undefined) {
      channel.handler.deliver(message.data, meta);
      return;
    }
    const backlog = this.backlog(name);
    if (ephemeral) backlog.last.set(meta.sender, { op: message.data, meta });
    else backlog.log.push({ op: message.data, meta });
  }

  /** A view was shown: open channels see it; backlogs record primary ones (an object may act on them). */
  view(view: View, report: (error: Error) => void): void {
    for (const [name, { handler }] of this.open) {
      try {
        handler.view?.(view);
      } catch (error) {
        report(new Error(`channel ${name} failed on view ${view.id}: ${(error as Error).message}`));
      }
    }
    if (!view.primary) return;
    for (const backlog of this.unclaimed.values()) {
      backlog.log.push({ view });
      for (const sender of backlog.last.keys()) if (!view.members.includes(sender)) backlog.last.delete(sender);
    }
  }

  /** The group's checkpoint: the application's state and every channel's part. Throws what an upcall throws. */
  checkpoint(): Composite {
    const out: Composite = { a: this.app.getState() };
    const parts: Record<string, Part> = {};
    for (const [name, { handler, ephemeral }] of this.open) {
      if (!ephemeral && handler.getState !== undefined) parts[name] = [handler.getState(), []];
    }
    for (const [name, backlog] of this.unclaimed) {
      if (backlog.log.length === 0 && !backlog.hasState) continue;
      parts[name] = [backlog.hasState ? backlog.state : undefined, backlog.log.map((i) => ('view' in i ? [i.view] : [i.op, i.meta]))];
    }
    if (Object.keys(parts).length > 0) out.c = parts;
    return out;
  }

  /** A joiner's checkpoint: the application's part to its setState, each channel's to the channel. */
  restore(state: unknown): void {
    const composite: Composite = isComposite(state) ? state : { a: state };
    this.unclaimed.clear();
    const parts = composite.c ?? {};
    for (const [name, { handler }] of this.open) if (!(name in parts)) handler.setState?.(undefined);
    for (const [name, [part, log]] of Object.entries(parts)) {
      const channel = this.open.get(name);
      const items: BacklogItem[] = (Array.isArray(log) ? log : []).map((i) => (i.length === 1 ? { view: i[0] } : { op: i[0], meta: i[1] }));
      if (channel === undefined) {
        this.unclaimed.set(name, { state: part, hasState: part !== undefined, log: items, last: new Map() });
        continue;
      }
      channel.handler.setState?.(part); // undefined: back to the initial state, then the backlog
      for (const item of items) replay(channel.handler, item);
    }
    this.app.setState(composite.a);
  }

  private backlog(name: string): Unclaimed {
    let backlog = this.unclaimed.get(name);
    if (backlog === undefined) {
      backlog = { state: undefined, hasState: false, log: [], last: new Map() };
      this.unclaimed.set(name, backlog);
    }
    return backlog;
  }
}

function replay(handler: ChannelHandler, item: BacklogItem): void {
  if ('view' in item) handler.view?.(item.view);
  else handler.deliver(item.op, item.meta);
}
