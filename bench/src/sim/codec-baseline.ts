/**
 * The baselines of the order benchmark: the wire codec of @synchrony/core (`encodeFrame`,
 * `decodeFrame`, which validates every message) with no protocol around it.
 */
import { decodeFrame, encodeFrame, type DataMsg, type Frame } from '@synchrony/core';
import { stopwatch, type Elapsed } from '../stats.js';

/** What the engine's frames may be at most; decodeFrame checks it, so the baseline does too. */
const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** The shape of one multicast, as an order benchmark sends it. */
export interface DataShape {
  order: 0 | 1 | 2;
  safe: boolean;
  members: readonly string[];
  viewId: number;
}

/** The DATA message the engine builds for the i-th multicast (sender i mod members, seq, vector). */
export function dataMessage(shape: DataShape, i: number, payload: Uint8Array): DataMsg {
  const size = shape.members.length;
  const rank = i % size;
  const seq = Math.floor(i / size) + 1;
  const msg: DataMsg = { t: 'd', g: 'bench', v: shape.viewId, f: shape.members[rank]!, n: seq, o: shape.order, cc: 0, p: payload };
  if (shape.safe) msg.sf = 1;
  if (shape.order === 1) {
    msg.cc = seq;
    msg.vt = shape.members.map((_, r) => (r === rank ? seq : seq - 1));
  }
  return msg;
}

/**
 * Encodes and decodes one frame per delivery, each carrying one of `messages` (cycled): the
 * least work that moving those deliveries over the wire takes with no batching and no protocol.
 */
export function codecPerDelivery(messages: readonly DataMsg[], deliveries: number): Elapsed {
  let sink = 0;
  const elapsed = stopwatch();
  for (let k = 0; k < deliveries; k++) {
    const frame: Frame = { l: 1, e: 1, s: k + 1, a: [1, k, 1, k], m: [messages[k % messages.length]!] };
    const decoded = decodeFrame(encodeFrame(frame), MAX_FRAME_BYTES);
    if (typeof decoded !== 'string') sink += decoded.frame.m.length;
  }
  const took = elapsed();
  if (sink !== deliveries) throw new Error(`codec baseline decoded ${sink} of ${deliveries} frames`);
  return took;
}

/**
 * Decodes and re-encodes the very frames an engine run sent (batched DATA, STABLE, ORDER and
 * acknowledgements): how much of the engine's time the codec alone accounts for.
 */
export function codecOfFrames(frames: readonly Uint8Array[]): Elapsed {
  let bytes = 0;
  const elapsed = stopwatch();
  for (const raw of frames) {
    const decoded = decodeFrame(raw, MAX_FRAME_BYTES);
    if (typeof decoded === 'string') throw new Error(`an engine frame did not decode: ${decoded}`);
    bytes += encodeFrame(decoded.frame).length;
  }
  const took = elapsed();
  if (bytes === 0 && frames.length > 0) throw new Error('re-encoding produced nothing');
  return took;
}
