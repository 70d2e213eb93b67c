/**
 * Records what the application sees at each member (views, deliveries, sends, state
 * upcalls) into one trace, for the property checker and the readable trace. It subscribes
 * through the public API only, so the checker judges the product, not its internals.
 */
import { groupIdentity, type Group, type Message, type Order, type Process, type View } from '@synchrony/core';

export type TraceEvent =
  /** `gid`: which founding of the group the view belongs to (two groups founded apart number views apart). */
  | { k: 'view'; at: number; process: string; member: string; view: View; gid?: string }
  | { k: 'deliver'; at: number; process: string; member: string; id: string; sender: string; viewId: number; order: Order; safe: boolean }
  | { k: 'send'; at: number; process: string; member: string; id: string; order: Order; safe: boolean; deliveredBefore: number }
  | { k: 'sent'; at: number; process: string; member: string; id: string; ok: boolean }
  | { k: 'getState'; at: number; process: string; member: string; viewId: number; state: AppState }
  | { k: 'setState'; at: number; process: string; member: string; state: AppState }
  /** A call of the application (join, leave, flush, request, close) and, later, its outcome. */
  | { k: 'call'; at: number; process: string; member: string; id: string; call: CallKind }
  | { k: 'settled'; at: number; process: string; member: string; id: string; ok: boolean; error?: string }
  /** The engine reported a broken invariant of its own (a bug, never a peer's fault). */
  | { k: 'bug'; at: number; process: string; message: string }
  /** The process stopped without a goodbye (a crash, or close({ abrupt: true })): its calls may stay pending. */
  | { k: 'crash'; at: number; process: string }
  | { k: 'fault'; at: number; what: string };

export type CallKind = 'join' | 'leave' | 'flush' | 'request' | 'close';

export type Trace = TraceEvent[];

/** The test application's state: order-insensitive for FIFO/causal, a hash chain for total. */
export interface AppState {
  count: number;
  sum: number;
  chain: number;
}

export interface Payload {
  id: string;
  safe: boolean;
}

function hash(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** One member's application: its replicated state and its counters. */
export class RecordedMember {
  state: AppState = { count: 0, sum: 0, chain: 0 };
  /** Deliveries per member id: a rejoin is a new member with a history of its own. */
  private readonly deliveriesOf = new Map<string, number>();
  sends = 0;
  group!: Group;
  /** The id of the last primary view this member installed: a checkpoint is taken at its cut. */
  primaryViewId = 0;
  /** A broken state provider: its getState throws. */
  failingProvider = false;
  /** A broken request handler: it throws. */
  failingHandler = false;
  private calls = 0;

  constructor(
    readonly recorder: Recorder,
    readonly process: Process,
  ) {}

  apply(message: Message): void {
    const id = (message.data as Payload).id;
    this.state = {
      count: this.state.count + 1,
      sum: (this.state.sum + hash(id)) >>> 0,
      chain: message.order === 'total' ? hash(id, this.state.chain) : this.state.chain,
    };
    this.deliveriesOf.set(this.group.me, this.deliveries + 1);
  }

  get deliveries(): number {
    return this.deliveriesOf.get(this.group.me) ?? 0;
  }

  /** Records a call of the application and, when it settles, its outcome. */
  call<T>(kind: CallKind, run: () => Promise<T>): Promise<T> {
    const member = this.group.me;
    const id = `${this.process.id}:${kind}:${++this.calls}`;
    const { recorder } = this;
    recorder.push({ k: 'call', at: recorder.now(), process: this.process.id, member, id, call: kind });
    const settle = (ok: boolean, error?: unknown): void => {
      const event: TraceEvent = { k: 'settled', at: recorder.now(), process: this.process.id, member, id, ok };
      if (error !== undefined) event.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      recorder.push(event);
    };
    let promise: Promise<T>;
    try {
      promise = run();
    } catch (error) {
      settle(false, error);
      return Promise.reject(error as Error);
    }
    void promise.then(() => settle(true), (error: unknown) => settle(false, error));
    return promise;
  }

  join(): Promise<unknown> {
    return this.call('join', () => this.group.join());
  }

  leave(): Promise<void> {
    return this.call('leave', () => this.group.leave());
  }

  flush(): Promise<void> {
    return this.call('flush', () => this.group.flush());
  }

  close(): Promise<void> {
    return this.call('close', () => this.process.close());
  }

  /** A group request; the members' handlers answer with their state (or throw, some of them). */
  request(replies: 'one' | 'majority' | 'all' | number, timeoutMs?: number): Promise<unknown> {
    return this.call('request', () => this.group.request({ ask: 'count' }, timeoutMs === undefined ? { replies } : { replies, timeoutMs }));
  }

  /** Answers group requests with its state's count (or throws, if `failingHandler`). */
  answerRequests(): void {
    this.group.onRequest(() => {
      if (this.failingHandler) throw new Error(`the request handler of ${this.process.id} is broken`);
      return this.state.count;
    });
  }

  /** Multicasts a payload with a unique id and records the send and its outcome. */
  send(order: Order, safe: boolean): Promise<void> {
    const member = this.group.me;
    const id = `${member}/${++this.sends}`;
    this.recorder.push({ k: 'send', at: this.recorder.now(), process: this.process.id, member, id, order, safe, deliveredBefore: this.deliveries });
    const payload: Payload = { id, safe };
    return this.group.send(payload, { order, safe }).then(
      () => this.recorder.push({ k: 'sent', at: this.recorder.now(), process: this.process.id, member, id, ok: true }),
      () => this.recorder.push({ k: 'sent', at: this.recorder.now(), process: this.process.id, member, id, ok: false }),
    );
  }
}

export class Recorder {
  readonly trace: Trace = [];
  readonly members = new Map<string, RecordedMember>();

  constructor(readonly now: () => number) {}

  push(event: TraceEvent): void {
    this.trace.push(event);
  }

  /** Opens `groupName` on a process with the recording application attached (not joined yet). */
  attach(process: Process, groupName: string, failureTimeoutMs?: number, secret?: string): RecordedMember {
    const app = new RecordedMember(this, process);
    const group = process.group(groupName, {
      failureTimeoutMs,
      secret,
      getState: () => {
        if (app.failingProvider) throw new Error(`the state provider of ${process.id} is broken`);
        const state = { ...app.state };
        this.push({ k: 'getState', at: this.now(), process: process.id, member: group.me, viewId: app.primaryViewId, state });
        return state;
      },
      setState: (state) => {
        app.state = { ...(state as AppState) };
        this.push({ k: 'setState', at: this.now(), process: process.id, member: group.me, state: app.state });
      },
    });
    app.group = group;
    process.on('error', (error) => {
      if (error.message.includes('invariant')) this.push({ k: 'bug', at: this.now(), process: process.id, message: error.message });
    });
    group.on('view', (view) => {
      if (view.primary) app.primaryViewId = view.id;
      this.push({ k: 'view', at: this.now(), process: process.id, member: group.me, view, gid: groupIdentity(group) ?? '' });
    });
    group.on('message', (message) => {
      app.apply(message);
      const payload = message.data as Payload;
      this.push({
        k: 'deliver', at: this.now(), process: process.id, member: group.me, id: payload.id, sender: message.sender,
        viewId: message.viewId, order: message.order, safe: payload.safe,
      });
    });
    this.members.set(process.id, app);
    return app;
  }
}

/** A stable hash of a whole trace: two runs of one seed must give the same. */
export function traceHash(trace: Trace): string {
  let h = 0;
  for (const event of trace) h = hash(JSON.stringify(event), h);
  return h.toString(16).padStart(8, '0');
}
