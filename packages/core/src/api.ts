/**
 * The public API of a process and its groups (shared/API.md). Both drivers, the
 * simulator and the WebRTC mesh, hand out objects of exactly these shapes.
 */
import type { GroupStore } from './runtime/persistence.js';

/** Delivery order of a multicast. */
export type Order = 'fifo' | 'causal' | 'total';

/** An agreed membership of a group. */
export interface View {
  /** Increases with each view; two primary views with one id are the same view. */
  readonly id: number;
  /** Member ids ordered by seniority; `members[0]` is the coordinator. */
  readonly members: readonly string[];
  /** False in a minority partition, or once this member was excluded. */
  readonly primary: boolean;
  /** Members new in this view. */
  readonly joined: readonly string[];
  /** Members of the previous view that are not in this one. */
  readonly left: readonly string[];
}

/** A multicast, as delivered. */
export interface Message {
  /** The sender's member id. */
  readonly sender: string;
  /** Anything msgpack can carry. */
  readonly data: unknown;
  /** The view in which it was sent and delivered. */
  readonly viewId: number;
  readonly order: Order;
}

export interface JoinOptions {
  /** Checkpoint upcall: called at one member at the cut of a view change that adds joiners. */
  getState?(): unknown;
  /** Called at the joiner before any message of its first view is delivered. */
  setState?(state: unknown): void;
  /** Silence after which a member is suspected. Default 1000 ms. */
  failureTimeoutMs?: number;
  /** Members prove it to each other; outsiders are refused. */
  secret?: string;
  /** Default true: after an exclusion, rejoin as a new member once the primary side is reachable. */
  rejoin?: boolean;
  /**
   * Persistence of views and checkpoints, for a restart after a total failure (runtime/persistence.ts;
   * @synchrony/store-idb's `idbStore()`). With a store, `getState` is also called now and then
   * between deliveries, not only at the cut of a view change.
   */
  store?: GroupStore;
}

export interface SendOptions {
  /** Default 'total'. */
  order?: Order;
  /** Default false. True: delivered only once stable (held by every member of the view). */
  safe?: boolean;
}

export interface RequestOptions {
  /** Default 'all'. A member that leaves or fails is not waited for. */
  replies?: 'one' | 'majority' | 'all' | number;
  /** Then the request rejects with an Error named 'TimeoutError'. */
  timeoutMs?: number;
}

export interface Reply {
  readonly from: string;
  readonly data: unknown;
  /** Set when the member's handler threw (or it had none): the error's name and message. */
  readonly error?: { readonly name: string; readonly message: string };
}

export interface Group {
  readonly name: string;
  /** This process's member id in this group: new each time it joins or rejoins. */
  readonly me: string;
  /** The view installed last; undefined before the first. */
  readonly view: View | undefined;
  join(): Promise<View>;
  send(data: unknown, options?: SendOptions): Promise<void>;
  flush(): Promise<void>;
  request(data: unknown, options?: RequestOptions): Promise<Reply[]>;
  onRequest(handler: (data: unknown, from: string) => unknown | Promise<unknown>): () => void;
  leave(): Promise<void>;
  on(event: 'view', listener: (view: View) => void): () => void;
  on(event: 'message', listener: (message: Message) => void): () => void;
}

export interface Process {
  readonly id: string;
  group(name: string, options?: JoinOptions): Group;
  join(name: string, options?: JoinOptions): Promise<Group>;
  on(event: 'error', listener: (error: Error) => void): () => void;
  close(options?: { abrupt?: boolean }): Promise<void>;
}
