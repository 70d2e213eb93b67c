/**
 * Every tunable, queue bound and limit of the engine, in one place, with units in the names.
 * Drivers may override any of them (`createProcess({ config })`); the defaults suit a browser.
 */
import { checkConfig } from './runtime/arguments.js';

export interface EngineConfig {
  /** Silence after which a peer is suspected, unless the group sets its own. */
  readonly failureTimeoutMs: number;
  /** A lone heartbeat goes to a peer when nothing else was sent to it for this long. */
  readonly heartbeatIntervalMs: number;
  /** How often the host ticks the engine. */
  readonly tickMs: number;
  /**
   * An unacknowledged reliable frame is sent again after this long, plus its size divided by
   * `retransmitBytesPerMs`; each further attempt doubles the wait (up to 4 times).
   */
  readonly retransmitMs: number;
  /** The bandwidth a frame is granted before it counts as lost (1000: 1 MB/s, 10 s for 10 MB). */
  readonly retransmitBytesPerMs: number;
  /** A receiver acknowledges a reliable frame at the latest after this long. */
  readonly ackDelayMs: number;
  /** Members report what they hold (stability) at most this often. */
  readonly stabilityIntervalMs: number;
  /** ...and at least this often, even unchanged: a member excluded unawares hears of it in reply. */
  readonly keepaliveMs: number;
  /** A view-change coordinator repeats its round to members that have not answered this often. */
  readonly viewChangeRetryMs: number;
  /** A joiner repeats its join request this often until it is in a view. */
  readonly joinRetryMs: number;
  /** A joiner that finds no member for this long, and is first among the joiners it sees, creates the group. */
  readonly createAfterMs: number;
  /**
   * A member's own multicasts not yet stable, at most (flow control window). It must cover what one
   * sender moves in a round trip of the stability reports that reopen it: with 512, a sender
   * between Chromium pages stalled on the window at about 20,000 messages per second.
   */
  readonly windowMessages: number;
  /** Bytes of a member's own multicasts not yet stable, at most (one larger message may go alone). */
  readonly windowBytes: number;
  /** An inbound frame larger than this is dropped and reported. */
  readonly maxFrameBytes: number;
  /**
   * A multicast larger than this (as msgpack) is refused at `send` with a RangeError, before it is
   * sent: well below `maxFrameBytes`, so that a frame that carries it always arrives.
   */
  readonly maxMessageBytes: number;
  /** Messages are batched into frames of at most about this many bytes (a larger message goes alone). */
  readonly batchBytes: number;
  /** A state checkpoint is sent in chunks of this many bytes. */
  readonly stateChunkBytes: number;
  /**
   * ...and paced: the next chunk goes to a joiner only while fewer than this many bytes are queued
   * or unacknowledged on the data lane to it, so the group's traffic to it never waits behind more.
   */
  readonly stateWindowBytes: number;
  /** Messages buffered for a view not installed yet, at most. */
  readonly maxFutureMessages: number;
  /** Application sends queued while a view change runs, at most; more reject. */
  readonly maxQueuedSends: number;
  /** A member greets the processes of its group's name outside its view this often (two groups founded apart meet). */
  readonly helloIntervalMs: number;
  /** A graceful close waits at most this long for its last frames to be acknowledged. */
  readonly closeDrainMs: number;
  /**
   * Reliable frames in flight to one peer, at most, before further frames wait; and frames held
   * out of order from one peer, per lane (those that arrive ahead of a gap), at most.
   */
  readonly linkWindowFrames: number;
  /**
   * Encoded bytes of the frames held out of order from one peer, per lane, at most: a frame beyond
   * it is dropped and reported to its sender, which sends it again once the gap is filled.
   */
  readonly linkOutOfOrderBytes: number;
}

export const DEFAULT_CONFIG: EngineConfig = Object.freeze({
  failureTimeoutMs: 1000,
  heartbeatIntervalMs: 200,
  tickMs: 20,
  retransmitMs: 150,
  retransmitBytesPerMs: 1000,
  ackDelayMs: 20,
  stabilityIntervalMs: 20,
  keepaliveMs: 500,
  viewChangeRetryMs: 300,
  joinRetryMs: 300,
  createAfterMs: 300,
  windowMessages: 4096,
  windowBytes: 16 * 1024 * 1024,
  maxFrameBytes: 64 * 1024 * 1024,
  maxMessageBytes: 32 * 1024 * 1024,
  batchBytes: 1024 * 1024,
  stateChunkBytes: 64 * 1024,
  stateWindowBytes: 2 * 1024 * 1024,
  maxFutureMessages: 100_000,
  maxQueuedSends: 100_000,
  linkWindowFrames: 4096,
  linkOutOfOrderBytes: 4 * 1024 * 1024,
  closeDrainMs: 1000,
  helloIntervalMs: 1000,
});

/** The defaults with `overrides` on top; a TypeError or RangeError names a setting that is unknown or not a positive number. */
export function resolveConfig(overrides: Partial<EngineConfig> | undefined): EngineConfig {
  const checked = checkConfig(overrides, DEFAULT_CONFIG);
  const merged: { -readonly [K in keyof EngineConfig]: EngineConfig[K] } = { ...DEFAULT_CONFIG, ...checked };
  // A smaller frame limit alone brings the message limit down with it.
  if (checked.maxMessageBytes === undefined) merged.maxMessageBytes = Math.min(merged.maxMessageBytes, Math.floor(merged.maxFrameBytes / 2));
  const config = Object.freeze(merged);
  if (config.maxMessageBytes > config.maxFrameBytes / 2) {
    throw new RangeError(`config.maxMessageBytes (${config.maxMessageBytes}) must be at most half of config.maxFrameBytes (${config.maxFrameBytes})`);
  }
  return config;
}
