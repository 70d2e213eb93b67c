/**
 * `WebRtcTransport`: the `Transport` of @synchrony/core over a WebRTC data-channel mesh, with the
 * signaling server for discovery (`announce`/`withdraw`/`peers`) and for relaying offers, answers
 * and ICE candidates. No application frame passes through the server.
 */
import type { Lane, Transport } from '@synchrony/core';
import { resolveLimits, type SignalingTimings, type WebRtcLimits } from './config.js';
import { checkSignalingOptions } from './connect-options.js';
import { Mesh } from './mesh.js';
import { randomProcessId } from './process-id.js';
import { SignalingClient } from './signaling-client.js';
import { resolveWebSocket, type WebSocketConstructor } from './websocket.js';
import { resolveWrtc, type WrtcLike } from './wrtc.js';

/** Options of `WebRtcTransport.create`. */
export interface WebRtcTransportOptions {
  /**
   * The signaling server, e.g. 'ws://127.0.0.1:8787', or several servers of one cluster (sharing
   * rooms through Redis): the first that answers is used, and when it fails or dies the client
   * moves to the next one.
   */
  readonly signaling: string | readonly string[];
  /** Sent in `hello`, for servers that require one. */
  readonly token?: string;
  /**
   * STUN/TURN servers. Default `[]`: host candidates only (a LAN, or one machine). simple-peer's
   * default public STUN server is never used.
   */
  readonly iceServers?: readonly RTCIceServer[];
  /** A WebRTC implementation; default the browser's, or `@roamhq/wrtc` in Node. */
  readonly wrtc?: WrtcLike;
  /** A WebSocket constructor; default the global one, or `ws` in Node 20. */
  readonly WebSocket?: WebSocketConstructor;
  /** Overrides of the transport's limits and timeouts. */
  readonly limits?: Partial<WebRtcLimits>;
  /** Overrides of the signaling client's timings (reconnection backoff, pings). */
  readonly signalingTimings?: Partial<SignalingTimings>;
}

type Listener<A extends unknown[]> = (...args: A) => void;

/** The real transport; see the file comment. */
export class WebRtcTransport implements Transport {
  readonly localId: string;
  /** Reliable, ordered data channels: a frame is lost only with its connection (see Transport.reliable). */
  readonly reliable = true;
  private readonly mesh: Mesh;
  private signaling: SignalingClient | undefined;
  private frameHandler: Listener<[string, Uint8Array]> | undefined;
  private readonly peersListeners: Array<Listener<[string, readonly string[]]>> = [];
  private readonly downListeners: Array<Listener<[string]>> = [];
  private readonly errorListeners: Array<Listener<[Error]>> = [];
  private readonly refusedListeners: Array<Listener<[string, Error]>> = [];
  private closing: Promise<void> | undefined;

  private constructor(localId: string, wrtc: WrtcLike | undefined, options: WebRtcTransportOptions) {
    this.localId = localId;
    this.mesh = new Mesh({
      localId,
      wrtc,
      iceServers: options.iceServers ?? [],
      limits: resolveLimits(options.limits),
      sendSignal: (to, data) => this.signaling?.signal(to, data),
      onFrame: (from, frame) => {
        const handler = this.frameHandler;
        if (handler !== undefined) this.guard(() => handler(from, frame));
      },
      onPeerDown: (peer) => this.emit(this.downListeners, peer),
      onConnected: (peer) => this.emit(this.connectedListeners, peer),
      onError: (error) => this.emitError(error),
    });
  }

