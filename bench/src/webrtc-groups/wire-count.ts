/**
 * Counts what one process puts on the wire, from outside the library: a WebRTC implementation
 * (`connect({ wrtc })` takes one) that wraps another and counts
 * - every message written to a data channel (`RTCDataChannel.send`): one frame of the engine, or one
 *   fragment of a frame larger than a fragment (16 KiB), which is what crosses the network;
 * - the peer connections created, and those connected now.
 *
 * Nothing of @synchrony/webrtc is changed or reached into: simple-peer builds its connections from
 * the `wrtc` it is given, so every connection and channel of the process passes through here.
 * What libwebrtc sends by itself (ICE consent checks, SCTP heartbeats, DTLS) is not counted: that
 * is per connection, a few packets every few seconds, whatever the groups.
 */
import type { WrtcLike } from '@synchrony/webrtc';

/** The counts of one process (one `countingWrtc`). */
export class WireCounter {
  /** Data-channel messages written. */
  messages = 0;
  /** Bytes in those messages. */
  bytes = 0;
  /** RTCPeerConnections created so far, closed or not. */
  peerConnectionsCreated = 0;
  /** Connections not closed yet. */
  readonly live = new Set<{ readonly connectionState: string }>();

  /** Connections whose `connectionState` is 'connected' now. */
  get peerConnectionsOpen(): number {
    let open = 0;
    for (const pc of this.live) if (pc.connectionState === 'connected') open += 1;
    return open;
  }

  /** A copy of the counts, to subtract later ones from. */
  snapshot(): { messages: number; bytes: number } {
    return { messages: this.messages, bytes: this.bytes };
  }
}

interface ChannelLike {
  send(data: unknown): void;
}

interface PeerConnectionLike {
  readonly connectionState: string;
  createDataChannel(label: string, init?: unknown): ChannelLike;
  addEventListener(type: string, listener: (event: { channel?: ChannelLike }) => void): void;
  close(): void;
}

type PeerConnectionClass = new (config?: unknown) => PeerConnectionLike;

/** The byte length of what a data channel was given to send. */
function sizeOf(data: unknown): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return data.byteLength;
  return 0;
}

/** Replaces `channel.send` on this one channel by one that counts, then sends. */
function countSends(channel: ChannelLike, counter: WireCounter): void {
  const send = channel.send.bind(channel);
  channel.send = (data: unknown): void => {
    send(data); // first: a write the channel refuses throws, and is not counted
    counter.messages += 1;
    counter.bytes += sizeOf(data);
  };
}

/**
 * `base` (e.g. @roamhq/wrtc) with an RTCPeerConnection that counts into the returned counter.
 * Give each process its own: the counts are per `countingWrtc` call.
 */
export function countingWrtc(base: WrtcLike): { wrtc: WrtcLike; counter: WireCounter } {
  const counter = new WireCounter();
  const Base = base.RTCPeerConnection as PeerConnectionClass;
  class CountingPeerConnection extends Base {
    constructor(config?: unknown) {
      super(config);
      counter.peerConnectionsCreated += 1;
      counter.live.add(this);
      // The answering side gets simple-peer's channel through this event; the control channel
      // (negotiated) and the offering side's channel come from createDataChannel.
      this.addEventListener('datachannel', (event) => {
        if (event.channel !== undefined) countSends(event.channel, counter);
      });
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'closed') counter.live.delete(this);
      });
    }

    override createDataChannel(label: string, init?: unknown): ChannelLike {
      const channel = super.createDataChannel(label, init);
      countSends(channel, counter);
      return channel;
    }

    override close(): void {
      counter.live.delete(this);
      super.close();
    }
  }
  return { wrtc: { ...base, RTCPeerConnection: CountingPeerConnection }, counter };
}
