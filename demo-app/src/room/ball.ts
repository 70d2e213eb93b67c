/**
 * The ball: a `Lock` (one holder at a time, first come first served in the total order, passed to
 * the next waiter when the holder leaves or crashes) and, for where it lies when nobody holds it,
 * a `ReplicatedMap` entry written in total order just before each release.
 */
import type { Group } from '@synchrony/core';
import type { Lock, ReplicatedMap } from '@synchrony/objects';
import { CENTRE, type Point } from './field.js';

/** The map entry of the ball's resting place. */
const SPOT = 'spot';

const quiet = (error: unknown): boolean =>
  error instanceof Error && ['NotPrimaryError', 'GroupClosedError', 'AbortError', 'NotHolderError'].includes(error.name);

export class Ball {
  /** This player's request, while it waits for the ball (abort to withdraw it). */
  private waiting: AbortController | undefined;
  private letting = false;
  /** Where a holder who vanished was last seen: every survivor saw the same last position (same messages in the view). */
  private fallenAt: Point | undefined;

  constructor(
    private readonly group: Group,
    readonly lock: Lock,
    private readonly spot: ReplicatedMap<Point>,
    private readonly report: (error: unknown) => void,
    private readonly changed: () => void,
  ) {}

  get holding(): boolean {
    return this.lock.holder === this.group.me && !this.letting;
  }

  get isWaiting(): boolean {
    return this.waiting !== undefined;
  }

  /** Where the ball lies while nobody holds it. */
  get restingPlace(): Point {
    return this.fallenAt ?? this.spot.get(SPOT) ?? CENTRE;
  }

  /** Takes the ball (queueing behind the others), or stops waiting, or drops it at `here`. */
  toggle(here: Point): void {
    if (this.holding) this.drop(here);
    else if (this.waiting !== undefined) this.waiting.abort();
    else this.take();
  }

  /** Puts the ball at `at` and lets go of it (a goal puts it back in the centre). */
  drop(at: Point): void {
    if (!this.holding) return;
    this.letting = true;
    this.spot.set(SPOT, at).catch((error: unknown) => this.fail(error));
    let released: Promise<void>;
    try {
      released = this.lock.release();
    } catch (error) {
      released = Promise.reject(error as Error);
    }
    released.catch((error: unknown) => this.fail(error)).finally(() => {
      this.letting = false;
      this.changed();
    });
    this.changed();
  }

  /**
   * The holder left the view without letting go: every member shows the ball where it was last
   * seen, and the coordinator writes that down for those who join later.
   */
  holderVanished(lastSeen: Point | undefined, coordinating: boolean): void {
    if (this.lock.holder !== undefined || lastSeen === undefined) return;
    this.fallenAt = lastSeen;
    if (coordinating) this.spot.set(SPOT, lastSeen).catch((error: unknown) => this.fail(error));
  }

  /** The resting place was written: it is the truth from now on. */
  spotChanged(): void {
    this.fallenAt = undefined;
  }

  private take(): void {
    const request = new AbortController();
    this.waiting = request;
    this.lock.acquire({ signal: request.signal }).catch((error: unknown) => this.fail(error)).finally(() => {
      if (this.waiting === request) this.waiting = undefined;
      this.changed();
    });
    this.changed();
  }

  private fail(error: unknown): void {
    if (!quiet(error)) this.report(error);
  }
}
