/**
 * Browser bundles (the `browser` condition of the `#fallbacks` import): there is nothing to fall
 * back on. A browser has its own RTCPeerConnection and WebSocket, which `connect()` uses before it
 * ever calls these; a runtime without them must inject its own (`wrtc`, `WebSocket` options).
 * Keeping this file free of `@roamhq/wrtc` and `ws` keeps their names out of browser bundles.
 */
import type { WebSocketConstructor } from './websocket.js';
import type { WrtcLike } from './wrtc.js';

/** Rejects: a browser bundle carries no WebRTC implementation of its own. */
export function loadFallbackWrtc(): Promise<WrtcLike> {
  return Promise.reject(new Error('no WebRTC implementation in this environment: pass the `wrtc` option'));
}

/** Rejects: a browser bundle carries no WebSocket implementation of its own. */
export function loadFallbackWebSocket(): Promise<WebSocketConstructor> {
  return Promise.reject(new Error('no WebSocket in this environment: pass the `WebSocket` option'));
}
