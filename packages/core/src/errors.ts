/**
 * Errors with a stable `name`, so callers can tell them apart without instanceof across bundles.
 */
export class SynchronyError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** `send` on a group whose installed view is not primary (a minority partition, an excluded member). */
export class NotPrimaryError extends SynchronyError {
  constructor(message = 'the group view is not primary') {
    super('NotPrimaryError', message);
  }
}

/** A call on a group that was left, never joined, or whose process closed. */
export class GroupClosedError extends SynchronyError {
  constructor(message = 'the group is closed') {
    super('GroupClosedError', message);
  }
}

/** A request whose replies did not all arrive in time. */
export class TimeoutError extends SynchronyError {
  constructor(message = 'timed out') {
    super('TimeoutError', message);
  }
}

/** A peer sent something malformed or hostile; it was dropped. Reported through process 'error'. */
export class ProtocolError extends SynchronyError {
  constructor(
    message: string,
    /** The process that sent it, when known. */
    readonly peer?: string,
  ) {
    super('ProtocolError', message);
  }
}

/** Too many queued operations: the caller must slow down. */
export class OverloadError extends SynchronyError {
  constructor(message: string) {
    super('OverloadError', message);
  }
}

/** The application's own upcall (getState, setState, a request handler) threw. */
export class ApplicationError extends SynchronyError {
  constructor(message: string) {
    super('ApplicationError', message);
  }
}

/** `join()`: the members refused this process's secret, or it refused theirs. */
export class AccessDeniedError extends SynchronyError {
  constructor(message = 'access denied: the group secret does not match') {
    super('AccessDeniedError', message);
  }
}

/** `join()`: no member could provide the group's state (every provider's getState threw, or setState did). */
export class StateTransferError extends SynchronyError {
  constructor(
    message: string,
    /** What went wrong at the last provider or at this joiner. */
    override readonly cause?: Error,
  ) {
    super('StateTransferError', message);
  }
}
