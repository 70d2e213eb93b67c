/**
 * What every replicated object shares: its channel of the group (core `openChannel`), its own
 * updates waiting to come back, its 'change' listeners, and the rules that tie them to the group's
 * life: an operation is applied when it is delivered (the sender's own included), a primary view
 * is acted on in order with the operations, and the checkpoint part travels to joiners.
 *
 * An operation travels as `[n, body]`: `n` numbers this object's updates at the sender, so the
 * sender recognises its own when they come back and settles the caller's promise.
 *
 * A member that rejoins after an exclusion is a new member (a new `group.me`): the updates it
 * sent as the old one will never come back to it, so they reject with NotPrimaryError; and its
 * replica starts over from the group's checkpoint. Usually the checkpoint arrives through
 * `setState`; when the core replays a backlog instead (the provider never opened this object),
 * the object sees the new member id first and goes back to its initial state before the replay.
 */
import { NotPrimaryError, openChannel, ProtocolError, type Channel, type ChannelMeta, type Group, type Order, type View } from '@synchrony/core';
import { combine, Listeners, rethrowLater, type Listener } from './listeners.js';
import { Pending } from './pending.js';
import { traceStep } from './trace.js';

/** Where an operation came from. */
export interface Origin {
  /** The member that sent it. */
  readonly sender: string;
  /** The view in which it was sent and delivered. */
  readonly viewId: number;
  /** The number its sender gave it: unique per sender member and object. */
  readonly n: number;
}

/**
 * The whole state was replaced: a checkpoint arrived (this member joined or rejoined), or the
 * object went back to its initial state. Read it again.
 */
export interface ResetChange {
  readonly type: 'reset';
}

/** An update on its way: its number, and the promises of its send and of its local application. */
export interface Submitted {
  readonly n: number;
  /** Resolves when the update is applied here; rejects if it never will be. */
  readonly applied: Promise<void>;
  /** Settles as the core's send does (resolves once multicast). */
  readonly sent: Promise<void>;
}

const asError = (x: unknown): Error => (x instanceof Error ? x : new Error(String(x)));

const excluded = (): Error =>
  new NotPrimaryError('this member was excluded from the group before its update came back; it is a new member now');

/** Decodes `[n, body]`. */
function envelope(raw: unknown): { n: number; body: unknown } | undefined {
  if (!Array.isArray(raw) || raw.length !== 2) return undefined;
  const n: unknown = raw[0];
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? { n, body: raw[1] } : undefined;
}

/**
 * The base of every replicated object. `Op` is a decoded operation, `Change` the 'change' events
 * the object emits (besides {@link ResetChange}).
 */
export abstract class ReplicatedObject<Op, Change> {
  private channel: Channel | undefined;
  private readonly listeners = new Listeners<Change | ResetChange>();
  private readonly pending = new Pending();
  private lastOp = 0;
  /** The member id this replica acts for: another `group.me` means this member rejoined. */
  private incarnation: string;
  /** Listener failures of the handler call running now (undefined: none running). */
  private failures: Error[] | undefined;
  /** Whether the call running now comes live from the group (failures may be thrown back to it). */
  private live = false;
  /** Above 0 while a backlog or a checkpoint is replayed: nothing may be thrown back then. */
  private quiet = 0;

  protected constructor(
    /** The group this object is part of. */
    readonly group: Group,
    /** The object's name in the group. */
    readonly name: string,
  ) {
    this.incarnation = group.me;
  }

  /** Subscribes to the object's changes, in the order they are applied; returns the function that unsubscribes. */
  on(event: 'change', listener: Listener<Change | ResetChange>): () => void {
    if (event !== 'change') throw new TypeError(`unknown event ${String(event)}: replicated objects emit 'change'`);
    return this.listeners.add(listener);
  }

  /**
   * Opens the object's channel; what arrived for it before (a checkpoint part, a backlog) is
   * replayed now. Called once, by `open` (see registry.ts), after the object is constructed.
   * @internal
   */
  attachChannel(channel: string, ephemeral: boolean): void {
    this.quiet += 1;
    try {
      this.channel = openChannel(this.group, channel, {
        deliver: (raw, meta) => this.handle(true, () => this.deliver(raw, meta)),
        view: (view) => this.handle(true, () => this.view(view)),
        ...(ephemeral ? {} : { getState: () => this.snapshot() }),
        setState: (state) => this.handle(false, () => this.restore(state)),
        closed: (error) => this.closed(error),
      }, { ephemeral });
    } finally {
      this.quiet -= 1;
    }
  }

