/**
 * Lock: mutual exclusion among the members of a group, decided by total order. An `acquire` is an
 * operation multicast in total order: applied to a free lock, it makes its sender the holder;
 * applied to a held one, it queues behind the others, so waiters are served first come, first
 * served in the order every member delivered. `release` passes the lock to the next waiter.
 *
 * Failure: views are delivered in order with operations, so when a view drops the holder (it left,
 * crashed, or was cut off in a minority), every member passes the lock to the next waiter still
 * in the view at the same point of the stream, and drops the waiters that are gone. There is never
 * more than one holder in a primary view: the handover happens only in a view without the old holder.
 *
 * A member that is cut off (a non-primary view) keeps showing itself as the holder until it learns
 * the group's decision; an application that acts on the outside world under the lock should stop
 * when its group shows a non-primary view.
 */
import type { Group, View } from '@synchrony/core';
import { NotPrimaryError } from '@synchrony/core';
import { NotHolderError } from './errors.js';
import { Pending } from './pending.js';
import { openObject } from './registry.js';
import { ReplicatedObject, type Origin } from './replicated-object.js';

/** A claim on the lock: the member and the number of its `acquire`. */
type Hold = readonly [member: string, n: number];

/** A change of a {@link Lock}'s holder; `cause` says why: a free lock taken, a release, or the holder gone from the view. */
export interface LockChange {
  readonly type: 'holder';
  readonly holder: string | undefined;
  readonly previous: string | undefined;
  readonly cause: 'acquire' | 'release' | 'left';
}

/** A lock operation, decoded: an acquire, or the release of the hold that acquire `hold` got. */
export type LockOp = { readonly kind: 'acquire' } | { readonly kind: 'release'; readonly hold: number };

const isHold = (x: unknown): x is Hold =>
  Array.isArray(x) && x.length === 2 && typeof x[0] === 'string' && typeof x[1] === 'number';

/** Wire: `['a']` or `['r', n of the acquire]`. */
function decodeLockOp(body: unknown): LockOp | undefined {
  if (!Array.isArray(body)) return undefined;
  if (body[0] === 'a' && body.length === 1) return { kind: 'acquire' };
  if (body[0] === 'r' && body.length === 2 && typeof body[1] === 'number') return { kind: 'release', hold: body[1] };
  return undefined;
}

/**
 * A lock held by one member of the group at a time.
 *
 * ```ts
 * const turn = await Lock.open(group, 'turn');
 * await turn.acquire();      // resolves once this member holds it
 * try { await play(); } finally { await turn.release(); }
 * ```
 */
export class Lock extends ReplicatedObject<LockOp, LockChange> {
  private held: Hold | undefined;
  private queue: Hold[] = [];
  /** This member's acquires waiting to be granted, by number. */
  private readonly grants = new Pending();
  /** The hold this member is releasing (a second release of it is an error). */
  private releasing: number | undefined;

  /** The lock `name` of `group` (the same instance each time): before or after `group.join()`. */
  static open(group: Group, name: string): Promise<Lock> {
    return openObject(group, name, { kind: 'lock', is: (o) => o instanceof Lock, make: (g, n) => new Lock(g, n) });
  }

  private constructor(group: Group, name: string) {
    super(group, name);
  }

  /**
   * Asks for the lock; resolves once this member holds it. Not reentrant: a holder that acquires
   * again waits for its own release. Rejects if the request cannot be sent (NotPrimaryError...), or
   * if this member is excluded from the group before it gets the lock.
   */
  acquire(): Promise<void> {
    let granted: Promise<void> | undefined;
    const { n, applied } = this.submit(['a'], 'total', (number) => {
      granted = this.grants.add(number, this.group.me);
    });
    applied.catch((error: Error) => this.grants.reject(n, error));
    return granted!;
  }

  /** Releases the lock, which this member must hold (a NotHolderError otherwise); resolves when applied here. */
  release(): Promise<void> {
    const held = this.held;
    if (held === undefined || held[0] !== this.group.me) {
      throw new NotHolderError(`${this.group.me} does not hold the lock ${this.name}; ${held === undefined ? 'nobody does' : `${held[0]} does`}`);
    }
    if (this.releasing === held[1]) throw new NotHolderError(`${this.group.me} is releasing the lock ${this.name} already`);
    this.releasing = held[1];
    const { applied } = this.submit(['r', held[1]]);
    applied.catch(() => {
      if (this.releasing === held[1]) this.releasing = undefined; // refused: still held, may be released again
    });
    return applied;
  }

  /**
   * The member that holds the lock, as this member knows it; undefined when it is free. A member
   * holds the lock from the moment its `acquire()` resolves until it calls `release()`: while its
   * release is on its way, it no longer shows itself as the holder (the next waiter may get the
   * lock before the release comes back here), and the next holder is known once it is applied.
   */
  get holder(): string | undefined {
    const held = this.held;
    if (held === undefined || (held[0] === this.group.me && this.releasing === held[1])) return undefined;
    return held[0];
  }

  /** The members waiting for the lock, first served first (a member may wait more than once). */
  get waiters(): string[] {
    return this.queue.map(([member]) => member);
  }

  protected decode(body: unknown): LockOp | undefined {
    return decodeLockOp(body);
  }

  protected apply(op: LockOp, origin: Origin): undefined {
    if (op.kind === 'acquire') {
      const hold: Hold = [origin.sender, origin.n];
      if (this.held === undefined) this.grant(hold, undefined, 'acquire');
      else this.queue.push(hold);
    } else if (this.held !== undefined && this.held[0] === origin.sender && this.held[1] === op.hold) {
      this.passOn('release');
    }
    return undefined;
  }

  protected override viewChanged(view: View): void {
    const members = new Set(view.members);
    this.queue = this.queue.filter(([member]) => members.has(member));
    if (this.held !== undefined && !members.has(this.held[0])) this.passOn('left');
  }

  protected override rejoined(me: string): void {
    this.releasing = undefined;
    this.grants.rejectStale(me, () => new NotPrimaryError('this member was excluded from the group before it got the lock'));
  }

  protected override snapshot(): unknown {
    return [this.held ?? null, this.queue];
  }

  protected load(state: unknown): void {
    const [held, queue] = Array.isArray(state) ? (state as unknown[]) : [];
    this.held = isHold(held) ? held : undefined;
    this.queue = Array.isArray(queue) ? queue.filter(isHold) : [];
    this.releasing = undefined;
  }

  /** The holder is done (released, or gone): the next waiter gets the lock. */
  private passOn(cause: LockChange['cause']): void {
    const previous = this.held;
    this.held = undefined;
    if (previous !== undefined && this.releasing === previous[1]) this.releasing = undefined;
    const next = this.queue.shift();
    if (next !== undefined) this.grant(next, previous, cause);
    else this.emit({ type: 'holder', holder: undefined, previous: previous?.[0], cause });
  }

  private grant(hold: Hold, previous: Hold | undefined, cause: LockChange['cause']): void {
    this.held = hold;
    this.emit({ type: 'holder', holder: hold[0], previous: previous?.[0], cause });
    this.grants.resolve(hold[1], hold[0]);
  }
}
