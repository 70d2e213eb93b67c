/**
 * @synchrony/webrtc: Synchrony over real WebRTC data channels (a simple-peer mesh introduced by the
 * signaling server), and `connect()`, which gives a `Process` on it.
 */
import { createProcess, type Process, type ProcessOptions } from '@synchrony/core';
import { realClock } from './clock.js';
import { WebRtcTransport, type WebRtcTransportOptions } from './webrtc-transport.js';
import { checkSignalingOptions } from './connect-options.js';

export { WebRtcTransport, type WebRtcTransportOptions } from './webrtc-transport.js';
export { DEFAULT_LIMITS, type WebRtcLimits } from './config.js';
export { DEFAULT_SIGNALING_TIMINGS, type SignalingTimings } from './config.js';
export { ProtocolError, SendError, SignalingError } from './errors.js';
export { SIGNALING_URLS_MAX } from './connect-options.js';
export { realClock } from './clock.js';
export type { WrtcLike } from './wrtc.js';
export type { WebSocketConstructor, WebSocketLike } from './websocket.js';

/** Options of `connect`: the transport's, plus the engine's (everything of `createProcess` but the transport and clock). */
export type ConnectOptions = WebRtcTransportOptions & Omit<ProcessOptions, 'transport' | 'clock'>;

/**
 * Connects to the signaling server and returns a `Process` on the WebRTC mesh, on real time.
 * Rejects with a `SignalingError` when no signaling server answers or one refuses, and with a
 * `TypeError` naming the option when `signaling` is not a ws:// or wss:// URL (or a non-empty array
 * of them), `token` not a string or `iceServers` not an array.
 *
 * ```ts
 * const peer = await connect({ signaling: 'ws://127.0.0.1:8787' });
 * const group = await peer.join('room-1');
 * ```
 */
export async function connect(options: ConnectOptions): Promise<Process> {
  checkSignalingOptions(options); // before anything is loaded or opened, and before destructuring a non-object
  const { signaling, token, iceServers, wrtc, WebSocket, limits, signalingTimings, ...engine } = options;
  const transport = await WebRtcTransport.create({
    signaling,
    ...(token === undefined ? {} : { token }),
    ...(iceServers === undefined ? {} : { iceServers }),
    ...(wrtc === undefined ? {} : { wrtc }),
    ...(WebSocket === undefined ? {} : { WebSocket }),
    ...(limits === undefined ? {} : { limits }),
    ...(signalingTimings === undefined ? {} : { signalingTimings }),
  });
  try {
    return createProcess({ ...engine, transport, clock: realClock() });
  } catch (error) {
    await transport.close({ abrupt: true });
    throw error;
  }
}
