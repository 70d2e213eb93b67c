/**
 * Presence: each member's ephemeral state (a cursor, a name, a colour), the exception to total
 * order. A member's states are multicast FIFO on an ephemeral channel: never part of a
 * checkpoint, dropped for members that leave the view, and sent again by every member in each new
 * view (one small message per member per view change), so that newcomers see everyone's.
 *
 * Coalescing: a cursor may move 60 times a second. While one state of this member is on its way
 * (its send has not gone out yet, typically because the group's flow-control window is full), a
 * newer one replaces the one waiting rather than queueing behind it: a fast producer never queues
 * more than one state, and the others see the latest one as soon as the network allows.
 */
import type { Group, View } from '@synchrony/core';
import { carriableCopy } from './carriable.js';
import { openObject } from './registry.js';
import { ReplicatedObject, type Origin } from './replicated-object.js';

/** A change of a {@link Presence}: a member's state was set, or the member left the view (and its state with it). */
export type PresenceChange<S> =
  | { readonly type: 'set'; readonly member: string; readonly state: S; readonly previous: S | undefined }
  | { readonly type: 'leave'; readonly member: string; readonly previous: S };

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Each member's ephemeral state, seen by all.
 *
 * ```ts
 * const cursors = await Presence.open<{ x: number; y: number }>(group, 'cursors');
 * onMouseMove((x, y) => void cursors.set({ x, y }).catch(() => {})); // fire and forget, coalesced
 * cursors.on('change', () => draw(cursors.others));
 * ```
 */
export class Presence<S> extends ReplicatedObject<unknown, PresenceChange<S>> {
  private states = new Map<string, S>();
  /** This member's latest state, sent or to be sent (undefined: none set yet). */
  private latest: unknown;
  /** `latest` has not been sent yet. */
  private unsent = false;
  /** One send is on its way: a newer state waits (alone) until it is out. */
  private inFlight = false;
  /** The callers of `set` whose state (or a newer one) has not been sent yet. */
  private waiting: Waiter[] = [];

  /** The presence `name` of `group` (the same instance each time): before or after `group.join()`. */
  static open<S>(group: Group, name: string): Promise<Presence<S>> {
    return openObject(group, name, {
      kind: 'presence', is: (o) => o instanceof Presence, make: (g, n) => new Presence<S>(g, n), ephemeral: true,
    });
  }

  private constructor(group: Group, name: string) {
    super(group, name);
  }

  /**
   * Sets this member's state (copied at the call). Resolves when this state, or a newer one that
   * replaced it before it went out, is applied here; rejects if that send is refused (this member
   * is not in a primary view...): fire-and-forget callers should add a `catch`.
   */
  set(state: S): Promise<void> {
    this.latest = carriableCopy(state, 'state');
    this.unsent = true;
    const done = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.publish();
    return done;
  }

  /** The state of `member` (this member's own included), or undefined. */
  get(member: string): S | undefined {
    return this.states.get(member);
  }

  /** The states of the other members of the view, by member id (a new Map). */
  get others(): Map<string, S> {
    const out = new Map(this.states);
    out.delete(this.group.me);
    return out;
  }

  protected decode(body: unknown): unknown {
    return body === undefined ? undefined : body;
  }

  protected apply(state: unknown, origin: Origin): undefined {
    const previous = this.states.get(origin.sender);
    this.states.set(origin.sender, state as S);
    this.emit({ type: 'set', member: origin.sender, state: state as S, previous });
    return undefined;
  }

  protected override viewChanged(view: View): void {
    const members = new Set(view.members);
    for (const [member, previous] of [...this.states]) {
      if (members.has(member)) continue;
      this.states.delete(member);
      this.emit({ type: 'leave', member, previous });
    }
    // Sent again in every new view, not only in those that list joiners: a joiner whose state
    // transfer was cut short by a further view change gets its state in that next view, where it is
    // no longer listed as joined, and it missed what was sent for it in the view it never saw.
    if (this.latest !== undefined) {
      this.unsent = true;
      this.publish();
    }
  }

  protected load(): void {
    this.states = new Map(); // never checkpointed: a (re)joined member hears the others again
  }

  /** Sends the latest state unless one is on its way (then it goes once that one is out). */
  private publish(): void {
    if (this.inFlight || !this.unsent || !this.attached) return;
    this.unsent = false;
    this.inFlight = true;
    const waiting = this.waiting;
    this.waiting = [];
    const { applied, sent } = this.submit(this.latest, 'fifo');
    applied.then(() => waiting.forEach((w) => w.resolve()), (error: Error) => waiting.forEach((w) => w.reject(error)));
    const next = (): void => {
      this.inFlight = false;
      this.publish();
    };
    sent.then(next, next);
  }
}
