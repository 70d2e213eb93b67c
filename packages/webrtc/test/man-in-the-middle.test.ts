/**
 * A man in the middle over real WebRTC (issue "Hardening"): a malicious signaling setup
 * (mitm.ts) that terminates WebRTC with each side itself, with DTLS certificates of its own, and
 * relays both data channels byte for byte.
 *
 * - Without a group secret it reads the group's traffic, and the group works through it: DTLS
 *   protects a connection, not who is at its other end. That is what a secret is for.
 * - With a secret, the proofs (bound to each end's view of the DTLS fingerprints) do not verify
 *   across it: the joiner's join() rejects with AccessDeniedError, the members report the proof, and
 *   nothing of the group reaches the joiner; the same processes without the MITM join at once.
 * - What a process of the room that is no member receives, unasked, from a group with a secret:
 *   the members' proofs, which an offline guess of a weak secret can be checked against (SECURITY.md:
 *   use a random secret); not their greetings (they wait for its proof), never the group's traffic.
 * - Two members whose connection drops and is made again through the MITM: nothing relayed by it
 *   is accepted (integrity holds), and nothing of the group's traffic crosses it (confidentiality
 *   holds): a member sends a group's messages over a connection only once the other end has proved
 *   the secret over it (on the simulator: secret-confidentiality.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createProcess, type Process } from '@synchrony/core';
import { realClock } from '../src/index.js';
import type { WebRtcTransport } from '../src/webrtc-transport.js';
import { Cleanups, viewWhere, waitUntil, withTimeout } from './group-fixtures.js';
import { createTransport, startServer } from './helpers.js';
import { dropConnection } from '../../../soak/src/link-faults.js';
import { MitmSignaling } from './mitm.js';
import { decodeFrame } from '../../core/src/wire/frame.js';
import type { GroupMsg } from '../../core/src/wire/messages.js';

const cleanups = new Cleanups();
afterEach(() => cleanups.runAll());
const WAIT_MS = 15_000;

interface Peer {
  readonly process: Process;
  readonly transport: WebRtcTransport;
  readonly errors: Error[];
}

/** A process built as connect() builds it, keeping its transport (to read its connections' bindings). */
async function peerOn(signaling: string): Promise<Peer> {
  const transport = await createTransport({ url: signaling });
  const process = createProcess({ transport, clock: realClock() });
  cleanups.push(() => process.close({ abrupt: true }));
  const errors: Error[] = [];
  process.on('error', (error) => errors.push(error));
  return { process, transport, errors };
}

/** A real signaling server, and the malicious proxy in front of it that every process uses. */
async function malicious(): Promise<MitmSignaling> {
  const server = await startServer();
  cleanups.push(() => server.close());
  const mitm = await MitmSignaling.start(server.url);
  cleanups.push(() => mitm.close());
  return mitm;
}

