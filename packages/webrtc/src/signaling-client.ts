/**
 * The client of the signaling server (protocol: @synchrony/signaling-server/protocol).
 *
 * It says `hello` under this incarnation's process id (and a random key that lets it take that id
 * back from a socket the server still thinks alive), keeps the set of groups this process announced
 * and the latest `peers` list of each, and relays WebRTC signaling data. When the socket drops it
 * reconnects, to the next of its URLs (servers of one cluster), with exponential backoff (with
 * jitter) once every URL failed in a row, and announces its groups again; the peer lists are kept
 * meanwhile (the WebRTC connections do not depend on the server) and refreshed by the server's
 * answers to the new `join`s. A silent socket is detected by `ping`.
 *
 * The first connection tries each URL once; it rejects with a `SignalingError` that says why each
 * failed (refused, not a signaling server, no answer), never hangs past `attemptTimeoutMs` per URL.
 * Malformed server frames and server errors are reported through `events.error`; nothing here throws.
 */
import {
  encodeMessage,
  NON_FATAL_ERROR_CODES,
  parseServerMessage,
  PROTOCOL_VERSION,
  type ClientMessage,
  type ErrorCode,
  type ErrorMessage,
  type HelloMessage,
} from '@synchrony/signaling-server/protocol';
import { DEFAULT_SIGNALING_TIMINGS, type SignalingTimings } from './config.js';
import { SignalingError } from './errors.js';
import { PacedOutbox } from './paced-outbox.js';
import { randomProcessId } from './process-id.js';
import { describeClose, describeTimeout, errorEventMessage, type AttemptTrace } from './signaling-diagnosis.js';
import { WEBSOCKET_OPEN, type WebSocketConstructor, type WebSocketLike } from './websocket.js';

/** How to reach the server. */
export interface SignalingClientOptions {
  /** The servers, e.g. ['ws://127.0.0.1:8787'], tried in order; several are servers of one cluster. */
  readonly urls: readonly string[];
  /** This incarnation's process id (printable ASCII, at most 128 characters). */
  readonly id: string;
  readonly token?: string;
  readonly WebSocket: WebSocketConstructor;
  readonly timings?: Partial<SignalingTimings>;
}

/** What the client reports. */
export interface SignalingEvents {
  /** The list of other processes in `group` changed. */
  peers(group: string, peers: readonly string[]): void;
  /** Signaling data relayed from another process. */
  signal(from: string, data: unknown): void;
  /** The server could not relay to `peer` (it shares no group with us, or just left). */
  unreachable(peer: string): void;
  /**
   * The server refused the `join` of `group` (group-forbidden, too-many-groups): the group is
   * forgotten, as if left; `error` says which group and why. Also reported through `error`.
   */
  refused?(group: string, error: SignalingError): void;
  /** A malformed server frame, a refusal, a lost connection. */
  error(error: SignalingError): void;
}

/** Refusals after which reconnecting cannot help. */
const PERMANENT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['bad-version', 'token-required', 'token-invalid', 'token-expired']);
/** Refusals of a `join`: the group is dropped, or every reconnection would be refused again. */
const JOIN_REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['group-forbidden', 'too-many-groups']);
/** What a signaling server may send before its welcome. */
const BEFORE_WELCOME: ReadonlySet<string> = new Set(['welcome', 'error', 'pong']);
/** Frames waiting for the connection or for the rate limit, at most; beyond it the oldest signal is dropped. */
const OUTBOX_MAX = 4096;

/** A connection to the signaling server that survives drops; see the file comment. */
export class SignalingClient {
  private readonly timings: SignalingTimings;
  private readonly joined = new Set<string>();
  private unanswered = new Set<string>(); // joined since the last welcome, no `peers` yet
  private readonly lists = new Map<string, readonly string[]>();
  /** Frames waiting to go out, paced; only signals survive a reconnection. */
  private readonly outbox: PacedOutbox<ClientMessage>;
  private socket: WebSocketLike | undefined;
  private welcomed = false;
  private closed = false;
  private permanent: SignalingError | undefined;
  private failures = 0;
  private lastHeardMs = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pinger: ReturnType<typeof setInterval> | undefined;
  private firstWelcome: { resolve(): void; reject(error: Error): void } | undefined;
  /** Why each URL failed during the first connection, for the rejection. */
  private readonly firstFailures: string[] = [];
  /** The last refusal during the first connection: its code goes into the rejection. */
  private firstRefusal: SignalingError | undefined;
  /** The URL in use or being tried. */
  private urlIndex = 0;
  /** What the current attempt has seen, for a precise diagnosis when it fails. */
  private trace: AttemptTrace = { opened: false, errorMessage: undefined };
  /** Shown to no one but the server: lets this incarnation take its id back (see the protocol's hello). */
  private readonly key = randomProcessId();

