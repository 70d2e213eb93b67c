/**
 * The one error every method of the IndexedDB store rejects with. Its `name` is 'StoreError', as
 * the core's reports of a failing store (runtime/persistence.ts), so an application that listens on
 * `process.on('error')` tells storage trouble apart by name alone; `reason` says which trouble, and
 * `cause` carries what IndexedDB threw, untouched.
 */

/**
 * What went wrong:
 * - `unavailable`: no IndexedDB here (`indexedDB` undefined), or opening it threw (private browsing);
 * - `blocked`: another tab holds the database open at an older version and does not let go;
 * - `version`: another tab upgraded the database to a newer version than this code knows;
 * - `quota`: the browser refused the write for lack of space (the previous record is kept);
 * - `corrupt`: a record read back is not what this store writes (it is ignored);
 * - `closed`: the store was closed by the application;
 * - `failed`: any other IndexedDB failure (an aborted transaction, a closed connection).
 */
export type StoreErrorReason = 'unavailable' | 'blocked' | 'version' | 'quota' | 'corrupt' | 'closed' | 'failed';

/** A storage failure. Persistence is best effort: it never touches the live group's state. */
export class StoreError extends Error {
  /** Which failure it is. */
  readonly reason: StoreErrorReason;

  constructor(reason: StoreErrorReason, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'StoreError';
    this.reason = reason;
  }
}

/** `error` as a StoreError: itself if it is one, else wrapped, with its reason read from its DOMException name. */
export function asStoreError(error: unknown, what: string): StoreError {
  if (error instanceof StoreError) return error;
  const name = error instanceof Error || isNamed(error) ? error.name : '';
  const detail = error instanceof Error || isNamed(error) ? `${error.name}: ${error.message}` : String(error);
  if (name === 'QuotaExceededError') return new StoreError('quota', `${what}: storage quota exceeded (${detail})`, error);
  if (name === 'VersionError') return new StoreError('version', `${what}: the database is of a newer version than this code (${detail})`, error);
  return new StoreError('failed', `${what}: ${detail}`, error);
}

/** DOMException is not an Error subclass in every engine (older Safari), but it always has these. */
function isNamed(x: unknown): x is { name: string; message: string } {
  return typeof x === 'object' && x !== null && typeof (x as { name?: unknown }).name === 'string' &&
    typeof (x as { message?: unknown }).message === 'string';
}
