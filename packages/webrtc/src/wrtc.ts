/**
 * Where the WebRTC implementation comes from: injected, the browser's own, or in Node `@roamhq/wrtc`,
 * loaded with a dynamic import so that browser bundles never see the native module.
 */

/** A WebRTC implementation in the shape simple-peer takes (`wrtc` option). */
export interface WrtcLike {
  readonly RTCPeerConnection: unknown;
  readonly RTCSessionDescription?: unknown;
  readonly RTCIceCandidate?: unknown;
}

/** The Node package used when no implementation is injected. */
const NODE_WRTC_PACKAGE = '@roamhq/wrtc';

/** True in Node (and runtimes that pose as it), where there is no global RTCPeerConnection. */
export function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

/**
 * The implementation to hand simple-peer: `injected` when given; undefined in a browser (simple-peer
 * uses the globals); `@roamhq/wrtc` in Node. Rejects when there is none.
 */
export async function resolveWrtc(injected?: WrtcLike): Promise<WrtcLike | undefined> {
  if (injected !== undefined) return injected;
  if (typeof (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection === 'function') return undefined;
  if (!isNode()) throw new Error('no WebRTC implementation in this environment: pass the `wrtc` option');
  const specifier = NODE_WRTC_PACKAGE; // a variable, so bundlers leave it alone
  const module = (await import(/* @vite-ignore */ specifier)) as { default?: WrtcLike } & Partial<WrtcLike>;
  const wrtc = module.default ?? (module as WrtcLike);
  if (typeof wrtc.RTCPeerConnection !== 'function') throw new Error(`${NODE_WRTC_PACKAGE} has no RTCPeerConnection`);
  return wrtc;
}
