/**
 * A browser page's lifecycle events in Node: `globalThis` gets a window's addEventListener (from
 * an EventTarget of its own) and a `document` with a `visibilityState`, so idbStore's `watch`
 * finds them exactly where it looks in a browser. Removed again by `uninstall`.
 */

export interface FakePage {
  /** The tab goes away: `visibilitychange` to hidden, then `pagehide` (the order browsers use on a close). */
  close(): void;
  hide(): void;
  show(): void;
  pagehide(): void;
  uninstall(): void;
}

export function installFakePage(): FakePage {
  const window = new EventTarget();
  const document = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  const scope = globalThis as Record<string, unknown>;
  scope.addEventListener = window.addEventListener.bind(window);
  scope.removeEventListener = window.removeEventListener.bind(window);
  scope.document = document;
  const visibility = (state: 'visible' | 'hidden') => {
    document.visibilityState = state;
    document.dispatchEvent(new Event('visibilitychange'));
  };
  return {
    close() {
      visibility('hidden');
      window.dispatchEvent(new Event('pagehide'));
    },
    hide: () => visibility('hidden'),
    show() {
      visibility('visible');
      window.dispatchEvent(new Event('pageshow'));
    },
    pagehide: () => window.dispatchEvent(new Event('pagehide')),
    uninstall() {
      delete scope.addEventListener;
      delete scope.removeEventListener;
      delete scope.document;
    },
  };
}
