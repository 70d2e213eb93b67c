/**
 * What one server of a cluster asks of another, through the other's Redis channel (`P to:<server>`).
 *
 * Servers sharing a prefix trust each other, but a message is still parsed defensively: a bad
 * one (another version, a stray publisher) is dropped, never thrown on.
 */

import { isPeerId } from '../protocol.js';

/** Deliver `data` from `from` (on the sending server) to local peer `to`. */
export interface RelayMessage { t: 'signal'; from: string; to: string; data: unknown; via: string }
/** `peer` could not be reached: tell local peer `to` (it sent a signal to it). */
export interface UnreachableMessage { t: 'unreachable'; to: string; peer: string }
/** The same process took peer `id` over on another server: close its socket here. */
export interface EvictMessage { t: 'evict'; id: string; keyHash: string }

/** Every message between servers. */
export type ClusterMessage = RelayMessage | UnreachableMessage | EvictMessage;

/** Parses a message from another server; undefined for anything malformed. */
export function parseClusterMessage(text: string): ClusterMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as Record<string, unknown>;
  switch (message.t) {
    case 'signal':
      if (!isPeerId(message.from) || !isPeerId(message.to) || typeof message.via !== 'string' || !('data' in message)) return undefined;
      return { t: 'signal', from: message.from, to: message.to, data: message.data, via: message.via };
    case 'unreachable':
      if (!isPeerId(message.to) || !isPeerId(message.peer)) return undefined;
      return { t: 'unreachable', to: message.to, peer: message.peer };
    case 'evict':
      if (!isPeerId(message.id) || typeof message.keyHash !== 'string') return undefined;
      return { t: 'evict', id: message.id, keyHash: message.keyHash };
    default:
      return undefined;
  }
}
