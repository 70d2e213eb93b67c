/**
 * Every limit, queue bound and timeout of the WebRTC transport and its signaling client, in one
 * place, units in the names. `WebRtcTransport.create({ limits, signalingTimings })` (and `connect`)
 * may override any of them.
 */
export interface WebRtcLimits {
  /**
   * A fragment on the wire, header included, is at most this many bytes, and fewer when the other
   * side's session description advertises a smaller `max-message-size` (max-message-size.ts).
   */
  readonly chunkBytes: number;
  /** A frame larger than this is refused by the sender and dropped by the receiver. */
  readonly maxFrameBytes: number;
  /** Messages being reassembled from one peer at once, at most (an honest peer has one per lane). */
  readonly maxPartialMessages: number;
  /** Bytes held in partial messages from one peer, at most. */
  readonly maxPartialBytes: number;
  /** A sender stops writing to a channel while its `bufferedAmount` is above this. */
  readonly highWaterBytes: number;
  /** ...and resumes once it falls to this (the `bufferedAmountLowThreshold`). */
  readonly lowWaterBytes: number;
  /** A sender yields to the event loop after writing this many bytes in one go. */
  readonly sliceBytes: number;
  /** Where the channel has no 'bufferedamountlow' event (Node's wrtc), it is polled this often. */
  readonly pollMs: number;
  /** Bytes queued for one peer, at most; beyond it the peer counts as unreachable and its link is dropped. */
  readonly maxQueuedBytes: number;
  /** A connection that is not open after this long is given up, and its peer reported down. */
  readonly connectTimeoutMs: number;
  /** Peer connections at once, at most. */
  readonly maxPeers: number;
  /** A graceful close waits at most this long for queued frames to leave. */
  readonly closeDrainMs: number;
  /**
   * An open connection on which nothing has arrived for this long is closed, and its peer reported
   * down. A process that died without a word (killed, its machine gone) may never be reported by
   * WebRTC itself; a live peer that shares a group sends at least a heartbeat every half second,
   * and one that shares none is connected to again on demand.
   */
  readonly silentCloseMs: number;
}

/** The defaults: 64 KiB fragments, 64 MiB frames, 1 MiB in flight per channel. */
export const DEFAULT_LIMITS: WebRtcLimits = Object.freeze({
  chunkBytes: 64 * 1024,
  maxFrameBytes: 64 * 1024 * 1024,
  maxPartialMessages: 8,
  maxPartialBytes: 80 * 1024 * 1024,
  highWaterBytes: 1024 * 1024,
  lowWaterBytes: 256 * 1024,
  sliceBytes: 256 * 1024,
  pollMs: 4,
  maxQueuedBytes: 256 * 1024 * 1024,
  connectTimeoutMs: 15_000,
  maxPeers: 256,
  closeDrainMs: 2_000,
  silentCloseMs: 30_000,
});

/** The defaults with `overrides` applied. */
export function resolveLimits(overrides: Partial<WebRtcLimits> | undefined): WebRtcLimits {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  if (limits.chunkBytes <= 64 || limits.lowWaterBytes > limits.highWaterBytes) {
    throw new RangeError('WebRtcLimits: chunkBytes must exceed 64 and lowWaterBytes must not exceed highWaterBytes');
  }
  if (!Number.isFinite(limits.silentCloseMs) || limits.silentCloseMs < 100) {
    throw new RangeError(`WebRtcLimits: silentCloseMs must be a number of ms of at least 100, got ${String(limits.silentCloseMs)}`);
  }
  return Object.freeze(limits);
}

/** Timings of the signaling client, in ms. */
export interface SignalingTimings {
  /** First reconnection delay; it doubles with each failed attempt. Default 250. */
  readonly reconnectDelayMs: number;
  /** Longest reconnection delay. Default 10 000. */
  readonly reconnectDelayMaxMs: number;
  /** A connection attempt not welcomed after this long is abandoned. Default 10 000. */
  readonly attemptTimeoutMs: number;
  /** A `ping` goes out this often; a socket silent for two intervals is dropped. Default 15 000. */
  readonly pingIntervalMs: number;
  /**
   * Frames sent per second at most, in bursts of as many: kept under the server's own limit
   * (200 by default), which closes the socket of a client that exceeds it. Default 100.
   */
  readonly messagesPerSecond: number;
}

/** The defaults of `SignalingTimings`. */
export const DEFAULT_SIGNALING_TIMINGS: SignalingTimings = Object.freeze({
  reconnectDelayMs: 250,
  reconnectDelayMaxMs: 10_000,
  attemptTimeoutMs: 10_000,
  pingIntervalMs: 15_000,
  messagesPerSecond: 100,
});
