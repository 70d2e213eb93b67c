/**
 * The `Group` of shared/API.md over a group engine: promises for sends, flushes, joins and
 * leaves; typed events; and group RPC (request/onRequest) as a total-order multicast whose
 * replies come back point to point.
 */
import type { Group, JoinOptions, Message, Order, Reply, RequestOptions, SendOptions, View } from '../api.js';
import { GroupClosedError, NotPrimaryError, TimeoutError } from '../errors.js';
import { LEAVE_TIMEOUTS, type GroupEngine } from '../group/group-engine.js';
import type { GroupEvent } from '../group/group-host.js';
import type { SendTag } from '../group/own-stream.js';
import { deferred, type Deferred } from './deferred.js';
import { Emitter } from './emitter.js';
import { checkMessage, checkRequestOptions, checkSendOptions } from './arguments.js';
import { ChannelRegistry, type ChannelHandler } from './channels.js';
import { registerGroup, type Channel, type ChannelOptions, type TapEvent } from './inspect.js';
import { GroupPersistence } from './persistence.js';

/** What a handle needs from its process: run engine calls safely, and time. */
export interface HandleContext {
  /** The largest multicast accepted (EngineConfig.maxMessageBytes). */
  readonly maxMessageBytes: number;
  run(action: () => void): void;
  now(): number;
  setTimer(callback: () => void, delayMs: number): () => void;
  reportError(error: Error): void;
  announce(group: string): void;
  withdraw(group: string): void;
}

type RequestHandler = (data: unknown, from: string) => unknown | Promise<unknown>;

interface PendingRequest {
  id: string;
  /** The caller's member id when it asked: replies are addressed to it. */
  me: string;
  replies: Reply[];
  from: Set<string>;
  want: RequestOptions['replies'];
  /**
   * The members of the view in which the request is delivered (set when the caller delivers it):
   * exactly those are asked, whatever view was installed when `request` was called.
   */
  asked: readonly string[] | undefined;
  done: Deferred<Reply[]>;
  cancelTimer?: () => void;
}

interface RequestEnvelope { rid: string; body: unknown }
interface ReplyEnvelope { rid: string; data?: unknown; error?: { name: string; message: string } }

const isRequest = (x: unknown): x is RequestEnvelope =>
  typeof x === 'object' && x !== null && typeof (x as RequestEnvelope).rid === 'string';

export class GroupHandle implements Group {
  private readonly events: Emitter<{ view: View; message: Message }>;
  private readonly tickets = new Map<number, Deferred<void>>();
  private flushes: Array<{ ticket: number; done: Deferred<void> }> = [];
  private stableThrough = 0;
  private joined: Deferred<View> | undefined;
  private leaving: Deferred<void> | undefined;
  private handlers: RequestHandler[] = [];
  private readonly requests = new Map<string, PendingRequest>();
  /** The last primary view shown: the view in which this member's deliveries happen. */
  private lastPrimary: View | undefined;
  private nextRequest = 1;
  private nextTicket = 1;
  private readonly channels: ChannelRegistry;
  private readonly taps: Emitter<{ event: TapEvent }>;
  /** Deliveries in the current view at this member (for taps). */
  private deliveredInView = 0;
  /** With `JoinOptions.store`: logs views and checkpoints, and restarts a group from them. */
  private readonly persistence: GroupPersistence | undefined;
  /** The stored checkpoint is being read before the first join (persistence). */
  private loading = false;

  constructor(
    readonly name: string,
    private readonly engine: GroupEngine,
    private readonly context: HandleContext,
    private readonly options: JoinOptions,
  ) {
    this.events = new Emitter((error) => context.reportError(error));
    this.taps = new Emitter((error) => context.reportError(error));
    this.channels = new ChannelRegistry({
      getState: () => options.getState?.() ?? null,
      setState: (state) => options.setState?.(state),
    });
    if (options.store !== undefined) {
      this.persistence = new GroupPersistence(options.store, {
        group: name,
        me: () => engine.me,
        now: () => context.now(),
        checkpoint: () => this.checkpoint(),
        setTimer: (callback, delayMs) => context.setTimer(() => context.run(callback), delayMs),
        report: (error) => context.reportError(error),
      });
    }
    registerGroup(this, {
      stats: () => engine.stats(),
      tap: (listener) => this.taps.on('event', listener),
      identity: () => engine.identity,
      openChannel: (name, handler, channelOptions) => this.openChannel(name, handler, channelOptions),
    });
  }