  /** A decoded operation from the wire, or undefined if it is malformed (a broken or hostile peer). */
  protected abstract decode(body: unknown): Op | undefined;
  /**
   * Applies an operation (the same at every member, in the same order) and emits its changes.
   * Returns an error when the operation was refused where it was applied: the sender's promise rejects with it.
   */
  protected abstract apply(op: Op, origin: Origin): Error | undefined;
  /** Loads a checkpoint part; `undefined`, or a part it cannot read, means the initial state. */
  protected abstract load(state: unknown): void;
  /** The object's part of the group's checkpoint (not asked of ephemeral objects). */
  protected snapshot(): unknown {
    return null;
  }
  /** A primary view, in order with the operations. */
  protected viewChanged(view: View): void {}
  /** This member rejoined as `me`: whatever it waited for as the old member will not come. */
  protected rejoined(me: string): void {}
  /** This member is out of the group for good (it left, or its process closed): nothing it waits for will come. */
  protected left(error: Error): void {}

  private closed(error: Error): void {
    this.pending.rejectAll(() => error);
    this.left(error);
  }

  /**
   * Multicasts an update; its promise resolves when it is applied here. The update may be applied
   * before `submit` returns (the sequencer delivers its own total-order messages at once):
   * `prepare` runs before the send, to register what its application must find.
   */
  protected submit(body: unknown, order: Order = 'total', prepare?: (n: number) => void): Submitted {
    const channel = this.channel;
    if (channel === undefined) throw new Error(`${this.name}: an update before the object is open`);
    const n = ++this.lastOp;
    const applied = this.pending.add(n, this.group.me);
    prepare?.(n);
    const sent = channel.send([n, body], { order });
    sent.catch((error: unknown) => this.pending.reject(n, asError(error)));
    return { n, applied, sent };
  }

  /** Emits a change to the listeners; their failures are reported once the current call is done. */
  protected emit(change: Change | ResetChange): void {
    if (this.failures !== undefined) {
      this.listeners.emit(change, this.failures);
      return;
    }
    const failures: Error[] = [];
    this.listeners.emit(change, failures);
    if (failures.length > 0) rethrowLater(combine(failures));
  }

  /** Whether the channel is open (updates may be sent). */
  protected get attached(): boolean {
    return this.channel !== undefined;
  }

  /** Runs a handler call; reports the failures of the listeners it called once it is done. */
  private handle(live: boolean, body: () => void): void {
    const outer = { failures: this.failures, live: this.live };
    const failures: Error[] = [];
    this.failures = failures;
    this.live = live && this.quiet === 0;
    try {
      body();
    } finally {
      this.failures = outer.failures;
      this.live = outer.live;
    }
    if (failures.length === 0) return;
    const error = combine(failures);
    if (live && this.quiet === 0) throw error;
    rethrowLater(error);
  }

  private deliver(raw: unknown, meta: ChannelMeta): void {
    this.checkIncarnation(false);
    const parsed = envelope(raw);
    const op = parsed === undefined ? undefined : this.decode(parsed.body);
    if (parsed === undefined || op === undefined) {
      this.malformed(`a malformed operation from ${meta.sender}`);
      return;
    }
    const origin: Origin = { sender: meta.sender, viewId: meta.viewId, n: parsed.n };
    traceStep(this, () => ({ kind: 'op', op, sender: origin.sender, viewId: origin.viewId, n: origin.n }));
    const refusal = this.apply(op, origin);
    if (refusal !== undefined) this.pending.reject(parsed.n, refusal);
    else this.pending.resolve(parsed.n, meta.sender);
  }

  private view(view: View): void {
    this.checkIncarnation(false);
    if (!view.primary) return; // a notice that this member is cut off: it may yet come back in the same view
    traceStep(this, () => ({ kind: 'view', view }));
    this.viewChanged(view);
  }

  private restore(state: unknown): void {
    this.checkIncarnation(true);
    this.reset(state);
  }

  private reset(state: unknown): void {
    this.quietForThisTurn();
    this.load(state);
    traceStep(this, () => ({ kind: 'load', state }));
    this.emit({ type: 'reset' });
  }

  /**
   * A new `group.me` since the last call: this member (re)joined as a new member. Updates sent as
   * the old one reject; and unless a checkpoint is being loaded now, the replica starts over.
   */
  private checkIncarnation(restoring: boolean): void {
    const me = this.group.me;
    if (me === this.incarnation) return;
    this.incarnation = me;
    this.pending.rejectStale(me, excluded);
    this.rejoined(me);
    if (!restoring) this.reset(undefined);
  }

  /** What follows in this turn is a replay (a checkpoint, a backlog): failures are not thrown back. */
  private quietForThisTurn(): void {
    this.quiet += 1;
    (globalThis as unknown as { queueMicrotask(callback: () => void): void }).queueMicrotask(() => {
      this.quiet -= 1;
    });
  }

  /** A peer sent what no member of ours sends: dropped (the same at every member), reported when live. */
  private malformed(what: string): void {
    if (this.live && this.failures !== undefined) this.failures.push(new ProtocolError(`${this.name}: ${what}, dropped`));
  }
}
