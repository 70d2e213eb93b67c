/**
 * The errors of the objects, besides the core's (NotPrimaryError, GroupClosedError...), which
 * an update's promise rejects with when its send is refused. Each has a stable `name`.
 */

/** `Lock.release()` by a member that does not hold the lock (or is releasing it already). */
export class NotHolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotHolderError';
  }
}
