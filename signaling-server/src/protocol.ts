/**
 * The Synchrony signaling wire protocol, shared by the server and the browser client.
 *
 * Browser-safe on purpose: no Node imports here, because `@synchrony/webrtc` imports this
 * module into the page (as `@synchrony/signaling-server/protocol`).
 *
 * Transport: one WebSocket per process; every frame is a UTF-8 text frame holding one JSON
 * object with a string `type`. Binary frames are refused. Fields not listed below are
 * ignored (and dropped by the parsers), so a minor addition does not break older peers;
 * anything incompatible bumps {@link PROTOCOL_VERSION}. Keys named `__proto__`,
 * `constructor` or `prototype` are refused at any depth, and so is nesting deeper than
 * {@link JSON_DEPTH_MAX}, so parsed values are safe to hand to naive object-merging code.
 *
 * Identifiers: a peer id is 1–{@link ID_LENGTH_MAX} printable ASCII characters (0x21–0x7e),
 * chosen by the client at random for each incarnation. A group name is
 * 1–{@link GROUP_LENGTH_MAX} code points, none of them a control, format, surrogate,
 * private-use, line- or paragraph-separator character.
 *
 * Client → server
 * - `{ type: 'hello', version, id, token?, key? }` — the first frame. `version` must equal
 *   {@link PROTOCOL_VERSION}. `id` is the peer id; an id in use by another socket is refused
 *   (`id-taken`), unless both hellos carry the same `key`: a random string (1–{@link ID_LENGTH_MAX}
 *   printable ASCII characters) that the process chose for this incarnation and shows no one
 *   else. Then the newer socket takes the id over and the older one is closed with `id-taken`:
 *   it is the same process reconnecting (after a network change, or to another server of a
 *   cluster) before the server noticed that its old socket was dead. `token`
 *   (≤ {@link TOKEN_LENGTH_MAX} chars) is required when the server has a secret.
 * - `{ type: 'join', group }` — announce interest in a group. Idempotent: joining again
 *   only re-sends the current `peers` list.
 * - `{ type: 'leave', group }` — withdraw; a no-op for a group not joined.
 * - `{ type: 'signal', to, data }` — relay `data` (opaque JSON: an SDP offer/answer or an
 *   ICE candidate) to peer `to`, which must share at least one group with the sender.
 * - `{ type: 'ping' }` — application-level keepalive; answered with `pong`. Allowed before
 *   `hello`.
 *
 * Server → client
 * - `{ type: 'welcome', id, version }` — the answer to a valid `hello`.
 * - `{ type: 'peers', group, peers }` — the full current list of the *other* peers in
 *   `group`, in order of joining; sent on `join` and each time the membership changes.
 * - `{ type: 'signal', from, data }` — `data` relayed from peer `from`.
 * - `{ type: 'error', code, message, fatal, group?, peer? }` — see {@link ERROR_CODES}.
 *   When `fatal` is true the server closes the socket right after, with WebSocket close
 *   code {@link POLICY_CLOSE_CODE} and the error code as the close reason. Non-fatal errors
 *   (`group-full`, `peer-unreachable`) name the `group` or `peer` they refer to.
 * - `{ type: 'pong' }` — the answer to `ping`.
 *
 * An oversized frame is refused by the WebSocket layer from its header, before its payload
 * is read, so it gets no `error` frame: the socket is closed with code
 * {@link FRAME_TOO_LARGE_CLOSE_CODE} (RFC 6455 "message too big").
 */

import { checkJsonShape } from './json-guard.js';

/** The version of this protocol; `hello` and `welcome` carry it, and it must match exactly. */
export const PROTOCOL_VERSION = 1;
/** Longest peer id, in characters. */
export const ID_LENGTH_MAX = 128;
/** Longest group name, in code points. */
export const GROUP_LENGTH_MAX = 128;
/** Longest token, in characters. */
export const TOKEN_LENGTH_MAX = 4096;
/** Longest human-readable `error.message`, in characters. */
export const ERROR_MESSAGE_LENGTH_MAX = 512;
/** Deepest nesting of objects and arrays in a frame, the frame itself counting as 1. */
export const JSON_DEPTH_MAX = 32;
/** Most ids a `peers` frame may carry: a bound for the client's parser. */
export const PEERS_COUNT_MAX = 4096;
/** The close code of a socket closed after a fatal `error` frame (RFC 6455 policy violation). */
export const POLICY_CLOSE_CODE = 1008;
/** The close code of a socket that sent a frame larger than the server's limit. */
export const FRAME_TOO_LARGE_CLOSE_CODE = 1009;
/** The close code used when the server shuts down. */
export const GOING_AWAY_CLOSE_CODE = 1001;

/**
 * Every error code, stable across releases. All are fatal (the socket is closed after the
 * frame) except those in {@link NON_FATAL_ERROR_CODES}.
 */
