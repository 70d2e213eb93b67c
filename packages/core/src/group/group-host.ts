/**
 * What a group engine needs from its process: the time, the links, discovery, the failure
 * detector's readings, and a place for its outputs. Nothing here does I/O by itself: the
 * process engine collects the outputs and the driver performs them.
 */
import type { EngineConfig } from '../config.js';
import type { Message, View } from '../api.js';
import type { GroupMsg } from '../wire/messages.js';

export type GroupEvent =
  /** A view shown to the application; `missed`: members of the previous view that delivered none of its messages (no state yet). */
  | { type: 'view'; view: View; missed: readonly string[] }
  /** `join()` cannot complete: the secret was refused, or no member could provide the state. */
  | { type: 'join-failed'; error: Error }
  /** A delivery: an application message, a group request, or an operation of channel `channel`. */
  | { type: 'message'; message: Message; request: boolean; channel: string | undefined; ephemeral: boolean; seq: number }
  | { type: 'direct'; from: string; payload: unknown }
  /** The send with this ticket was multicast (or, if safe, is stable). */
  | { type: 'sent'; ticket: number }
  /** Every send up to and including this ticket is stable. */
  | { type: 'stable'; ticket: number }
  /** These sends will never go out. */
  | { type: 'rejected'; tickets: number[]; error: Error }
  /** The member left the group (a graceful leave completed, or the process closed). */
  | { type: 'left' }
  /** The engine met something it cannot accept: a peer's bad input or a broken upcall. */
  | { type: 'error'; error: Error };

export interface GroupHost {
  readonly processId: string;
  readonly config: EngineConfig;
  now(): number;
  /** The member's phase or view changed (the process's view digests and needed peers are stale). */
  changed?(): void;
  /** Something happened to the group (an input, a call): tick it until it is quiet again. */
  wake?(): void;
  /**
   * A send was multicast without the rest of a pump (delivering it here, the sequencer's positions,
   * the reports): the host calls `GroupEngine.pumpIfOwed` before its next flush. Without this
   * hook every send pumps at once.
   */
  pumpLater?(): void;
  /** The group began sending a checkpoint: its next chunks go as its links make room (`continueTransfers`). */
  transferStarted?(): void;
  /** Sends a message to the process that owns `member` (or to a process id). */
  send(member: string, message: GroupMsg): void;
  /** Processes discovery says are interested in this group. */
  peers(): readonly string[];
  /** Whether discovery has answered for this group yet: until then, no peers does not mean nobody. */
  discovered(): boolean;
  /** When the process was last heard from. */
  lastHeard(process: string): number;
  /** Bytes queued or unacknowledged on the data lane to a process (state transfer paces by it). */
  backlogBytes(process: string): number;
  /** Asks a process that has been silent to answer at once. */
  query(process: string): void;
  /** How late the process's frames have come lately. */
  lateness(process: string): number;
  emit(event: GroupEvent): void;
  /** The application's checkpoint upcalls. */
  getState(): unknown;
  setState(state: unknown): void;
}
