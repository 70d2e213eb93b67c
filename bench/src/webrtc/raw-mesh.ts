/**
 * The raw baseline for group workloads: a full mesh of bare data channels between the benchmark's
 * processes, set up through the same signaling server (spoken directly over `ws`) with simple-peer
 * and @roamhq/wrtc, as the library does, but with nothing of the library: one channel per pair, no
 * fragmentation, no engine. The smaller id initiates to each larger one.
 *
 * A raw multicast writes the message once on each channel (its own `RTCDataChannel.send`), under
 * `bufferedAmount` backpressure with the library's water marks.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import SimplePeer from 'simple-peer';
import WebSocket from 'ws';
import { encodeMessage, parseServerMessage, PROTOCOL_VERSION, ProtocolError } from '@synchrony/signaling-server/protocol';
import { DEFAULT_LIMITS, type WrtcLike } from '@synchrony/webrtc';

/** An open mesh: one channel to each of the other `size - 1` processes. */
export interface RawMesh {
  readonly id: string;
  readonly channels: RTCDataChannel[];
  readonly peers: SimplePeer.Instance[];
  /** Called with every message received, from any peer. */
  onMessage(handler: (data: Uint8Array) => void): void;
  close(): void;
}

/** Joins `group` on `signaling` and opens a channel to each other member until there are `size - 1`. */
export function openRawMesh(signaling: string, group: string, size: number, wrtc: WrtcLike, timeoutMs: number): Promise<RawMesh> {
  const id = `raw-${randomBytes(8).toString('hex')}`;
  const ws = new WebSocket(signaling);
  const links = new Map<string, SimplePeer.Instance>();
  const open = new Map<string, RTCDataChannel>();
  let handler: (data: Uint8Array) => void = () => {};
  const close = (): void => {
    for (const p of links.values()) p.destroy();
    ws.close();
  };
  return new Promise<RawMesh>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`raw mesh: ${open.size} of ${size - 1} channels open after ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      close();
      reject(error);
    };
    const start = (initiator: boolean, other: string): SimplePeer.Instance => {
      const p = new SimplePeer({ initiator, trickle: true, config: { iceServers: [] }, wrtc: wrtc as SimplePeer.Options['wrtc'] });
      links.set(other, p);
      p.on('signal', (data: unknown) => ws.send(encodeMessage({ type: 'signal', to: other, data })));
      p.on('error', (error: Error) => fail(error));
      p.on('data', (chunk: Uint8Array) => handler(chunk));
      p.on('connect', () => {
        open.set(other, (p as unknown as { _channel: RTCDataChannel })._channel);
        if (open.size < size - 1) return;
        clearTimeout(timer);
        resolve({
          id,
          channels: [...open.values()],
          peers: [...links.values()],
          onMessage: (h) => { handler = h; },
          close,
        });
      });
      return p;
    };
    ws.on('open', () => ws.send(encodeMessage({ type: 'hello', version: PROTOCOL_VERSION, id })));
    ws.on('error', (error) => fail(error));
    ws.on('message', (raw) => {
      const message = parseServerMessage(String(raw));
      if (message instanceof ProtocolError) return fail(message);
      if (message.type === 'welcome') ws.send(encodeMessage({ type: 'join', group }));
      else if (message.type === 'peers') {
        for (const other of message.peers) if (id < other && !links.has(other)) start(true, other);
      } else if (message.type === 'signal') {
        const link = links.get(message.from) ?? start(false, message.from);
        link.signal(message.data as SimplePeer.SignalData);
      } else if (message.type === 'error' && message.fatal) fail(new Error(`signaling: ${message.code}`));
    });
  });
}

/**
 * Writes `data` to every channel, each its own `send`, under the library's backpressure rules:
 * write while `bufferedAmount` is under the high mark, else wait for the low mark; yield to the
 * event loop every `sliceBytes` written (wrtc updates `bufferedAmount` only between turns).
 */
export class RawWriter {
  private slice = 0;

  constructor(private readonly channels: readonly RTCDataChannel[]) {}

  async multicast(data: Uint8Array): Promise<void> {
    const { highWaterBytes, lowWaterBytes, sliceBytes, pollMs } = DEFAULT_LIMITS;
    for (const channel of this.channels) {
      if (channel.bufferedAmount > highWaterBytes) {
        while (channel.bufferedAmount > lowWaterBytes) await sleep(pollMs);
      } else if (this.slice >= sliceBytes) {
        await new Promise((resolve) => setImmediate(resolve));
        this.slice = 0;
      }
      channel.send(data as Uint8Array<ArrayBuffer>);
      this.slice += data.byteLength;
    }
  }
}
