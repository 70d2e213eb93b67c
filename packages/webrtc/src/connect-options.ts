/**
 * Checks of the signaling-related options of `connect()` and `WebRtcTransport.create()`, made
 * before anything is opened, so that a mistake in configuration is a `TypeError` naming the
 * option at the call, not a `SignalingError` (or a hang) from deep inside a WebSocket.
 */

/** How many signaling URLs one process may be given; failover walks them in order. */
export const SIGNALING_URLS_MAX = 16;

/** The fields checked here. */
export interface SignalingOptionsToCheck {
  readonly signaling?: unknown;
  readonly token?: unknown;
  readonly iceServers?: unknown;
}

/**
 * The signaling URLs, checked: `signaling` must be a `ws://` or `wss://` URL, or a non-empty
 * array of them (at most {@link SIGNALING_URLS_MAX}); `token`, when given, a string;
 * `iceServers`, when given, an array.
 *
 * @throws TypeError naming the option and showing the value; RangeError for too many URLs.
 */
export function checkSignalingOptions(options: SignalingOptionsToCheck | undefined): readonly string[] {
  if (typeof options !== 'object' || options === null) throw new TypeError(`connect() takes an options object ({ signaling: 'ws://…' }), got ${show(options)}`);
  const { signaling, token, iceServers } = options;
  const urls = Array.isArray(signaling) ? (signaling as unknown[]) : [signaling];
  if (Array.isArray(signaling) && signaling.length === 0) throw new TypeError('signaling must be a ws:// or wss:// URL or a non-empty array of them, got an empty array');
  if (urls.length > SIGNALING_URLS_MAX) throw new RangeError(`signaling may list at most ${SIGNALING_URLS_MAX} URLs, got ${urls.length}`);
  urls.forEach((url, index) => checkUrl(url, Array.isArray(signaling) ? `signaling[${index}]` : 'signaling'));
  if (token !== undefined && typeof token !== 'string') throw new TypeError(`token must be a string, got ${show(token)}`);
  if (iceServers !== undefined && !Array.isArray(iceServers)) throw new TypeError(`iceServers must be an array of RTCIceServer, got ${show(iceServers)}`);
  return urls as string[];
}

function checkUrl(url: unknown, name: string): void {
  const expected = `${name} must be a ws:// or wss:// URL`;
  if (typeof url !== 'string') throw new TypeError(`${expected}, got ${show(url)}`);
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new TypeError(`${expected}, got ${show(url)}`);
  }
  // An http:// URL would be turned into a WebSocket by some runtimes and refused by others: be plain.
  if (protocol !== 'ws:' && protocol !== 'wss:') throw new TypeError(`${expected}, got ${show(url)}`);
}

/** A short rendering of a value for an error message. */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? 'a function' : String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}