  /**
   * Connects to the signaling server under a fresh process id and resolves once welcomed.
   * Rejects with a `SignalingError` when no server can be reached or one refuses (bad token, bad
   * version), and with a `TypeError` naming the option for a bad `signaling`, `token` or `iceServers`.
   */
  static async create(options: WebRtcTransportOptions): Promise<WebRtcTransport> {
    const urls = checkSignalingOptions(options);
    const [wrtc, WebSocket] = await Promise.all([resolveWrtc(options.wrtc), resolveWebSocket(options.WebSocket)]);
    const transport = new WebRtcTransport(randomProcessId(), wrtc, options);
    transport.signaling = await SignalingClient.connect(
      {
        urls,
        id: transport.localId,
        WebSocket,
        ...(options.token === undefined ? {} : { token: options.token }),
        ...(options.signalingTimings === undefined ? {} : { timings: options.signalingTimings }),
      },
      {
        peers: (group, peers) => transport.emit(transport.peersListeners, group, peers),
        signal: (from, data) => transport.mesh.handleSignal(from, data),
        unreachable: (peer) => transport.mesh.unreachable(peer),
        refused: (group, error) => transport.emit(transport.refusedListeners, group, error),
        error: (error) => transport.emitError(error),
      },
    );
    return transport;
  }

  /** Sends one frame, best effort, connecting on demand. Never throws. */
  send(to: string, frame: Uint8Array, lane: Lane): void {
    if (this.closing !== undefined) return;
    this.mesh.send(to, frame, lane);
  }

  onFrame(handler: (from: string, frame: Uint8Array) => void): void {
    this.frameHandler = handler;
  }

  announce(group: string): void {
    if (this.closing === undefined) this.signaling?.join(group);
  }

  withdraw(group: string): void {
    this.signaling?.leave(group);
  }

  peers(group: string): readonly string[] {
    return this.signaling?.peers(group) ?? [];
  }

  /** Whether the signaling server has answered for `group` (until then, no peers means "not known yet"). */
  discovered(group: string): boolean {
    return this.signaling?.answered(group) ?? false;
  }

  onPeers(handler: (group: string, peers: readonly string[]) => void): void {
    this.peersListeners.push(handler);
  }

  /** The signaling server refused to list this process in `group` (its token does not name it, too many groups). */
  onRefused(handler: (group: string, error: Error) => void): void {
    this.refusedListeners.push(handler);
  }

  /** The binding of the open connection with `peer`: its two DTLS fingerprints (dtls-binding.ts). */
  binding(peer: string): string | undefined {
    return this.mesh.binding(peer);
  }

  onConnected(handler: (peer: string) => void): void {
    this.connectedListeners.push(handler);
  }

  private readonly connectedListeners: Array<(peer: string) => void> = [];

  onPeerDown(handler: (peer: string) => void): void {
    this.downListeners.push(handler);
  }

  onError(handler: (error: Error) => void): void {
    this.errorListeners.push(handler);
  }

  /** Whether the signaling server is currently connected (discovery works; existing links do not need it). */
  get signalingConnected(): boolean {
    return this.signaling?.connected ?? false;
  }

  /**
   * Graceful (default): lets queued frames leave (at most `closeDrainMs`), then closes every
   * connection and the signaling socket. Abrupt: drops everything at once. Either way a connection
   * closes its channels before its peer connection (peer-link.ts), so this resolves up to a second
   * later when the other side does not answer. Idempotent.
   */
  close(options: { abrupt?: boolean } = {}): Promise<void> {
    if (this.closing === undefined) this.closing = this.shutdown(options.abrupt === true);
    return this.closing;
  }

  private async shutdown(abrupt: boolean): Promise<void> {
    if (abrupt) this.signaling?.close({ abrupt: true });
    await this.mesh.close(abrupt);
    this.signaling?.close({ abrupt });
  }

  private emit<A extends unknown[]>(listeners: ReadonlyArray<Listener<A>>, ...args: A): void {
    for (const listener of listeners) this.guard(() => listener(...args));
  }

  private emitError(error: Error): void {
    for (const listener of this.errorListeners) {
      try {
        listener(error);
      } catch {
        // A throwing error listener has nowhere left to report to.
      }
    }
  }

  /** A throwing listener must not break the transport: its error is reported instead. */
  private guard(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.emitError(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
