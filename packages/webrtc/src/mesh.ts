/**
 * The full mesh: at most one `PeerLink` per other process, made on demand when a frame is sent to it
 * or when it offers one, and carrying every group the two processes share.
 *
 * Glare: the process with the smaller id (string order) always initiates. When the larger one needs
 * a connection it asks, with a `connect` signal, and waits for the offer. Attempts are numbered by
 * the initiator (`session`, increasing for the life of the process), so both sides can tell a signal
 * of the current attempt from a late one of an attempt they already gave up, and a responder follows
 * the initiator to its newest attempt. See link-signal.ts for the envelope.
 *
 * A link that ends by itself (ICE failure, closed channel, connect timeout, queue overflow) is
 * removed and reported once through `onPeerDown`; the next frame for that peer makes a new one.
 */
import type { Lane } from '@synchrony/core';
import type { WebRtcLimits } from './config.js';
import { ProtocolError, SendError } from './errors.js';
import { encodeLinkSignal, parseLinkSignal, type LinkSignal } from './link-signal.js';
import { PeerLink } from './peer-link.js';
import { ReportLimit } from './report-limit.js';
import type { WrtcLike } from './wrtc.js';

/** What the mesh needs from its owner. */
export interface MeshOptions {
  readonly localId: string;
  readonly wrtc: WrtcLike | undefined;
  readonly iceServers: readonly RTCIceServer[];
  readonly limits: WebRtcLimits;
  /** Relays data to another process through the signaling server. */
  sendSignal(to: string, data: unknown): void;
  onFrame(from: string, frame: Uint8Array): void;
  onPeerDown(peer: string): void;
  /** A connection with `peer` is open (its binding is known). */
  onConnected?(peer: string): void;
  onError(error: Error): void;
}

/** The newest attempt seen from each initiator is kept for `maxPeers` times this many processes. */
const SESSION_MEMORY_FACTOR = 4;

/** One process's connections to all others. */
export class Mesh {
  private readonly links = new Map<string, PeerLink>();
  /** Newest attempt number seen from each process that initiates to us; oldest entries first. */
  private readonly seenSessions = new Map<string, number>();
  private nextSession = 1;
  private closed = false;
  /** A peer's bad input is reported once per kind, then at most every 10 s (report-limit.ts). */
  private readonly reports = new ReportLimit();

  constructor(private readonly options: MeshOptions) {}

  /** The binding of the open connection with `peer` (its DTLS fingerprints), undefined otherwise. */
  binding(peer: string): string | undefined {
    const link = this.links.get(peer);
    return link?.state === 'open' ? link.binding : undefined;
  }

  /** The state of the link to `peer`, if there is one (for diagnostics and tests). */
  linkState(peer: string): PeerLink['state'] | undefined {
    return this.links.get(peer)?.state;
  }

  /** Queues a frame to `to`, connecting first if needed. Best effort; never throws. */
  send(to: string, frame: Uint8Array, lane: Lane): void {
    if (this.closed || to === this.options.localId) return;
    const { limits } = this.options;
    if (frame.byteLength > limits.maxFrameBytes) {
      this.options.onError(new SendError(`frame of ${frame.byteLength} bytes to ${to} exceeds the limit of ${limits.maxFrameBytes}; dropped`, to));
      return;
    }
    const link = this.links.get(to) ?? this.connect(to);
    if (link === undefined) return;
    if (!link.send(frame, lane)) {
      this.options.onError(new SendError(`more than ${limits.maxQueuedBytes} bytes queued for ${to}: dropping the connection`, to));
      this.drop(link, true);
    }
  }

  /** Takes a link signal relayed from `from`. Never throws. */
  handleSignal(from: string, data: unknown): void {
    if (this.closed || from === this.options.localId) return;
    const signal = parseLinkSignal(data);
    if (typeof signal === 'string') {
      this.reject(from, `signal from ${from}: ${signal}`);
      return;
    }
    if (this.isInitiatorFor(from)) this.handleAsInitiator(from, signal);
    else this.handleAsResponder(from, signal);
  }

  /**
   * The signaling server could not relay to `peer`: a connection still being set up with it cannot
   * succeed, so it is given up (and reported down) now rather than at the connect timeout.
   */
  unreachable(peer: string): void {
    const link = this.links.get(peer);
    if (link !== undefined && link.state !== 'open') this.drop(link, true);
  }

