/**
 * The options of `idbStore`, with their defaults and limits in one place (units go last in names).
 */
import type { StoreError } from './store-error.js';

/** Options of {@link idbStore}. */
export interface IdbStoreOptions {
  /** Views kept in the log, per group: the oldest go first. Default {@link DEFAULT_MAX_VIEWS}. */
  readonly maxViews?: number;
  /**
   * How long a call waits for the database to open before it rejects (another tab may hold it open
   * at an older version and block the upgrade). The open goes on in the background: a later call
   * uses it once it succeeds. Default {@link DEFAULT_OPEN_TIMEOUT_MS}.
   */
  readonly openTimeoutMs?: number;
  /**
   * Failures that no call can reject with: a corrupt view record skipped by `views()`, the browser
   * closing the connection, an error in a page-exit checkpoint. Those of `load`, `saveView` and
   * `saveCheckpoint` are their rejections, which the core reports on `process.on('error')`.
   */
  readonly onError?: (error: StoreError) => void;
}

/** The default of {@link IdbStoreOptions.maxViews}. */
export const DEFAULT_MAX_VIEWS = 1000;

/** The default of {@link IdbStoreOptions.openTimeoutMs}. */
export const DEFAULT_OPEN_TIMEOUT_MS = 3000;

/** The options with every default filled in, checked. */
export interface ResolvedOptions {
  readonly maxViews: number;
  readonly openTimeoutMs: number;
  readonly onError: (error: StoreError) => void;
}

/** Fills in the defaults; throws a RangeError for an option out of range (at the call, as the core does). */
export function resolveOptions(options: IdbStoreOptions): ResolvedOptions {
  const maxViews = options.maxViews ?? DEFAULT_MAX_VIEWS;
  const openTimeoutMs = options.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS;
  if (!Number.isSafeInteger(maxViews) || maxViews < 1) throw new RangeError(`maxViews must be an integer >= 1, not ${maxViews}`);
  if (!Number.isFinite(openTimeoutMs) || openTimeoutMs <= 0) throw new RangeError(`openTimeoutMs must be a number > 0, not ${openTimeoutMs}`);
  return { maxViews, openTimeoutMs, onError: options.onError ?? (() => {}) };
}
