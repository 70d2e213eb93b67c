/**
 * One WebRTC connection to one other process, through simple-peer, carrying every group the two share.
 *
 * Two lanes, two ordered data channels: `data` is simple-peer's own channel; `control` is a second
 * channel, negotiated out of band (`negotiated: true`, a fixed stream id, created by both sides before
 * the offer), so heartbeats and view-change frames never queue behind bulk data: each lane has its
 * own sender queue and its own SCTP stream, and the SCTP scheduler interleaves the streams fragment
 * by fragment. Frames are fragmented (framing.ts) and written under backpressure (channel-sender.ts).
 *
 * The link reports `down` once, whatever ended it (ICE failure, a closed channel, a timeout, a
 * refused write); after that it is inert and the mesh makes a new one if it needs to.
 */
import SimplePeer from '#simple-peer';
import type { Lane } from '@synchrony/core';
import { ChannelSender, type ChannelLike } from './channel-sender.js';
import { dtlsBinding } from './dtls-binding.js';
import type { WebRtcLimits } from './config.js';
import { MAX_MESSAGE_ID, Reassembler } from './framing.js';
import type { WrtcLike } from './wrtc.js';

/** The SCTP stream id of the control channel; simple-peer's own channel takes 0 or 1. */
export const CONTROL_CHANNEL_ID = 2;

/** What a link tells its owner. */
export interface PeerLinkEvents {
  /** Signaling data (offer, answer, ICE candidate) to relay to the other process. */
  signal(data: object): void;
  /** A whole inbound frame. */
  frame(frame: Uint8Array): void;
  /** Both channels are open. */
  open(): void;
  /** The connection ended by itself; not called after `close()`. */
  down(reason: string): void;
  /** The other process sent something malformed; it was dropped. */
  error(message: string): void;
}

/** How to build a link. */
export interface PeerLinkOptions {
  readonly remoteId: string;
  readonly wrtc: WrtcLike | undefined;
  readonly iceServers: readonly RTCIceServer[];
  readonly limits: WebRtcLimits;
  readonly events: PeerLinkEvents;
}

/** `awaiting`: asked the other side to initiate, no connection yet. */
export type LinkState = 'awaiting' | 'connecting' | 'open' | 'closed';

interface DataChannelInternals {
  _pc?: {
    createDataChannel(label: string, init: RTCDataChannelInit): RTCDataChannel;
    localDescription?: { sdp?: string } | null;
    remoteDescription?: { sdp?: string } | null;
  };
  _channel?: ChannelLike | null;
}

/** A connection to one process; see the file comment. */
export class PeerLink {
  private peer: SimplePeer.Instance | undefined;
  private control: RTCDataChannel | undefined;
  private sessionId: number | undefined;
  private linkState: LinkState = 'awaiting';
  private dataReady = false;
  private controlReady = false;
  private nextMessageId = 0;
  private readonly senders: Record<Lane, ChannelSender>;
  private readonly reassembler: Reassembler;
  private readonly connectTimer: ReturnType<typeof setTimeout>;
  /** While open: checks that something arrived within `silentCloseMs`. */
  private silenceTimer: ReturnType<typeof setInterval> | undefined;
  private lastChunkMs = 0;
  /**
   * Chunks that arrived before this side saw both channels open (the other side may open first, and
   * simple-peer reports 'connect' only after it has read the connection's stats). They are handed on
   * after `open`, so that the owner never gets a frame of a connection before it learns of the
   * connection (and of its binding, which proofs of group secrets are checked against).
   */
  private early: Uint8Array[] = [];
  private earlyBytes = 0;

  constructor(private readonly options: PeerLinkOptions) {
    const { limits, events } = options;
    const fail = (error: Error): void => this.fail(`write refused: ${error.message}`);
    this.senders = { data: new ChannelSender(limits, fail), control: new ChannelSender(limits, fail) };
    this.reassembler = new Reassembler(limits, (message) => events.error(message));
    this.connectTimer = setTimeout(
      () => this.fail(`not connected after ${limits.connectTimeoutMs} ms`),
      limits.connectTimeoutMs,
    );
  }

  /** The process at the other end. */
  get remoteId(): string {
    return this.options.remoteId;
  }

  /** The connection attempt this link carries; undefined while `awaiting`. */
  get session(): number | undefined {
    return this.sessionId;
  }

  get state(): LinkState {
    return this.linkState;
  }

  /** Payload bytes queued on both lanes. */
  get queuedBytes(): number {
    return this.senders.data.queuedBytes + this.senders.control.queuedBytes;
  }

  /** Creates the WebRTC connection for attempt `session`; the initiator makes the offer. */
  start(initiator: boolean, session: number): void {
    if (this.linkState !== 'awaiting') throw new Error(`PeerLink.start in state ${this.linkState}`);
    this.sessionId = session;
    this.linkState = 'connecting';
    let peer: SimplePeer.Instance;
    try {
      peer = new SimplePeer({
        initiator,
        trickle: true,
        // Never simple-peer's default public STUN servers: only what the application configured.
        config: { iceServers: [...this.options.iceServers] },
        ...(this.options.wrtc === undefined ? {} : { wrtc: this.options.wrtc as SimplePeer.Options['wrtc'] }),
      });
    } catch (error) {
      this.fail(`cannot create a peer connection: ${describe(error)}`);
      return;
    }
    this.peer = peer;
    peer.on('signal', (data: object) => {
      if (this.linkState !== 'closed') this.options.events.signal(data);
    });
    peer.on('connect', () => this.onDataOpen());
    peer.on('data', (chunk: Uint8Array) => this.onChunk(chunk));
    peer.on('error', (error: Error & { code?: string }) => {
      // simple-peer reports a peer connection the platform would not create (a browser past its
      // budget of connections) as ERR_PC_CONSTRUCTOR, from inside its constructor.
      if (error.code === 'ERR_PC_CONSTRUCTOR') this.fail(`cannot create a peer connection: ${describe(error)}`);
      else this.fail(`connection error: ${describe(error)}`);
    });
    peer.on('close', () => this.fail('connection closed'));
    this.openControlChannel(peer);
  }

