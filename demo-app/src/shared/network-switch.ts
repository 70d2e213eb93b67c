/**
 * A network cut for one tab, to show what a partition does (and to test it): while the switch is
 * cut, every WebRTC data channel of this page drops what it would send and what it receives, as if
 * the network lost every packet; when it is mended, the same channels carry traffic again.
 *
 * Why here and not in the network: Chromium's network emulation (DevTools' "offline", CDP
 * `Network.emulateNetworkConditions`) throttles HTTP and WebSockets, not WebRTC's UDP, and all the
 * tabs of one machine share its interfaces. The page hands `connect()` this WebRTC implementation
 * (its public `wrtc` option): the browser's own `RTCPeerConnection`, with each data channel it
 * makes or receives passed through the switch. Nothing is closed, so the others learn of the cut the
 * way they would on a real network: silence, then their failure detector (and so does this tab).
 * ICE and the signaling WebSocket keep working, as they might behind a broken link.
 */
import type { WrtcLike } from '@synchrony/webrtc';

/** The switch of one page. */
export class NetworkSwitch {
  private isCut = false;
  private readonly listeners = new Set<(cut: boolean) => void>();
  /** For `connect({ wrtc })`: the browser's WebRTC, through this switch. */
  readonly wrtc: WrtcLike;

  constructor(native: typeof RTCPeerConnection = globalThis.RTCPeerConnection) {
    const guard = (channel: RTCDataChannel): void => this.guard(channel);
    class SwitchedPeerConnection extends native {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        // Registered before the application's own handler, so the channel is guarded before any
        // message can reach it.
        this.addEventListener('datachannel', (event) => guard(event.channel));
      }

      override createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
        const channel = super.createDataChannel(label, init);
        guard(channel);
        return channel;
      }
    }
    this.wrtc = {
      RTCPeerConnection: SwitchedPeerConnection,
      RTCSessionDescription: globalThis.RTCSessionDescription,
      RTCIceCandidate: globalThis.RTCIceCandidate,
    };
  }

  /** True while this tab's traffic is dropped. */
  get cut(): boolean {
    return this.isCut;
  }

  /** Cuts (true) or mends (false) this tab's peer-to-peer traffic. */
  set(cut: boolean): void {
    if (cut === this.isCut) return;
    this.isCut = cut;
    for (const listener of this.listeners) listener(cut);
  }

  /** Calls `listener` on every change; returns the function that unsubscribes. */
  onChange(listener: (cut: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Outbound: `send` becomes a no-op while cut. Inbound: a first 'message' listener stops the event
   * from reaching the others (the `onmessage` handler included) while cut.
   */
  private guard(channel: RTCDataChannel): void {
    const send = channel.send.bind(channel) as (data: unknown) => void;
    Object.defineProperty(channel, 'send', {
      configurable: true,
      value: (data: unknown): void => {
        if (!this.isCut) send(data);
      },
    });
    channel.addEventListener('message', (event) => {
      if (this.isCut) event.stopImmediatePropagation();
    });
  }
}
