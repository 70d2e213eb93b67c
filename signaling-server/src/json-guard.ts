/**
 * A guard over parsed JSON: bounded depth, and no keys that look like prototype pollution.
 *
 * Browser-safe (imported by protocol.ts). `JSON.parse` itself makes `"__proto__"` an own
 * property, which is harmless there, but relayed data ends up in client code that may merge
 * it into objects with `Object.assign` or a spread; refusing such keys at the edge is cheaper
 * than auditing every consumer.
 */

const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Walks `root` without recursion (so a hostile, deeply nested value cannot overflow the
 * stack) and returns why it is refused, or `undefined` when it is acceptable.
 *
 * @param root - a value produced by `JSON.parse`
 * @param depthMax - the deepest nesting allowed, `root` counting as depth 1
 */
export function checkJsonShape(root: unknown, depthMax: number): string | undefined {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 1 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, depth } = item;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > depthMax) return `nesting deeper than ${depthMax}`;
    if (Array.isArray(value)) {
      for (const element of value) stack.push({ value: element, depth: depth + 1 });
      continue;
    }
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) return `forbidden key ${JSON.stringify(key)}`;
      stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1 });
    }
  }
  return undefined;
}
