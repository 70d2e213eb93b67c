/**
 * Process ids: random, new for each incarnation (a reloaded tab, a restarted Node process), so a
 * process that comes back is never mistaken for the one that was there before.
 */

/** Random bytes in an id: 96 bits, so two incarnations never collide in practice. */
const ID_RANDOM_BYTES = 12;

/** A fresh process id: 'p' and 24 hex digits (printable ASCII, as the signaling protocol requires). */
export function randomProcessId(): string {
  const bytes = new Uint8Array(ID_RANDOM_BYTES);
  globalThis.crypto.getRandomValues(bytes);
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return `p${hex}`;
}