  private constructor(
    private readonly options: SignalingClientOptions,
    private readonly events: SignalingEvents,
  ) {
    this.timings = { ...DEFAULT_SIGNALING_TIMINGS, ...options.timings };
    // When full, the oldest signal goes. Joins and leaves must not be lost: with no signal queued
    // nothing goes (a page that joins 5000 groups at once queues 5000 joins, one per group, sent at
    // the paced rate); the oldest ping goes too, another is sent in time.
    this.outbox = new PacedOutbox(this.timings.messagesPerSecond, OUTBOX_MAX, (items) =>
      items.findIndex((message) => message.type === 'signal' || message.type === 'ping'),
    );
  }

  /** Connects; resolves once welcomed, rejects if the first attempt fails (later drops reconnect). */
  static async connect(options: SignalingClientOptions, events: SignalingEvents): Promise<SignalingClient> {
    const client = new SignalingClient(options, events);
    await new Promise<void>((resolve, reject) => {
      client.firstWelcome = { resolve, reject };
      client.open();
    });
    return client;
  }

  /** This process's id. */
  get id(): string {
    return this.options.id;
  }

  /** The URL of the server in use (or being tried). */
  get url(): string {
    return this.options.urls[this.urlIndex] ?? '';
  }

  /** True while a socket is open and welcomed. */
  get connected(): boolean {
    return this.welcomed;
  }

  /** The groups announced and not withdrawn. */
  groups(): readonly string[] {
    return [...this.joined];
  }

  /** Whether the server has answered the join of `group` since it was joined (or since the last reconnection). */
  answered(group: string): boolean {
    return this.joined.has(group) && !this.unanswered.has(group);
  }

  /** The latest list of the other processes in `group`; empty for a group not joined. */
  peers(group: string): readonly string[] {
    return this.lists.get(group) ?? [];
  }

  /** Announces `group` (again after every reconnection). */
  join(group: string): void {
    if (this.closed || this.joined.has(group)) return;
    this.joined.add(group);
    this.unanswered.add(group);
    if (this.welcomed) this.outbox.push({ type: 'join', group });
  }

  /** Withdraws `group`; its peer list empties, and `peers` is reported if it was not empty. */
  leave(group: string): void {
    if (!this.joined.delete(group)) return;
    this.unanswered.delete(group);
    // A join still waiting in the outbox is withdrawn instead: the server never heard of the group.
    const withdrawn = this.outbox.removeFirst((message) => message.type === 'join' && message.group === group);
    if (this.welcomed && !withdrawn) this.outbox.push({ type: 'leave', group });
    this.setList(group, [], false);
    this.lists.delete(group);
  }

  /** Relays `data` to `to`; queued (bounded) while disconnected or over the rate. */
  signal(to: string, data: unknown): void {
    if (!this.closed) this.outbox.push({ type: 'signal', to, data });
  }

  /** Closes for good: with `abrupt`, drops the socket without a closing handshake. */
  close(options: { abrupt?: boolean } = {}): void {
    if (this.closed) return;
    this.closed = true;
    this.stopTimers();
    this.outbox.clear();
    const socket = this.socket;
    this.socket = undefined;
    this.welcomed = false;
    this.firstWelcome?.reject(new SignalingError('closed before the server answered'));
    this.firstWelcome = undefined;
    if (socket === undefined) return;
    detach(socket);
    try {
      if (options.abrupt === true && typeof socket.terminate === 'function') socket.terminate();
      else socket.close(1000, 'closing');
    } catch {
      // already closed
    }
  }