  /** Feeds signaling data relayed from the other process. Never throws. */
  signal(data: object): void {
    if (this.peer === undefined || this.linkState === 'closed') return;
    try {
      this.peer.signal(data as SimplePeer.SignalData);
    } catch (error) {
      this.options.events.error(`bad signaling data: ${describe(error)}`);
    }
  }

  /**
   * Queues a frame on a lane; it leaves once the link is open. Returns false, queuing nothing,
   * when the link is closed or the queue is over its bound (the caller treats the peer as unreachable).
   */
  send(frame: Uint8Array, lane: Lane): boolean {
    if (this.linkState === 'closed') return false;
    if (this.queuedBytes + frame.byteLength > this.options.limits.maxQueuedBytes) return false;
    const id = this.nextMessageId;
    this.nextMessageId = id === MAX_MESSAGE_ID ? 0 : id + 1;
    this.senders[lane].enqueue(frame, id);
    return true;
  }

  /** Resolves once both lanes handed everything to the network (or the link closed). */
  async drain(): Promise<void> {
    if (this.linkState !== 'open') return;
    await Promise.all([this.senders.data.idle(), this.senders.control.idle()]);
  }

  /** Ends the link without reporting `down`. Idempotent. */
  close(): void {
    if (this.linkState === 'closed') return;
    this.linkState = 'closed';
    clearTimeout(this.connectTimer);
    clearInterval(this.silenceTimer);
    this.senders.data.close();
    this.senders.control.close();
    this.reassembler.clear();
    this.early = [];
    this.earlyBytes = 0;
    try {
      this.control?.close();
    } catch {
      // already closing
    }
    this.peer?.destroy();
  }

  private openControlChannel(peer: SimplePeer.Instance): void {
    const pc = (peer as unknown as DataChannelInternals)._pc;
    if (pc === undefined) return; // the constructor failed; simple-peer emits 'error' and 'close'
    let control: RTCDataChannel;
    try {
      control = pc.createDataChannel('synchrony-control', { negotiated: true, id: CONTROL_CHANNEL_ID, ordered: true });
    } catch (error) {
      this.fail(`cannot create the control channel: ${describe(error)}`);
      return;
    }
    this.control = control;
    control.binaryType = 'arraybuffer';
    control.addEventListener('open', () => this.onControlOpen());
    control.addEventListener('message', (event: MessageEvent) => {
      const data: unknown = event.data;
      if (data instanceof ArrayBuffer) this.onChunk(new Uint8Array(data));
      else this.options.events.error('control channel: a message that is not binary');
    });
    control.addEventListener('close', () => this.fail('control channel closed'));
    if (control.readyState === 'open') this.onControlOpen();
  }

  private onControlOpen(): void {
    if (this.controlReady || this.linkState === 'closed' || this.control === undefined) return;
    this.controlReady = true;
    this.senders.control.attach(this.control as unknown as ChannelLike);
    this.maybeOpen();
  }

  private onDataOpen(): void {
    const channel = (this.peer as unknown as DataChannelInternals | undefined)?._channel;
    if (this.dataReady || this.linkState === 'closed' || channel == null) return;
    this.dataReady = true;
    this.senders.data.attach(channel);
    this.maybeOpen();
  }

  /**
   * The connection's binding for proofs of group secrets (dtls-binding.ts): its two DTLS
   * fingerprints; undefined until it is open.
   */
  binding: string | undefined;

  private maybeOpen(): void {
    if (!this.dataReady || !this.controlReady || this.linkState !== 'connecting') return;
    const pc = (this.peer as unknown as DataChannelInternals | undefined)?._pc;
    this.binding = dtlsBinding(pc?.localDescription?.sdp, pc?.remoteDescription?.sdp);
    this.linkState = 'open';
    clearTimeout(this.connectTimer);
    this.watchSilence();
    this.options.events.open();
    const early = this.early;
    this.early = [];
    this.earlyBytes = 0;
    for (const bytes of early) this.onChunk(bytes);
  }

  /** Fails the open link once nothing has arrived on it for `silentCloseMs` (config.ts). */
  private watchSilence(): void {
    const { silentCloseMs } = this.options.limits;
    this.lastChunkMs = Date.now();
    this.silenceTimer = setInterval(() => {
      if (Date.now() - this.lastChunkMs > silentCloseMs) this.fail(`nothing received for ${silentCloseMs} ms`);
    }, Math.max(50, silentCloseMs / 4));
    (this.silenceTimer as { unref?: () => void }).unref?.();
  }

  private onChunk(chunk: Uint8Array): void {
    if (this.linkState === 'closed') return;
    this.lastChunkMs = Date.now();
    // simple-peer hands out Buffers; the engine gets plain Uint8Arrays over the same memory.
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.linkState !== 'open') {
      this.earlyBytes += bytes.byteLength;
      if (this.earlyBytes > this.options.limits.maxPartialBytes) this.fail(`more than ${this.options.limits.maxPartialBytes} bytes before the connection opened`);
      else this.early.push(bytes);
      return;
    }
    const outcome = this.reassembler.push(bytes);
    if (outcome.kind === 'frame') this.options.events.frame(outcome.frame);
    else if (outcome.kind === 'error') this.options.events.error(outcome.message);
  }

  private fail(reason: string): void {
    if (this.linkState === 'closed') return;
    this.close();
    this.options.events.down(reason);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
