/**
 * A man in the middle for real WebRTC, for tests: a malicious signaling setup.
 *
 * `MitmSignaling` is a WebSocket proxy in front of a real signaling server. Processes connect to it
 * as if it were the server; it passes every frame through (parsed with the real protocol), except the
 * `signal` relays between pairs of processes it was told to `intercept`. For such a pair it
 * terminates WebRTC with each side itself: two simple-peer connections on @roamhq/wrtc, with DTLS
 * certificates of their own, each carrying simple-peer's `data` channel and the negotiated
 * `control` channel (peer-link.ts), exactly as the real meshes expect. It answers each side's offer
 * with its own SDP (so each side sees the MITM's fingerprint and DTLS verifies), speaks the real
 * link-signal envelope under the real attempt numbers, and relays every data-channel message, both
 * channels, byte for byte. Beside the relay it reads the traffic with the real reassembly
 * (framing.ts) and frame decoder (core wire/frame.ts): what it `saw` is what an attacker in that
 * position can read.
 *
 * Glare rule of the real mesh: the process with the smaller id initiates. So the leg facing the
 * smaller id (`lo`) answers, pretending to be `hi`; the leg facing `hi` offers, pretending to be `lo`.
 */
import type { AddressInfo } from 'node:net';
import SimplePeer from 'simple-peer';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { decodeFrame } from '../../core/src/wire/frame.js';
import type { GroupMsg } from '../../core/src/wire/messages.js';
import { encodeMessage, parseClientMessage, type ServerMessage } from '../../../signaling-server/src/protocol.js';
import { DEFAULT_LIMITS } from '../src/config.js';
import { Reassembler } from '../src/framing.js';
import { encodeLinkSignal, parseLinkSignal } from '../src/link-signal.js';
import { CONTROL_CHANNEL_ID } from '../src/peer-link.js';
import { wrtc } from './helpers.js';

type Lane = 'data' | 'control';

/** A group message the man in the middle read, and which way it was going. */
export interface Overheard {
  readonly from: string;
  readonly to: string;
  readonly message: GroupMsg;
}

/** One WebRTC connection of the MITM with one side, both channels; what arrives before the other leg is up waits. */
class Leg {
  readonly peer: SimplePeer.Instance;
  private readonly control: RTCDataChannel;
  private readonly open: Record<Lane, boolean> = { data: false, control: false };
  private readonly pending: Record<Lane, Uint8Array[]> = { data: [], control: [] };
  closed = false;

