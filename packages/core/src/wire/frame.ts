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
  m: GroupMsg[];
  b?: 1;
  q?: 1;
}

const packr = new Packr({ useRecords: false, mapsAsObjects: true, moreTypes: false, int64AsType: 'number' });

export function encodeFrame(frame: Frame): Uint8Array {
  const body = packr.pack(frame.m.length > 1 ? { ...frame, m: compactRuns(frame.m) } : frame);
  const out = new Uint8Array(body.length + 1);
  out[0] = WIRE_VERSION;
  out.set(body, 1);
  return out;
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
  if (raw.b === 1) frame.b = 1;
  if (raw.q === 1) frame.q = 1;
  return { frame, rejected };
}