  private open(): void {
    if (this.closed) return;
    const url = this.url;
    const trace: AttemptTrace = { opened: false, errorMessage: undefined };
    this.trace = trace;
    let socket: WebSocketLike;
    try {
      socket = new this.options.WebSocket(url);
    } catch (error) {
      this.onSocketGone(`cannot open ${url}: ${describe(error)}`);
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      trace.opened = true;
      this.lastHeardMs = Date.now();
      const hello: HelloMessage = { type: 'hello', version: PROTOCOL_VERSION, id: this.options.id, key: this.key };
      if (this.options.token !== undefined) hello.token = this.options.token;
      this.write(socket, hello);
    };
    socket.onmessage = (event) => {
      if (this.socket === socket) this.onMessage(event.data);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      const reason = this.welcomed ? `connection closed (${event.code ?? '?'} ${event.reason ?? ''})`.trim() : describeClose(url, trace, event.code, event.reason);
      this.onSocketGone(reason);
    };
    socket.onerror = (event) => {
      // 'close' follows and carries the news; the error only says more about it (in Node).
      trace.errorMessage ??= errorEventMessage(event);
    };
    this.timer = setTimeout(() => {
      if (this.socket === socket && !this.welcomed) this.dropSocket(describeTimeout(url, trace, this.timings.attemptTimeoutMs));
    }, this.timings.attemptTimeoutMs);
  }

  private onMessage(data: unknown): void {
    this.lastHeardMs = Date.now();
    const message = typeof data === 'string' ? parseServerMessage(data) : undefined;
    if (!this.welcomed && (message === undefined || message instanceof Error || !BEFORE_WELCOME.has(message.type))) {
      // A Synchrony server's first words are a welcome (or a refusal): anything else is another kind of server.
      const seen = message === undefined ? 'a binary frame' : message instanceof Error ? `a frame it cannot parse (${message.message})` : `"${message.type}" before any welcome`;
      this.dropSocket(`${this.url} sent ${seen}: it is not a Synchrony signaling server`);
      return;
    }
    if (message === undefined) {
      this.report('the signaling server sent a binary frame; dropped');
      return;
    }
    if (message instanceof Error) {
      this.report(`malformed frame from the signaling server (${message.message}); dropped`, message.code);
      return;
    }
    switch (message.type) {
      case 'welcome':
        this.onWelcome(message.id);
        return;
      case 'peers':
        if (!this.joined.has(message.group)) return; // a late answer to a group we left
        this.setList(message.group, message.peers.filter((peer) => peer !== this.options.id), this.unanswered.delete(message.group));
        return;
      case 'signal':
        if (this.welcomed) this.events.signal(message.from, message.data);
        return;
      case 'error':
        this.onServerError(message);
        return;
      case 'pong':
        return;
    }
  }

  private onWelcome(id: string): void {
    if (this.welcomed) return;
    if (id !== this.options.id) {
      this.dropSocket(`the server welcomed ${id}, not ${this.options.id}`);
      return;
    }
    this.welcomed = true;
    this.failures = 0;
    clearTimeout(this.timer);
    this.startPinging();
    // Joins first: the server relays signals only between processes that share a group.
    this.unanswered = new Set(this.joined);
    this.outbox.unshift(...[...this.joined].map((group): ClientMessage => ({ type: 'join', group })));
    const socket = this.socket;
    if (socket !== undefined) this.outbox.attach((message) => this.write(socket, message), 1); // the hello took one
    this.firstWelcome?.resolve();
    this.firstWelcome = undefined;
  }

  private onServerError(message: ErrorMessage): void {
    if (message.code === 'peer-unreachable' && message.peer !== undefined) {
      this.events.unreachable(message.peer);
      return;
    }
    const error = new SignalingError(`signaling server: ${message.code}: ${message.message}`, message.code);
    if (JOIN_REFUSALS.has(message.code)) {
      // Forget the groups the server refused, so that reconnecting does not ask again. A server
      // that does not name the group refused one of those it has not answered yet.
      const refused = message.group !== undefined ? [message.group] : [...this.unanswered];
      for (const group of refused) {
        if (!this.joined.has(group)) continue;
        this.leave(group);
        this.events.refused?.(group, new SignalingError(`the signaling server refused the group ${group}: ${message.code}: ${message.message}`, message.code));
      }
    }
    if (PERMANENT_CODES.has(message.code)) this.permanent = error;
    if (!NON_FATAL_ERROR_CODES.has(message.code) && this.firstWelcome !== undefined) {
      // Refused before the welcome: another server of the list may accept (unless no server can).
      this.firstRefusal = error;
      this.dropSocket(`${this.url} refused: ${message.code}: ${message.message}`);
      return;
    }
    this.events.error(error);
  }

