/**
 * Persistence of a group (shared/API.md, Persistence): with `JoinOptions.store`, a member logs the
 * views it installs and, now and then, a checkpoint of the group's state (the application's and
 * every replicated object's) with the view and position it reflects. When every member has failed
 * and processes come back to find no live group, the one whose stored checkpoint reflects the most
 * updates (the latest view, then the most messages delivered in it; then the lowest process id)
 * restarts the group from it, as Isis restarted from its logged views; the others join it by state
 * transfer. A process that finds the group alive joins by state transfer as usual.
 *
 * A store is an adapter (@synchrony/store-idb's `idbStore` is one). Its failures (quota, a blocked
 * upgrade, a corrupt record, no IndexedDB at all) are reported on `process.on('error')` and never
 * touch the live group: persistence is best effort, the group's state is in its members.
 */
import type { View } from '../api.js';
import type { Restart } from '../group/join-rounds.js';
import { decodeValue, encodeValue } from '../wire/frame.js';

/** A checkpoint as stored: the state's bytes (msgpack, as in a state transfer) and where it stands. */
export interface StoredCheckpoint {
  /** The view it was taken in (view ids go on increasing across restarts). */
  readonly viewId: number;
  /** Messages delivered in that view before it was taken. */
  readonly position: number;
  /** The group's checkpoint, encoded. */
  readonly state: Uint8Array;
  /** The member that took it. */
  readonly member: string;
  /** Its clock when it took it (for people reading the log; never compared across processes). */
  readonly savedAtMs: number;
}

/** A view as logged. */
export interface StoredView {
  readonly id: number;
  readonly members: readonly string[];
  readonly member: string;
  readonly savedAtMs: number;
}

/** Where a member keeps its group's views and checkpoints. Every method may reject: it is reported, nothing more. */
export interface GroupStore {
  /** The checkpoint this process stored last for `group`, if any (read when the group is joined). */
  load(group: string): Promise<StoredCheckpoint | undefined>;
  /** Appends a view this member installed. */
  saveView(group: string, view: StoredView): Promise<void>;
  /** Replaces the stored checkpoint of `group`. */
  saveCheckpoint(group: string, checkpoint: StoredCheckpoint): Promise<void>;
  /**
   * Optional: calls `checkpointNow` when the platform is about to stop the process (a browser tab's
   * `pagehide`); returns the function that stops watching.
   */
  watch?(group: string, checkpointNow: () => void): () => void;
}

/** What the persistence of one group needs from its handle. */
export interface PersistenceContext {
  readonly group: string;
  me(): string;
  now(): number;
  /** The group's checkpoint now (throws what getState throws). */
  checkpoint(): unknown;
  setTimer(callback: () => void, delayMs: number): () => void;
  report(error: Error): void;
}

/** A store that does not answer `load` within this long is passed over (join() goes on without it). */
export const LOAD_TIMEOUT_MS = 3000;

/** How often a member that delivered something since its last checkpoint stores another. */
export const CHECKPOINT_INTERVAL_MS = 5000;

const asError = (x: unknown): Error => (x instanceof Error ? x : new Error(String(x)));

export class GroupPersistence {
  private viewId = 0;
  private position = 0;
  /** Deliveries since the last stored checkpoint. */
  private dirty = false;
  private stopTimer: (() => void) | undefined;
  private stopWatching: (() => void) | undefined;

  constructor(
    private readonly store: GroupStore,
    private readonly ctx: PersistenceContext,
  ) {}

