/** Sizes of payloads, for flow control and batching, without encoding them. */

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
