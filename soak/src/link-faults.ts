/**
 * Network faults for tests over real WebRTC, from outside the transport: an abrupt drop of a real
 * peer connection (as a network change or an ICE failure ends it), and a partition of a process's
 * frames. @synchrony/webrtc has no public facility for either; these reach into the mesh the way a
 * network would, without changing it.
 */
import type { Lane, Transport } from '@synchrony/core';

/** What these faults need of a WebRtcTransport (structural, so the built class and its source both fit). */
export type RealTransport = Transport & Required<Pick<Transport, 'binding' | 'onConnected' | 'discovered' | 'onPeerDown' | 'onError'>>;

interface MeshInternals {
  mesh: { links: Map<string, { peer?: object }>; drop(link: object, reportDown: boolean): void };
}

/**
 * Ends the real connection with `peer` at once, in the middle of whatever it carries, the way the
 * mesh drops one itself (a queue over its bound, a connection replaced): this side reports the peer
 * down, the link closes its channels and then its RTCPeerConnection (peer-link.ts), the other side
 * sees its channels close, and the next frame either sends makes a new connection (through the
 * signaling server). Returns whether there was one.
 *
 * Not `destroy()` on the simple-peer instance, which closes the RTCPeerConnection outright: that
 * closes the other side's channels under its sends, and @roamhq/wrtc can then die of SIGSEGV
 * (peer-link.ts). Our code never closes a connection so; only a peer that is not ours can.
 */
export function dropConnection(transport: RealTransport, peer: string): boolean {
  const mesh = (transport as unknown as MeshInternals).mesh;
  const link = mesh.links.get(peer);
  if (link?.peer === undefined) return false;
  mesh.drop(link, true);
  return true;
}

/** The processes `transport` holds a link with (open or being set up). */
export function linkedPeers(transport: RealTransport): string[] {
  return [...(transport as unknown as MeshInternals).mesh.links.keys()];
}

/**
 * A real transport whose frames to and from some processes vanish while they are `cut`: a
 * partition as the engine sees it. Frames are dropped before they reach the mesh, so no new
 * connection is made across the cut; with `dropConnection` the existing ones go too.
 */
export class PartitionableTransport implements Transport {
  private readonly cut = new Set<string>();
  private handler: ((from: string, frame: Uint8Array) => void) | undefined;
  /** When set, sees every frame the engine sends (before any cut applies): for tests that replay them. */
  tap: ((to: string, frame: Uint8Array, lane: Lane) => void) | undefined;

  constructor(readonly inner: RealTransport) {
    inner.onFrame((from, frame) => {
      if (!this.cut.has(from)) this.handler?.(from, frame);
    });
  }

  /** Cuts this process off from `peers` (both ways), and drops its connections with them. */
  cutOff(peers: Iterable<string>): void {
    for (const peer of peers) {
      this.cut.add(peer);
      dropConnection(this.inner, peer);
    }
  }

  /** Heals every cut. */
  heal(): void {
    this.cut.clear();
  }

  get localId(): string {
    return this.inner.localId;
  }

  send(to: string, frame: Uint8Array, lane: Lane): void {
    this.tap?.(to, frame, lane);
    if (!this.cut.has(to)) this.inner.send(to, frame, lane);
  }

  onFrame(handler: (from: string, frame: Uint8Array) => void): void {
    this.handler = handler;
  }

  announce(group: string): void {
    this.inner.announce(group);
  }

  withdraw(group: string): void {
    this.inner.withdraw(group);
  }

  peers(group: string): readonly string[] {
    return this.inner.peers(group);
  }

  discovered(group: string): boolean {
    return this.inner.discovered(group);
  }

  onPeers(handler: (group: string, peers: readonly string[]) => void): void {
    this.inner.onPeers(handler);
  }

  onPeerDown(handler: (peer: string) => void): void {
    this.inner.onPeerDown(handler);
  }

  binding(peer: string): string | undefined {
    return this.inner.binding(peer);
  }

  onConnected(handler: (peer: string) => void): void {
    this.inner.onConnected(handler);
  }

  onError(handler: (error: Error) => void): void {
    this.inner.onError(handler);
  }

  close(options?: { abrupt?: boolean }): Promise<void> {
    return this.inner.close(options);
  }
}
