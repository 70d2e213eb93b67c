/**
 * Test fixtures: a real signaling server on 127.0.0.1 (port 0) and WebRtcTransports on @roamhq/wrtc.
 * Every test closes what it made, so vitest exits.
 */
import wrtc from '@roamhq/wrtc';
import { startSignalingServer, type SignalingServer, type SignalingServerOptions } from '../../../signaling-server/src/index.js';
import { WebRtcTransport, type WebRtcTransportOptions } from '../src/webrtc-transport.js';
import type { WrtcLike } from '../src/wrtc.js';

export { wrtc };

/** A signaling server on an ephemeral loopback port. */
export function startServer(options: Partial<SignalingServerOptions> = {}): Promise<SignalingServer> {
  return startSignalingServer({ port: 0, host: '127.0.0.1', onBug: (error) => console.error('signaling server bug', error), ...options });
}

/** A transport on `server`, with no ICE servers, fast reconnection, and @roamhq/wrtc. */
export function createTransport(server: { url: string }, options: Partial<WebRtcTransportOptions> = {}): Promise<WebRtcTransport> {
  return WebRtcTransport.create({
    signaling: server.url,
    iceServers: [],
    wrtc: wrtc as unknown as WrtcLike,
    signalingTimings: { reconnectDelayMs: 50, reconnectDelayMaxMs: 500, attemptTimeoutMs: 3000 },
    ...options,
  });
}
