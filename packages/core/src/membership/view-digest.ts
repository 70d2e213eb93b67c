/**
 * View digests (process level): the keepalive of a pair of processes for every group they share.
 * Each process tells each peer, every `keepaliveMs`, a hash of the (group, view, member) entries it
 * holds with that peer; when the hashes differ, each sends its entries, and a member found behind
 * (one excluded without noticing: it never lost sight of the others, so nothing timed out) is told
 * how its view ended. One small message per peer whatever the number of groups: a quiet group
 * costs nothing on the wire.
 */
export type DigestEntry = [group: string, viewId: number, member: string];

/**
 * FNV-1a over the sorted (group, view) pairs: two processes in the same views of the groups they
 * share give equal hashes (the member ids, which differ at each end, are left out).
 */
export function digestHash(entries: readonly DigestEntry[]): number {
  const lines = entries.map(([g, v]) => `${g}\u0000${v}`).sort();
  let h = 0x811c9dc5;
  for (const line of lines) {
    for (let i = 0; i < line.length; i++) h = Math.imul(h ^ line.charCodeAt(i), 0x01000193) >>> 0;
    h = Math.imul(h ^ 0x0a, 0x01000193) >>> 0;
  }
  return h;
}
