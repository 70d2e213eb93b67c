/**
 * Group secrets over real WebRTC: proofs bound to each connection's DTLS fingerprints (core
 * src/auth, dtls-binding.ts). Members with the secret form the group; a wrong secret is refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dtlsBinding, fingerprints } from '../src/dtls-binding.js';
import { Cleanups, connectPeer, waitUntil, withTimeout } from './group-fixtures.js';
import { startServer } from './helpers.js';

const cleanups = new Cleanups();
afterEach(() => cleanups.runAll());

describe('the DTLS binding', () => {
  it('reads the fingerprints of both descriptions and sorts them, so both ends agree', () => {
    const a = 'v=0\r\na=fingerprint:sha-256 ab:CD:01\r\na=setup:actpass\r\n';
    const b = 'v=0\r\na=fingerprint:SHA-256 EF:23:45\r\n';
    expect(fingerprints(a)).toEqual(['sha-256 AB:CD:01']);
    expect(dtlsBinding(a, b)).toBe(dtlsBinding(b, a));
    expect(dtlsBinding(a, undefined)).toBeUndefined();
    expect(dtlsBinding(a, 'v=0\r\na=fingerprint:sha-256 99:99\r\n')).not.toBe(dtlsBinding(a, b));
  });
});

describe('a group with a secret over real WebRTC', () => {
  it('forms among members with the secret; a process with a wrong one is refused with AccessDeniedError', async () => {
    const server = await startServer();
    cleanups.push(() => server.close());
    const errors: Error[] = [];
    const members = await Promise.all([0, 1, 2].map(() => connectPeer(server.url, cleanups, errors)));
    const groups = members.map((p) => p.group('vault', { secret: 'correct horse' }));
    for (const group of groups) await withTimeout(group.join(), 15_000, 'a member to join');
    expect(groups.every((g) => g.view?.members.length === 3)).toBe(true);
    const got: unknown[] = [];
    groups[2]!.on('message', (m) => got.push(m.data));
    await groups[0]!.send('for members only', { safe: true });
    // The send resolves once the message is stable at its sender; the others deliver it once they learn so.
    await waitUntil(() => got.length > 0, 10_000, () => 'the safe message at the third member');
    expect(got).toEqual(['for members only']);

    const outsider = await connectPeer(server.url, cleanups, []);
    const refused = await withTimeout(outsider.group('vault', { secret: 'battery staple' }).join().catch((e: Error) => e), 15_000, 'the refusal');
    expect(refused).toHaveProperty('name', 'AccessDeniedError');
    expect(errors.some((e) => /does not verify/.test(e.message))).toBe(true);
    expect(groups[0]!.view?.members).toHaveLength(3);
  });
});