  /** Stores a group's list; tells the owner when it changed, or when it is the first answer (even "nobody"). */
  private setList(group: string, peers: readonly string[], firstAnswer: boolean): void {
    const previous = this.lists.get(group) ?? [];
    this.lists.set(group, peers);
    const changed = previous.length !== peers.length || previous.some((peer, i) => peer !== peers[i]);
    if (changed || firstAnswer) this.events.peers(group, peers);
  }

  private startPinging(): void {
    clearInterval(this.pinger);
    this.pinger = setInterval(() => {
      const socket = this.socket;
      if (socket === undefined) return;
      if (Date.now() - this.lastHeardMs > 2 * this.timings.pingIntervalMs) {
        this.dropSocket('the signaling server stopped answering');
        return;
      }
      this.outbox.push({ type: 'ping' });
    }, this.timings.pingIntervalMs);
  }

  /** Gives up the current socket (it is treated as gone) and schedules a reconnection. */
  private dropSocket(reason: string): void {
    const socket = this.socket;
    if (socket === undefined) return;
    detach(socket);
    try {
      if (typeof socket.terminate === 'function') socket.terminate();
      else socket.close(4000, 'abandoned');
    } catch {
      // already closed
    }
    this.onSocketGone(reason);
  }

  private onSocketGone(reason: string): void {
    const wasWelcomed = this.welcomed;
    this.socket = undefined;
    this.welcomed = false;
    this.stopTimers();
    this.outbox.retain((message) => message.type === 'signal'); // joins are sent again on welcome
    if (this.closed) return;
    const urls = this.options.urls;
    if (this.firstWelcome !== undefined) {
      this.firstFailures.push(reason);
      if (this.permanent === undefined && this.firstFailures.length < urls.length) {
        this.urlIndex = (this.urlIndex + 1) % urls.length; // the next server, at once
        this.open();
        return;
      }
      // Each reason names its URL already.
      const why = urls.length === 1 ? reason : `cannot reach any of ${urls.length} signaling servers: ${this.firstFailures.join('; ')}`;
      this.firstWelcome.reject(this.permanent ?? new SignalingError(why, this.firstRefusal?.code));
      this.firstWelcome = undefined;
      this.close();
      return;
    }
    if (this.permanent !== undefined) return; // reported already; reconnecting cannot help
    if (wasWelcomed) this.events.error(new SignalingError(`lost the signaling server ${this.url}: ${reason}; reconnecting${urls.length > 1 ? ' to the next one' : ''}`));
    this.urlIndex = (this.urlIndex + 1) % urls.length;
    // Each server once at the base delay, then back off: a dead server is skipped quickly, a dead cluster is not hammered.
    const round = Math.floor(this.failures / urls.length);
    const delayMs = Math.min(this.timings.reconnectDelayMaxMs, this.timings.reconnectDelayMs * 2 ** round);
    this.failures = Math.min(this.failures + 1, 30 * urls.length);
    this.timer = setTimeout(() => this.open(), delayMs * (0.5 + Math.random() / 2));
  }

  private write(socket: WebSocketLike, message: ClientMessage): void {
    if (socket.readyState !== WEBSOCKET_OPEN) return;
    try {
      socket.send(encodeMessage(message));
    } catch (error) {
      this.report(`cannot write to the signaling server: ${describe(error)}`);
    }
  }

  private report(message: string, code?: string): void {
    this.events.error(new SignalingError(message, code));
  }

  private stopTimers(): void {
    clearTimeout(this.timer);
    clearInterval(this.pinger);
    this.outbox.detach();
    this.timer = undefined;
    this.pinger = undefined;
  }
}

function detach(socket: WebSocketLike): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onclose = null;
  // Not null: in Node, `ws` emits 'error' when a socket still connecting is terminated, and an
  // EventEmitter 'error' with no listener crashes the process.
  socket.onerror = ignore;
}

function ignore(): void {}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
