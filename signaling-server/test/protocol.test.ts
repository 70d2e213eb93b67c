import { describe, it, expect } from 'vitest';
import { DEFAULT_LIMITS, resolveLimits } from '../src/limits.js';
import {
  GROUP_LENGTH_MAX,
  ID_LENGTH_MAX,
  JSON_DEPTH_MAX,
  PROTOCOL_VERSION,
  ProtocolError,
  encodeMessage,
  isGroupName,
  isPeerId,
  parseClientMessage,
  parseServerMessage,
  type ServerMessage,
} from '../src/protocol.js';
import { TokenBucket } from '../src/token-bucket.js';
import { issueToken, tokenAllowsGroup, verifyToken } from '../src/token.js';

function codeOf(result: unknown): string | undefined {
  return result instanceof ProtocolError ? result.code : undefined;
}

describe('parseClientMessage', () => {
  it('accepts every client frame and drops unknown fields', () => {
    expect(parseClientMessage(JSON.stringify({ type: 'hello', version: PROTOCOL_VERSION, id: 'a', token: 't', extra: 1 }))).toEqual({ type: 'hello', version: PROTOCOL_VERSION, id: 'a', token: 't' });
    expect(parseClientMessage('{"type":"hello","version":1,"id":"a"}')).toEqual({ type: 'hello', version: 1, id: 'a' });
    expect(parseClientMessage('{"type":"hello","version":1,"id":"a","key":"k-1"}')).toEqual({ type: 'hello', version: 1, id: 'a', key: 'k-1' });
    expect(parseClientMessage('{"type":"join","group":"room 1 ✓"}')).toEqual({ type: 'join', group: 'room 1 ✓' });
    expect(parseClientMessage('{"type":"leave","group":"g"}')).toEqual({ type: 'leave', group: 'g' });
    expect(parseClientMessage('{"type":"signal","to":"b","data":{"type":"offer","sdp":"v=0"}}')).toEqual({ type: 'signal', to: 'b', data: { type: 'offer', sdp: 'v=0' } });
    expect(parseClientMessage('{"type":"signal","to":"b","data":null}')).toEqual({ type: 'signal', to: 'b', data: null });
    expect(parseClientMessage('{"type":"ping"}')).toEqual({ type: 'ping' });
  });

  it('refuses non-JSON and non-objects with bad-json', () => {
    for (const text of ['', 'nope', '{"type":', '[]', '"hello"', '42', 'null', '\u0000']) expect(codeOf(parseClientMessage(text)), text).toBe('bad-json');
  });

  it('refuses wrong shapes with bad-message', () => {
    const bad = [
      {}, { type: 1 }, { type: 'welcome' }, { type: 'HELLO' }, { type: 'hello', id: 'a' }, { type: 'hello', version: '1', id: 'a' },
      { type: 'hello', version: 1 }, { type: 'hello', version: 1, id: '' }, { type: 'hello', version: 1, id: 'a b' },
      { type: 'hello', version: 1, id: 'é' }, { type: 'hello', version: 1, id: 'x'.repeat(ID_LENGTH_MAX + 1) },
      { type: 'hello', version: 1, id: 'a', token: 5 }, { type: 'hello', version: 1, id: 'a', token: '' },
      { type: 'hello', version: 1, id: 'a', token: 't'.repeat(5000) }, { type: 'hello', version: 1, id: 'a', key: 7 },
      { type: 'hello', version: 1, id: 'a', key: 'with space' }, { type: 'hello', version: 1, id: 'a', key: 'k'.repeat(ID_LENGTH_MAX + 1) }, { type: 'join' }, { type: 'join', group: '' },
      { type: 'join', group: ['g'] }, { type: 'join', group: 'a\nb' }, { type: 'join', group: 'a\u200bb' },
      { type: 'join', group: 'g'.repeat(GROUP_LENGTH_MAX + 1) }, { type: 'leave', group: null }, { type: 'signal', to: 'b' },
      { type: 'signal', data: 1 }, { type: 'signal', to: {}, data: 1 },
    ];
    for (const frame of bad) expect(codeOf(parseClientMessage(JSON.stringify(frame))), JSON.stringify(frame).slice(0, 80)).toBe('bad-message');
    expect(codeOf(parseClientMessage('{"type":"join","group":"\\ud800"}'))).toBe('bad-message'); // a lone surrogate
  });

  it('bounds group names in code points, not UTF-16 units', () => {
    expect(isGroupName('😀'.repeat(GROUP_LENGTH_MAX))).toBe(true);
    expect(isGroupName('😀'.repeat(GROUP_LENGTH_MAX + 1))).toBe(false);
    expect(isPeerId('x'.repeat(ID_LENGTH_MAX))).toBe(true);
  });

  it('refuses another version with bad-version', () => {
    expect(codeOf(parseClientMessage(JSON.stringify({ type: 'hello', version: PROTOCOL_VERSION + 1, id: 'a' })))).toBe('bad-version');
    expect(codeOf(parseClientMessage(JSON.stringify({ type: 'hello', version: 0.5, id: 'a' })))).toBe('bad-version');
  });

  it('refuses prototype-pollution keys at any depth, and deep nesting', () => {
    expect(codeOf(parseClientMessage('{"type":"ping","__proto__":{"polluted":true}}'))).toBe('bad-message');
    expect(codeOf(parseClientMessage('{"type":"signal","to":"b","data":{"a":[{"constructor":{"prototype":1}}]}}'))).toBe('bad-message');
    expect(codeOf(parseClientMessage('{"type":"signal","to":"b","data":{"prototype":1}}'))).toBe('bad-message');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const nested = (depth: number): string => `{"type":"signal","to":"b","data":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    expect(parseClientMessage(nested(JSON_DEPTH_MAX))).not.toBeInstanceOf(ProtocolError);
    expect(codeOf(parseClientMessage(nested(JSON_DEPTH_MAX + 1)))).toBe('bad-message');
    expect(codeOf(parseClientMessage(nested(200_000)))).toBe('bad-message'); // no stack overflow
  });
});

describe('parseServerMessage', () => {
  it('round-trips every server frame through encodeMessage', () => {
    const frames: ServerMessage[] = [
      { type: 'welcome', id: 'a', version: PROTOCOL_VERSION },
      { type: 'peers', group: 'g', peers: ['b', 'c'] },
      { type: 'signal', from: 'b', data: { candidate: 'x' } },
      { type: 'error', code: 'rate-limited', message: 'slow down', fatal: true },
      { type: 'error', code: 'group-full', message: 'full', fatal: false, group: 'g' },
      { type: 'error', code: 'peer-unreachable', message: 'gone', fatal: false, peer: 'b' },
      { type: 'pong' },
    ];
    for (const frame of frames) expect(parseServerMessage(encodeMessage(frame))).toEqual(frame);
  });

  it('refuses malformed server frames', () => {
    const bad = [
      { type: 'peers', group: 'g', peers: 'b' }, { type: 'peers', group: 'g', peers: [1] }, { type: 'error', code: 'nope', message: '', fatal: true },
      { type: 'error', code: 'bad-json', message: 'x' }, { type: 'error', code: 'bad-json', message: 'x'.repeat(600), fatal: true },
      { type: 'signal', data: 1 }, { type: 'welcome', id: 'a' }, { type: 'hello', version: 1, id: 'a' },
    ];
    for (const frame of bad) expect(codeOf(parseServerMessage(JSON.stringify(frame))), JSON.stringify(frame).slice(0, 80)).toBe('bad-message');
    expect(codeOf(parseServerMessage(JSON.stringify({ type: 'welcome', id: 'a', version: 99 })))).toBe('bad-version');
  });
});

describe('tokens', () => {
  const secret = 'correct horse battery staple';
  const nowMs = 1_700_000_000_000;

  it('verifies what it issues, with its claims', () => {
    const token = issueToken({ secret, groups: ['a', 'b'], expiresInSec: 60, peer: 'p1', nowMs });
    const result = verifyToken(token, secret, nowMs + 59_000);
    expect(result).toEqual({ ok: true, claims: { groups: ['a', 'b'], expiresAtSec: nowMs / 1000 + 60, peer: 'p1' } });
    if (!result.ok) throw new Error('unreachable');
    expect(tokenAllowsGroup(result.claims, 'a')).toBe(true);
    expect(tokenAllowsGroup(result.claims, 'c')).toBe(false);
    const any = verifyToken(issueToken({ secret, groups: ['*'] }), secret);
    expect(any.ok && tokenAllowsGroup(any.claims, 'anything')).toBe(true);
  });

  it('refuses a bad signature, a tampered payload, garbage, and expiry', () => {
    const token = issueToken({ secret, groups: ['a'], expiresInSec: 60, nowMs });
    const [payload, signature] = token.split('.') as [string, string];
    expect(verifyToken(token, 'another secret', nowMs)).toMatchObject({ ok: false, code: 'token-invalid' });
    const forged = Buffer.from(JSON.stringify({ v: 1, g: ['*'], e: nowMs / 1000 + 60 })).toString('base64url');
    expect(verifyToken(`${forged}.${signature}`, secret, nowMs)).toMatchObject({ ok: false, code: 'token-invalid' });
    expect(verifyToken(`${payload}.${signature.slice(1)}`, secret, nowMs)).toMatchObject({ ok: false, code: 'token-invalid' });
    for (const junk of ['', '.', 'a.b.c', '...', 'x'.repeat(10_000), `${payload}`]) expect(verifyToken(junk, secret, nowMs)).toMatchObject({ ok: false, code: 'token-invalid' });
    expect(verifyToken(token, secret, nowMs + 60_000)).toMatchObject({ ok: false, code: 'token-expired' });
  });

  it('refuses to issue invalid tokens', () => {
    expect(() => issueToken({ secret: '', groups: ['a'] })).toThrow(RangeError);
    expect(() => issueToken({ secret, groups: [''] })).toThrow(RangeError);
    expect(() => issueToken({ secret, groups: ['a'], expiresInSec: 0 })).toThrow(RangeError);
    expect(() => issueToken({ secret, groups: ['a'], peer: 'has space' })).toThrow(RangeError);
    expect(() => issueToken({ secret, groups: Array.from({ length: 100 }, (_, i) => `group-${i}-`.padEnd(100, 'x')) })).toThrow(RangeError);
  });
});

describe('limits and the token bucket', () => {
  it('merges overrides and refuses non-positive or non-integer limits', () => {
    expect(resolveLimits({ peersPerGroup: 5 })).toEqual({ ...DEFAULT_LIMITS, peersPerGroup: 5 });
    for (const value of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => resolveLimits({ groupsPerSocket: value })).toThrow(RangeError);
  });

  it('allows a burst of one capacity, then the sustained rate', () => {
    const bucket = new TokenBucket(10, 10, 0);
    for (let i = 0; i < 10; i += 1) expect(bucket.take(0)).toBe(true);
    expect(bucket.take(0)).toBe(false);
    expect(bucket.take(100)).toBe(true); // 100 ms at 10/s refills one
    expect(bucket.take(100)).toBe(false);
    expect(bucket.take(50)).toBe(false); // a clock going backwards adds nothing
  });
});
