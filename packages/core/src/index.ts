/**
 * @synchrony/core: the sans-IO virtual synchrony engine and the Process/Group runtime that
 * drivers (the simulator, the WebRTC mesh) put on a transport and a clock.
 */
export type { Group, JoinOptions, Message, Order, Process, Reply, RequestOptions, SendOptions, View } from './api.js';
export type { Clock, Lane, Transport } from './transport.js';
export { DEFAULT_CONFIG, resolveConfig, type EngineConfig } from './config.js';
export {
  AccessDeniedError, ApplicationError, GroupClosedError, NotPrimaryError, OverloadError, ProtocolError, StateTransferError,
  SynchronyError, TimeoutError,
} from './errors.js';
export { memberId, processOf } from './ids.js';
export { createProcess, type ProcessOptions } from './runtime/process-runtime.js';
export { ProcessEngine, type ProcessIo } from './process-engine.js';
export { GroupEngine, type GroupStats, type GroupStatus } from './group/group-engine.js';
export { groupIdentity, groupStats, openChannel, tapGroup, type TapEvent, type Channel, type ChannelOptions } from './runtime/inspect.js';
export type { ChannelHandler, ChannelMeta } from './runtime/channels.js';
export { CHECKPOINT_INTERVAL_MS, type GroupStore, type StoredCheckpoint, type StoredView } from './runtime/persistence.js';
export { memoryStore } from './runtime/memory-store.js';
export type { GroupEvent } from './group/group-host.js';
export { encodeFrame, decodeFrame, WIRE_VERSION, type Frame } from './wire/frame.js';
export type { GroupMsg, DataMsg, ViewValue } from './wire/messages.js';
