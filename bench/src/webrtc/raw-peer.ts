/**
 * The baseline of the WebRTC benchmarks: one bare data channel between two Node processes, set up
 * through the same signaling server (its own protocol, spoken directly over `ws`) with simple-peer
 * and @roamhq/wrtc, as the library does, but with nothing of the library: no mesh, no second
 * channel, no fragmentation, no engine, no pacing of signaling messages.
 */
import { randomBytes } from 'node:crypto';
import SimplePeer from 'simple-peer';
import WebSocket from 'ws';
import { encodeMessage, parseServerMessage, PROTOCOL_VERSION, ProtocolError } from '@synchrony/signaling-server/protocol';
import type { WrtcLike } from '@synchrony/webrtc';

/** An open raw channel to the one other process of the baseline. */
export interface RawChannel {
  readonly peer: SimplePeer.Instance;
  readonly initiator: boolean;
  /** The underlying RTCDataChannel, for `bufferedAmount`. */
  readonly channel: RTCDataChannel;
  close(): void;
}

/**
 * Connects to `signaling`, joins `group`, and opens one data channel with the first other process
 * there (the smaller id initiates, so the two never both offer). Rejects after `timeoutMs`.
 */
export function openRawChannel(signaling: string, group: string, wrtc: WrtcLike, timeoutMs: number): Promise<RawChannel> {
  const id = `raw-${randomBytes(8).toString('hex')}`;
  const ws = new WebSocket(signaling);
  let peer: SimplePeer.Instance | undefined;
  const close = (): void => {
    peer?.destroy();
    ws.close();
  };
  return new Promise<RawChannel>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`raw channel not open after ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      close();
      reject(error);
    };
    const start = (initiator: boolean, other: string): SimplePeer.Instance => {
      const p = new SimplePeer({ initiator, trickle: true, config: { iceServers: [] }, wrtc: wrtc as SimplePeer.Options['wrtc'] });
      p.on('signal', (data: unknown) => ws.send(encodeMessage({ type: 'signal', to: other, data })));
      p.on('error', (error: Error) => fail(error));
      p.on('connect', () => {
        clearTimeout(timer);
        const channel = (p as unknown as { _channel: RTCDataChannel })._channel;
        resolve({ peer: p, initiator, channel, close });
      });
      return p;
    };
    ws.on('open', () => ws.send(encodeMessage({ type: 'hello', version: PROTOCOL_VERSION, id })));
    ws.on('error', (error) => fail(error));
    ws.on('message', (raw) => {
      const message = parseServerMessage(String(raw));
      if (message instanceof ProtocolError) return fail(message);
      if (message.type === 'welcome') ws.send(encodeMessage({ type: 'join', group }));
      else if (message.type === 'peers' && peer === undefined && message.peers[0] !== undefined && id < message.peers[0]) {
        peer = start(true, message.peers[0]);
      } else if (message.type === 'signal') {
        peer ??= start(false, message.from);
        peer.signal(message.data as SimplePeer.SignalData);
      } else if (message.type === 'error' && message.fatal) fail(new Error(`signaling: ${message.code}`));
    });
  });
}

/* Message kinds of the raw baseline's own tiny protocol: the first byte of each message. */
/** A round-trip probe; the other side answers with `RAW_PONG`. */
export const RAW_PING = 1;
/** The answer to `RAW_PING`. */
export const RAW_PONG = 2;
/** Bulk data, counted by the receiver. */
export const RAW_BULK = 3;
/** The last bulk message: the receiver reports what it counted (the channel is ordered). */
export const RAW_LAST = 4;
