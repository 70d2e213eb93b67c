/**
 * What an operation may carry: the values that msgpack carries and gives back as themselves
 * (shared/API.md: objects, arrays, strings, numbers, booleans, null, Uint8Array; and Date, which
 * msgpack's timestamp carries). A value is checked at the call, so that a function, a symbol, a
 * BigInt, a Map or a cyclic object is refused there, naming the argument, before anything is sent.
 *
 * It is also copied, in the same pass. The core hands the sender its own message back as the very
 * object it was given, while every other member decodes the bytes that went out: an application
 * that changed its object between the call and the delivery would otherwise see its own replica
 * drift from everyone else's. The copy is what msgpack would give back (-0 becomes 0).
 */

/** Deeper values are refused: a recursive walk (here, and in the codec) must not run out of stack. */
export const MAX_DEPTH = 256;

/**
 * A deep copy of `value`, which an operation can carry; throws a TypeError (or a RangeError for
 * nesting deeper than {@link MAX_DEPTH}) that names `what`, the argument, and where in it the
 * problem is. `undefined` is refused at the top (a replicated value is never "absent"), and
 * accepted inside objects and arrays, where msgpack keeps it.
 */
export function carriableCopy(value: unknown, what: string): unknown {
  if (value === undefined) throw new TypeError(`${what} must not be undefined (use null, or delete/remove)`);
  return copy(value, what, 0, new Set());
}

function copy(value: unknown, path: string, depth: number, ancestors: Set<object>): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return value;
    case 'number':
      return Object.is(value, -0) ? 0 : value;
    case 'bigint':
      throw new TypeError(`${path} is a BigInt, which an operation cannot carry: send a number or a string`);
    case 'symbol':
    case 'function':
      throw new TypeError(`${path} is a ${typeof value}, which an operation cannot carry`);
    default:
      return value === null ? null : copyObject(value as object, path, depth, ancestors);
  }
}

function copyObject(value: object, path: string, depth: number, ancestors: Set<object>): unknown {
  if (depth >= MAX_DEPTH) throw new RangeError(`${path} is nested deeper than ${MAX_DEPTH} levels`);
  if (value instanceof Uint8Array) return value.slice();
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RangeError(`${path} is an invalid Date`);
    return new Date(value.getTime());
  }
  if (ancestors.has(value)) throw new TypeError(`${path} refers back to an object that contains it (a cycle)`);
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return copyArray(value, path, depth, ancestors);
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const kind = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      throw new TypeError(`${path} is a ${kind}, which an operation cannot carry as itself: send plain objects and arrays`);
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      out[key] = copy((value as Record<string, unknown>)[key], `${path}.${key}`, depth + 1, ancestors);
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}

function copyArray(value: readonly unknown[], path: string, depth: number, ancestors: Set<object>): unknown[] {
  const out = new Array<unknown>(value.length);
  for (let i = 0; i < value.length; i++) out[i] = copy(value[i], `${path}[${i}]`, depth + 1, ancestors);
  return out;
}
