/**
 * DATA runs (frame.ts, wire version 2): consecutive DATA messages of one sender that differ only
 * in their seq (consecutive), payload and, for causal ones, their vector (and a causal count one
 * higher each) are packed as one record, and expanded back on receipt. The engine never sees a run.
 */
import type { DataMsg, GroupMsg, OrderCode } from './messages.js';

/** A run as it travels (see frame.ts). */
export interface DataRun {
  t: 'D'; g: string; v: number; f: string; n: number; o: OrderCode; cc: number;
  sf?: 1; k?: 1; x?: string; e?: 1;
  p: unknown[];
  vt?: number[][];
}

/** Messages in one run, at most (a frame holds fewer: peer-links.ts batches 512). */
const MAX_RUN = 65_536;
const MAX_ID_CHARS = 256;

const isNat = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const isId = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= MAX_ID_CHARS;
const isFlag = (x: unknown): boolean => x === undefined || x === 1;
const isVector = (x: unknown): x is number[] => Array.isArray(x) && x.length <= MAX_RUN && x.every(isNat);

/** Whether `b` continues the run that `first` starts and `last` ends. */
function continues(first: DataMsg, last: DataMsg, b: GroupMsg): b is DataMsg {
  if (b.t !== 'd' || b.n !== last.n + 1 || b.g !== first.g || b.v !== first.v || b.f !== first.f || b.o !== first.o) return false;
  if (b.sf !== first.sf || b.k !== first.k || b.x !== first.x || b.e !== first.e) return false;
  return first.o === 1 ? b.cc === last.cc + 1 && b.vt !== undefined : b.cc === first.cc && b.vt === undefined;
}

/** `messages` with every run of two or more DATA messages replaced by one record. */
export function compactRuns(messages: readonly GroupMsg[]): Array<GroupMsg | DataRun> {
  const out: Array<GroupMsg | DataRun> = [];
  for (let i = 0; i < messages.length; ) {
    const first = messages[i]!;
    let end = i + 1;
    if (first.t === 'd' && (first.o !== 1 || first.vt !== undefined)) {
      while (end < messages.length && end - i < MAX_RUN && continues(first, messages[end - 1] as DataMsg, messages[end]!)) end += 1;
    }
    if (end - i < 2) {
      out.push(first);
      i = end;
      continue;
    }
    const d = first as DataMsg;
    const run: DataRun = { t: 'D', g: d.g, v: d.v, f: d.f, n: d.n, o: d.o, cc: d.cc, p: [] };
    if (d.sf !== undefined) run.sf = d.sf;
    if (d.k !== undefined) run.k = d.k;
    if (d.x !== undefined) run.x = d.x;
    if (d.e !== undefined) run.e = d.e;
    const vectors: number[][] = [];
    for (let j = i; j < end; j++) {
      const m = messages[j] as DataMsg;
      run.p.push(m.p);
      if (m.vt !== undefined) vectors.push(m.vt);
    }
    if (d.o === 1) run.vt = vectors;
    out.push(run);
    i = end;
  }
  return out;
}

/** Whether a decoded item of a frame's message list is a run. */
export function isRun(item: unknown): item is Record<string, unknown> {
  return typeof item === 'object' && item !== null && (item as { t?: unknown }).t === 'D';
}

/** Appends the DATA messages of a run to `out`; returns a sentence instead when the run is malformed. */
export function expandRun(r: Record<string, unknown>, out: GroupMsg[]): string | undefined {
  const { g, v, f, n, o, cc, p, vt, sf, k, x, e } = r;
  if (!isId(g) || !isId(f) || !isNat(v) || !isNat(n) || n < 1 || !isNat(cc) || (o !== 0 && o !== 1 && o !== 2)) {
    return 'malformed DATA run header';
  }
  if (!Array.isArray(p) || p.length < 2 || p.length > MAX_RUN || !Number.isSafeInteger(n + p.length) || !Number.isSafeInteger(cc + p.length)) {
    return 'malformed DATA run payloads';
  }
  if (!isFlag(sf) || !isFlag(k) || !isFlag(e) || !(x === undefined || isId(x)) || (k === 1 && x !== undefined)) return 'malformed DATA run flags';
  if (o === 1 ? !(Array.isArray(vt) && vt.length === p.length && vt.every(isVector)) : vt !== undefined) return 'malformed DATA run vectors';
  for (let i = 0; i < p.length; i++) {
    const msg: DataMsg = { t: 'd', g, v, f, n: n + i, o, cc: o === 1 ? cc + i : cc, p: p[i] };
    if (sf === 1) msg.sf = 1;
    if (k === 1) msg.k = 1;
    if (x !== undefined) msg.x = x;
    if (e === 1) msg.e = 1;
    if (o === 1) msg.vt = (vt as number[][])[i];
    out.push(msg);
  }
  return undefined;
}