describe('a man in the middle of real WebRTC connections', () => {
  it('without a group secret: the group works through it, and it reads every message', async () => {
    const mitm = await malicious();
    const [a, b] = await Promise.all([peerOn(mitm.url), peerOn(mitm.url)]);
    mitm.intercept(a!.process.id, b!.process.id);
    const groups = [a!, b!].map((p) => p.process.group('open-room'));
    const got: unknown[] = [];
    groups[1]!.on('message', (m) => got.push(m.data));
    await withTimeout(Promise.all(groups.map((g) => g.join())), WAIT_MS, 'both to join');
    await Promise.all(groups.map((g) => viewWhere(g, (v) => v.members.length === 2, WAIT_MS)));

    await groups[0]!.send({ plan: 'meet at dawn' }, { order: 'total' });
    await waitUntil(() => got.length > 0, WAIT_MS, () => 'the message at b');
    expect(got).toEqual([{ plan: 'meet at dawn' }]);

    expect(mitm.spliced(a!.process.id, b!.process.id), 'both sides connected to the MITM').toBe(true);
    const read = mitm.overheard.filter((o) => o.message.t === 'd').map((o) => (o.message as { p: unknown }).p);
    expect(read, 'the MITM read the multicast').toContainEqual({ plan: 'meet at dawn' });
    // Each end completed DTLS with the MITM's certificate: they disagree on the connection's fingerprints.
    const bindingAtA = a!.transport.binding(b!.process.id);
    const bindingAtB = b!.transport.binding(a!.process.id);
    expect(bindingAtA).toBeDefined();
    expect(bindingAtB).toBeDefined();
    expect(bindingAtA).not.toBe(bindingAtB);
    expect([...a!.errors, ...b!.errors]).toEqual([]);
  }, 60_000);

  it('with a group secret: the proofs do not verify across it, the joiner is refused and reads nothing; without it, the same processes join', async () => {
    const mitm = await malicious();
    const secret = 'correct horse battery staple';
    const [joiner, m1, m2] = await Promise.all([peerOn(mitm.url), peerOn(mitm.url), peerOn(mitm.url)]);
    const members = [m1!, m2!];
    const groups = members.map((p) => p.process.group('vault', { secret }));
    for (const group of groups) await withTimeout(group.join(), WAIT_MS, 'a member to join');
    await Promise.all(groups.map((g) => viewWhere(g, (v) => v.members.length === 2, WAIT_MS)));
    const memberTraffic = groups[0]!.send('for members only', { safe: true });

    for (const member of members) mitm.intercept(joiner!.process.id, member.process.id);
    const vault = joiner!.process.group('vault', { secret });
    const seen: unknown[] = [];
    vault.on('message', (m) => seen.push(m.data));
    const refused = await withTimeout(vault.join().catch((error: Error) => error), WAIT_MS, 'the refusal');
    await memberTraffic;

    expect(refused).toHaveProperty('name', 'AccessDeniedError');
    expect(members.some((m) => mitm.spliced(joiner!.process.id, m.process.id)), 'the MITM sat in the middle').toBe(true);
    // The members report the failed proof (rate-limited: once per peer and kind).
    const proofReports = members.flatMap((m) => m.errors).filter((e) => /does not verify/.test(e.message));
    expect(proofReports.length).toBeGreaterThan(0);
    expect(proofReports.length).toBeLessThanOrEqual(2);
    expect(proofReports.every((e) => e.name === 'ProtocolError')).toBe(true);
    for (const g of groups) expect(g.view?.members).toHaveLength(2);
    // Nothing of the group went to the joiner through the MITM: no multicast, no state.
    const toJoiner = mitm.overheard.filter((o) => o.to === joiner!.process.id).map((o) => o.message.t);
    expect(toJoiner.filter((t) => t === 'd' || t === 's' || t === 'i' || t === 'c')).toEqual([]);
    expect(seen).toEqual([]);

    // The same processes, with the MITM gone: its connections drop, and they reconnect directly.
    mitm.stop();
    await waitUntil(
      () => members.every((m) => joiner!.transport.binding(m.process.id) === undefined),
      WAIT_MS, () => 'the connections through the MITM to close',
    );
    const view = await withTimeout(vault.join(), WAIT_MS, 'the join without the MITM');
    expect(view.members).toHaveLength(3);
    await Promise.all(groups.map((g) => viewWhere(g, (v) => v.members.length === 3, WAIT_MS)));
    const bindings = members.map((m) => [joiner!.transport.binding(m.process.id), m.transport.binding(joiner!.process.id)]);
    for (const [atJoiner, atMember] of bindings) expect(atJoiner).toBe(atMember);
    await groups[1]!.send('welcome', { safe: true });
    await waitUntil(() => seen.includes('welcome'), WAIT_MS, () => 'the multicast at the new member');
  }, 90_000);
});

