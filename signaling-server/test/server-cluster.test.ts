/**
 * Several servers on one Redis (a real redis-server, started here with persistence off): peers on
 * different servers see each other, signal each other, and keep their ids unique across the
 * cluster; a group's limit holds cluster-wide; a restarted (empty) Redis is written again.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../src/protocol.js';
import type { SignalingServer } from '../src/server.js';
import { RedisServerProcess, SignalingProcess } from '../src/testing/index.js';
import { TestClient, cleanup, httpUrl, sleep, startServer } from './helpers.js';

let redis: RedisServerProcess;
beforeAll(async () => {
  redis = await RedisServerProcess.start();
});
afterAll(() => redis.stop());
afterEach(cleanup);

let prefixes = 0;
/** `count` servers sharing one fresh prefix (so tests do not see each other's rooms). */
async function cluster(count: number, limits: Record<string, number> = {}): Promise<SignalingServer[]> {
  const prefix = `t${process.pid}-${(prefixes += 1)}:`;
  return Promise.all(Array.from({ length: count }, () => startServer({ redis: { url: redis.url, prefix, presenceTtlMs: 600 }, limits })));
}

async function hello(url: string, id: string, key?: string): Promise<TestClient> {
  const client = await TestClient.open(url);
  client.send({ type: 'hello', version: PROTOCOL_VERSION, id, ...(key === undefined ? {} : { key }) });
  return client;
}

