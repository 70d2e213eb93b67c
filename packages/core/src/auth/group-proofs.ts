/**
 * Access control of groups with a secret (`JoinOptions.secret`): members prove the secret to each
 * other over each connection, and the proof is bound to that connection.
 *
 * A proof is HMAC-SHA256 over the connection's *binding* (for WebRTC: the two DTLS certificate
 * fingerprints of the connection, sorted, as each side read them in its SDP) and the prover's process
 * id, keyed by HKDF-SHA256 of the secret and the group's name. The secret never travels. A signaling
 * server that swaps SDP to sit in the middle terminates two DTLS sessions with fingerprints of its
 * own: the two sides then compute different bindings, so a proof relayed from one side does not
 * verify at the other, and neither an outsider nor a man in the middle gets in.
 *
 * Until a peer has proved the secret of a group over the current connection, what it sends for that
 * group waits (bounded), then flows in order once the proof is in; a proof that does not verify gets
 * a refusal (the joiner's `join()` rejects with AccessDeniedError). A member that holds no secret
 * answers a proof with 'open': a joiner that has a secret refuses such a group.
 *
 * HMAC and HKDF come from @noble/hashes (audited, synchronous: the core is sans-IO and cannot wait
 * on WebCrypto's promises in the middle of a step).
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

const encoder = new TextEncoder();

/** The key of a group's proofs: HKDF-SHA256 of the secret, for this group only. */
export function groupKey(secret: string, group: string): Uint8Array {
  return hkdf(sha256, encoder.encode(secret), encoder.encode('synchrony group secret'), encoder.encode(group), 32);
}

/** The proof that `prover` knows the key, over the connection with `binding`. */
export function proof(key: Uint8Array, binding: string, prover: string): string {
  const mac = hmac(sha256, key, encoder.encode(`synchrony-proof\u0000${binding}\u0000${prover}`));
  let out = '';
  for (const byte of mac) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** How much of a refused proof a refusal echoes (StatusMsg.cn). */
export const REFUSED_PROOF_ECHO = 16;

/** Compares two proofs in time that does not depend on where they differ. */
export function sameProof(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Messages of one group from one peer that wait for its proof, at most. */
export const MAX_AWAITING_PROOF = 10_000;