  /** The group's checkpoint at the cut: the application's state and every channel's (channels.ts). */
  checkpoint(): unknown {
    return this.channels.checkpoint();
  }

  /** A joiner's checkpoint arrived. */
  restore(state: unknown): void {
    this.channels.restore(state);
  }

  private openChannel(name: string, handler: ChannelHandler, options: ChannelOptions): Channel {
    const ephemeral = options.ephemeral === true;
    this.channels.attach(name, handler, ephemeral);
    return {
      name,
      send: (op, sendOptions) => this.multicast(op, sendOptions, { channel: name, ephemeral }, 'the operation'),
      close: () => this.channels.detach(name),
    };
  }

  get me(): string {
    return this.engine.me;
  }

  get view(): View | undefined {
    return this.engine.view;
  }

  on(event: 'view', listener: (view: View) => void): () => void;
  on(event: 'message', listener: (message: Message) => void): () => void;
  on(event: 'view' | 'message', listener: (value: never) => void): () => void {
    return this.events.on(event, listener as (value: View | Message) => void);
  }

  /** Set once the process closed: every call rejects at once. */
  private closedBy: Error | undefined;

  join(): Promise<View> {
    if (this.closedBy !== undefined) return Promise.reject(this.closedBy);
    if (this.engine.leaving) return Promise.reject(new GroupClosedError('the group is being left'));
    if (this.engine.status === 'member' && this.engine.view?.primary && this.joined === undefined) return Promise.resolve(this.engine.view);
    this.joined ??= deferred<View>();
    const done = this.joined;
    if (this.loading) return done.promise;
    if (this.persistence !== undefined && this.engine.status === 'idle') {
      // Read what is stored first: if this process founds the group, it restarts it from there.
      this.loading = true;
      void this.persistence.load().then((restart) => {
        this.loading = false;
        if (this.closedBy !== undefined || this.joined !== done) return;
        this.context.announce(this.name);
        this.context.run(() => this.engine.join(false, restart));
      });
      return done.promise;
    }
    this.context.announce(this.name);
    this.context.run(() => this.engine.join());
    return done.promise;
  }

  send(data: unknown, options?: SendOptions): Promise<void> {
    return this.multicast(data, options, {});
  }

