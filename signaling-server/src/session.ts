/**
 * One client socket: the protocol state machine of the server side.
 *
 * A session starts unwelcomed, becomes a registry {@link Member} on a valid `hello`, and is
 * removed from the registry when its socket closes. Every protocol breach ends in one
 * `error` frame and a close; the session then ignores whatever the socket still delivers.
 */

import type { GroupRegistry, Member } from './group-registry.js';
import type { SignalingLimits } from './limits.js';
import {
  NON_FATAL_ERROR_CODES,
  POLICY_CLOSE_CODE,
  PROTOCOL_VERSION,
  encodeMessage,
  parseClientMessage,
  ProtocolError,
  type ClientMessage,
  type ErrorCode,
  type ErrorMessage,
  type HelloMessage,
  type ServerMessage,
} from './protocol.js';
import { TokenBucket } from './token-bucket.js';
import { tokenAllowsGroup, verifyToken, type TokenClaims } from './token.js';

/** The part of a `ws` WebSocket a session uses; narrow so the session is easy to reason about. */
export interface Connection {
  readonly bufferedAmount: number;
  send(text: string): void;
  close(code: number, reason: string): void;
  terminate(): void;
}

/** What a session shares with the rest of the server. */
export interface SessionContext {
  readonly registry: GroupRegistry;
  /**
   * In a cluster: claims the id on every server (false when a live peer elsewhere holds it
   * under another key). Absent for a standalone server, where the registry alone decides.
   */
  readonly claimId?: (id: string, key: string | undefined) => Promise<boolean>;
  /** Reports a server bug (an async handler that threw). */
  readonly reportBug: (error: unknown) => void;
  readonly limits: SignalingLimits;
  /** When set, `hello` must carry a token signed with it. */
  readonly secret: string | undefined;
  /** A monotonic clock in ms. */
  now(): number;
}

/** The server side of one client socket. */
/**
 * The rate limit's bucket holds this many seconds' worth of frames. An honest client paces itself
 * (packages/webrtc: 100 a second, half the default limit), but a server whose event loop stalled
 * for a few seconds reads what the client wrote meanwhile at once: with one second's worth, 20
 * members joining at once on a loaded machine had their sockets closed as floods.
 */
export const BURST_SECONDS = 5;

export class Session implements Member {
  readonly groups = new Set<string>();
  /** Set by the heartbeat, cleared by each pong. */
  awaitingPong = false;
  private peerId: string | undefined;
  private incarnationKey: string | undefined;
  /** A `hello` accepted here and being claimed in the cluster: the id is held, not yet welcomed. */
  private claiming = false;
  private claims: TokenClaims | undefined;
  private closed = false;
  /** At most `messagesPerSecondPerSocket` a second, sustained (see BURST_SECONDS). */
  private readonly bucket: TokenBucket;

  constructor(
    private readonly connection: Connection,
    private readonly context: SessionContext,
  ) {
    const rate = context.limits.messagesPerSecondPerSocket;
    this.bucket = new TokenBucket(rate, rate * BURST_SECONDS, context.now());
  }

  /** The peer id; only meaningful once welcomed (the registry never sees an unwelcomed session). */
  get id(): string {
    return this.peerId ?? '';
  }

  /** The `key` of the accepted `hello`, if any. */
  get key(): string | undefined {
    return this.incarnationKey;
  }

  /** True once `hello` was accepted (and, in a cluster, the id claimed everywhere). */
  get welcomed(): boolean {
    return this.peerId !== undefined && !this.claiming;
  }

  /** Holds an id in the registry: welcomed, or claiming it in the cluster. */
  private get registered(): boolean {
    return this.peerId !== undefined;
  }

  /** Handles one WebSocket frame. Never throws for anything the client can send. */
  receive(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    if (this.closed) return;
    if (!this.bucket.take(this.context.now())) return this.fail('rate-limited', `more than ${this.context.limits.messagesPerSecondPerSocket} frames per second`);
    if (isBinary) return this.fail('bad-frame', 'binary frames are not accepted; send JSON text');
    const message = parseClientMessage(toText(data));
    if (message instanceof ProtocolError) return this.fail(message.code, message.message);
    this.dispatch(message);
  }

  /** Sends `message`, or drops the socket when it is not reading what it is sent. */
  send(message: ServerMessage): void {
    if (this.closed) return;
    if (this.connection.bufferedAmount > this.context.limits.sendBufferBytesPerSocket) {
      // A peer that stops reading would make the server buffer everything relayed to it.
      // No error frame: it would only join the queue it is not reading.
      this.closed = true;
      this.connection.terminate();
      return;
    }
    this.connection.send(encodeMessage(message));
  }

