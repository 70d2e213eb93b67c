/**
 * What the benchmark's parent and its child processes say to each other over the IPC channel
 * of `child_process.fork`. Each child is one Node process of the benchmark: one Synchrony
 * `Process` on `connect()`, or one raw simple-peer endpoint for the baselines.
 *
 * Times are absolute milliseconds on the machine's clock (`wallNow`), so that events in
 * different processes can be subtracted; every duration of interest is much longer than the
 * clock's skew between processes (none: one machine, one clock).
 */

/** Parent → child. */
export type Command =
  /** connect() to `signaling`, then join `group`; report every view. */
  | { cmd: 'group'; signaling: string; group: string; failureTimeoutMs: number; stateBytes?: number }
  /**
   * Multicast `count` messages of `bytes` in total order, `chunk` per turn of the event loop;
   * report when `expected` were delivered here.
   */
  | { cmd: 'group-send'; count: number; bytes: number; chunk: number; expected: number }
  /** Close the Synchrony process abruptly (as a crash looks), then exit. */
  | { cmd: 'crash' }
  /** Raw baseline: the same signaling server, one simple-peer data channel to the other child. */
  | { cmd: 'raw'; signaling: string; group: string }
  /** Raw baseline, initiator only: `count` ping-pong round trips of 16 bytes. */
  | { cmd: 'raw-rtt'; count: number }
  /** Raw baseline, initiator only: `count` messages of `bytes` under backpressure; the other side reports. */
  | { cmd: 'raw-send'; count: number; bytes: number }
  /** Raw baseline for group workloads: join a raw mesh of `size` processes (raw-mesh.ts). */
  | { cmd: 'raw-mesh'; signaling: string; group: string; size: number }
  /**
   * A stream workload (webrtc-messaging.ts), on the group or on the raw mesh: send `count` messages
   * of `bytes` (`ratePerS` per second, or as fast as possible with 0, `chunk` per event-loop turn),
   * and report once `expected` messages arrived here. On the raw mesh a message larger than
   * `pieceBytes` goes as several sends of at most that, and `expected` counts the pieces.
   * With `latency`, the receiver keeps the delay of every message it did not send itself.
   */
  | { cmd: 'stream'; on: 'group' | 'raw'; count: number; bytes: number; order: 'fifo' | 'causal' | 'total'; safe: boolean;
      ratePerS: number; chunk: number; expected: number; latency: boolean; pieceBytes: number;
      /** Senders start at this time (wallNow): every receiver is armed by then. */
      startAt: number }
  /** Leave the group gracefully (the process stays). */
  | { cmd: 'leave' }
  /** Close everything gracefully and exit. */
  | { cmd: 'exit' };

/** Child → parent. */
export type Report =
  | { ev: 'ready'; pid: number }
  | { ev: 'connected'; startAt: number; at: number }
  | { ev: 'view'; at: number; me: string; id: number; members: string[]; primary: boolean }
  | { ev: 'crashing'; at: number }
  | { ev: 'delivered'; startAt: number; at: number; count: number }
  | { ev: 'raw-open'; startAt: number; at: number; initiator: boolean }
  | { ev: 'raw-rtt'; rttsMs: number[] }
  | { ev: 'raw-received'; firstAt: number; at: number; count: number; bytes: number }
  | { ev: 'raw-sent'; startAt: number; at: number }
  | { ev: 'raw-mesh-open'; at: number }
  /** A stream finished here: `firstSendAt` when this process sent, `latenciesMs` when asked for. */
  | { ev: 'streamed'; firstSendAt: number | undefined; at: number; received: number; latenciesMs: number[]; heapBytes: number;
      /** The longest time between two arrivals here, from the first. */
      maxGapMs: number }
  /** The joiner's setState ran with a state of `bytes`. */
  | { ev: 'state-loaded'; at: number; bytes: number }
  | { ev: 'leaving'; at: number }
  | { ev: 'left'; at: number }
  /** The child's event loop did not turn for `ms` (timers, frames and ticks all waited). */
  | { ev: 'stall'; at: number; ms: number }
  /** Something the process reported and survived (e.g. a peer's malformed frame). */
  | { ev: 'error'; message: string }
  /** A command failed: whatever the parent waits for from this child will not come. */
  | { ev: 'failed'; cmd: Command['cmd']; message: string };

/** A child reports an event-loop stall from this many milliseconds on. */
export const STALL_REPORT_MS = 100;

/** Milliseconds on the machine's clock, with sub-millisecond resolution; comparable across processes. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}
