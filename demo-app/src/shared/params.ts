/**
 * What a demo page reads from its URL: `?room=NAME` (a fresh one is made, and put in the address
 * bar, when absent), and two settings for people who run their own server and for the tests:
 * `signaling` (default: the server that served the page, on the same port) and `failureTimeoutMs`
 * (default: the library's).
 */
import { cleanRoomName, freshRoomName } from './names.js';

export interface PageParams {
  readonly room: string;
  readonly signaling: string;
  readonly failureTimeoutMs: number | undefined;
}

/** The page's parameters; rewrites the address bar when the room had to be made up or cleaned. */
export function readParams(): PageParams {
  const url = new URL(window.location.href);
  const asked = cleanRoomName(url.searchParams.get('room') ?? '');
  const room = asked.length > 0 ? asked : freshRoomName();
  if (url.searchParams.get('room') !== room) {
    url.searchParams.set('room', room);
    window.history.replaceState(null, '', url);
  }
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  const signaling = url.searchParams.get('signaling') ?? `${scheme}://${window.location.host}`;
  const timeout = Number(url.searchParams.get('failureTimeoutMs'));
  return { room, signaling, failureTimeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : undefined };
}

/** The link that invites someone into this room of this demo (the page's own URL, minus test settings). */
export function inviteLink(page: 'whiteboard' | 'room', room: string): string {
  const url = new URL(`${page}.html`, window.location.href);
  url.search = new URLSearchParams({ room }).toString();
  return url.toString();
}
