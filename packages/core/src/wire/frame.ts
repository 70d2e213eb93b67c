/**
 * The frame: what one process sends another in one transport send. Wire format, version 2:
 *
 *   byte 0      WIRE_VERSION
 *   bytes 1..   msgpack map {
 *                 l: the lane of this frame, 0 control, 1 data: each is its own reliable
 *                    FIFO stream, so view changes never queue behind bulk data
 *                 e: the sender's epoch of that lane toward this receiver
 *                 s?: seq of this frame on that lane (absent: unreliable, e.g. a heartbeat)
 *                 a?: [epoch0, seq0, epoch1, seq1] cumulative acknowledgements of both of the
 *                    receiver's lanes toward the sender
 *                 n?: [lo0, hi0, lo1, hi1] frames of each lane the receiver dropped ahead of a
 *                    gap (its out-of-order budget was full), 0 0 for none: sent again once
 *                    acknowledged up to them
 *                 m: group messages (messages.ts), batched: everything queued for this peer
 *                 b?: 1 the sender is closing (a goodbye; suspect it now)
 *                 q?: 1 the sender has not heard from the receiver for a while: answer at once
 *                    (a suspicion is verified before it counts)
 *               }
 *
 * Plain msgpack (no msgpackr records), so any msgpack implementation can speak it.
 */
import { Packr } from 'msgpackr';
import type { GroupMsg } from './messages.js';
import { compactRuns, expandRun, isRun } from './data-runs.js';
import { validateGroupMsg } from './validate.js';

export const WIRE_VERSION = 2;

export interface Frame {
  l: 0 | 1;
  e: number;
  s?: number;
  a?: [number, number, number, number];
  /**
   * [lo0, hi0, lo1, hi1]: per lane, the range of seqs (0 0: none) of the frames the receiver
   * dropped ahead of a gap since its last frame (its out-of-order budget was full): send them again
   * once the acknowledgement reaches them. Meaningful with `a`, whose epochs it refers to.
   */
  n?: [number, number, number, number];
  m: GroupMsg[];
  b?: 1;
  q?: 1;
}

const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false, int64AsType: 'number' });

export function encodeFrame(frame: Frame): Uint8Array {
  return encodeFrameWith(frame, encodeMessages(frame.m));
}

/**
 * The message list of a frame, encoded (DATA runs packed). A multicast puts the same batch in a
 * frame to each peer, and the frames differ only in their header: the links encode the batch once
 * and wrap it per peer with `encodeFrameWith` (msgpack packing was the engine's largest cost).
 */
export function encodeMessages(messages: readonly GroupMsg[]): Uint8Array {
  return packr.pack(messages.length > 1 ? compactRuns(messages) : messages).slice(); // pack may reuse its buffer
}

/** A frame of `header` around messages encoded by `encodeMessages`: the same bytes as `encodeFrame` would make. */
export function encodeFrameWith(header: Omit<Frame, 'm'>, messages: Uint8Array): Uint8Array {
  const head: number[] = [WIRE_VERSION, 0];
  let fields = 0;
  const field = (key: string, write: () => void): void => {
    head.push(0xa1, key.charCodeAt(0));
    write();
    fields += 1;
  };
  field('l', () => writeUint(head, header.l));
  field('e', () => writeUint(head, header.e));
  if (header.s !== undefined) field('s', () => writeUint(head, header.s!));
  if (header.a !== undefined) field('a', () => {
    head.push(0x94);
    for (const n of header.a!) writeUint(head, n);
  });
  if (header.n !== undefined) field('n', () => {
    head.push(0x94);
    for (const n of header.n!) writeUint(head, n);
  });
  if (header.b === 1) field('b', () => head.push(1));
  if (header.q === 1) field('q', () => head.push(1));
  head.push(0xa1, 'm'.charCodeAt(0));
  fields += 1;
  head[1] = 0x80 | fields; // a fixmap: at most 15 fields
  const out = new Uint8Array(head.length + messages.length);
  out.set(head);
  out.set(messages, head.length);
  return out;
}

/** A non-negative safe integer in msgpack's shortest unsigned form. */
function writeUint(out: number[], n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`a frame header field must be a natural number, not ${n}`);
  if (n < 0x80) out.push(n);
  else if (n < 0x100) out.push(0xcc, n);
  else if (n < 0x10000) out.push(0xcd, n >>> 8, n & 0xff);
  else if (n < 0x1_0000_0000) out.push(0xce, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  else {
    const high = Math.floor(n / 0x1_0000_0000);
    const low = n >>> 0;
    out.push(0xcf, high >>> 24, (high >>> 16) & 0xff, (high >>> 8) & 0xff, high & 0xff, low >>> 24, (low >>> 16) & 0xff, (low >>> 8) & 0xff, low & 0xff);
  }
}

/** Serialises an application value (a checkpoint) to bytes with the same codec. */
export function encodeValue(value: unknown): Uint8Array {
  return packr.pack(value);
}

export function decodeValue(bytes: Uint8Array): unknown {
  return packr.unpack(bytes);
}

export interface Decoded {
  frame: Frame;
  /** One sentence per group message that was dropped as malformed. */
  rejected: string[];
}

const isNat = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/** Decodes and validates a frame; returns a sentence instead when the frame as a whole is unusable. */
export function decodeFrame(bytes: Uint8Array, maxBytes: number): Decoded | string {
  if (!(bytes instanceof Uint8Array)) return 'a frame must be bytes';
  if (bytes.length < 2) return 'frame too short';
  if (bytes.length > maxBytes) return `frame of ${bytes.length} bytes exceeds the limit of ${maxBytes}`;
  if (bytes[0] !== WIRE_VERSION) return `unknown wire version ${bytes[0]}`;
  let body: unknown;
  try {
    body = packr.unpack(bytes.subarray(1));
  } catch (error) {
    return `undecodable frame: ${(error as Error).message.slice(0, 80)}`;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'a frame must be a map';
  const raw = body as Record<string, unknown>;
  if (raw.l !== 0 && raw.l !== 1) return 'a frame needs a lane';
  if (!isNat(raw.e)) return 'a frame needs a link epoch';
  if (raw.s !== undefined && !isNat(raw.s)) return 'bad frame seq';
  if (raw.a !== undefined && !(Array.isArray(raw.a) && raw.a.length === 4 && raw.a.every(isNat)))
    return 'bad frame ack';
  if (raw.n !== undefined && !(Array.isArray(raw.n) && raw.n.length === 4 && raw.n.every(isNat)))
    return 'bad frame drop report';
  if (!Array.isArray(raw.m)) return 'a frame needs a message list';
  if (raw.b !== undefined && raw.b !== 1) return 'bad goodbye flag';
  if (raw.q !== undefined && raw.q !== 1) return 'bad query flag';
  const messages: GroupMsg[] = [];
  const rejected: string[] = [];
  for (const item of raw.m) {
    if (isRun(item)) {
      const expanded = expandRun(item, messages);
      if (expanded !== undefined) rejected.push(expanded);
      continue;
    }
    const result = validateGroupMsg(item);
    if (typeof result === 'string') rejected.push(result);
    else messages.push(result);
  }
  const frame: Frame = { l: raw.l, e: raw.e, m: messages };
  if (raw.s !== undefined) frame.s = raw.s;
  if (raw.a !== undefined) frame.a = raw.a as [number, number, number, number];
  if (raw.n !== undefined) frame.n = raw.n as [number, number, number, number];
  if (raw.b === 1) frame.b = 1;
  if (raw.q === 1) frame.q = 1;
  return { frame, rejected };
}
