/**
 * Checks of what the application hands the library, at the call and before anything is sent: a
 * TypeError or RangeError that names the argument, the limit and the value (STYLE.md: two kinds of
 * error; a bad argument is the caller's, and it must not reach a peer).
 */
import type { JoinOptions, RequestOptions, SendOptions } from '../api.js';
import type { EngineConfig } from '../config.js';

/** A short, safe rendering of a value for an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (typeof value === 'object' && value !== null) return `a ${value.constructor?.name ?? 'null-prototype'} object`;
  return String(value);
}

const isPlainObject = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
};

/** UTF-8 length of a string, exactly (no allocation). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) { bytes += 4; i += 1; }
    else bytes += 3;
  }
  return bytes;
}

/**
 * Whether msgpack carries `data` whole, and its size in bytes (close to, and never below, its
 * encoded size). Throws a TypeError naming the first part it cannot carry: a function, a symbol,
 * a BigInt, a cycle, a Map or Set or class instance (msgpack would turn it into something else),
 * a typed array other than Uint8Array.
 */
export function measureCarriable(data: unknown, what = 'data'): number {
  const ancestors: object[] = [];
  const walk = (value: unknown, path: string): number => {
    switch (typeof value) {
      case 'undefined': case 'boolean': return 1;
      case 'number': return 9;
      case 'string': return utf8Length(value) + 5;
      case 'function': case 'symbol': case 'bigint':
        throw new TypeError(`${path} is ${show(value)}, which msgpack cannot carry: send plain data (objects, arrays, strings, numbers, booleans, null, Uint8Array)`);
      default: break;
    }
    if (value === null) return 1;
    const object = value as object;
    if (object instanceof Uint8Array) return object.length + 5;
    if (object instanceof Date) return 15;
    if (ancestors.includes(object)) throw new TypeError(`${path} refers back to one of its parents: msgpack cannot carry a cycle`);
    if (!Array.isArray(object) && !isPlainObject(object)) {
      throw new TypeError(`${path} is ${show(object)}, which msgpack would not give back as it is: send plain objects, arrays and Uint8Array`);
    }
    ancestors.push(object);
    let size = 5;
    if (Array.isArray(object)) object.forEach((item, i) => { size += walk(item, `${path}[${i}]`); });
    else for (const [key, item] of Object.entries(object)) size += utf8Length(key) + 5 + walk(item, `${path}.${key}`);
    ancestors.pop();
    return size;
  };
  return walk(data, what);
}

/** `data` of a multicast: carriable, and within the message size limit. */
export function checkMessage(data: unknown, maxMessageBytes: number, what = 'data'): number {
  const bytes = measureCarriable(data, what);
  if (bytes > maxMessageBytes) {
    throw new RangeError(`${what} is about ${bytes} bytes, over maxMessageBytes (${maxMessageBytes}): split it, or send a reference`);
  }
  return bytes;
}

export function checkSendOptions(options: unknown): SendOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw new TypeError(`send options must be an object, not ${show(options)}`);
  const { order, safe } = options as SendOptions;
  if (order !== undefined && order !== 'fifo' && order !== 'causal' && order !== 'total') {
    throw new TypeError(`options.order must be 'fifo', 'causal' or 'total', not ${show(order)}`);
  }
  if (safe !== undefined && typeof safe !== 'boolean') throw new TypeError(`options.safe must be a boolean, not ${show(safe)}`);
  return options as SendOptions;
}

export function checkRequestOptions(options: unknown): RequestOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw new TypeError(`request options must be an object, not ${show(options)}`);
  const { replies, timeoutMs } = options as RequestOptions;
  if (!(replies === undefined || replies === 'one' || replies === 'majority' || replies === 'all' ||
    (typeof replies === 'number' && Number.isInteger(replies) && replies >= 0))) {
    throw new TypeError(`options.replies must be 'one', 'majority', 'all' or a whole number >= 0, not ${show(replies)}`);
  }
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 0)) {
    throw new RangeError(`options.timeoutMs must be a finite number of ms >= 0, not ${show(timeoutMs)}`);
  }
  return options as RequestOptions;
}

/** A duration option: a finite number of ms within [min, max]. */
export function checkMs(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${name} must be a number of ms from ${min} to ${max}, not ${show(value)}`);
  }
}

export function checkJoinOptions(options: unknown): JoinOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw new TypeError(`join options must be an object, not ${show(options)}`);
  const o = options as JoinOptions;
  if (o.failureTimeoutMs !== undefined) checkMs('options.failureTimeoutMs', o.failureTimeoutMs, 50, 600_000);
  for (const upcall of ['getState', 'setState'] as const) {
    if (o[upcall] !== undefined && typeof o[upcall] !== 'function') throw new TypeError(`options.${upcall} must be a function, not ${show(o[upcall])}`);
  }
  if (o.secret !== undefined && (typeof o.secret !== 'string' || o.secret.length === 0 || o.secret.length > 4096)) {
    throw new TypeError(`options.secret must be a string of 1 to 4096 characters, not ${show(o.secret)}`);
  }
  if (o.rejoin !== undefined && typeof o.rejoin !== 'boolean') throw new TypeError(`options.rejoin must be a boolean, not ${show(o.rejoin)}`);
  if (o.store !== undefined) {
    const store = o.store as unknown as Record<string, unknown>;
    if (typeof store !== 'object' || store === null || typeof store.load !== 'function' || typeof store.saveView !== 'function' || typeof store.saveCheckpoint !== 'function') {
      throw new TypeError('options.store must be a GroupStore (load, saveView, saveCheckpoint): idbStore() from @synchrony/store-idb, or memoryStore()');
    }
  }
  return o;
}

/** Engine settings handed to createProcess, connect or the simulator: known names, sane numbers. */
export function checkConfig(config: unknown, defaults: EngineConfig): Partial<EngineConfig> {
  if (config === undefined) return {};
  if (typeof config !== 'object' || config === null) throw new TypeError(`config must be an object, not ${show(config)}`);
  for (const [name, value] of Object.entries(config)) {
    if (!(name in defaults)) throw new TypeError(`config.${name} is not a setting (known: ${Object.keys(defaults).join(', ')})`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new RangeError(`config.${name} must be a finite number above 0, not ${show(value)}`);
    }
  }
  return config as Partial<EngineConfig>;
}
