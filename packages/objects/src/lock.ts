/**
 * Lock: mutual exclusion among the members of a group, decided by total order. An `acquire` is an
 * operation multicast in total order: applied to a free lock, it makes its sender the holder;
 * applied to a held one, it queues behind the others, so waiters are served first come, first
 * served in the order every member delivered. `release` passes the lock to the next waiter. An
 * acquire given an AbortSignal is withdrawn when the signal aborts: the same operation as a
 * release, which takes a waiter out of the queue (or lets go of the lock, if it was granted meanwhile).
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

/** The queue of waiters changed (someone asked, withdrew, was served, or left the view). */
export interface LockWaitersChange {
  readonly type: 'waiters';
  /** The members waiting now, first served first. */
  readonly waiters: readonly string[];
}

/** A lock operation, decoded: an acquire, or letting go of what acquire `hold` asked for (held or still waiting). */
export type LockOp = { readonly kind: 'acquire' } | { readonly kind: 'release'; readonly hold: number };

/** The part of an `AbortSignal` that `acquire` uses (an `AbortController`'s `signal`). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Options of `Lock.acquire`. */
export interface AcquireOptions {
  /** Withdraws the request when it aborts before the lock is granted; the promise rejects with its reason. */
  readonly signal?: AbortSignalLike;
}

const isHold = (x: unknown): x is Hold =>
  Array.isArray(x) && x.length === 2 && typeof x[0] === 'string' && typeof x[1] === 'number';

/** Wire: `['a']` or `['r', n of the acquire]`. */
function decodeLockOp(body: unknown): LockOp | undefined {
  if (!Array.isArray(body)) return undefined;
  if (body[0] === 'a' && body.length === 1) return { kind: 'acquire' };
  if (body[0] === 'r' && body.length === 2 && typeof body[1] === 'number') return { kind: 'release', hold: body[1] };
  return undefined;
}

