/**
 * The contract between a test member (a page, or a Node process) and the test: what the page puts
 * on `window` (a Node member answers the same calls over IPC), and the plain (structured-clonable)
 * shapes it hands back. Types only, so the test imports it without pulling any browser code into Node.
 */
import type { Order, View } from '@synchrony/core';
import type { TraceEvent } from '@synchrony/sim';

/** The recording application's replicated state (the simulator's `AppState`). */
export type AppState = Extract<TraceEvent, { k: 'setState' }>['state'];

/** One multicast to make: the order, and whether it is safe (delivered only once stable). */
export interface SendSpec {
  readonly order: Order;
  readonly safe: boolean;
}

/** How the page joins its group. */
export interface JoinRequest {
  readonly group: string;
  /** The group's failure timeout: silence after which a member is suspected. */
  readonly failureTimeoutMs: number;
}

/** Where the page stands right now, as plain data. */
export interface PageStatus {
  /** The process id (one per page load); '' before joining. */
  readonly processId: string;
  /** This page's member id in the group; '' before joining. */
  readonly member: string;
  /** The view installed last. */
  readonly view: View | undefined;
  /** The replicated application state. */
  readonly state: AppState;
  /** Messages delivered to this member so far. */
  readonly deliveries: number;
  /** Sends whose promise has not settled yet. */
  readonly unsettled: number;
  /** Multicasts this member sent and has not delivered itself yet, rejected ones aside (every other multicast reaches its sender too). */
  readonly undeliveredOwn: number;
  /**
   * Everything the process reported through `process.on('error')`, plus uncaught page errors and
   * unhandled rejections, as text.
   */
  readonly errors: readonly string[];
}

/** The API the test page exposes as `window.synchronyE2e`. */
export interface E2eApi {
  /**
   * Connects to the signaling server named by the page's `signaling` query parameter, opens the
   * group with the recording application attached, joins, and resolves with the page's status once
   * its first view is installed (after state transfer).
   */
  join(request: JoinRequest): Promise<PageStatus>;
  /** Makes the multicasts in `specs`, all at once, and resolves once every one has settled. */
  send(specs: readonly SendSpec[]): Promise<void>;
  /** Makes the multicasts in `specs` and returns at once, without waiting for any of them. */
  sendAndForget(specs: readonly SendSpec[]): void;
  /** Resolves when everything this member sent so far is stable. */
  flush(): Promise<void>;
  /** Leaves the group gracefully; resolves once a view without this member is installed. */
  leave(): Promise<void>;
  /** Where the page stands. */
  status(): PageStatus;
  /** Views, deliveries, sends and state upcalls of this page so far, in the simulator's trace format. */
  trace(): TraceEvent[];
}

declare global {
  interface Window {
    synchronyE2e?: E2eApi;
  }
}
