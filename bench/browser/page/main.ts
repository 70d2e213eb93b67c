/**
 * The page of the browser benchmark (bench/src/browser.ts): a Synchrony group on `connect()`, or a
 * raw mesh of RTCDataChannels negotiated through the same signaling server (its protocol spoken
 * directly), and the same stream workload as the Node children (bench/src/webrtc/child.ts).
 */
import { connect, DEFAULT_LIMITS } from '@synchrony/webrtc';
import type { Group } from '@synchrony/core';
import { encodeMessage, parseServerMessage, PROTOCOL_VERSION } from '@synchrony/signaling-server/protocol';

export interface StreamOptions {
  on: 'group' | 'raw'; count: number; bytes: number; order: 'fifo' | 'causal' | 'total'; safe: boolean; chunk: number;
  expected: number; pieceBytes: number;
  /** Senders start then (every page has its receiver armed by then). */
  startAt: number;
}
export interface Streamed { firstSendAt: number | undefined; at: number; received: number }

const now = (): number => performance.timeOrigin + performance.now();

/** Bytes written into this page's data channels, the group's and the raw mesh's alike (both write through `send`). */
const written = { bytes: 0 };
const nativeSend = RTCDataChannel.prototype.send as (this: RTCDataChannel, data: ArrayBufferView<ArrayBuffer>) => void;
RTCDataChannel.prototype.send = function counted(this: RTCDataChannel, data: ArrayBufferView<ArrayBuffer>): void {
  nativeSend.call(this, data);
  written.bytes += data.byteLength;
} as typeof RTCDataChannel.prototype.send;
let group: Group | undefined;
let channels: RTCDataChannel[] = [];
let sink: (data: unknown) => void = () => {};

/** `config`: engine settings for experiments (BENCH_CONFIG in the parent), none by default. */
async function startGroup(signaling: string, name: string, size: number, config?: Record<string, number>): Promise<void> {
  const peer = await connect({ signaling, ...(config === undefined ? {} : { config }) });
  group = peer.group(name, { failureTimeoutMs: 10_000 }); // not measured here: a stall under load must not split the group
  group.on('message', (m) => sink(m.data));
  await group.join();
  while ((group.view?.members.length ?? 0) < size) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** One RTCDataChannel to each of the other `size - 1` pages; the smaller id offers. */
function startRaw(signaling: string, room: string, size: number): Promise<void> {
  const id = `raw${Math.random().toString(16).slice(2, 14)}`;
  const ws = new WebSocket(signaling);
  const pcs = new Map<string, RTCPeerConnection>();
  const open: RTCDataChannel[] = [];
  return new Promise((resolve, reject) => {
    const wire = (channel: RTCDataChannel): void => {
      channel.binaryType = 'arraybuffer';
      channel.onmessage = (event) => sink(new Uint8Array(event.data as ArrayBuffer));
      channel.onopen = () => {
        open.push(channel);
        if (open.length === size - 1) {
          channels = open;
          resolve();
        }
      };
    };
    const pcFor = (other: string, initiator: boolean): RTCPeerConnection => {
      const pc = new RTCPeerConnection({ iceServers: [] });
      pcs.set(other, pc);
      pc.onicecandidate = (event) => {
        if (event.candidate) ws.send(encodeMessage({ type: 'signal', to: other, data: { candidate: event.candidate.toJSON() } }));
      };
      if (initiator) {
        wire(pc.createDataChannel('raw'));
        void pc.createOffer().then(async (offer) => {
          await pc.setLocalDescription(offer);
          ws.send(encodeMessage({ type: 'signal', to: other, data: { sdp: offer } }));
        });
      } else pc.ondatachannel = (event) => wire(event.channel);
      return pc;
    };
    ws.onopen = () => ws.send(encodeMessage({ type: 'hello', version: PROTOCOL_VERSION, id }));
    ws.onerror = () => reject(new Error('signaling socket error'));
    ws.onmessage = (event) => {
      const message = parseServerMessage(String(event.data));
      if (message instanceof Error) return reject(message);
      if (message.type === 'welcome') ws.send(encodeMessage({ type: 'join', group: room }));
      else if (message.type === 'peers') {
        for (const other of message.peers) if (id < other && !pcs.has(other)) pcFor(other, true);
      } else if (message.type === 'signal') {
        const pc = pcs.get(message.from) ?? pcFor(message.from, false);
        const data = message.data as { sdp?: RTCSessionDescriptionInit; candidate?: RTCIceCandidateInit };
        if (data.candidate) void pc.addIceCandidate(data.candidate);
        else if (data.sdp?.type === 'offer') {
          void pc.setRemoteDescription(data.sdp).then(async () => {
            const answer = await pc.createAnswer();
            await pc.setLocalDescription(answer);
            ws.send(encodeMessage({ type: 'signal', to: message.from, data: { sdp: answer } }));
          });
        } else if (data.sdp) void pc.setRemoteDescription(data.sdp);
      }
    };
  });
}

/** Each message its own send on each channel, under the library's backpressure rules (the event where the browser has it). */
async function rawMulticast(data: Uint8Array): Promise<void> {
  const { highWaterBytes, lowWaterBytes } = DEFAULT_LIMITS;
  for (const channel of channels) {
    if (channel.bufferedAmount > highWaterBytes) {
      channel.bufferedAmountLowThreshold = lowWaterBytes;
      // The event may have fired already: look again now and then.
      while (channel.bufferedAmount > lowWaterBytes) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 20);
          channel.addEventListener('bufferedamountlow', () => { clearTimeout(timer); resolve(); }, { once: true });
        });
      }
    }
    channel.send(data as Uint8Array<ArrayBuffer>);
  }
}

/** A turn of the event loop without a timer (nested timers are clamped to 4 ms). */
const yielder = new MessageChannel();
const yielded: Array<() => void> = [];
yielder.port1.onmessage = () => yielded.shift()?.();
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    yielded.push(resolve);
    yielder.port2.postMessage(0);
  });
}

function stamped(bytes: number): Uint8Array {
  const out = new Uint8Array(Math.max(16, bytes));
  new DataView(out.buffer).setFloat64(0, now());
  out.fill(7, 8);
  return out;
}

async function stream(o: StreamOptions): Promise<Streamed> {
  let received = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => { done = resolve; });
  sink = () => {
    received += 1;
    if (received === o.expected) done();
  };
  if (o.expected === 0) done();
  let firstSendAt: number | undefined;
  let failure: unknown;
  if (o.count > 0) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, o.startAt - now())));
    firstSendAt = now();
    for (let i = 0; i < o.count && failure === undefined; i++) {
      if (i > 0 && i % o.chunk === 0) await yieldToEventLoop();
      const data = stamped(o.bytes);
      if (o.on === 'group') void group!.send(data, { order: o.order, safe: o.safe }).catch((error: unknown) => { failure ??= error; });
      else for (let at = 0; at < data.byteLength; at += o.pieceBytes) await rawMulticast(data.subarray(at, at + o.pieceBytes));
    }
  }
  while (failure === undefined && (await Promise.race([finished.then(() => true), new Promise((r) => setTimeout(() => r(false), 100))])) === false);
  const at = now();
  sink = () => {};
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
  return { firstSendAt, at, received };
}

const api = { startGroup, startRaw, stream, written: () => written.bytes };
(window as unknown as { benchPage: typeof api }).benchPage = api;