  constructor(initiator: boolean, onSignal: (data: object) => void, onMessage: (lane: Lane, bytes: Uint8Array) => void) {
    this.peer = new SimplePeer({ initiator, trickle: true, config: { iceServers: [] }, wrtc: wrtc as unknown as SimplePeer.Options['wrtc'] });
    this.peer.on('signal', (data: object) => onSignal(data));
    this.peer.on('data', (chunk: Uint8Array) => onMessage('data', new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    this.peer.on('connect', () => this.opened('data'));
    this.peer.on('error', () => this.close());
    this.peer.on('close', () => this.close());
    const pc = (this.peer as unknown as { _pc: RTCPeerConnection })._pc;
    this.control = pc.createDataChannel('synchrony-control', { negotiated: true, id: CONTROL_CHANNEL_ID, ordered: true });
    this.control.binaryType = 'arraybuffer';
    this.control.addEventListener('open', () => this.opened('control'));
    this.control.addEventListener('message', (event: MessageEvent) => onMessage('control', new Uint8Array(event.data as ArrayBuffer)));
  }

  /** Sends on `lane` once it is open. */
  send(lane: Lane, bytes: Uint8Array): void {
    if (this.closed) return;
    if (!this.open[lane]) {
      this.pending[lane].push(bytes);
      return;
    }
    try {
      if (lane === 'data') this.peer.send(bytes);
      else this.control.send(bytes as Uint8Array<ArrayBuffer>);
    } catch {
      this.close();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.peer.destroy();
  }

  private opened(lane: Lane): void {
    if (this.open[lane]) return;
    this.open[lane] = true;
    for (const bytes of this.pending[lane].splice(0)) this.send(lane, bytes);
  }
}

/** The MITM's two legs for one connection attempt between `lo` and `hi`. */
class Splice {
  private readonly taps = new Map<string, Reassembler>();
  readonly facingLo: Leg;
  readonly facingHi: Leg;

  constructor(
    readonly session: number,
    private readonly lo: string,
    private readonly hi: string,
    inject: (to: string, from: string, data: unknown) => void,
    private readonly overheard: Overheard[],
  ) {
    const envelope = (data: object): unknown => encodeLinkSignal({ kind: 'rtc', session, data });
    this.facingLo = new Leg(false, (data) => inject(lo, hi, envelope(data)), (lane, bytes) => this.relay(lo, hi, lane, bytes));
    this.facingHi = new Leg(true, (data) => inject(hi, lo, envelope(data)), (lane, bytes) => this.relay(hi, lo, lane, bytes));
  }

  close(): void {
    this.facingLo.close();
    this.facingHi.close();
  }

  private relay(from: string, to: string, lane: Lane, bytes: Uint8Array): void {
    (to === this.hi ? this.facingHi : this.facingLo).send(lane, bytes.slice());
    this.read(from, to, bytes);
  }

  /** Reads a copy of the traffic as the receiving mesh would. */
  private read(from: string, to: string, bytes: Uint8Array): void {
    let tap = this.taps.get(from);
    if (tap === undefined) this.taps.set(from, (tap = new Reassembler(DEFAULT_LIMITS)));
    const outcome = tap.push(bytes);
    if (outcome.kind !== 'frame') return;
    const decoded = decodeFrame(outcome.frame, DEFAULT_LIMITS.maxFrameBytes);
    if (typeof decoded === 'string') return;
    for (const message of decoded.frame.m) this.overheard.push({ from, to, message });
  }

  /** True once both legs carry traffic: each side completed DTLS with the MITM. */
  get connected(): boolean {
    return !this.facingLo.closed && !this.facingHi.closed && this.facingLo.peer.connected && this.facingHi.peer.connected;
  }
}

/** What the proxy knows of one client socket. */
interface Client {
  id: string | undefined;
  readonly downstream: WebSocket;
  readonly upstream: WebSocket;
  readonly early: string[];
}

/** A signaling proxy that sits in the middle of chosen pairs; see the file comment. */
export class MitmSignaling {
  /** Every group message read on an intercepted connection. */
  readonly overheard: Overheard[] = [];
  private readonly clients = new Map<string, Client>();
  private readonly pairs = new Map<string, Splice | undefined>();
  private readonly all = new Set<Client>();

  private constructor(private readonly server: WebSocketServer, private readonly upstreamUrl: string) {
    server.on('connection', (socket) => this.accept(socket));
  }

  /** A proxy on 127.0.0.1 (any port) in front of the signaling server at `upstreamUrl`. */
  static async start(upstreamUrl: string): Promise<MitmSignaling> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    return new MitmSignaling(server, upstreamUrl);
  }

  /** The URL processes connect to, as to a signaling server. */
  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** From now on, connections between `a` and `b` go through the man in the middle. */
  intercept(a: string, b: string): void {
    this.pairs.set(key(a, b), undefined);
  }

  /** Whether the MITM holds a connection with each of `a` and `b` (both DTLS handshakes done). */
  spliced(a: string, b: string): boolean {
    return this.pairs.get(key(a, b))?.connected ?? false;
  }

  /**
   * Leaves every pair: their connections through the MITM are dropped (both sides see them close),
   * and from now on every signal passes through untouched, so the processes reconnect directly.
   */
  stop(): void {
    for (const splice of this.pairs.values()) splice?.close();
    this.pairs.clear();
  }

  async close(): Promise<void> {
    this.stop();
    for (const client of this.all) {
      client.downstream.terminate();
      client.upstream.terminate();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(downstream: WebSocket): void {
    const upstream = new WebSocket(this.upstreamUrl);
    const client: Client = { id: undefined, downstream, upstream, early: [] };
    this.all.add(client);
    upstream.on('open', () => {
      for (const text of client.early.splice(0)) upstream.send(text);
    });
    upstream.on('message', (data: RawData) => {
      if (downstream.readyState === WebSocket.OPEN) downstream.send(text(data));
    });
    downstream.on('message', (data: RawData) => this.fromClient(client, text(data)));
    const end = (): void => {
      this.all.delete(client);
      if (client.id !== undefined && this.clients.get(client.id) === client) this.clients.delete(client.id);
      downstream.terminate();
      upstream.terminate();
    };
    upstream.on('close', end);
    downstream.on('close', end);
    upstream.on('error', end);
    downstream.on('error', end);
  }

  private fromClient(client: Client, frame: string): void {
    const message = parseClientMessage(frame);
    if (!(message instanceof Error)) {
      if (message.type === 'hello') {
        client.id = message.id;
        this.clients.set(message.id, client);
      }
      if (message.type === 'signal' && client.id !== undefined && this.pairs.has(key(client.id, message.to))) {
        this.onSignal(client.id, message.to, message.data);
        return;
      }
    }
    if (client.upstream.readyState === WebSocket.OPEN) client.upstream.send(frame);
    else client.early.push(frame);
  }

  /** A signal between an intercepted pair: the MITM plays the other side to each. */
  private onSignal(from: string, to: string, data: unknown): void {
    const [lo, hi] = from < to ? [from, to] : [to, from];
    const signal = parseLinkSignal(data);
    if (typeof signal === 'string') return;
    const pairKey = key(lo, hi);
    let splice = this.pairs.get(pairKey);
    if (signal.kind === 'connect') {
      // `hi` asks `lo` to initiate: pass it on; `lo`'s offer then comes to the MITM.
      this.inject(to, from, data);
      return;
    }
    if (from === lo) {
      if (splice === undefined || signal.session > splice.session) {
        splice?.close();
        splice = new Splice(signal.session, lo, hi, (t, f, d) => this.inject(t, f, d), this.overheard);
        this.pairs.set(pairKey, splice);
      }
      if (signal.session === splice.session) splice.facingLo.peer.signal(signal.data as SimplePeer.SignalData);
      return;
    }
    if (splice !== undefined && signal.session === splice.session) splice.facingHi.peer.signal(signal.data as SimplePeer.SignalData);
  }

  /** Sends `to` a signal that claims to come from `from`, as the server would relay it. */
  private inject(to: string, from: string, data: unknown): void {
    const socket = this.clients.get(to)?.downstream;
    const message: ServerMessage = { type: 'signal', from, data };
    if (socket?.readyState === WebSocket.OPEN) socket.send(encodeMessage(message));
  }
}

function key(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

function text(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