  /** Sends a fatal `error` frame and closes the socket; later frames are ignored. */
  fail(code: ErrorCode, message: string, about: Pick<ErrorMessage, 'group' | 'peer'> = {}): void {
    if (this.closed) return;
    this.sendError(code, message, about);
    if (this.closed) return; // the send found a stalled socket and terminated it
    this.closed = true;
    // The reason is the code: short ASCII, well under the 123-byte limit of a close reason.
    this.connection.close(POLICY_CLOSE_CODE, code);
    // Leave the groups now rather than when the close handshake ends, which a hostile client
    // can stretch out: the others should not keep seeing, or signaling, a peer that is gone.
    if (this.registered) this.context.registry.remove(this);
  }

  /** A newer socket of the same process (same id and key) took the id over. */
  evict(): void {
    this.fail('id-taken', 'a newer connection of this process (same id and key) took the id over');
  }

  /** Closes the socket with `code` and no error frame (server shutdown). */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.close(code, reason);
  }

  /** The socket is gone: leave every group, free the id. Idempotent. */
  dispose(): void {
    this.closed = true;
    if (this.registered) this.context.registry.remove(this);
  }

  private dispatch(message: ClientMessage): void {
    if (message.type === 'ping') return this.send({ type: 'pong' });
    if (message.type === 'hello') return this.hello(message);
    if (!this.welcomed) return this.fail('not-welcomed', `"${message.type}" before "welcome"`);
    switch (message.type) {
      case 'join':
        return this.join(message.group);
      case 'leave':
        return this.context.registry.leave(this, message.group);
      case 'signal':
        return this.relay(message.to, message.data);
    }
  }

  private hello(message: HelloMessage): void {
    if (this.registered) return this.fail('already-welcomed', 'a second "hello" on one socket');
    const { secret } = this.context;
    if (secret !== undefined) {
      if (message.token === undefined) return this.fail('token-required', 'this server requires a token in "hello"');
      const verification = verifyToken(message.token, secret);
      if (!verification.ok) return this.fail(verification.code, verification.reason);
      const { peer } = verification.claims;
      if (peer !== undefined && peer !== message.id) return this.fail('token-invalid', 'the token is bound to another peer id');
      this.claims = verification.claims;
    }
    this.peerId = message.id;
    this.incarnationKey = message.key;
    if (this.context.registry.claimId(this) === 'taken') {
      this.peerId = undefined;
      return this.fail('id-taken', 'another socket uses this peer id');
    }
    const { claimId } = this.context;
    if (claimId === undefined) return this.welcome();
    // Held here already, so no second socket of this server can claim it meanwhile.
    this.claiming = true;
    claimId(message.id, message.key).then(
      (claimed) => {
        if (this.closed) return;
        this.claiming = false;
        if (claimed) this.welcome();
        else this.fail('id-taken', 'a peer on another server of this cluster uses this peer id');
      },
      (error: unknown) => {
        this.context.reportBug(error);
        this.fail('server-error', 'the cluster could not register this peer id');
      },
    );
  }

  private welcome(): void {
    this.send({ type: 'welcome', id: this.id, version: PROTOCOL_VERSION });
  }

  private join(group: string): void {
    if (this.claims !== undefined && !tokenAllowsGroup(this.claims, group)) return this.fail('group-forbidden', 'the token does not name this group', { group });
    const { groupsPerSocket, peersPerGroup } = this.context.limits;
    if (!this.groups.has(group) && this.groups.size >= groupsPerSocket) return this.fail('too-many-groups', `more than ${groupsPerSocket} groups on one socket`, { group });
    if (this.context.registry.join(this, group) === 'full') this.sendError('group-full', `the group has ${peersPerGroup} peers already`, { group });
  }

  private relay(to: string, data: unknown): void {
    if (!this.context.registry.relay(this, to, data)) this.unreachable(to);
  }

  /** Tells this peer that a signal to `peer` could not be delivered (non-fatal). */
  unreachable(peer: string): void {
    this.sendError('peer-unreachable', 'no such peer in a group shared with you', { peer });
  }

  private sendError(code: ErrorCode, message: string, about: Pick<ErrorMessage, 'group' | 'peer'> = {}): void {
    this.send({ type: 'error', code, message, fatal: !NON_FATAL_ERROR_CODES.has(code), ...about });
  }
}

function toText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
