/**
 * The WebSocket the signaling client uses: injected, the global one (browsers, Node ≥ 22), or the
 * platform's fallback (in Node 20 the `ws` package, see fallbacks.ts; none in a browser bundle).
 */
import { loadFallbackWebSocket } from '#fallbacks';

/** The part of a WebSocket the signaling client needs (the browser API, which `ws` also implements). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code?: number; reason?: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: drops the connection without a closing handshake. */
  terminate?(): void;
}

/** A WebSocket constructor. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `WebSocket.OPEN`, the same in every implementation. */
export const WEBSOCKET_OPEN = 1;

/** The WebSocket constructor to use; rejects when there is none. */
export async function resolveWebSocket(injected?: WebSocketConstructor): Promise<WebSocketConstructor> {
  if (injected !== undefined) return injected;
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof global === 'function') return global;
  return loadFallbackWebSocket();
}
