/**
 * synchrony: the whole public API of Synchrony in one import, the same in Node and in a browser
 * bundle. Groups of processes on a WebRTC mesh (`connect`), the errors their calls reject with,
 * and the replicated objects built on groups. The simulator is `synchrony/sim`, kept out of this
 * entry so that the drop-in script (dist/synchrony.iife.js, built from this file) stays small.
 *
 * Each line names its package, so adding a package to the umbrella is one line here (plus its
 * dependency in package.json and its reference in tsconfig.json).
 *
 * ```ts
 * import { connect, Counter } from 'synchrony';
 * const peer = await connect({ signaling: 'ws://127.0.0.1:8787' });
 * const group = await peer.join('room-1');
 * const clicks = await Counter.open(group, 'clicks');
 * await clicks.add(1);
 * ```
 */

// Processes and groups on the real network (@synchrony/webrtc); see the API contract for options.
export { connect, type ConnectOptions } from '@synchrony/webrtc';

// What a process, its groups, views and messages look like (@synchrony/core), and the interface
// of a store for JoinOptions.store (views and checkpoints kept for a restart after a total failure).
export type {
  Group, GroupStore, JoinOptions, Message, Order, Process, Reply, RequestOptions, SendOptions, StoredCheckpoint,
  StoredView, View,
} from '@synchrony/core';

// Errors, each with a stable `name`, so `error.name === 'NotPrimaryError'` works across bundles too.
export {
  AccessDeniedError, ApplicationError, GroupClosedError, NotPrimaryError, OverloadError, ProtocolError,
  StateTransferError, TimeoutError,
} from '@synchrony/core';
export { SendError, SignalingError } from '@synchrony/webrtc';
export { NotHolderError } from '@synchrony/objects';

// Replicated objects (@synchrony/objects): updates in the group's total order, local reads.
export {
  Counter, defineObject, Lock, Presence, ReplicatedList, ReplicatedMap,
  type AcquireOptions, type ApplyContext, type CounterChange, type CustomObject, type CustomObjectClass,
  type ListChange, type LockChange, type LockWaitersChange, type MapChange, type ObjectDefinition, type PresenceChange,
  type ReplicatedObject, type ResetChange, type UpdateChange,
} from '@synchrony/objects';

// Persistence of views and checkpoints in IndexedDB (@synchrony/store-idb).
export { idbStore, StoreError, type IdbGroupStore, type IdbStoreOptions, type StoreErrorReason } from '@synchrony/store-idb';
