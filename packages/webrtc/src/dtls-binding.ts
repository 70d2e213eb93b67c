/**
 * The binding of a WebRTC connection for proofs of a group secret (core src/auth): the two DTLS
 * certificate fingerprints of the connection, as this side read them in its local and remote
 * session descriptions, sorted so that both ends compute the same string. A signaling server that
 * swaps the SDP to sit in the middle ends two DTLS sessions with fingerprints of its own, so the two
 * ends of a connection through it compute different bindings, and a proof relayed through it fails.
 */

/** The `a=fingerprint:` lines of an SDP, normalised (algorithm and upper-case hex). */
export function fingerprints(sdp: string | undefined): string[] {
  if (sdp === undefined) return [];
  const out: string[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    const match = /^a=fingerprint:(\S+)\s+([0-9A-Fa-f:]+)\s*$/.exec(line);
    if (match !== null) out.push(`${match[1]!.toLowerCase()} ${match[2]!.toUpperCase()}`);
  }
  return [...new Set(out)].sort();
}

/** The binding of a connection, or undefined when a description has no fingerprint. */
export function dtlsBinding(localSdp: string | undefined, remoteSdp: string | undefined): string | undefined {
  const local = fingerprints(localSdp);
  const remote = fingerprints(remoteSdp);
  if (local.length === 0 || remote.length === 0) return undefined;
  return [local.join(','), remote.join(',')].sort().join('|');
}
