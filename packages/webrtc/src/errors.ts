/**
 * Errors the transport reports through `onError`, with stable names (as in @synchrony/core).
 */

/** A peer sent something malformed or hostile (a bad fragment, bad signaling data); it was dropped. */
export class ProtocolError extends Error {
  constructor(
    message: string,
    /** The process that sent it, when known. */
    readonly peer?: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

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
