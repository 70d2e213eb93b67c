/**
 * What `connect()` loads when the application injected no WebRTC or WebSocket implementation and
 * the runtime has none of its own: in Node, `@roamhq/wrtc` and `ws`. This is the `default`
 * condition of the `#fallbacks` import (package.json `imports`); browser bundles get
 * fallbacks.browser.ts instead, so neither package name reaches them.
 *
 * The imports are dynamic, with the specifier in a variable, so that the native module is loaded
 * only when it is needed, and a bundler building for Node does not try to inline it.
 */
import type { WebSocketConstructor } from './websocket.js';
import type { WrtcLike } from './wrtc.js';

/** The Node package used when no WebRTC implementation is injected. */
const NODE_WRTC_PACKAGE = '@roamhq/wrtc';
/** The Node package used when there is no global WebSocket (Node 20). */
const NODE_WEBSOCKET_PACKAGE = 'ws';

/** True in Node (and runtimes that pose as it). */
function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

/** `@roamhq/wrtc`, in Node; rejects elsewhere. */
export async function loadFallbackWrtc(): Promise<WrtcLike> {
  if (!isNode()) throw new Error('no WebRTC implementation in this environment: pass the `wrtc` option');
  const specifier = NODE_WRTC_PACKAGE;
  const module = (await import(/* @vite-ignore */ specifier)) as { default?: WrtcLike } & Partial<WrtcLike>;
  const wrtc = module.default ?? (module as WrtcLike);
  if (typeof wrtc.RTCPeerConnection !== 'function') throw new Error(`${NODE_WRTC_PACKAGE} has no RTCPeerConnection`);
  return wrtc;
}

/** The WebSocket of `ws`, in Node; rejects elsewhere. */
export async function loadFallbackWebSocket(): Promise<WebSocketConstructor> {
  if (!isNode()) throw new Error('no WebSocket in this environment: pass the `WebSocket` option');
  const specifier = NODE_WEBSOCKET_PACKAGE;
  const module = (await import(/* @vite-ignore */ specifier)) as {
    WebSocket?: WebSocketConstructor;
    default?: WebSocketConstructor;
  };
  const ctor = module.WebSocket ?? module.default;
  if (typeof ctor !== 'function') throw new Error(`${NODE_WEBSOCKET_PACKAGE} has no WebSocket`);
  return ctor;
}