export const ERROR_CODES = [
  'bad-frame', // a binary frame: the protocol is JSON text only
  'bad-json', // not JSON, or not a JSON object
  'bad-message', // wrong shape: unknown type, missing or mistyped field, bad id/group, forbidden key, too deep
  'bad-version', // hello.version (or welcome.version) is not PROTOCOL_VERSION
  'not-welcomed', // join, leave or signal before a successful hello
  'already-welcomed', // a second hello on the same socket
  'hello-timeout', // no hello within the server's helloTimeoutMs
  'id-taken', // another live socket uses this peer id
  'token-required', // the server has a secret and hello carried no token
  'token-invalid', // malformed token, bad signature, or bound to another peer id
  'token-expired', // the token's expiry has passed
  'group-forbidden', // the token does not name this group
  'rate-limited', // over messagesPerSecondPerSocket
  'too-many-sockets', // over socketsPerAddress
  'server-full', // over socketsPerServer
  'too-many-groups', // over groupsPerSocket
  'group-full', // non-fatal: the group has peersPerGroup peers already
  'peer-unreachable', // non-fatal: `to` is not a peer sharing a group with the sender (it may have just left)
  'server-error', // a bug in the server; reported rather than crashing
] as const;

/** A stable error code carried by an `error` frame and by {@link ProtocolError}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Error codes after which the socket stays open. Both describe races a well-behaved client
 * cannot avoid (a group filling up, a peer leaving while candidates are still in flight), so
 * closing the socket — and with it every other group of that process — would punish it.
 */
export const NON_FATAL_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['group-full', 'peer-unreachable']);

const ERROR_CODE_SET: ReadonlySet<string> = new Set<string>(ERROR_CODES);

/** Client → server: the first frame, identifying the peer. */
export interface HelloMessage { type: 'hello'; version: number; id: string; token?: string; key?: string }
/** Client → server: announce interest in a group. */
export interface JoinMessage { type: 'join'; group: string }
/** Client → server: withdraw from a group. */
export interface LeaveMessage { type: 'leave'; group: string }
/** Client → server: relay opaque WebRTC signaling data to a peer sharing a group. */
export interface SignalToMessage { type: 'signal'; to: string; data: unknown }
/** Client → server: keepalive. */
export interface PingMessage { type: 'ping' }

/** Every frame a client may send. */
export type ClientMessage = HelloMessage | JoinMessage | LeaveMessage | SignalToMessage | PingMessage;

/** Server → client: the peer is registered under `id`. */
export interface WelcomeMessage { type: 'welcome'; id: string; version: number }
/** Server → client: the other peers now in `group`, in order of joining. */
export interface PeersMessage { type: 'peers'; group: string; peers: string[] }
/** Server → client: signaling data relayed from peer `from`. */
export interface SignalFromMessage { type: 'signal'; from: string; data: unknown }
/** Server → client: a refusal; when `fatal`, the socket is closed right after. */
export interface ErrorMessage {
  type: 'error';
  code: ErrorCode;
  message: string;
  fatal: boolean;
  /** The group a `group-full`, `group-forbidden` or `too-many-groups` refers to. */
  group?: string;
  /** The peer a non-fatal `peer-unreachable` refers to. */
  peer?: string;
}
/** Server → client: the answer to `ping`. */
export interface PongMessage { type: 'pong' }

/** Every frame the server may send. */
export type ServerMessage = WelcomeMessage | PeersMessage | SignalFromMessage | ErrorMessage | PongMessage;

/**
 * A frame that broke the protocol. Parsers return it rather than throw, because hostile
 * input is an operating condition, not a bug.
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  /** The stable code to report in the `error` frame. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

const ID_PATTERN = /^[\x21-\x7e]+$/;
// Printable: no control (Cc), format (Cf, e.g. zero-width or bidi overrides), lone surrogate (Cs),
// private-use (Co), line (Zl) or paragraph (Zp) separator. Unassigned code points are allowed on
// purpose: browsers and Node may ship different Unicode tables.
const GROUP_PATTERN = /^[^\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}]+$/u;

/** True when `value` is a valid peer id. */
export function isPeerId(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= ID_LENGTH_MAX && ID_PATTERN.test(value);
}

/** True when `value` is a valid group name. */
export function isGroupName(value: unknown): value is string {
  // The code-unit bound first, so a huge string is refused without scanning it.
  if (typeof value !== 'string' || value.length < 1 || value.length > 2 * GROUP_LENGTH_MAX) return false;
  return GROUP_PATTERN.test(value) && [...value].length <= GROUP_LENGTH_MAX;
}

/** Serializes a frame. */
export function encodeMessage(message: ClientMessage | ServerMessage): string {
  return JSON.stringify(message);
}