  /**
   * The stored checkpoint to restart from if this process founds the group, or undefined. A store
   * that does not answer within LOAD_TIMEOUT_MS is reported and the member joins without it: `join()`
   * must settle whatever the store does.
   */
  async load(): Promise<Restart | undefined> {
    let stored: StoredCheckpoint | undefined;
    let cancel: () => void = () => {};
    const timeout = new Promise<'timeout'>((resolve) => { cancel = this.ctx.setTimer(() => resolve('timeout'), LOAD_TIMEOUT_MS); });
    try {
      const loaded = await Promise.race([this.store.load(this.ctx.group), timeout]);
      if (loaded === 'timeout') {
        this.fail(`the stored checkpoint was not read within ${LOAD_TIMEOUT_MS} ms; joining without it`, undefined);
        return undefined;
      }
      stored = loaded;
    } catch (error) {
      this.fail('could not read the stored checkpoint', error);
      return undefined;
    } finally {
      cancel();
    }
    if (stored === undefined) return undefined;
    if (!(stored.state instanceof Uint8Array) || !Number.isSafeInteger(stored.viewId) || !Number.isSafeInteger(stored.position)) {
      this.fail('the stored checkpoint is malformed; ignored', undefined);
      return undefined;
    }
    let state: unknown;
    try {
      state = decodeValue(stored.state);
    } catch (error) {
      this.fail('the stored checkpoint does not decode; ignored', error);
      return undefined;
    }
    if (typeof state !== 'object' || state === null || !('a' in state)) {
      this.fail('the stored checkpoint is not a checkpoint of this library; ignored', undefined);
      return undefined;
    }
    return { rank: [stored.viewId, stored.position], state };
  }

  /** The member joined: checkpoints from now on, and when the platform says the process stops. */
  start(): void {
    this.stopWatching ??= this.store.watch?.(this.ctx.group, () => this.save());
    this.schedule();
  }

  /** A primary view: logged, and a checkpoint at its start (what a joiner would get). */
  viewInstalled(view: View): void {
    if (!view.primary) return;
    this.viewId = view.id;
    this.position = 0;
    this.write('could not log a view', () =>
      this.store.saveView(this.ctx.group, { id: view.id, members: view.members, member: this.ctx.me(), savedAtMs: this.ctx.now() }));
    this.save();
  }

  /** A message (or an object's operation) was delivered. */
  delivered(): void {
    this.position += 1;
    this.dirty = true;
  }

  /** Takes and stores a checkpoint now (between two deliveries: a consistent point). */
  save(): void {
    if (this.viewId === 0) return;
    let state: Uint8Array;
    try {
      state = encodeValue(this.ctx.checkpoint());
    } catch (error) {
      this.fail('could not take a checkpoint to store', error);
      return;
    }
    this.dirty = false;
    const checkpoint: StoredCheckpoint = { viewId: this.viewId, position: this.position, state, member: this.ctx.me(), savedAtMs: this.ctx.now() };
    this.write('could not store a checkpoint', () => this.store.saveCheckpoint(this.ctx.group, checkpoint));
  }

  /** The member left the group: a last checkpoint, then no more. */
  stop(): void {
    if (this.dirty) this.save();
    this.stopTimer?.();
    this.stopTimer = undefined;
    this.stopWatching?.();
    this.stopWatching = undefined;
  }

  private schedule(): void {
    this.stopTimer?.();
    this.stopTimer = this.ctx.setTimer(() => {
      if (this.dirty) this.save();
      this.schedule();
    }, CHECKPOINT_INTERVAL_MS);
  }

  /**
   * Hands a write to the store at once: the store orders (and coalesces) its own writes, and a
   * checkpoint taken as the page goes away must reach it within that very task.
   */
  private write(what: string, action: () => Promise<void>): void {
    let pending: Promise<void>;
    try {
      pending = action();
    } catch (error) {
      this.fail(what, error);
      return;
    }
    pending.catch((error: unknown) => this.fail(what, error));
  }

  private fail(what: string, error: unknown): void {
    const cause = error === undefined ? undefined : asError(error);
    const failure = new Error(`store of group ${this.ctx.group}: ${what}${cause ? `: ${cause.message}` : ''}`, cause ? { cause } : undefined);
    failure.name = 'StoreError';
    this.ctx.report(failure);
  }
}