/** What an aborted acquire rejects with: the signal's reason, or an Error named AbortError. */
function abortReason(signal: AbortSignalLike): Error {
  if (signal.reason instanceof Error) return signal.reason;
  const error = new Error('the acquire was aborted');
  error.name = 'AbortError';
  return error;
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
export class Lock extends ReplicatedObject<LockOp, LockChange | LockWaitersChange> {
  private held: Hold | undefined;
  private queue: Hold[] = [];
  /** This member's acquires waiting to be granted, by number. */
  private readonly grants = new Pending();
  /**
   * This member's holds and requests it let go of (released, or withdrawn on abort) whose release
   * is not applied yet: it does not show itself as their holder, and a withdrawn request that is
   * granted all the same is let go of again at once.
   */
  private readonly lettingGo = new Set<number>();

  /** The lock `name` of `group` (the same instance each time): before or after `group.join()`. */
  static open(group: Group, name: string): Promise<Lock> {
    return openObject(group, name, { kind: 'lock', is: (o) => o instanceof Lock, make: (g, n) => new Lock(g, n) });
  }

  private constructor(group: Group, name: string) {
    super(group, name);
  }

  /**
   * Asks for the lock; resolves once this member holds it. Not reentrant: a holder that acquires
   * again waits for its own release. Rejects if the request cannot be sent (NotPrimaryError...), if
   * this member is excluded from the group before it gets the lock, or if `signal` aborts first.
   */
  acquire(options: AcquireOptions = {}): Promise<void> {
    const signal = options.signal;
    if (signal?.aborted === true) return Promise.reject(abortReason(signal));
    let granted: Promise<void> | undefined;
    const { n, applied } = this.submit(['a'], 'total', (number) => {
      granted = this.grants.add(number, this.group.me);
    });
    applied.catch((error: Error) => this.grants.reject(n, error));
    if (signal !== undefined) this.withdrawOnAbort(n, signal, granted!);
    return granted!;
  }

  /** Releases the lock, which this member must hold (a NotHolderError otherwise); resolves when applied here. */
  release(): Promise<void> {
    const held = this.held;
    if (held === undefined || held[0] !== this.group.me) {
      throw new NotHolderError(`${this.group.me} does not hold the lock ${this.name}; ${held === undefined ? 'nobody does' : `${held[0]} does`}`);
    }
    if (this.lettingGo.has(held[1])) throw new NotHolderError(`${this.group.me} is releasing the lock ${this.name} already`);
    const applied = this.letGo(held[1]);
    applied.catch(() => this.lettingGo.delete(held[1])); // refused: still held, may be released again
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
    if (held === undefined || (held[0] === this.group.me && this.lettingGo.has(held[1]))) return undefined;
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
    const before = this.queue.length;
    this.applyOp(op, origin);
    if (this.queue.length !== before) this.emit({ type: 'waiters', waiters: this.waiters });
    return undefined;
  }

  private applyOp(op: LockOp, origin: Origin): void {
    if (op.kind === 'acquire') {
      const hold: Hold = [origin.sender, origin.n];
      if (this.held === undefined) this.grant(hold, undefined, 'acquire');
      else this.queue.push(hold);
    } else if (this.held !== undefined && this.held[0] === origin.sender && this.held[1] === op.hold) {
      this.letGone(origin.sender, op.hold);
      this.passOn('release');
    } else {
      const waiting = this.queue.length;
      this.queue = this.queue.filter(([member, n]) => member !== origin.sender || n !== op.hold);
      if (this.queue.length < waiting) this.letGone(origin.sender, op.hold); // a withdrawn request
    }
  }

  /** A release took effect: if it is this member's, it is no longer on its way. */
  private letGone(sender: string, hold: number): void {
    if (sender === this.group.me) this.lettingGo.delete(hold);
  }

  protected override viewChanged(view: View): void {
    const members = new Set(view.members);
    const before = this.queue.length;
    this.queue = this.queue.filter(([member]) => members.has(member));
    if (this.held !== undefined && !members.has(this.held[0])) this.passOn('left');
    if (this.queue.length !== before) this.emit({ type: 'waiters', waiters: this.waiters });
  }

  protected override left(error: Error): void {
    this.grants.rejectAll(() => error);
  }

  protected override rejoined(me: string): void {
    this.lettingGo.clear();
    this.grants.rejectStale(me, () => new NotPrimaryError('this member was excluded from the group before it got the lock'));
  }

  protected override snapshot(): unknown {
    return [this.held ?? null, this.queue];
  }

  protected load(state: unknown): void {
    const [held, queue] = Array.isArray(state) ? (state as unknown[]) : [];
    this.held = isHold(held) ? held : undefined;
    this.queue = Array.isArray(queue) ? queue.filter(isHold) : [];
    this.lettingGo.clear();
  }

  /** The holder is done (released, or gone): the next waiter gets the lock. */
  private passOn(cause: LockChange['cause']): void {
    const previous = this.held;
    this.held = undefined;
    const next = this.queue.shift();
    if (next !== undefined) this.grant(next, previous, cause);
    else this.emit({ type: 'holder', holder: undefined, previous: previous?.[0], cause });
  }

  private grant(hold: Hold, previous: Hold | undefined, cause: LockChange['cause']): void {
    this.held = hold;
    this.emit({ type: 'holder', holder: hold[0], previous: previous?.[0], cause });
    if (hold[0] !== this.group.me) return;
    if (this.lettingGo.has(hold[1])) void this.letGo(hold[1]).catch(() => {}); // withdrawn: granted before the withdrawal was applied
    else this.grants.resolve(hold[1], hold[0]);
  }

  /** Multicasts the release of hold (or request) `n` of this member's. */
  private letGo(n: number): Promise<void> {
    this.lettingGo.add(n);
    return this.submit(['r', n]).applied;
  }

  /** When `signal` aborts before the grant: the promise rejects, and the request is withdrawn. */
  private withdrawOnAbort(n: number, signal: AbortSignalLike, granted: Promise<void>): void {
    const onAbort = (): void => {
      if (!this.grants.has(n)) return; // granted (the caller holds it and must release it), or settled already
      this.grants.reject(n, abortReason(signal));
      void this.letGo(n).catch(() => {}); // refused: if the lock is granted all the same, grant() lets it go
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const done = (): void => signal.removeEventListener('abort', onAbort);
    granted.then(done, done);
  }
}
