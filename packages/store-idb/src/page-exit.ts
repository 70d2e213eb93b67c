/**
 * The signals that a tab is going away, for a last checkpoint (the core's `GroupStore.watch`).
 *
 * - `pagehide`: the page is unloaded (tab closed, navigation, reload) or put in the back/forward
 *   cache. Desktop browsers fire it reliably on a close; mobile ones often do not (the system kills
 *   a tab in the background without a word).
 * - `visibilitychange` to `hidden`: the tab went to the background, the app switcher came up, the
 *   screen locked. The last event a page is sure to get on mobile, so it is the one that counts
 *   there; on desktop it also fires on a close, before `pagehide`.
 *
 * `unload` and `beforeunload` are not used: they are unreliable on mobile and keep a page out of the
 * back/forward cache.
 */

/** What a page exit watcher needs from the platform: the window (or any EventTarget) and its document. */
export interface PageLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/** The document: where `visibilitychange` fires, and what it says. */
export interface DocumentLike extends PageLike {
  readonly visibilityState: string;
}

/** The browser's window and document, or undefined outside a page (Node, a worker without document). */
export function currentPage(): { page: PageLike | undefined; document: DocumentLike | undefined } {
  const scope = globalThis as { addEventListener?: unknown; document?: DocumentLike };
  const page = typeof scope.addEventListener === 'function' ? (globalThis as unknown as PageLike) : undefined;
  return { page, document: scope.document };
}

/**
 * Calls `onExit` each time the page is hidden or hidden away (both events may fire for one close:
 * the second checkpoint replaces the first in the write queue), and `onReturn` when it is shown
 * again. Returns the function that stops watching. Outside a page, watches nothing.
 */
export function watchPageExit(
  onExit: () => void,
  onReturn: () => void,
  { page, document }: { page: PageLike | undefined; document: DocumentLike | undefined } = currentPage(),
): () => void {
  const hidden = (): void => {
    if (document?.visibilityState === 'hidden') onExit();
    else onReturn();
  };
  page?.addEventListener('pagehide', onExit);
  page?.addEventListener('pageshow', onReturn);
  document?.addEventListener('visibilitychange', hidden);
  return () => {
    page?.removeEventListener('pagehide', onExit);
    page?.removeEventListener('pageshow', onReturn);
    document?.removeEventListener('visibilitychange', hidden);
  };
}
