/**
 * Tokens on the signaling server, over real connect() and real WebRTC: a process whose token names
 * one room cannot get into another. The server refuses its `join` (group-forbidden, reported on the
 * process's 'error'), never lists it to that room's members, and relays no signal between it and
 * them, so it cannot even open a connection to a member whose id it knows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createProcess, type Process } from '@synchrony/core';
import { issueToken } from '../../../signaling-server/src/token.js';
import { connect, realClock } from '../src/index.js';
import type { WebRtcTransport } from '../src/webrtc-transport.js';
import type { WrtcLike } from '../src/wrtc.js';
import { Cleanups, viewWhere, waitUntil, withTimeout } from './group-fixtures.js';
import { createTransport, startServer, wrtc } from './helpers.js';

const cleanups = new Cleanups();
afterEach(() => cleanups.runAll());
const WAIT_MS = 15_000;
const secret = 'server secret for tokens';

/** A member of room-b, built as connect() builds it, keeping the transport to read its peer lists. */
async function member(url: string): Promise<{ process: Process; transport: WebRtcTransport }> {
  const transport = await createTransport({ url }, { token: issueToken({ secret, groups: ['room-b'] }) });
  const process = createProcess({ transport, clock: realClock() });
  cleanups.push(() => process.close({ abrupt: true }));
  return { process, transport };
}

async function outsider(url: string): Promise<{ process: Process; errors: Error[] }> {
  const process = await connect({ signaling: url, token: issueToken({ secret, groups: ['room-a'] }), iceServers: [], wrtc: wrtc as unknown as WrtcLike });
  cleanups.push(() => process.close({ abrupt: true }));
  const errors: Error[] = [];
  process.on('error', (error) => errors.push(error));
  return { process, errors };
}

describe('a token that names one room', () => {
  it('lets its holder into that room, not into another; the other room never sees it', async () => {
    const server = await startServer({ secret });
    cleanups.push(() => server.close());
    const members = await Promise.all([member(server.url), member(server.url)]);
    const roomB = members.map((m) => m.process.group('room-b'));
    await withTimeout(Promise.all(roomB.map((g) => g.join())), WAIT_MS, 'room-b to form');
    await Promise.all(roomB.map((g) => viewWhere(g, (v) => v.members.length === 2, WAIT_MS)));

    const { process, errors } = await outsider(server.url);
    const roomA = await withTimeout(process.join('room-a'), WAIT_MS, 'the room its token names');
    expect(roomA.view?.members).toEqual([roomA.me]);

    const attempt = process.group('room-b');
    let joined = false;
    attempt.join().then(() => { joined = true; }, () => {});
    await waitUntil(() => errors.some((e) => (e as { code?: string }).code === 'group-forbidden'), WAIT_MS, () => `errors: ${errors.map((e) => e.message).join('; ')}`);
    const refusal = errors.find((e) => (e as { code?: string }).code === 'group-forbidden');
    expect(refusal?.name).toBe('SignalingError');

    // The refusal closed its signaling socket; once it is back (room-a announced again) the server
    // still lists only the two members in room-b, and each member still sees only the other.
    await waitUntil(() => errors.some((e) => /lost the signaling server/.test(e.message)), WAIT_MS, () => 'the socket closed by the refusal');
    const late = await member(server.url); // a fresh member's first list is the server's word on room-b now
    const lateGroup = late.process.group('room-b');
    await withTimeout(lateGroup.join(), WAIT_MS, 'a third member');
    expect([...late.transport.peers('room-b')].sort()).toEqual(members.map((m) => m.process.id).sort());
    for (const m of members) expect(m.transport.peers('room-b')).not.toContain(process.id);
    await Promise.all([...roomB, lateGroup].map((g) => viewWhere(g, (v) => v.members.length === 3, WAIT_MS)));
    expect(joined).toBe(false);
    expect(roomA.view?.members).toEqual([roomA.me]);
  }, 60_000);

  it('gives no way to reach a member of the other room, even knowing its id: the server relays no signal', async () => {
    const server = await startServer({ secret });
    cleanups.push(() => server.close());
    const target = await member(server.url);
    const group = target.process.group('room-b');
    await withTimeout(group.join(), WAIT_MS, 'room-b');
    const heard: string[] = [];
    target.transport.onFrame((from) => heard.push(from)); // replaces the engine's receiver: any frame counts

    const intruder = await createTransport({ url: server.url }, { token: issueToken({ secret, groups: ['room-a'] }) });
    cleanups.push(() => intruder.close({ abrupt: true }));
    intruder.announce('room-a');
    const down = new Promise<string>((resolve) => intruder.onPeerDown(resolve));
    const errors: Error[] = [];
    intruder.onError((error) => errors.push(error));
    intruder.send(target.process.id, new Uint8Array([1, 2, 3]), 'data');
    // The server answers peer-unreachable; the mesh gives the attempt up at once rather than at its connect timeout.
    expect(await withTimeout(down, WAIT_MS, 'the attempt to be given up')).toBe(target.process.id);
    expect(intruder.binding(target.process.id)).toBeUndefined();
    expect(heard).toEqual([]);
  }, 30_000);

  // "Every promise settles": the server's refusal rejects join() of the forbidden room, with a
  // SignalingError that names the room and the server's reason, and leaves the group idle (a
  // later join() asks the server again, and is refused again).
  it('join() of a room the token does not name settles: it rejects with the SignalingError', async () => {
    const server = await startServer({ secret });
    cleanups.push(() => server.close());
    const { process, errors } = await outsider(server.url);
    const group = process.group('room-b');
    const outcome = (): Promise<unknown> => withTimeout(group.join().then(() => 'joined', (error: unknown) => error), 5000, 'join() to settle');
    const error = (await outcome()) as { name?: string; code?: string; message?: string };
    expect(error.name).toBe('SignalingError');
    expect(error.code).toBe('group-forbidden');
    expect(error.message).toMatch(/refused the group room-b: group-forbidden: the token does not name this group/);
    expect(errors.some((e) => (e as { code?: string }).code === 'group-forbidden')).toBe(true); // still reported on 'error'
    expect(group.view).toBeUndefined();
    await expect(group.leave()).resolves.toBeUndefined(); // nothing to leave: the join failed
    await waitUntil(() => errors.some((e) => /lost the signaling server/.test(e.message)), WAIT_MS, () => 'the socket closed by the refusal');
    const again = (await outcome()) as { name?: string };
    expect(again.name).toBe('SignalingError');
  }, 30_000);
});
