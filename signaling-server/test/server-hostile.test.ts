/**
 * Hostile clients, one kind at a time and then all at once: 5 MB frames, join floods, hundreds
 * of idle sockets, slowloris upgrades, id thieves, garbage. Each gets an error frame or its socket
 * closed; honest clients are served meanwhile; afterwards the server holds no socket and no group
 * of theirs, and the heap is back within a bound (stated in each test). Every abuser is bounded
 * in count and time (abusers.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SignalingServer } from '../src/server.js';
import { garbage, hugeFrames, idleSockets, idThieves, joinFlood, slowloris } from './abusers.js';
import { TestClient, cleanup, httpUrl, sleep, startServer } from './helpers.js';
import { heapAfterGc, tcpHandles } from './memory.js';

afterEach(cleanup);

const MB = 1024 * 1024;

/** Two honest clients meet in a group and relay a signal, each step within 3 s. */
async function honestPairWorks(server: SignalingServer, tag: string): Promise<void> {
  const a = await TestClient.welcomed(server.url, `honest-a-${tag}`);
  const b = await TestClient.welcomed(server.url, `honest-b-${tag}`);
  a.send({ type: 'join', group: `honest-${tag}` });
  b.send({ type: 'join', group: `honest-${tag}` });
  await a.peers(`honest-${tag}`, [`honest-b-${tag}`]);
  a.send({ type: 'signal', to: `honest-b-${tag}`, data: { sdp: 'offer' } });
  expect(await b.next('signal')).toMatchObject({ from: `honest-a-${tag}` });
  a.socket.close();
  b.socket.close();
  await Promise.all([a.closed, b.closed]);
}

async function health(server: SignalingServer): Promise<{ sockets: number; groups: number }> {
  return (await fetch(`${httpUrl(server)}/healthz`)).json() as Promise<{ sockets: number; groups: number }>;
}

/** Waits until the server holds no socket and no group (it sees closes a moment after the clients). */
async function emptied(server: SignalingServer): Promise<void> {
  for (const deadline = Date.now() + 3000; Date.now() < deadline; await sleep(20)) {
    const now = await health(server);
    if (now.sockets === 0 && now.groups === 0) return;
  }
  expect(await health(server)).toMatchObject({ sockets: 0, groups: 0 });
}

describe('hostile clients', () => {
  it('closes 5 MB frames with 1009 without buffering them (heap growth under 16 MB for 20 of them)', async () => {
    const server = await startServer({ limits: { socketsPerAddress: 100 } });
    const heapBefore = heapAfterGc();
    const report = await hugeFrames(server.url, 20, 5 * MB, 10_000);
    expect(report.closedByServer).toBe(20);
    expect(report.closeCodes).toEqual({ 1009: 20 });
    await honestPairWorks(server, 'huge');
    await emptied(server);
    expect(heapAfterGc() - heapBefore).toBeLessThan(16 * MB);
  });

  it('closes sockets that flood joins, and keeps none of their groups', async () => {
    const server = await startServer({ limits: { socketsPerAddress: 100 } });
    const report = await joinFlood(server.url, 20, 500, 10_000);
    expect(report.closedByServer).toBe(20);
    expect(report.errors).toEqual({ 'too-many-groups': 20 }); // 32 groups per socket, long before the rate limit
    await honestPairWorks(server, 'flood');
    await emptied(server);
  });

  it('closes hundreds of idle sockets at the hello timeout', async () => {
    const server = await startServer({ limits: { socketsPerAddress: 400, helloTimeoutMs: 500 } });
    const idle = idleSockets(server.url, 300, 10_000);
    await sleep(100);
    await honestPairWorks(server, 'idle'); // served while 300 sockets sit there
    const report = await idle;
    expect(report.closedByServer).toBe(300);
    expect(report.errors).toEqual({ 'hello-timeout': 300 });
    await emptied(server);
  });

  it('cuts off slowloris upgrades at handshakeTimeoutMs, and caps them per address', async () => {
    const server = await startServer({ limits: { handshakeTimeoutMs: 500, socketsPerAddress: 150 } });
    const startedMs = Date.now();
    const loris = slowloris(server.port, 100, 50, 10_000);
    await sleep(100);
    await honestPairWorks(server, 'loris');
    const report = await loris;
    expect(report.closedByServer).toBe(100);
    expect(Date.now() - startedMs).toBeLessThan(500 + 2000);

    const capped = await startServer({ limits: { handshakeTimeoutMs: 2000, socketsPerAddress: 10 } });
    const t0 = Date.now();
    const over = await slowloris(capped.port, 30, 50, 10_000);
    expect(over.closedByServer).toBe(30); // 20 refused at once, 10 at the timeout
    expect(Date.now() - t0).toBeLessThan(2000 + 2000);
  });

  it('refuses id thieves, with or without a guessed key', async () => {
    const server = await startServer();
    const owner = await TestClient.welcomed(server.url, 'owner');
    const report = await idThieves(server.url, 'owner', 10, 5000);
    expect(report.errors).toEqual({ 'id-taken': 10 });
    owner.send({ type: 'ping' });
    await owner.next('pong');
  });

  it('survives all of them at once, serving honest clients, and gives the memory back', async () => {
    const server = await startServer({ limits: { socketsPerAddress: 1000, helloTimeoutMs: 1000, handshakeTimeoutMs: 1000 } });
    await health(server); // fetch keeps one connection alive: count it in the baseline
    const heapBefore = heapAfterGc();
    const handlesBefore = tcpHandles();
    const owner = await TestClient.welcomed(server.url, 'owner');
    const abuse = Promise.all([
      hugeFrames(server.url, 10, 5 * MB, 15_000),
      joinFlood(server.url, 20, 500, 15_000),
      idleSockets(server.url, 200, 15_000),
      slowloris(server.port, 100, 50, 15_000),
      idThieves(server.url, 'owner', 20, 15_000),
      garbage(server.url, 50, 15_000),
    ]);
    await sleep(50);
    for (let round = 0; round < 3; round += 1) await honestPairWorks(server, `all-${round}`);
    const reports = await abuse;
    for (const report of reports) expect(report.closedByServer).toBe(report.opened);
    owner.socket.close();
    await owner.closed;
    await emptied(server);
    await sleep(100);
    expect(tcpHandles()).toBeLessThanOrEqual(handlesBefore);
    // 400 abusive connections, 50 MB of oversized frames sent: what stays is under 16 MB.
    const heapGrowth = heapAfterGc() - heapBefore;
    console.info(`all abusers at once: heap ${(heapBefore / MB).toFixed(1)} MB before, growth ${(heapGrowth / MB).toFixed(1)} MB after; TCP handles ${handlesBefore} before, ${tcpHandles()} after`);
    expect(heapGrowth).toBeLessThan(16 * MB);
  }, 30_000);
});