  private multicast(data: unknown, options: SendOptions | undefined, tag: SendTag, what = 'data'): Promise<void> {
    if (this.closedBy !== undefined) return Promise.reject(this.closedBy);
    let bytes: number;
    let order: Order;
    let safe: boolean;
    try {
      const checked = checkSendOptions(options);
      order = checked.order ?? 'total';
      safe = checked.safe === true;
      bytes = checkMessage(data, this.context.maxMessageBytes, what);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const done = deferred<void>();
    const ticket = this.nextTicket++;
    this.tickets.set(ticket, done);
    this.context.run(() => this.engine.send(ticket, data, order, safe, tag, bytes));
    return done.promise;
  }

  /**
   * Resolves once every send made before it is settled and, if it went out, stable: a refused send
   * was never sent, so it is not waited for. Rejects only if the group is left or closed first.
   */
  flush(): Promise<void> {
    if (this.closedBy !== undefined) return Promise.reject(this.closedBy);
    const done = deferred<void>();
    this.context.run(() => {
      const ticket = this.engine.lastTicket;
      if (ticket <= this.stableThrough) done.resolve();
      else this.flushes.push({ ticket, done });
    });
    return done.promise;
  }

  leave(): Promise<void> {
    if (this.closedBy !== undefined) return Promise.reject(this.closedBy);
    if (this.engine.status === 'left' || (this.engine.status === 'idle' && this.joined === undefined)) return Promise.resolve();
    this.leaving ??= deferred<void>();
    const done = this.leaving;
    // The engine finishes a leave by itself in every phase; this only bounds a leave that cannot
    // complete (a partition that outlasts it): then the member abandons the group without a view change.
    const timeoutMs = LEAVE_TIMEOUTS * (this.options.failureTimeoutMs ?? 1000);
    const cancel = this.context.setTimer(() => this.context.run(() => this.engine.abandon()), timeoutMs);
    void done.promise.then(cancel);
    this.context.run(() => this.engine.leave());
    return done.promise;
  }

  onRequest(handler: RequestHandler): () => void {
    if (typeof handler !== 'function') throw new TypeError(`onRequest takes a function, not ${typeof handler}`);
    this.handlers.push(handler);
    return () => {
      this.handlers = this.handlers.filter((h) => h !== handler);
    };
  }

  request(data: unknown, options?: RequestOptions): Promise<Reply[]> {
    if (this.closedBy !== undefined) return Promise.reject(this.closedBy);
    try {
      options = checkRequestOptions(options);
      checkMessage(data, this.context.maxMessageBytes);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const want = options.replies ?? 'all';
    const id = `${this.engine.me}/${this.nextRequest++}`;
    const pending: PendingRequest = {
      id, me: this.engine.me, replies: [], from: new Set(), want, asked: undefined, done: deferred<Reply[]>(),
    };
    this.requests.set(id, pending);
    if (options.timeoutMs !== undefined) {
      pending.cancelTimer = this.context.setTimer(() => {
        this.requests.delete(id);
        pending.done.reject(new TimeoutError(`request ${id}: ${pending.replies.length} replies in ${options.timeoutMs} ms`));
      }, options.timeoutMs);
    }
    const envelope: RequestEnvelope = { rid: id, body: data };
    this.multicast(envelope, { order: 'total' }, { request: true }).catch((error: Error) => this.settleRequest(pending, error));
    return pending.done.promise;
  }

  /** Called by the process for every event of this group's engine, in order. */
  handle(event: GroupEvent): void {
    switch (event.type) {
      case 'view': return this.onView(event.view, event.missed);
      case 'join-failed': // a rejoin that fails has no promise to reject: it is reported instead
        if (this.joined !== undefined) this.joined.reject(event.error);
        else this.context.reportError(event.error);
        this.joined = undefined;
        return;
      case 'message':
        if (!event.ephemeral) this.persistence?.delivered();
        if (this.taps.count('event') > 0) {
          const { sender, viewId, order } = event.message;
          this.taps.emit('event', {
            kind: 'deliver', sender, viewId, order, seq: event.seq, index: this.deliveredInView, channel: event.channel,
            request: event.request, atMs: this.context.now(),
          });
        }
        this.deliveredInView += 1;
        if (event.channel !== undefined) this.deliverToChannel(event.channel, event.message, event.ephemeral);
        else if (event.request) {
          this.onOwnRequest(event.message);
          this.answer(event.message);
        }
        else this.events.emit('message', event.message);
        return;
      case 'direct': return this.onReply(event.from, event.payload);
      case 'sent': this.tickets.get(event.ticket)?.resolve(); this.tickets.delete(event.ticket); return;
      case 'stable': return this.onStable(event.ticket);
      case 'rejected': return this.onRejected(event.tickets, event.error);
      case 'left': return this.onLeft();
      case 'error': this.context.reportError(event.error); return;
    }
  }

  private deliverToChannel(name: string, message: Message, ephemeral: boolean): void {
    try {
      this.channels.deliver(name, message, ephemeral);
    } catch (error) {
      this.context.reportError(new Error(`channel ${name} failed on an operation of ${message.sender}: ${(error as Error).message}`));
    }
  }

  private onView(view: View, missed: readonly string[]): void {
    if (view.primary) this.deliveredInView = 0;
    this.taps.emit('event', { kind: 'view', view, atMs: this.context.now() });
    if (view.primary) {
      this.lastPrimary = view;
      this.joined?.resolve(view);
      this.joined = undefined;
      this.persistence?.start();
      this.persistence?.viewInstalled(view);
    }
    this.channels.view(view, (error) => this.context.reportError(error));
    this.events.emit('view', view);
    for (const pending of [...this.requests.values()]) {
      // Members that had no state delivered nothing of the view the request was delivered in.
      if (pending.asked !== undefined && missed.length > 0) pending.asked = pending.asked.filter((m) => !missed.includes(m));
      // Excluded (cut off, then gone on without): its request was asked as a member it no longer is.
      const excluded = this.engine.status === 'minority' || pending.me !== this.engine.me ||
        (view.primary && !view.members.includes(pending.me));
      if (excluded) this.settleRequest(pending, new NotPrimaryError(`request ${pending.id}: the caller was excluded from the group`));
      else if (view.primary) this.checkRequest(pending); // a non-primary view may yet end with this member back
    }
  }

  private onStable(ticket: number): void {
    this.stableThrough = Math.max(this.stableThrough, ticket);
    const still: typeof this.flushes = [];
    for (const f of this.flushes) {
      if (f.ticket <= this.stableThrough) f.done.resolve();
      else still.push(f);
    }
    this.flushes = still;
  }

  private onRejected(tickets: number[], error: Error): void {
    for (const t of tickets) {
      this.tickets.get(t)?.reject(error);
      this.tickets.delete(t);
    }
  }

  private onLeft(): void {
    this.context.withdraw(this.name);
    const closed = new GroupClosedError('the group was left');
    this.joined?.reject(closed);
    this.joined = undefined;
    this.leaving?.resolve();
    this.leaving = undefined;
    this.rejectPending(closed);
  }

  /** Rejects every call still pending (the group is left, or the process closed). */
  private rejectPending(error: Error): void {
    this.persistence?.stop();
    this.channels.close(error, (e) => this.context.reportError(e));
    for (const pending of [...this.requests.values()]) this.settleRequest(pending, error);
    for (const f of this.flushes) f.done.reject(error);
    this.flushes = [];
    for (const done of this.tickets.values()) done.reject(error);
    this.tickets.clear();
  }

  /**
   * The process closed: every call still pending settles now, and every later one rejects. After
   * a graceful close nothing is pending (each group was left); after an abrupt one, a message
   * already multicast may still reach the others, as with a crash.
   */
  closeNow(): void {
    if (this.closedBy !== undefined) return;
    const error = new GroupClosedError('the process is closed');
    this.closedBy = error;
    this.joined?.reject(error);
    this.joined = undefined;
    this.leaving?.resolve();
    this.leaving = undefined;
    this.rejectPending(error);
  }

  // ---------------------------------------------------------------- group RPC

  private answer(message: Message): void {
    if (!isRequest(message.data)) return;
    const { rid, body } = message.data;
    const reply = (envelope: ReplyEnvelope): void => this.context.run(() => this.engine.direct(message.sender, envelope));
    const handler = this.handlers[0];
    if (handler === undefined) {
      reply({ rid, error: { name: 'NoHandlerError', message: `${this.engine.me} has no request handler` } });
      return;
    }
    const fail = (error: unknown): void => {
      const e = error instanceof Error ? error : new Error(String(error));
      reply({ rid, error: { name: e.name, message: e.message } });
    };
    try {
      Promise.resolve(handler(body, message.sender)).then((data) => reply({ rid, data }), fail);
    } catch (error) {
      fail(error);
    }
  }

  /** The caller delivers its own request: the members of this view are the ones asked. */
  private onOwnRequest(message: Message): void {
    if (message.sender !== this.engine.me || !isRequest(message.data)) return;
    const pending = this.requests.get(message.data.rid);
    // Not `engine.view`: a member cut off and then let back in delivers the cut with a non-primary view shown.
    const view = this.lastPrimary;
    if (pending === undefined || view === undefined || view.id !== message.viewId) return;
    pending.asked = view.members;
    this.checkRequest(pending);
  }

  private onReply(from: string, payload: unknown): void {
    if (!isRequest(payload)) return;
    const envelope = payload as ReplyEnvelope;
    const pending = this.requests.get(envelope.rid);
    if (pending === undefined || pending.from.has(from)) return;
    pending.from.add(from);
    const reply: Reply = envelope.error !== undefined
      ? { from, data: undefined, error: { name: String(envelope.error.name), message: String(envelope.error.message) } }
      : { from, data: envelope.data };
    pending.replies.push(reply);
    this.checkRequest(pending);
  }

  private checkRequest(pending: PendingRequest): void {
    const view = this.engine.view;
    // Not delivered here yet, or cut off from the majority (the members out of reach are not gone).
    if (view === undefined || !view.primary || pending.asked === undefined) return;
    const alive = pending.asked.filter((m) => view.members.includes(m) || pending.from.has(m));
    const want = pending.want;
    const needed = want === 'one' ? 1 : want === 'majority' ? Math.floor(alive.length / 2) + 1
      : want === 'all' ? alive.length : Math.min(Math.max(0, Math.floor(want ?? 0)), alive.length);
    const answered = alive.filter((m) => pending.from.has(m)).length;
    if (answered >= needed) this.settleRequest(pending);
  }

  private settleRequest(pending: PendingRequest, error?: Error): void {
    if (!this.requests.delete(pending.id)) return;
    pending.cancelTimer?.();
    if (error !== undefined) pending.done.reject(error);
    else pending.done.resolve(pending.replies.slice());
  }
}
