/**
 * @synchrony/objects: replicated objects on Synchrony groups. Each object is a named channel of a
 * group (core `openChannel`): its updates are multicast in the group's total order and applied at
 * every member when delivered, its reads are local, and its state is part of the group's
 * checkpoint, so a joiner gets every object. Presence is the exception: FIFO, ephemeral, per member.
 */
export { ReplicatedMap, type MapChange } from './replicated-map.js';
export { ReplicatedList, type ListChange } from './replicated-list.js';
export { Counter, type CounterChange } from './counter.js';
export { Lock, type AbortSignalLike, type AcquireOptions, type LockChange, type LockWaitersChange } from './lock.js';
export { Presence, type PresenceChange } from './presence.js';
export {
  defineObject, type ApplyContext, type CustomObject, type CustomObjectClass, type ObjectDefinition, type UpdateChange,
} from './define-object.js';
export { NotHolderError } from './errors.js';
export type { ReplicatedObject, ResetChange } from './replicated-object.js';
export { MAX_DEPTH } from './carriable.js';
export { MAX_NAME_LENGTH } from './registry.js';
