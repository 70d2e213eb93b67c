/**
 * What `webrtc-groups.ts` and its child processes (`child.ts`) say to each other over the IPC
 * channel of `child_process.fork`. Each child is one Node process with one Synchrony `Process`
 * from `connect()`. Times are absolute milliseconds on the machine's clock (`wallNow`), so that
 * events in different processes can be subtracted.
 */

/** Parent → child. */
export type Command =
  /** `connect()` to `signaling`, pacing signaling frames at `signalingRate` per second. */
  | { cmd: 'connect'; signaling: string; signalingRate: number }
  /**
   * Join groups g0..g{groups-1}, `batch` at a time (each batch once the previous one is full; all
   * at once when `batch` >= `groups`); report when every one has a primary view of `members`
   * members, or at `deadlineMs` with how many had.
   */
  | { cmd: 'join'; groups: number; batch: number; members: number; failureTimeoutMs: number; deadlineMs: number }
  /** Do nothing for `ms`, then report what went on the wire meanwhile and the CPU used. */
  | { cmd: 'idle'; ms: number }
  /** Leave every group at once; report when every `leave()` settled, or at `deadlineMs`. */
  | { cmd: 'leave'; deadlineMs: number }
  /** Close the process gracefully (bounded) and exit. */
  | { cmd: 'exit' };

/** What one child measured over an idle window. */
export interface IdleSample {
  /** The window's length on this process's clock. */
  ms: number;
  /** Data-channel messages and bytes written in the window. */
  messages: number;
  bytes: number;
  /** User + system CPU of the whole process (libwebrtc's threads included) in the window. */
  cpuMs: number;
  /** Peer connections connected at the end of the window, and created since `connect()`. */
  peerConnectionsOpen: number;
  peerConnectionsCreated: number;
  /** Views installed in the window, over all groups (0 when nothing happened). */
  viewChanges: number;
  /** Per group, in order, its installed view as 'id:member member…' ('' if none, '!' prefix if not primary). */
  views: string[];
}

/** Child → parent. */
export type Report =
  | { ev: 'ready'; pid: number }
  | { ev: 'connected'; at: number }
  /** `full` groups of `groups` had a primary view of the expected size by `at`. */
  | { ev: 'joined'; startAt: number; at: number; full: number; groups: number }
  | { ev: 'idle'; sample: IdleSample }
  /** Every `leave()` settled by `at` (`pending` of them had not when the deadline passed). */
  | { ev: 'left'; startAt: number; at: number; pending: number; rejected: number }
  /** Something the process reported on 'error' and survived. */
  | { ev: 'error'; message: string }
  /** A command failed: whatever the parent waits for from this child will not come. */
  | { ev: 'failed'; cmd: Command['cmd']; message: string };

/** Milliseconds on the machine's clock, comparable across processes. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}
