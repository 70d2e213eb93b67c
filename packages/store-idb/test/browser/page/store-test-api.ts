/**
 * The contract between the store's Chromium test page and the Playwright test: what the page puts
 * on `window`, and the plain shapes it hands back through `page.evaluate`. Types only.
 */
import type { View } from '@synchrony/core';

/** How the page joins. */
export interface JoinRequest {
  readonly group: string;
  readonly failureTimeoutMs: number;
}

/** Where the page stands, as plain data. */
export interface PageStatus {
  /** The process id (one per page load); '' before joining. */
  readonly processId: string;
  /** This page's member id; '' before joining. */
  readonly member: string;
  /** The first view this member installed, and the last. */
  readonly firstView: View | undefined;
  readonly view: View | undefined;
  /** The Counter 'clicks' and the ReplicatedMap 'notes', as this member has them. */
  readonly clicks: number;
  readonly notes: ReadonlyArray<readonly [string, string]>;
  /** 'reset' events of the counter: its whole state was replaced (state transfer at a joiner). */
  readonly resets: number;
  /** Everything reported on `process.on('error')`, uncaught errors and unhandled rejections, as text. */
  readonly errors: readonly string[];
}

/** What this device's store holds for a group, read without joining. */
export interface StoredSummary {
  readonly checkpoint: { readonly viewId: number; readonly position: number; readonly member: string; readonly bytes: number } | undefined;
  readonly viewIds: readonly number[];
}

/** The API of the page, as `window.storeTest`. */
export interface StoreTestApi {
  /** The device this page stands for (`?device=`): its store is `idbStore('device-' + device)`. */
  readonly device: string;
  join(request: JoinRequest): Promise<PageStatus>;
  add(n: number): Promise<void>;
  note(key: string, value: string): Promise<void>;
  status(): PageStatus;
  /** Reads the device's store (another handle on it) without joining. */
  stored(group: string): Promise<StoredSummary>;
}

declare global {
  interface Window {
    storeTest?: StoreTestApi;
  }
}