describe('a process of the room that is no member of a group with a secret', () => {
  it('receives the members\' proofs, unasked, and nothing else of the group: no greeting, no traffic', async () => {
    const server = await startServer();
    cleanups.push(() => server.close());
    const members = await Promise.all([0, 1].map(() => peerOn(server.url)));
    const groups = members.map((m) => m.process.group('vault', { secret: 'correct horse battery staple' }));
    for (const group of groups) await withTimeout(group.join(), WAIT_MS, 'a member to join');
    await Promise.all(groups.map((g) => viewWhere(g, (v) => v.members.length === 2, WAIT_MS)));

    const outsider = await createTransport(server);
    cleanups.push(() => outsider.close({ abrupt: true }));
    const received: GroupMsg[] = [];
    outsider.onFrame((_from, frame) => {
      const decoded = decodeFrame(frame, 64 * 1024 * 1024);
      if (typeof decoded !== 'string') received.push(...decoded.frame.m);
    });
    outsider.announce('vault'); // in the room: the members would greet it as a process outside their view
    const proofsFrom = (): Set<string> => new Set(received.filter((m) => m.t === 'P').map((m) => m.f.split('#')[0]!));
    await waitUntil(() => proofsFrom().size === 2, WAIT_MS, () => `proofs received: ${[...proofsFrom()].join(', ')}`);
    await Promise.all(groups.map((g, i) => g.send(`secret traffic ${i}`, { safe: true })));
    await Promise.all(groups.map((g) => g.flush()));
    // Two greeting intervals: the greetings (and anything else of the group) wait for the outsider's proof.
    await new Promise((resolve) => setTimeout(resolve, 2500));

    const kinds = new Set(received.map((m) => m.t));
    expect(kinds.has('P')).toBe(true);
    for (const kind of kinds) expect(['P', 'J', 'V', 'W']).toContain(kind);
    expect(JSON.stringify(received)).not.toContain('secret traffic');
  }, 60_000);
});

describe('two members whose connection is made again through a man in the middle', () => {
  it('integrity holds: the proofs fail and are reported, nothing relayed is delivered, the group goes on', async () => {
    const secret = 's3cret';
    const sent = ['after the drop 0', 'after the drop 1', 'after the drop 2', 'after the drop 3', 'after the drop 4'];
    const mitm = await malicious();
    const peers = await Promise.all([0, 1, 2].map(() => peerOn(mitm.url)));
    const groups = peers.map((p) => p.process.group('vault', { secret }));
    const delivered = groups.map(() => [] as unknown[]);
    groups.forEach((g, i) => g.on('message', (m) => delivered[i]!.push(m.data)));
    for (const group of groups) await withTimeout(group.join(), WAIT_MS, 'a member to join');
    await Promise.all(groups.map((g) => viewWhere(g, (v) => v.members.length === 3, WAIT_MS)));
    const [b, c] = [peers[0]!, peers[1]!];
    // A network change ends the b-c connection; the next one goes through the MITM.
    mitm.intercept(b.process.id, c.process.id);
    const sends = sent.map((text) => groups[0]!.send(text).catch(() => undefined));
    expect(dropConnection(b.transport, c.process.id)).toBe(true);
    await waitUntil(() => mitm.spliced(b.process.id, c.process.id), WAIT_MS, () => 'the new b-c connection through the MITM');
    // b and the third member go on without c: neither b nor c proved anything to the other.
    await viewWhere(groups[2]!, (v) => v.members.length === 2, WAIT_MS);
    await withTimeout(Promise.all(sends), WAIT_MS, 'the sends to settle');

    const reports = (): Error[] => [...b.errors, ...c.errors].filter((e) => /does not verify/.test(e.message));
    await waitUntil(() => reports().length > 0, WAIT_MS, () => 'the failed proofs to be reported');
    expect(delivered[2]).toEqual(sent); // the third member, connected directly, got everything
    expect(delivered[1]!.filter((d) => sent.includes(d as string))).toEqual([]); // c got nothing through the MITM
    // Confidentiality holds too (on the simulator: secret-confidentiality.test.ts): neither b nor c
    // sends the other anything of the group over the new connection (a frame the old one had not
    // acknowledged included) before the other proved the secret over it, which neither does.
    const read = mitm.overheard.filter((o) => o.message.g === 'vault' && o.message.t !== 'P' && o.message.t !== 'J');
    expect(read.map((o) => o.message.t)).toEqual([]);
  }, 60_000);
});
