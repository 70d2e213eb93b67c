/** Sizes of payloads, for flow control and batching, without encoding them. */
import type { GroupMsg } from './messages.js';

/**
 * A cheap upper-bound estimate of a payload's encoded size, for flow control. Plain loops: it runs
 * for every message received, and for every object payload batched.
 */
export function estimateBytes(value: unknown, depth = 0): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'number') return 9;
  if (typeof value === 'string') return value.length * 3 + 5;
  if (value instanceof Uint8Array) return value.length + 5;
  if (depth > 8) return 64;
  if (Array.isArray(value)) {
    let sum = 5;
    for (let i = 0; i < value.length; i++) sum += estimateBytes(value[i], depth + 1);
    return sum;
  }
  if (typeof value === 'object') {
    let sum = 5;
    const record = value as Record<string, unknown>;
    for (const k in record) if (Object.hasOwn(record, k)) sum += k.length + estimateBytes(record[k], depth + 1);
    return sum;
  }
  return 16;
}

/** Sizes already known, per message object: a multicast is one object queued for every peer. */
const known = new WeakMap<object, number>();

/** Notes the size of a message's payload (the sender measured it at `send`). */
export function knowSize(message: GroupMsg, bytes: number): void {
  known.set(message, bytes);
}

/** The estimated bytes a message's payload adds to a frame (large payloads are what matters), measured once per message. */
export function payloadBytes(message: GroupMsg): number {
  const payload = message.t === 'd' || message.t === 'r' ? message.p : message.t === 's' ? message.d : undefined;
  if (payload instanceof Uint8Array) return payload.length;
  if (typeof payload === 'string') return payload.length;
  if (payload === undefined) return 32;
  let bytes = known.get(message);
  if (bytes === undefined) {
    bytes = estimateBytes(payload);
    known.set(message, bytes);
  }
  return bytes;
}
