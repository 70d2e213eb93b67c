/**
 * Errors the transport reports through `onError`, with stable names (as in @synchrony/core).
 */

/**
 * A peer sent something malformed or hostile (a bad fragment, bad signaling data); it was dropped.
 * The core's class, not one of this package's own: `process.on('error')` reports the engine's and
 * the transport's alike, so one `instanceof ProtocolError` covers both.
 */
export { ProtocolError } from '@synchrony/core';

/** The signaling server refused something, sent something malformed, or cannot be reached. */
export class SignalingError extends Error {
  constructor(
    message: string,
    /** The server's error code, when it sent one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'SignalingError';
  }
}

/** A frame could not be sent (too large, too much queued, too many peers); it was dropped. */
export class SendError extends Error {
  constructor(
    message: string,
    /** The process it was for. */
    readonly peer?: string,
  ) {
    super(message);
    this.name = 'SendError';
  }
}
