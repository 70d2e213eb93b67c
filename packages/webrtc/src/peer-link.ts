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
 *
 * Closing is a handshake, because of a crash in Node's WebRTC stack: @roamhq/wrtc clears a data
 * channel's native handle on its signaling thread when the channel closes, while the JS thread may be
 * inside `send` on it (between its state check and its write), and then dies of SIGSEGV
 * (`RTCDataChannel::Send` through a null pointer). A peer connection closed outright (`pc.close()`,
 * an SCTP ABORT) closes the other side's channels at any instant of its sends: under traffic the
 * process at the other end crashed about once in ten such closes. So a link that closes by its own
 * decision sends BYE on the control channel and stops; the other side stops sending, touches its
 * channels no more, and answers BYE; then the first closes both channels, and closes the peer
 * connection once they report `close`. Each step waits at most `CLOSE_GRACE_MS`. A link ended from the
 * other side or by the stack touches its channels no more. See bench/src/repro/webrtc-close-crash.ts.
 */
import SimplePeer from '#simple-peer';
import type { Lane } from '@synchrony/core';
import { ChannelSender, type ChannelLike } from './channel-sender.js';
import { dtlsBinding } from './dtls-binding.js';
import type { WebRtcLimits } from './config.js';
import { MAX_MESSAGE_ID, Reassembler } from './framing.js';
import { LEGACY_SAFE_MESSAGE_BYTES, RECEIVED_FRAGMENT_BYTES, remoteMaxMessageBytes } from './max-message-size.js';
import type { WrtcLike } from './wrtc.js';

/** The SCTP stream id of the control channel; simple-peer's own channel takes 0 or 1. */
export const CONTROL_CHANNEL_ID = 2;

/** How long a closing link waits for each step (BYE answered, channels closed) before it goes on anyway. */
export const CLOSE_GRACE_MS = 1000;

/**
 * The message a closing link sends on the control channel: one byte, never a fragment (a fragment
 * has a 13-byte header, framing.ts), so an older peer drops it as malformed.
 */
