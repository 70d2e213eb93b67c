/**
 * What two meshes say to each other through the signaling server's `signal` relay.
 *
 * ```
 * { v: 1, kind: 'connect', known: n }           "I hold no connection to you: please initiate one";
 *                                               n is the latest attempt of yours I saw (0: none)
 * { v: 1, kind: 'rtc', session: n, data: {...} } simple-peer signaling (offer, answer, candidate)
 *                                               of connection attempt n, numbered by the initiator
 * ```
 *
 * The process with the smaller id always initiates, so two processes never offer to each other at
 * once (no glare); attempt numbers let each side ignore the signals of attempts it already left.
 */

/** The version of this envelope. */
export const LINK_SIGNAL_VERSION = 1;

/** One relayed link signal. */
export type LinkSignal =
  | { readonly kind: 'connect'; readonly known: number }
  | { readonly kind: 'rtc'; readonly session: number; readonly data: object };

/** The envelope as sent to the signaling server. */
export function encodeLinkSignal(signal: LinkSignal): Record<string, unknown> {
  return { v: LINK_SIGNAL_VERSION, ...signal };
}

/** Validates a relayed envelope: the signal, or what is wrong with it. Never throws. */
export function parseLinkSignal(data: unknown): LinkSignal | string {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'signal is not an object';
  const record = data as Record<string, unknown>;
  if (record['v'] !== LINK_SIGNAL_VERSION) return `signal has version ${String(record['v'])}, expected ${LINK_SIGNAL_VERSION}`;
  const kind = record['kind'];
  if (kind === 'connect') {
    const known = record['known'];
    if (!isAttempt(known, true)) return 'connect signal without a valid `known` attempt';
    return { kind, known };
  }
  if (kind === 'rtc') {
    const session = record['session'];
    const payload = record['data'];
    if (!isAttempt(session, false)) return 'rtc signal without a valid `session`';
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return 'rtc signal without data';
    return { kind, session, data: payload };
  }
  return `unknown signal kind ${JSON.stringify(kind)?.slice(0, 40)}`;
}

function isAttempt(value: unknown, zeroAllowed: boolean): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && (zeroAllowed ? value >= 0 : value > 0);
}
