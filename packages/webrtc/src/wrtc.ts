/**
 * Where the WebRTC implementation comes from: injected, the runtime's own, or the platform's
 * fallback (`@roamhq/wrtc` in Node, see fallbacks.ts; none in a browser bundle).
 */
import { loadFallbackWrtc } from '#fallbacks';

/** A WebRTC implementation in the shape simple-peer takes (`wrtc` option). */
export interface WrtcLike {
  readonly RTCPeerConnection: unknown;
  readonly RTCSessionDescription?: unknown;
  readonly RTCIceCandidate?: unknown;
}

/**
 * The implementation to hand simple-peer: `injected` when given; undefined where the runtime has a
 * global RTCPeerConnection (simple-peer uses the globals); `@roamhq/wrtc` in Node. Rejects when there is none.
 */
export async function resolveWrtc(injected?: WrtcLike): Promise<WrtcLike | undefined> {
  if (injected !== undefined) return injected;
  if (typeof (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection === 'function') return undefined;
  return loadFallbackWrtc();
}
