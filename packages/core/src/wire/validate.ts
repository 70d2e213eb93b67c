/**
 * Structural validation of every inbound group message. A peer's input is an operating
 * condition, not a bug: anything that does not match is reported and dropped, never thrown.
 */
import type { Ballot } from '../membership/ballot.js';
import type { DataMsg, GroupMsg, ViewValue } from './messages.js';

const MAX_ID_CHARS = 256;
const MAX_LIST = 1_000_000;

type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Uint8Array);
const isNat = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const isId = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= MAX_ID_CHARS;
const isNats = (x: unknown): x is number[] => Array.isArray(x) && x.length <= MAX_LIST && x.every(isNat);
const isIds = (x: unknown): x is string[] => Array.isArray(x) && x.length <= MAX_LIST && x.every(isId);
const isPairs = (x: unknown): x is number[] => isNats(x) && x.length % 2 === 0;
const isBallot = (x: unknown): x is Ballot =>
  Array.isArray(x) && x.length === 2 && isNat(x[0]) && typeof x[1] === 'number' && Number.isSafeInteger(x[1]) && x[1] >= -1;
const isOpt = (x: unknown, check: (y: unknown) => boolean): boolean => x === undefined || check(x);
const isFlag = (x: unknown): boolean => x === undefined || x === 1;

function isData(m: Obj): boolean {
  return (
    isNat(m.v) && isNat(m.n) && m.n >= 1 && (m.o === 0 || m.o === 1 || m.o === 2) && isFlag(m.sf) && isFlag(m.k) &&
    isNat(m.cc) && isOpt(m.vt, isNats) && (m.o !== 1 || Array.isArray(m.vt)) && isOpt(m.x, isId) && isFlag(m.e) &&
    !(m.k === 1 && m.x !== undefined) && 'p' in m
  );
}

function isDataMsg(x: unknown): x is DataMsg {
  return isObj(x) && x.t === 'd' && isId(x.g) && isId(x.f) && isData(x);
}

function isValue(x: unknown): x is ViewValue {
  if (!isObj(x)) return false;
  return (
    isNat(x.id) && isIds(x.members) && isIds(x.joined) && isIds(x.left) && isNats(x.cut) &&
    isPairs(x.drops) && isNat(x.orderBase) && isPairs(x.order) && Array.isArray(x.msgs) && x.msgs.every(isDataMsg) &&
    isIds(x.needState) && typeof x.provider === 'string' && x.provider.length <= MAX_ID_CHARS && isId(x.gid) && isNat(x.born) &&
    new Set(x.members).size === x.members.length
  );
}

const checks: Record<string, (m: Obj) => boolean> = {
  d: isData,
  k: (m) => isNat(m.v) && isNats(m.h) && isNats(m.hc) && isNats(m.dl) && isNat(m.dp) && isNat(m.op) && isOpt(m.jn, isIds),
  o: (m) => isNat(m.v) && isNat(m.q) && isPairs(m.l),
  j: () => true,
  P: (m) => typeof m.au === 'string' && m.au.length > 0 && m.au.length <= 128,
  J: (m) => isOpt(m.bl, (b) => b === 1) && isOpt(m.cn, (c) => typeof c === 'string' && c.length <= 64) && isOpt(m.rk, (r) => Array.isArray(r) && r.length === 2 && r.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= -1)) && (m.st === 'joining' || m.st === 'idle' || m.st === 'minority' || m.st === 'member' || m.st === 'refused' || m.st === 'open' || m.st === 'clear' || m.st === 'holding'),
  l: (m) => isNat(m.v),
  f: (m) => isNat(m.v) && isBallot(m.b),
  F: (m) =>
    isNat(m.v) && isBallot(m.b) && isNats(m.h) && isNats(m.hc) && isNat(m.ob) && isPairs(m.ol) && isNats(m.pu) &&
    Array.isArray(m.ms) && m.ms.every(isDataMsg) && isFlag(m.nl) && isOpt(m.np, isIds) && isOpt(m.jn, isIds) &&
    isOpt(m.ac, (a) => Array.isArray(a) && a.length === 2 && isBallot(a[0]) && isValue(a[1])),
  N: (m) => isNat(m.v) && isBallot(m.b) && isBallot(m.pb),
  p: (m) => isNat(m.v) && isBallot(m.b) && isValue(m.val),
  a: (m) => isNat(m.v) && isBallot(m.b),
  c: (m) => isNat(m.v) && isBallot(m.b),
  i: (m) => isNat(m.v) && isValue(m.val),
  L: (m) => isNat(m.v),
  x: () => true,
  w: (m) => isNat(m.v) && isOpt(m.s, isIds),
  E: (m) => isNat(m.v) && isId(m.to),
  s: (m) => isNat(m.v) && isId(m.to) && isNat(m.i) && isNat(m.c) && m.i < m.c && m.d instanceof Uint8Array,
  r: (m) => isId(m.to) && 'p' in m,
  z: (m) => isNat(m.v) && isId(m.to) && typeof m.e === 'string' && m.e.length <= 4096,
  Q: (m) => isNat(m.v),
  A: (m) => isNat(m.v) && isId(m.to) && isNat(m.c) && isNats(m.d) && isFlag(m.u),
  h: (m) => isId(m.gid) && isNat(m.born) && isNat(m.n),
  V: (m) => isNat(m.h) && isNat(m.n),
  W: (m) => Array.isArray(m.l) && m.l.length <= MAX_LIST &&
    m.l.every((e: unknown) => Array.isArray(e) && e.length === 3 && isId(e[0]) && isNat(e[1]) && isId(e[2])),
};

/** Returns the message typed, or a sentence saying what is wrong with it. */
export function validateGroupMsg(x: unknown): GroupMsg | string {
  if (!isObj(x)) return 'a group message must be a map';
  if (typeof x.t !== 'string') return 'a group message needs a type';
  const check = checks[x.t];
  if (check === undefined) return `unknown group message type ${JSON.stringify(x.t).slice(0, 20)}`;
  if (!isId(x.g)) return 'a group message needs a group name of 1-256 characters';
  if (!isId(x.f)) return 'a group message needs a sender member id';
  if (!check(x)) return `malformed group message of type ${x.t}`;
  return x as unknown as GroupMsg;
}