const BYE = new Uint8Array([0xb7]);

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
  _channel?: (ChannelLike & { addEventListener(type: 'close', listener: () => void): void; close(): void }) | null;
  destroyed?: boolean;
  destroying?: boolean;
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
  /** Whether each channel reported `close`: after that wrtc has let go of it, and it is safe to touch. */
  private controlClosed = false;
  private dataChannel: { close(): void } | undefined;
  private dataClosed = false;
  /** Set while a closing link waits for its channels to close. */
  private onChannelClosed: (() => void) | undefined;
  /** Set while a closing link waits for the other side's answer to its BYE. */
  private onBye: (() => void) | undefined;
  private releaseDone: (() => void) | undefined;
  /** Resolves once the peer connection is closed (at most `CLOSE_GRACE_MS` after `close()`). */
  readonly released: Promise<void> = new Promise((resolve) => {
    this.releaseDone = resolve;
  });

  constructor(private readonly options: PeerLinkOptions) {
    const { limits, events } = options;
    const fail = (error: Error): void => this.fail(`write refused: ${error.message}`, false);
    this.senders = { data: new ChannelSender(limits, fail), control: new ChannelSender(limits, fail) };
    // Fragments as large as any browser takes are accepted, so a peer whose chunkBytes differs still gets through.
    const reassembly = { ...limits, chunkBytes: Math.max(limits.chunkBytes, RECEIVED_FRAGMENT_BYTES) };
    this.reassembler = new Reassembler(reassembly, (message) => events.error(message));
    this.connectTimer = setTimeout(
      () => this.fail(`not connected after ${limits.connectTimeoutMs} ms`, true),
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
      this.fail(`cannot create a peer connection: ${describe(error)}`, true);
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
      if (error.code === 'ERR_PC_CONSTRUCTOR') this.fail(`cannot create a peer connection: ${describe(error)}`, false);
      else this.fail(`connection error: ${describe(error)}`, false);
    });
    peer.on('close', () => this.fail('connection closed', false));
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

  /**
   * Ends the link without reporting `down`. Idempotent. The peer connection itself closes once both
   * channels have closed (see the file comment), at most `CLOSE_GRACE_MS` later: `released`.
   */
  close(): void {
    this.end(true);
  }

  /**
   * `closeChannels`: this side decides to close, and closes its channels first. Otherwise the link
   * ended because a channel or the connection is closing already (from the other side, or the stack):
   * its channels are not touched again, whatever state they are in.
   */
  private end(closeChannels: boolean): void {
    if (this.linkState === 'closed') return;
    const wasOpen = this.linkState === 'open';
    this.linkState = 'closed';
    clearTimeout(this.connectTimer);
    clearInterval(this.silenceTimer);
    this.senders.data.close();
    this.senders.control.close();
    this.reassembler.clear();
    this.early = [];
    this.earlyBytes = 0;
    this.release(closeChannels && wasOpen);
  }

  private release(closeChannels: boolean): void {
    const peer = this.peer;
    const internals = peer as unknown as DataChannelInternals | undefined;
    if (peer === undefined || internals?.destroyed === true || internals?.destroying === true || this.openChannels().length === 0) {
      this.destroyPeer();
      return;
    }
    const grace = setTimeout(() => this.destroyPeer(), (closeChannels ? 2 : 1) * CLOSE_GRACE_MS);
    this.onChannelClosed = () => {
      if (this.openChannels().length > 0) return;
      clearTimeout(grace);
      this.destroyPeer();
    };
    if (!closeChannels) return;
    // Ask the other side to stop sending; close the channels once it says it has (or after the grace).
    const ack = setTimeout(() => this.closeChannels(), CLOSE_GRACE_MS);
    this.onBye = () => {
      clearTimeout(ack);
      this.closeChannels();
    };
    this.sendBye();
  }

  private openChannels(): Array<{ close(): void }> {
    const open: Array<{ close(): void }> = [];
    if (this.control !== undefined && !this.controlClosed) open.push(this.control);
    if (this.dataChannel !== undefined && !this.dataClosed) open.push(this.dataChannel);
    return open;
  }

  private closeChannels(): void {
    this.onBye = undefined;
    for (const channel of this.openChannels()) {
      try {
        channel.close();
      } catch {
        // already closing
      }
    }
  }

  /** Sends BYE on the control channel, past its queue (dropped by now). */
  private sendBye(): void {
    try {
      (this.control as unknown as ChannelLike | undefined)?.send(BYE);
    } catch {
      // closing already: the grace timers end the link
    }
  }

  /**
   * BYE from the other side. Asked to stop: this side stops touching its channels, answers BYE, and
   * waits for the other side to close them. Answered: this side closes its channels now.
   */
  private receiveBye(): void {
    if (this.onBye !== undefined) {
      this.onBye();
      return;
    }
    if (this.linkState !== 'open') return;
    this.senders.data.close();
    this.senders.control.close();
    this.sendBye();
    this.fail('closed by the other side', false);
  }

  /** Closes the peer connection (simple-peer closes its channel, then the connection); once. */
  private destroyPeer(): void {
    this.onChannelClosed = undefined;
    this.onBye = undefined;
    this.peer?.destroy();
    this.releaseDone?.();
    this.releaseDone = undefined;
  }

  private openControlChannel(peer: SimplePeer.Instance): void {
    const pc = (peer as unknown as DataChannelInternals)._pc;
    if (pc === undefined) return; // the constructor failed; simple-peer emits 'error' and 'close'
    let control: RTCDataChannel;
    try {
      control = pc.createDataChannel('synchrony-control', { negotiated: true, id: CONTROL_CHANNEL_ID, ordered: true });
    } catch (error) {
      this.fail(`cannot create the control channel: ${describe(error)}`, true);
      return;
    }
    this.control = control;
    control.binaryType = 'arraybuffer';
    control.addEventListener('open', () => this.onControlOpen());
    control.addEventListener('message', (event: MessageEvent) => {
      const data: unknown = event.data;
      if (data instanceof ArrayBuffer && data.byteLength === BYE.byteLength && new Uint8Array(data)[0] === BYE[0]) this.receiveBye();
      else if (data instanceof ArrayBuffer) this.onChunk(new Uint8Array(data));
      else this.options.events.error('control channel: a message that is not binary');
    });
    control.addEventListener('close', () => {
      this.controlClosed = true;
      this.fail('control channel closed', false);
      this.onChannelClosed?.();
    });
    if (control.readyState === 'open') this.onControlOpen();
  }

  private onControlOpen(): void {
    if (this.controlReady || this.linkState === 'closed' || this.control === undefined) return;
    this.controlReady = true;
    this.senders.control.attach(this.control as unknown as ChannelLike, this.remoteMaxMessageBytes());
    this.maybeOpen();
  }

  private onDataOpen(): void {
    const channel = (this.peer as unknown as DataChannelInternals | undefined)?._channel;
    if (this.dataReady || this.linkState === 'closed' || channel == null) return;
    this.dataReady = true;
    this.dataChannel = channel;
    channel.addEventListener('close', () => {
      this.dataClosed = true;
      this.fail('data channel closed', false);
      this.onChannelClosed?.();
    });
    this.senders.data.attach(channel, this.remoteMaxMessageBytes());
    this.maybeOpen();
  }

  /**
   * The connection's binding for proofs of group secrets (dtls-binding.ts): its two DTLS
   * fingerprints; undefined until it is open.
   */
  binding: string | undefined;

  /** The largest message the other side takes, from its session description (max-message-size.ts). */
  private remoteMaxMessageBytes(): number {
    const pc = (this.peer as unknown as DataChannelInternals | undefined)?._pc;
    return remoteMaxMessageBytes(pc?.remoteDescription?.sdp, LEGACY_SAFE_MESSAGE_BYTES);
  }

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
      if (Date.now() - this.lastChunkMs > silentCloseMs) this.fail(`nothing received for ${silentCloseMs} ms`, true);
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
      if (this.earlyBytes > this.options.limits.maxPartialBytes) this.fail(`more than ${this.options.limits.maxPartialBytes} bytes before the connection opened`, true);
      else this.early.push(bytes);
      return;
    }
    const outcome = this.reassembler.push(bytes);
    if (outcome.kind === 'frame') this.options.events.frame(outcome.frame);
    else if (outcome.kind === 'error') this.options.events.error(outcome.message);
  }

  /** Ends the link and reports it `down`; `closeChannels` as in `end`. */
  private fail(reason: string, closeChannels: boolean): void {
    if (this.linkState === 'closed') return;
    this.end(closeChannels);
    this.options.events.down(reason);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
