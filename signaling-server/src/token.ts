/**
 * Signed access tokens for the signaling server.
 *
 * Format: `base64url(JSON claims) "." base64url(HMAC-SHA256(secret, first part))`. The
 * claims are readable by anyone holding the token (it is signed, not encrypted), so put no
 * secrets in group names. Node-only (node:crypto); kept out of protocol.ts, which ships to
 * browsers. Expiry gates the `hello`: a socket already welcomed stays open after it.
 */

import { createHmac, timingSafeEqual } from 'node:crypto';
import { ID_LENGTH_MAX, TOKEN_LENGTH_MAX, isGroupName, isPeerId } from './protocol.js';

/** The format version inside the claims, so the token layout can change without ambiguity. */
const TOKEN_FORMAT = 1;
/** Lifetime of a token issued without `expiresInSec`: a forgotten token should not live forever. */
export const TOKEN_LIFETIME_SEC_DEFAULT = 3600;
/** The group name in a token that allows every group. */
export const ANY_GROUP = '*';

/** What a token grants. */
export interface TokenClaims {
  /** The groups the holder may join; `'*'` allows any. */
  readonly groups: readonly string[];
  /** Unix time, in seconds, after which the token is refused. */
  readonly expiresAtSec: number;
  /** When present, the only peer id the token may say `hello` as. */
  readonly peer?: string;
}

/** Options of {@link issueToken}. */
export interface IssueTokenOptions {
  /** The server's secret (the same string given to `startSignalingServer`). */
  secret: string;
  /** The groups the holder may join; `['*']` for any. */
  groups: string[];
  /** Lifetime in seconds; default {@link TOKEN_LIFETIME_SEC_DEFAULT}. */
  expiresInSec?: number;
  /** Binds the token to one peer id. */
  peer?: string;
  /** The clock, for tests; default `Date.now()`. */
  nowMs?: number;
}

/** The result of {@link verifyToken}. */
export type TokenVerification =
  | { readonly ok: true; readonly claims: TokenClaims }
  | { readonly ok: false; readonly code: 'token-invalid' | 'token-expired'; readonly reason: string };

/**
 * Issues a token granting `groups` until `expiresInSec` from now.
 *
 * @throws RangeError when the secret is empty, a group name or the peer id is invalid, or
 * the token would exceed the protocol's token length.
 */
export function issueToken(options: IssueTokenOptions): string {
  const { secret, groups, expiresInSec = TOKEN_LIFETIME_SEC_DEFAULT, peer, nowMs = Date.now() } = options;
  if (typeof secret !== 'string' || secret.length === 0) throw new RangeError('issueToken: secret must be a non-empty string');
  if (!Array.isArray(groups) || !groups.every((group) => group === ANY_GROUP || isGroupName(group))) {
    throw new RangeError('issueToken: groups must be valid group names or "*"');
  }
  if (!Number.isFinite(expiresInSec) || expiresInSec <= 0) throw new RangeError('issueToken: expiresInSec must be a positive number');
  if (peer !== undefined && !isPeerId(peer)) throw new RangeError(`issueToken: peer must be 1-${ID_LENGTH_MAX} printable ASCII characters`);
  const body = { v: TOKEN_FORMAT, g: groups, e: Math.floor(nowMs / 1000 + expiresInSec), ...(peer === undefined ? {} : { p: peer }) };
  const payload = Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
  const token = `${payload}.${sign(secret, payload)}`;
  if (token.length > TOKEN_LENGTH_MAX) throw new RangeError(`issueToken: token longer than ${TOKEN_LENGTH_MAX} characters; name fewer groups`);
  return token;
}

/**
 * Checks a token's signature, shape and expiry. Never throws on hostile input.
 *
 * @param nowMs - the clock, for tests; default `Date.now()`
 */
export function verifyToken(token: string, secret: string, nowMs: number = Date.now()): TokenVerification {
  if (typeof token !== 'string' || token.length > TOKEN_LENGTH_MAX) return invalid('token is not a string of bounded length');
  const parts = token.split('.');
  const [payload, signature] = parts;
  if (parts.length !== 2 || payload === undefined || signature === undefined) return invalid('token is not two dot-separated parts');
  const expected = Buffer.from(sign(secret, payload), 'base64url');
  const given = Buffer.from(signature, 'base64url');
  // Constant-time comparison so the signature cannot be guessed byte by byte from timing.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return invalid('bad signature');
  const claims = decodeClaims(payload);
  if (claims === undefined) return invalid('malformed claims');
  if (nowMs / 1000 >= claims.expiresAtSec) return { ok: false, code: 'token-expired', reason: 'token expired' };
  return { ok: true, claims };
}

/** True when `claims` allow joining `group`. */
export function tokenAllowsGroup(claims: TokenClaims, group: string): boolean {
  return claims.groups.includes(ANY_GROUP) || claims.groups.includes(group);
}

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

function decodeClaims(payload: string): TokenClaims | undefined {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const { v, g, e, p } = body as Record<string, unknown>;
  if (v !== TOKEN_FORMAT || typeof e !== 'number' || !Number.isFinite(e)) return undefined;
  if (!Array.isArray(g) || !g.every((group) => group === ANY_GROUP || isGroupName(group))) return undefined;
  if (p !== undefined && !isPeerId(p)) return undefined;
  const groups = Object.freeze([...(g as string[])]);
  return p === undefined ? { groups, expiresAtSec: e } : { groups, expiresAtSec: e, peer: p };
}

function invalid(reason: string): TokenVerification {
  return { ok: false, code: 'token-invalid', reason };
}