describe('a cluster of servers on Redis', () => {
  it('lists peers of other servers, in order of joining, and relays signals across', async () => {
    const [s1, s2, s3] = await cluster(3);
    const a = await TestClient.welcomed(s1!.url, 'a');
    const b = await TestClient.welcomed(s2!.url, 'b');
    const c = await TestClient.welcomed(s3!.url, 'c');
    a.send({ type: 'join', group: 'room' });
    await a.peers('room', []);
    b.send({ type: 'join', group: 'room' });
    await b.peers('room', ['a']);
    c.send({ type: 'join', group: 'room' });
    await c.peers('room', ['a', 'b']);
    await a.peers('room', ['b', 'c']);
    await b.peers('room', ['a', 'c']);
    c.drain();
    c.send({ type: 'join', group: 'room' }); // the list again, in cluster order
    expect(await c.next('peers')).toEqual({ type: 'peers', group: 'room', peers: ['a', 'b'] });

    a.send({ type: 'signal', to: 'c', data: { sdp: 'offer from a' } });
    expect(await c.next('signal')).toEqual({ type: 'signal', from: 'a', data: { sdp: 'offer from a' } });
    c.send({ type: 'signal', to: 'b', data: 'candidate' });
    expect(await b.next('signal')).toEqual({ type: 'signal', from: 'c', data: 'candidate' });

    b.send({ type: 'leave', group: 'room' });
    await a.peers('room', ['c']);
    await c.peers('room', ['a']);
    a.send({ type: 'signal', to: 'b', data: 'x' }); // no longer shares a group
    expect(await a.next('error')).toMatchObject({ code: 'peer-unreachable', fatal: false, peer: 'b' });
    c.socket.terminate();
    await a.peers('room', []);
    const health = await (await fetch(`${httpUrl(s1!)}/healthz`)).json() as { cluster: { redis: string } };
    expect(health.cluster.redis).toBe('ready');
  });

  it('refuses an id held on another server, unless the same key takes it over', async () => {
    const [s1, s2] = await cluster(2);
    const owner = await hello(s1!.url, 'p1', 'key-of-p1');
    await owner.next('welcome');
    owner.send({ type: 'join', group: 'g' });
    const watcher = await TestClient.welcomed(s1!.url, 'watcher');
    watcher.send({ type: 'join', group: 'g' });
    await watcher.peers('g', ['p1']);

    const thief = await hello(s2!.url, 'p1');
    expect(await thief.expectFatal('id-taken')).toEqual({ code: 1008, reason: 'id-taken' });
    const guesser = await hello(s2!.url, 'p1', 'a-guess');
    await guesser.expectFatal('id-taken');

    const moved = await hello(s2!.url, 'p1', 'key-of-p1'); // the same process, through another server
    await moved.next('welcome');
    await owner.expectFatal('id-taken');
    await watcher.peers('g', []);
    moved.send({ type: 'join', group: 'g' });
    await watcher.peers('g', ['p1']);
    watcher.send({ type: 'signal', to: 'p1', data: 'found you' });
    expect(await moved.next('signal')).toMatchObject({ from: 'watcher', data: 'found you' });
  });

  it('holds peersPerGroup across the cluster', async () => {
    const [s1, s2] = await cluster(2, { peersPerGroup: 2 });
    const a = await TestClient.welcomed(s1!.url, 'a');
    const b = await TestClient.welcomed(s2!.url, 'b');
    a.send({ type: 'join', group: 'g' });
    await a.peers('g', []);
    b.send({ type: 'join', group: 'g' });
    await a.peers('g', ['b']);
    const c = await TestClient.welcomed(s1!.url, 'c');
    c.send({ type: 'join', group: 'g' });
    expect(await c.next('error')).toMatchObject({ code: 'group-full', fatal: false, group: 'g' });
  });

  it('drops the peers of a server that closes, at once', async () => {
    const [s1, s2] = await cluster(2);
    const a = await TestClient.welcomed(s1!.url, 'a');
    const b = await TestClient.welcomed(s2!.url, 'b');
    a.send({ type: 'join', group: 'g' });
    b.send({ type: 'join', group: 'g' });
    await a.peers('g', ['b']);
    await s2!.close(); // graceful: its peers go at once
    await a.peers('g', [], 2000);
  });

  it('drops the peers of a killed server within about one presence TTL', async () => {
    const prefix = `kill${process.pid}:`;
    const [s1] = await Promise.all([startServer({ redis: { url: redis.url, prefix, presenceTtlMs: 600 } })]);
    const doomed = await SignalingProcess.start({ redis: redis.url, redisPrefix: prefix, presenceTtlMs: 600 });
    try {
      const a = await TestClient.welcomed(s1!.url, 'a');
      const b = await hello(doomed.url, 'b', 'key-of-b');
      await b.next('welcome');
      a.send({ type: 'join', group: 'g' });
      b.send({ type: 'join', group: 'g' });
      await a.peers('g', ['b']);
      const killedMs = Date.now();
      await doomed.kill(); // SIGKILL: no goodbye to Redis, its keys are simply no longer refreshed
      await a.peers('g', [], 3000);
      expect(Date.now() - killedMs).toBeLessThan(600 + 2 * 200 + 1000); // TTL, a refresh period or two, slack
      // b comes back through the surviving server, under its id and key, and joins again.
      const back = await hello(s1!.url, 'b', 'key-of-b');
      await back.next('welcome');
      back.send({ type: 'join', group: 'g' });
      await a.peers('g', ['b']);
    } finally {
      await doomed.kill();
    }
  });

  it('writes everything again into a Redis that restarted empty', async () => {
    const [s1, s2] = await cluster(2);
    const a = await TestClient.welcomed(s1!.url, 'a');
    const b = await TestClient.welcomed(s2!.url, 'b');
    a.send({ type: 'join', group: 'g' });
    b.send({ type: 'join', group: 'g' });
    await a.peers('g', ['b']);
    await redis.stop();
    await sleep(300);
    // A join while Redis is away is held, not answered "nobody": the joiner would found a second group.
    const local = await TestClient.welcomed(s1!.url, 'local');
    local.send({ type: 'join', group: 'g' });
    await sleep(300);
    expect(local.pending().filter((m) => m.type === 'peers')).toEqual([]);
    await redis.restart();
    await local.peers('g', ['a', 'b'], 8000); // once the servers wrote their peers again
    const c = await TestClient.welcomed(s2!.url, 'c');
    c.send({ type: 'join', group: 'g' });
    await c.peers('g', ['a', 'b', 'local'], 8000);
    await a.peers('g', ['b', 'local', 'c'], 8000);
  }, 20_000);
});
