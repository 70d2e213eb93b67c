import { afterEach, describe, it, expect } from 'vitest';
import type { SignalingServer } from '../src/server.js';
import { BURST_SECONDS } from '../src/session.js';
import { TestClient, cleanup, sleep, startServer } from './helpers.js';

afterEach(cleanup);

/** A client that was not involved in the breach still gets served. */
async function expectServing(server: SignalingServer): Promise<void> {
  const bystander = await TestClient.open(server.url);
  bystander.send({ type: 'ping' });
  await bystander.next('pong');
  bystander.socket.close();
}

describe('limits', () => {
  it('closes a socket sending a frame over maxFrameBytes with 1009', async () => {
    const server = await startServer({ limits: { maxFrameBytes: 1024 } });
    const a = await TestClient.welcomed(server.url, 'a');
    a.send({ type: 'join', group: 'g' });
    await a.peers('g', []);
    const b = await TestClient.welcomed(server.url, 'b');
    b.send({ type: 'join', group: 'g' });
    await a.peers('g', ['b']);
    b.send({ type: 'signal', to: 'a', data: 'x'.repeat(2000) });
    expect((await b.closed).code).toBe(1009);
    await a.peers('g', []); // and the oversized sender left its groups
    await expectServing(server);
  });

  it('closes a socket over messagesPerSecondPerSocket with rate-limited', async () => {
    const server = await startServer({ limits: { messagesPerSecondPerSocket: 20 } });
    const a = await TestClient.welcomed(server.url, 'a');
    for (let i = 0; i < 20 * BURST_SECONDS + 30; i += 1) a.send({ type: 'ping' });
    expect(await a.expectFatal('rate-limited')).toEqual({ code: 1008, reason: 'rate-limited' });
    expect(a.pending().filter((m) => m.type === 'pong').length).toBeLessThanOrEqual(20 * BURST_SECONDS);
    await expectServing(server);
  });

  it('lets a burst of a few seconds\' worth through: what a client wrote while the server stalled', async () => {
    const server = await startServer({ limits: { messagesPerSecondPerSocket: 20 } });
    const a = await TestClient.welcomed(server.url, 'a');
    for (let i = 0; i < 20 * (BURST_SECONDS - 1); i += 1) a.send({ type: 'ping' });
    for (let i = 0; i < 20 * (BURST_SECONDS - 1); i += 1) await a.next('pong');
    expect(a.pending().some((m) => m.type === 'error')).toBe(false);
  });

  it('lets a socket that keeps under the rate go on', async () => {
    const server = await startServer({ limits: { messagesPerSecondPerSocket: 20 } });
    const a = await TestClient.welcomed(server.url, 'a');
    for (let round = 0; round < 3; round += 1) {
      for (let i = 0; i < 8; i += 1) a.send({ type: 'ping' });
      await sleep(450); // 8 per 450 ms stays under 20 per second
    }
    a.send({ type: 'ping' });
    await a.next('pong');
    expect(a.pending().some((m) => m.type === 'error')).toBe(false);
  });

  it('refuses sockets over socketsPerAddress with too-many-sockets, and counts closes', async () => {
    const server = await startServer({ limits: { socketsPerAddress: 3 } });
    const kept = await Promise.all([0, 1, 2].map(() => TestClient.open(server.url)));
    const extra = await TestClient.open(server.url);
    expect(await extra.expectFatal('too-many-sockets')).toMatchObject({ code: 1008 });
    kept[0]!.socket.close();
    await kept[0]!.closed;
    await sleep(50);
    await expectServing(server); // a slot was freed
    kept[1]!.send({ type: 'ping' });
    await kept[1]!.next('pong');
  });

  it('refuses sockets over socketsPerServer with server-full', async () => {
    const server = await startServer({ limits: { socketsPerServer: 2 } });
    await Promise.all([0, 1].map(() => TestClient.open(server.url)));
    await (await TestClient.open(server.url)).expectFatal('server-full');
  });

  it('closes a socket joining more than groupsPerSocket with too-many-groups', async () => {
    const server = await startServer({ limits: { groupsPerSocket: 3 } });
    const a = await TestClient.welcomed(server.url, 'a');
    const b = await TestClient.welcomed(server.url, 'b');
    for (const group of ['g1', 'g2', 'g3', 'g3']) a.send({ type: 'join', group }); // a repeat is not a new group
    b.send({ type: 'join', group: 'g1' });
    await b.peers('g1', ['a']);
    a.send({ type: 'join', group: 'g4' });
    await a.expectFatal('too-many-groups');
    await b.peers('g1', []);
    await expectServing(server);
  });

  it('refuses a join over peersPerGroup with a non-fatal group-full', async () => {
    const server = await startServer({ limits: { peersPerGroup: 2 } });
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((id) => TestClient.welcomed(server.url, id))) as [TestClient, TestClient, TestClient];
    a.send({ type: 'join', group: 'g' });
    b.send({ type: 'join', group: 'g' });
    await a.peers('g', ['b']);
    c.send({ type: 'join', group: 'g' });
    expect(await c.next('error')).toMatchObject({ code: 'group-full', fatal: false, group: 'g' });
    c.send({ type: 'join', group: 'other' }); // c keeps its socket and its other groups
    await c.peers('other', []);
    a.drain();
    b.socket.close();
    await a.peers('g', []);
    c.send({ type: 'join', group: 'g' }); // room again
    await c.peers('g', ['a']);
  });

  it('terminates a socket that stops answering pings', async () => {
    const server = await startServer({ limits: { heartbeatIntervalMs: 50 } });
    const dead = await TestClient.open(server.url, { autoPong: false });
    const alive = await TestClient.welcomed(server.url, 'alive');
    expect((await dead.closed).code).toBe(1006); // cut off, no close handshake
    await sleep(200);
    alive.send({ type: 'ping' });
    await alive.next('pong');
  });

  it('drops a peer that does not read what is relayed to it', async () => {
    const server = await startServer({ limits: { sendBufferBytesPerSocket: 64 * 1024, messagesPerSecondPerSocket: 100_000 } });
    const sender = await TestClient.welcomed(server.url, 'sender');
    const sink = await TestClient.welcomed(server.url, 'sink');
    sender.send({ type: 'join', group: 'g' });
    sink.send({ type: 'join', group: 'g' });
    await sender.peers('g', ['sink']);
    await sink.peers('g', ['sender']);
    sink.socket.pause(); // stops reading: the kernel buffers fill, then the server's
    const data = 'x'.repeat(60_000);
    for (let i = 0; i < 2000 && sink.socket.readyState === sink.socket.OPEN; i += 1) {
      sender.send({ type: 'signal', to: 'sink', data });
      if (i % 50 === 49) {
        await sleep(5);
        if (sender.pending().some((m) => m.type === 'peers' && m.peers.length === 0)) break;
      }
    }
    await sender.peers('g', []);
    sink.socket.resume();
    expect((await sink.closed).code).toBe(1006); // terminated: no close frame could get through
  });
});
