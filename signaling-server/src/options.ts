/**
 * The options of `startSignalingServer`, checked before anything is bound.
 *
 * A server is often started from configuration (environment, a YAML file, a CLI), so a wrong type
 * or a value out of range is reported at once, as a `TypeError` or `RangeError` that names the
 * option, the accepted range and the value given, rather than as a server that misbehaves later
 * (a `NaN` limit silently disables a protection; a misspelt option is silently ignored).
 */

import { resolveLimits, type SignalingLimits } from './limits.js';

/** Where a cluster of servers shares its rooms: see {@link SignalingServerOptions.redis}. */
export interface RedisOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). */
  url: string;
  /**
   * Prefix of every key and channel this cluster uses; default `'synchrony:'`. Servers share
   * rooms only with servers of the same prefix, so several deployments can use one Redis.
   */
  prefix?: string;
  /**
   * How long a server's peers stay listed after the server stops refreshing its presence (it
   * died, or lost Redis); default 3000 ms. The presence is refreshed every third of it.
   */
  presenceTtlMs?: number;
}

/** Options of `startSignalingServer`; every one is optional. */
export interface SignalingServerOptions {
  /** The TCP port; default 0, any free port (read it back from `port` or `url`). */
  port?: number;
  /** The interface to listen on; default `'127.0.0.1'`, so nothing is exposed by accident. */
  host?: string;
  /** When set, every `hello` must carry a token from `issueToken` signed with this secret. */
  secret?: string;
  /** A folder served on the same port for every GET that is neither `/healthz` nor a WebSocket. */
  staticDir?: string;
  /** Overrides of `DEFAULT_LIMITS`. */
  limits?: Partial<SignalingLimits>;
  /**
   * Share rooms, discovery and relayed signals with the other servers on this Redis (a URL, or
   * {@link RedisOptions}). Without it the server stands alone and never loads a Redis client.
   */
  redis?: string | RedisOptions;
  /** Called with any error a handler threw (a server bug); default `console.error`. */
  onBug?: (error: unknown) => void;
}

/** The options after validation, with every default filled in. */
export interface ResolvedOptions {
  port: number;
  host: string;
  secret: string | undefined;
  staticDir: string | undefined;
  limits: SignalingLimits;
  redis: Required<RedisOptions> | undefined;
  onBug: (error: unknown) => void;
}

/** The default key prefix of a Redis cluster. */
export const REDIS_PREFIX_DEFAULT = 'synchrony:';
/** The default presence time-to-live of a server's peers in Redis, in ms. */
export const PRESENCE_TTL_MS_DEFAULT = 3000;
const PRESENCE_TTL_MS_MIN = 300;
const PRESENCE_TTL_MS_MAX = 600_000;
const PREFIX_LENGTH_MAX = 64;

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['port', 'host', 'secret', 'staticDir', 'limits', 'redis', 'onBug']);

/**
 * Validates `options` and fills in the defaults.
 *
 * @throws TypeError for a value of the wrong type or an unknown option; RangeError for a value out of range.
 */
export function resolveOptions(options: SignalingServerOptions | undefined): ResolvedOptions {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object' || Array.isArray(options)) throw new TypeError(`startSignalingServer options must be an object, got ${show(options)}`);
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`unknown option ${JSON.stringify(key)} (known: ${[...KNOWN_OPTIONS].join(', ')})`);
  }
  const { port = 0, host = '127.0.0.1', secret, staticDir, limits, redis, onBug = defaultOnBug } = options;
  if (typeof port !== 'number') throw new TypeError(`port must be a number in 0..65535, got ${show(port)}`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`port must be an integer in 0..65535, got ${show(port)}`);
  if (typeof host !== 'string') throw new TypeError(`host must be a string, got ${show(host)}`);
  if (secret !== undefined && typeof secret !== 'string') throw new TypeError(`secret must be a string, got ${show(secret)}`);
  if (secret === '') throw new RangeError('secret must be a non-empty string, got ""');
  if (staticDir !== undefined && typeof staticDir !== 'string') throw new TypeError(`staticDir must be a string (a folder), got ${show(staticDir)}`);
  if (limits !== undefined && (typeof limits !== 'object' || limits === null || Array.isArray(limits))) throw new TypeError(`limits must be an object, got ${show(limits)}`);
  if (typeof onBug !== 'function') throw new TypeError(`onBug must be a function, got ${show(onBug)}`);
  return { port, host, secret, staticDir, limits: resolveLimits(limits), redis: resolveRedis(redis), onBug };
}

function resolveRedis(redis: string | RedisOptions | undefined): Required<RedisOptions> | undefined {
  if (redis === undefined) return undefined;
  const given = typeof redis === 'string' ? { url: redis } : redis;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new TypeError(`redis must be a URL string or { url, prefix?, presenceTtlMs? }, got ${show(redis)}`);
  const { url, prefix = REDIS_PREFIX_DEFAULT, presenceTtlMs = PRESENCE_TTL_MS_DEFAULT } = given;
  if (typeof url !== 'string') throw new TypeError(`redis.url must be a string, got ${show(url)}`);
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new TypeError(`redis.url must be a redis:// or rediss:// URL, got ${show(url)}`);
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:') throw new TypeError(`redis.url must be a redis:// or rediss:// URL, got ${show(url)}`);
  if (typeof prefix !== 'string') throw new TypeError(`redis.prefix must be a string, got ${show(prefix)}`);
  if (prefix.length > PREFIX_LENGTH_MAX) throw new RangeError(`redis.prefix must be at most ${PREFIX_LENGTH_MAX} characters, got ${prefix.length}`);
  if (typeof presenceTtlMs !== 'number') throw new TypeError(`redis.presenceTtlMs must be a number, got ${show(presenceTtlMs)}`);
  if (!Number.isInteger(presenceTtlMs) || presenceTtlMs < PRESENCE_TTL_MS_MIN || presenceTtlMs > PRESENCE_TTL_MS_MAX) {
    throw new RangeError(`redis.presenceTtlMs must be an integer in ${PRESENCE_TTL_MS_MIN}..${PRESENCE_TTL_MS_MAX} ms, got ${show(presenceTtlMs)}`);
  }
  return { url, prefix, presenceTtlMs };
}

function defaultOnBug(error: unknown): void {
  console.error('synchrony-signaling: internal error', error);
}

/** A short, safe rendering of a value for an error message (never the whole of a huge string). */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  return Array.isArray(value) ? 'an array' : `an ${typeof value}`;
}

/** A Redis URL without its password, for messages and logs. */
export function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(not a valid URL)';
  }
}
