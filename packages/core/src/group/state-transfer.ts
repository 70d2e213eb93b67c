/**
 * State transfer (DESIGN.md §8): the provider's checkpoint, taken exactly at the cut, is
 * serialised once and sent to each joiner in chunks; the joiner reassembles it before it
 * delivers anything of its first view.
 */
import { decodeValue, encodeValue } from '../wire/frame.js';

export function chunkState(state: unknown, chunkBytes: number): Uint8Array[] {
  const bytes = encodeValue(state);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length || chunks.length === 0; at += chunkBytes) {
    chunks.push(bytes.slice(at, at + chunkBytes));
  }
  return chunks;
}

/** Collects the chunks of one checkpoint, in any order; `complete` once all are in. */
export class StateAssembly {
  private readonly chunks: Array<Uint8Array | undefined>;
  private received = 0;

  constructor(
    readonly viewId: number,
    readonly count: number,
  ) {
    this.chunks = new Array<Uint8Array | undefined>(count);
  }

  add(index: number, data: Uint8Array): void {
    if (index >= this.count || this.chunks[index] !== undefined) return;
    this.chunks[index] = data;
    this.received += 1;
  }

  get complete(): boolean {
    return this.received === this.count;
  }

  /** The checkpoint, or an Error when its bytes do not decode. */
  value(): unknown {
    const total = this.chunks.reduce((sum, c) => sum + (c?.length ?? 0), 0);
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const c of this.chunks) {
      bytes.set(c!, at);
      at += c!.length;
    }
    try {
      return decodeValue(bytes);
    } catch (error) {
      return new Error(`checkpoint does not decode: ${(error as Error).message}`);
    }
  }
}

/** A cheap upper-bound estimate of a payload's encoded size, for flow control. */
export function estimateBytes(value: unknown, depth = 0): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'number') return 9;
  if (typeof value === 'string') return value.length * 3 + 5;
  if (value instanceof Uint8Array) return value.length + 5;
  if (depth > 8) return 64;
  if (Array.isArray(value)) return value.reduce<number>((sum, v) => sum + estimateBytes(v, depth + 1), 5);
  if (typeof value === 'object') {
    let sum = 5;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) sum += k.length + estimateBytes(v, depth + 1);
    return sum;
  }
  return 16;
}
