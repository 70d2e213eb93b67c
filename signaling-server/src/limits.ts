/**
 * Every bound of the signaling server, in one place, with units in the names.
 *
 * The server is reachable by anyone who can open a WebSocket to it, so every resource a
 * client can make it hold — memory per frame, CPU per second, sockets, groups, peers,
 * buffered output, idle time — has a limit here.
 */

/** The limits of a signaling server; see {@link DEFAULT_LIMITS} for the defaults. */
export interface SignalingLimits {
  /** Largest frame accepted (the WebSocket `maxPayload`); larger ones close the socket with 1009. */
  maxFrameBytes: number;
  /** Sustained frames per second per socket (a token bucket holding five seconds' worth, session.ts). */
  messagesPerSecondPerSocket: number;
  /** Open sockets from one remote address. */
  socketsPerAddress: number;
  /** Open sockets in total. */
  socketsPerServer: number;
  /** Groups one socket may be in at once. */
  groupsPerSocket: number;
  /** Peers in one group. */
  peersPerGroup: number;
  /** Output the server may queue for a socket that does not read; beyond it the socket is dropped. */
  sendBufferBytesPerSocket: number;
  /** Period of the WebSocket ping; a socket that did not answer the previous ping is terminated. */
  heartbeatIntervalMs: number;
  /** Time a new socket has to send `hello`. */
  helloTimeoutMs: number;
  /**
   * Time a TCP connection has to send its complete HTTP request (the WebSocket upgrade, or a GET):
   * a slowloris client dribbling its headers byte by byte is cut off then. Connections still in
   * their handshake also count against `socketsPerAddress`.
   */
  handshakeTimeoutMs: number;
}

/** The default limits: comfortable for a classroom or a demo, tight enough for the open internet. */
export const DEFAULT_LIMITS: Readonly<SignalingLimits> = Object.freeze({
  maxFrameBytes: 64 * 1024,
  messagesPerSecondPerSocket: 200,
  socketsPerAddress: 64,
  socketsPerServer: 10_000,
  groupsPerSocket: 32,
  peersPerGroup: 64,
  sendBufferBytesPerSocket: 1024 * 1024,
  heartbeatIntervalMs: 15_000,
  helloTimeoutMs: 10_000,
  handshakeTimeoutMs: 10_000,
});

/**
 * Merges `overrides` over {@link DEFAULT_LIMITS}.
 *
 * @throws TypeError for an unknown limit (a misspelt one would be silently ignored) or a value
 * that is not a number; RangeError when a limit is not a positive integer: a zero or NaN limit
 * would silently disable a protection.
 */
export function resolveLimits(overrides: Partial<SignalingLimits> = {}): SignalingLimits {
  const limits: SignalingLimits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(overrides)) {
    if (!Object.hasOwn(DEFAULT_LIMITS, key)) throw new TypeError(`unknown limit limits.${key} (known: ${Object.keys(DEFAULT_LIMITS).join(', ')})`);
    const value: unknown = overrides[key as keyof SignalingLimits];
    if (value === undefined) continue;
    if (typeof value !== 'number') throw new TypeError(`limits.${key} must be a number, got ${typeof value}`);
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`limits.${key} must be an integer in 1..${Number.MAX_SAFE_INTEGER}, got ${String(value)}`);
    limits[key as keyof SignalingLimits] = value;
  }
  return limits;
}