  /**
   * Closes every link; a graceful close first lets queued frames leave, for at most `closeDrainMs`.
   * Resolves once every peer connection is closed (a link closes its channels first: peer-link.ts).
   */
  async close(abrupt: boolean): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const links = [...this.links.values()];
    if (!abrupt && links.length > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.options.limits.closeDrainMs);
      });
      await Promise.race([Promise.all(links.map((link) => link.drain())), timeout]);
      clearTimeout(timer);
    }
    for (const link of links) link.close();
    this.links.clear();
    await Promise.all(links.map((link) => link.released));
  }

  private isInitiatorFor(peer: string): boolean {
    return this.options.localId < peer;
  }

  private connect(to: string): PeerLink | undefined {
    if (this.links.size >= this.options.limits.maxPeers) {
      this.options.onError(new SendError(`already connected to ${this.links.size} peers, the limit; frame to ${to} dropped`, to));
      return undefined;
    }
    const link = this.createLink(to);
    if (this.isInitiatorFor(to)) link.start(true, this.nextSession++);
    else this.relay(to, { kind: 'connect', known: this.seenSessions.get(to) ?? 0 });
    return link;
  }

  private createLink(remote: string): PeerLink {
    const { wrtc, iceServers, limits } = this.options;
    const link: PeerLink = new PeerLink({
      remoteId: remote,
      wrtc,
      iceServers,
      limits,
      events: {
        signal: (data) => {
          if (link.session !== undefined) this.relay(remote, { kind: 'rtc', session: link.session, data });
        },
        frame: (frame) => {
          if (this.links.get(remote) === link) this.options.onFrame(remote, frame);
        },
        open: () => {
          if (this.links.get(remote) === link) this.options.onConnected?.(remote);
        },
        down: (reason) => {
          if (this.links.get(remote) !== link) return;
          this.links.delete(remote);
          // A connection the platform will not create (the browser's budget of peer connections is
          // spent, say) is an error the application must see, not a silent stall.
          if (reason.startsWith('cannot create')) {
            this.options.onError(new SendError(`cannot connect to ${remote}: ${reason} (${this.links.size} connections open)`, remote));
          }
          this.options.onPeerDown(remote);
        },
        error: (message) => this.reject(remote, `from ${remote}: ${message}`),
      },
    });
    this.links.set(remote, link);
    return link;
  }

  /** The smaller id's side: answers a `connect` request, and takes signals of its current attempt. */
  private handleAsInitiator(from: string, signal: LinkSignal): void {
    const current = this.links.get(from);
    if (signal.kind === 'rtc') {
      if (current !== undefined && current.session === signal.session) current.signal(signal.data);
      return; // else: an attempt already given up
    }
    // The other side holds no connection. Unless an attempt newer than it knows is under way, start one.
    if (current !== undefined && (current.session ?? 0) > signal.known) return;
    if (current !== undefined) this.drop(current, current.state === 'open');
    if (this.links.size >= this.options.limits.maxPeers) {
      this.options.onError(new SendError(`already connected to ${this.links.size} peers, the limit; ${from} refused`, from));
      return;
    }
    this.createLink(from).start(true, this.nextSession++);
  }

  /** The larger id's side: follows the initiator to its newest attempt, ignores older ones. */
  private handleAsResponder(from: string, signal: LinkSignal): void {
    if (signal.kind === 'connect') {
      this.reject(from, `signal from ${from}: connect request to the process that does not initiate`);
      return;
    }
    const current = this.links.get(from);
    if (current !== undefined && current.session === signal.session) {
      current.signal(signal.data);
      return;
    }
    if (signal.session <= (this.seenSessions.get(from) ?? 0)) return; // a late signal of an old attempt
    this.rememberSession(from, signal.session);
    let link = current;
    if (link === undefined || link.state !== 'awaiting') {
      if (link !== undefined) this.drop(link, link.state === 'open');
      if (this.links.size >= this.options.limits.maxPeers) {
        this.options.onError(new SendError(`already connected to ${this.links.size} peers, the limit; ${from} refused`, from));
        return;
      }
      link = this.createLink(from);
    }
    link.start(false, signal.session);
    link.signal(signal.data);
  }

  private rememberSession(peer: string, session: number): void {
    this.seenSessions.delete(peer); // re-inserted last: the map stays ordered oldest first
    this.seenSessions.set(peer, session);
    const limit = this.options.limits.maxPeers * SESSION_MEMORY_FACTOR;
    for (const oldest of this.seenSessions.keys()) {
      if (this.seenSessions.size <= limit) break;
      this.seenSessions.delete(oldest);
    }
  }

  /** Reports a peer's bad input, which was dropped: rate-limited per peer and kind. */
  private reject(peer: string, message: string): void {
    const more = this.reports.admit(peer, message.slice(message.indexOf(': ') + 2));
    if (more !== undefined) this.options.onError(new ProtocolError(`${message}${more}`, peer));
  }

  private drop(link: PeerLink, reportDown: boolean): void {
    if (this.links.get(link.remoteId) === link) this.links.delete(link.remoteId);
    link.close();
    if (reportDown) this.options.onPeerDown(link.remoteId);
  }

  private relay(to: string, signal: LinkSignal): void {
    this.options.sendSignal(to, encodeLinkSignal(signal));
  }
}