/** Parses and validates a frame received by the server. */
export function parseClientMessage(text: string): ClientMessage | ProtocolError {
  const frame = parseFrame(text);
  if (frame instanceof ProtocolError) return frame;
  switch (frame.type) {
    case 'hello': {
      const { version, id, token, key } = frame;
      if (typeof version !== 'number') return bad('hello.version must be a number');
      if (version !== PROTOCOL_VERSION) return new ProtocolError('bad-version', `unsupported protocol version ${String(version).slice(0, 20)}, expected ${PROTOCOL_VERSION}`);
      if (!isPeerId(id)) return bad(`hello.id must be 1-${ID_LENGTH_MAX} printable ASCII characters`);
      const hello: HelloMessage = { type: 'hello', version, id };
      if (token !== undefined) {
        if (typeof token !== 'string' || token.length < 1 || token.length > TOKEN_LENGTH_MAX) return bad(`hello.token must be a string of 1-${TOKEN_LENGTH_MAX} characters`);
        hello.token = token;
      }
      if (key !== undefined) {
        if (!isPeerId(key)) return bad(`hello.key must be 1-${ID_LENGTH_MAX} printable ASCII characters`);
        hello.key = key;
      }
      return hello;
    }
    case 'join':
    case 'leave':
      if (!isGroupName(frame.group)) return bad(`${frame.type}.group must be 1-${GROUP_LENGTH_MAX} printable characters`);
      return { type: frame.type, group: frame.group };
    case 'signal':
      if (!isPeerId(frame.to)) return bad('signal.to must be a peer id');
      if (!('data' in frame)) return bad('signal.data is missing');
      return { type: 'signal', to: frame.to, data: frame.data };
    case 'ping':
      return { type: 'ping' };
    default:
      return bad('unknown message type');
  }
}

/** Parses and validates a frame received by the client. */
export function parseServerMessage(text: string): ServerMessage | ProtocolError {
  const frame = parseFrame(text);
  if (frame instanceof ProtocolError) return frame;
  switch (frame.type) {
    case 'welcome': {
      const { id, version } = frame;
      if (typeof version !== 'number') return bad('welcome.version must be a number');
      if (version !== PROTOCOL_VERSION) return new ProtocolError('bad-version', `server speaks protocol version ${String(version).slice(0, 20)}, expected ${PROTOCOL_VERSION}`);
      if (!isPeerId(id)) return bad('welcome.id must be a peer id');
      return { type: 'welcome', id, version };
    }
    case 'peers': {
      const { group, peers } = frame;
      if (!isGroupName(group)) return bad('peers.group must be a group name');
      if (!Array.isArray(peers) || peers.length > PEERS_COUNT_MAX || !peers.every(isPeerId)) return bad('peers.peers must be an array of peer ids');
      return { type: 'peers', group, peers: [...(peers as string[])] };
    }
    case 'signal':
      if (!isPeerId(frame.from)) return bad('signal.from must be a peer id');
      if (!('data' in frame)) return bad('signal.data is missing');
      return { type: 'signal', from: frame.from, data: frame.data };
    case 'error':
      return parseErrorFrame(frame);
    case 'pong':
      return { type: 'pong' };
    default:
      return bad('unknown message type');
  }
}

function parseErrorFrame(frame: Record<string, unknown>): ErrorMessage | ProtocolError {
  const { code, message, fatal, group, peer } = frame;
  if (typeof code !== 'string' || !ERROR_CODE_SET.has(code)) return bad('error.code is not a known code');
  if (typeof message !== 'string' || message.length > ERROR_MESSAGE_LENGTH_MAX) return bad('error.message must be a short string');
  if (typeof fatal !== 'boolean') return bad('error.fatal must be a boolean');
  const result: ErrorMessage = { type: 'error', code: code as ErrorCode, message, fatal };
  if (group !== undefined) {
    if (!isGroupName(group)) return bad('error.group must be a group name');
    result.group = group;
  }
  if (peer !== undefined) {
    if (!isPeerId(peer)) return bad('error.peer must be a peer id');
    result.peer = peer;
  }
  return result;
}

/** JSON text → a plain object with a string `type`, or the reason it is not one. */
function parseFrame(text: string): (Record<string, unknown> & { type: string }) | ProtocolError {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return new ProtocolError('bad-json', 'frame is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return new ProtocolError('bad-json', 'frame is not a JSON object');
  const shapeProblem = checkJsonShape(value, JSON_DEPTH_MAX);
  if (shapeProblem !== undefined) return bad(shapeProblem);
  const frame = value as Record<string, unknown>;
  if (typeof frame.type !== 'string') return bad('frame.type must be a string');
  return frame as Record<string, unknown> & { type: string };
}

function bad(message: string): ProtocolError {
  return new ProtocolError('bad-message', message);
}
