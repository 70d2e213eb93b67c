/**
 * The gate of a group with a secret (auth/group-gate.ts), alone: how long a refusal lasts. A peer
 * refused for proving nothing (its proof may have been lost with a connection that broke without
 * a word) is a process of the group again after a quiet spell, so that a joiner reaches out to it
 * again; one refused for a proof that does not verify stays refused until it reconnects.
 */
import { describe, expect, it } from 'vitest';
import { GroupGate } from '../src/auth/group-gate.js';
import { groupKey, proof } from '../src/auth/group-proofs.js';
import type { GroupMsg } from '../src/wire/messages.js';

const GROUP = 'g';
const SECRET = 'a random secret of the group';

function gate() {
  const sent: Array<[string, GroupMsg]> = [];
  const rejected: string[] = [];
  const g = new GroupGate({
    processId: 'me',
    binding: (peer) => `binding-${peer}`,
    enqueue: (peer, message) => void sent.push([peer, message]),
    reject: (_peer, reason) => void rejected.push(reason),
    member: () => true,
  });
  g.register(GROUP, SECRET);
  return { g, sent, rejected };
}

const join = (peer: string): GroupMsg => ({ t: 'j', g: GROUP, f: `${peer}#1` });
const noRelease = (): void => {
  throw new Error('nothing may be released without a proof');
};

describe('the group gate: how long a refusal lasts', () => {
  it('a peer that proved nothing is refused after 2 s, and stops being refused after 6 s of quiet', () => {
    const { g, rejected } = gate();
    expect(g.admit('p', join('p'), 0, noRelease)).toBe(false); // waits for a proof
    g.tick(1999);
    expect(g.refuses('p', GROUP)).toBe(false);
    g.tick(2000);
    expect(g.refuses('p', GROUP)).toBe(true);
    expect(rejected).toHaveLength(1);
    g.tick(7999);
    expect(g.refuses('p', GROUP)).toBe(true);
    g.tick(8000); // six seconds after the refusal, and nothing unproved since
    expect(g.refuses('p', GROUP)).toBe(false);
  });

  it('a peer that keeps sending without a proof is refused again, and reported only once', () => {
    const { g, rejected } = gate();
    g.admit('p', join('p'), 0, noRelease);
    g.tick(2000);
    g.tick(8000);
    expect(g.refuses('p', GROUP)).toBe(false);
    g.admit('p', join('p'), 8100, noRelease);
    g.tick(10_100);
    expect(g.refuses('p', GROUP)).toBe(true);
    expect(rejected).toHaveLength(1);
  });

  it('a proof that does not verify keeps its refusal however long the peer is quiet; a valid one over a new connection clears it', () => {
    const { g } = gate();
    g.admit('p', { t: 'P', g: GROUP, f: 'p#0', au: 'f'.repeat(64) }, 0, noRelease);
    expect(g.refuses('p', GROUP)).toBe(true);
    g.tick(60_000);
    expect(g.refuses('p', GROUP)).toBe(true);
    g.connected('p');
    expect(g.refuses('p', GROUP)).toBe(false);
    let released: GroupMsg[] = [];
    g.admit('p', join('p'), 60_001, noRelease);
    g.admit('p', { t: 'P', g: GROUP, f: 'p#0', au: proof(groupKey(SECRET, GROUP), 'binding-p', 'p') }, 60_002, (messages) => {
      released = messages;
    });
    expect(released).toEqual([join('p')]);
    expect(g.refuses('p', GROUP)).toBe(false);
  });
});
