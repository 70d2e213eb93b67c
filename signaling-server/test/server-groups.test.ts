import { afterEach, describe, it, expect } from 'vitest';
import { PROTOCOL_VERSION } from '../src/protocol.js';
import { TestClient, cleanup, sleep, startServer } from './helpers.js';

afterEach(cleanup);

describe('groups and peers', () => {
  it('welcomes, and two clients joining a group see each other', async () => {
    const server = await startServer();
    expect(server.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const a = await TestClient.open(server.url);
    a.send({ type: 'hello', version: PROTOCOL_VERSION, id: 'alice' });
    expect(await a.next('welcome')).toEqual({ type: 'welcome', id: 'alice', version: PROTOCOL_VERSION });
    const b = await TestClient.welcomed(server.url, 'bob');
    a.send({ type: 'join', group: 'room' });
    await a.peers('room', []);
    b.send({ type: 'join', group: 'room' });
    await b.peers('room', ['alice']);
    await a.peers('room', ['bob']);
  });

  it('lists peers in order of joining and re-sends the list on a repeated join', async () => {
    const server = await startServer();
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((id) => TestClient.welcomed(server.url, id)));
    for (const client of [a!, b!, c!]) {
      client.send({ type: 'join', group: 'g' });
      await client.next('peers');
    }
    await a!.peers('g', ['b', 'c']);
    a!.drain();
    c!.drain();
    a!.send({ type: 'join', group: 'g' });
    expect(await a!.next('peers')).toEqual({ type: 'peers', group: 'g', peers: ['b', 'c'] });
    c!.send({ type: 'join', group: 'g' });
    expect(await c!.next('peers')).toEqual({ type: 'peers', group: 'g', peers: ['a', 'b'] });
  });

  it('relays signals only between peers sharing a group', async () => {
    const server = await startServer();
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((id) => TestClient.welcomed(server.url, id))) as [TestClient, TestClient, TestClient];
    a.send({ type: 'join', group: 'one' });
    b.send({ type: 'join', group: 'one' });
    c.send({ type: 'join', group: 'two' });
    await a.peers('one', ['b']);
    await c.peers('two', []);

    const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
    a.send({ type: 'signal', to: 'b', data: offer });
    expect(await b.next('signal')).toEqual({ type: 'signal', from: 'a', data: offer });

    // c shares no group with a: refused without closing, naming the peer, and nothing reaches c.
    a.send({ type: 'signal', to: 'c', data: offer });
    expect(await a.next('error')).toMatchObject({ code: 'peer-unreachable', fatal: false, peer: 'c' });
    c.send({ type: 'signal', to: 'a', data: offer });
    expect(await c.next('error')).toMatchObject({ code: 'peer-unreachable', fatal: false, peer: 'a' });
    a.send({ type: 'signal', to: 'nobody', data: 1 });
    expect(await a.next('error')).toMatchObject({ code: 'peer-unreachable', peer: 'nobody' });
    a.send({ type: 'signal', to: 'a', data: 1 }); // not to itself either
    expect(await a.next('error')).toMatchObject({ code: 'peer-unreachable', peer: 'a' });

    a.send({ type: 'ping' });
    await a.next('pong'); // a is still connected
    c.send({ type: 'ping' });
    await c.next('pong');
    expect(c.pending().filter((m) => m.type === 'signal')).toEqual([]);
  });

  it('updates the peers lists on leave and on close, and stops relaying after', async () => {
    const server = await startServer();
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((id) => TestClient.welcomed(server.url, id))) as [TestClient, TestClient, TestClient];
    for (const client of [a, b, c]) client.send({ type: 'join', group: 'g' });
    await a.peers('g', ['b', 'c']);
    await b.peers('g', ['a', 'c']);

    c.send({ type: 'leave', group: 'g' });
    await a.peers('g', ['b']);
    await b.peers('g', ['a']);
    a.send({ type: 'signal', to: 'c', data: 'x' });
    expect(await a.next('error')).toMatchObject({ code: 'peer-unreachable' });
    c.send({ type: 'leave', group: 'g' }); // leaving again is a no-op
    c.send({ type: 'leave', group: 'never-joined' });
    c.send({ type: 'ping' });
    await c.next('pong');

    b.socket.close();
    await a.peers('g', []);
    b.socket.terminate();
    await b.closed;
  });

  it('frees a peer id when its socket closes, and refuses it while in use', async () => {
    const server = await startServer();
    const first = await TestClient.welcomed(server.url, 'same');
    const second = await TestClient.open(server.url);
    second.send({ type: 'hello', version: PROTOCOL_VERSION, id: 'same' });
    expect(await second.expectFatal('id-taken')).toEqual({ code: 1008, reason: 'id-taken' });
    first.socket.terminate();
    await first.closed;
    await sleep(50); // the server sees the close a moment after the client
    const third = await TestClient.welcomed(server.url, 'same');
    third.send({ type: 'ping' });
    await third.next('pong');
  });
  it('lets a newer socket with the same id and key take the id over, keeping nobody else out', async () => {
    const server = await startServer();
    const watcher = await TestClient.welcomed(server.url, 'watcher');
    watcher.send({ type: 'join', group: 'g' });
    await watcher.peers('g', []);
    const old = await TestClient.open(server.url);
    old.send({ type: 'hello', version: PROTOCOL_VERSION, id: 'p1', key: 'k-secret' });
    await old.next('welcome');
    old.send({ type: 'join', group: 'g' });
    await watcher.peers('g', ['p1']);

    // The same process again (its old socket looks alive to the server): the id moves over.
    const fresh = await TestClient.open(server.url);
    fresh.send({ type: 'hello', version: PROTOCOL_VERSION, id: 'p1', key: 'k-secret' });
    await fresh.next('welcome');
    expect(await old.expectFatal('id-taken')).toEqual({ code: 1008, reason: 'id-taken' });
    await watcher.peers('g', []);
    fresh.send({ type: 'join', group: 'g' });
    await watcher.peers('g', ['p1']);
    watcher.send({ type: 'signal', to: 'p1', data: 'to the new socket' });
    expect(await fresh.next('signal')).toEqual({ type: 'signal', from: 'watcher', data: 'to the new socket' });
  });
});

describe('protocol order', () => {
  it('answers ping before hello', async () => {
    const server = await startServer();
    const client = await TestClient.open(server.url);
    client.send({ type: 'ping' });
    expect(await client.next('pong')).toEqual({ type: 'pong' });
  });

  it('refuses join, leave and signal before hello', async () => {
    const server = await startServer();
    for (const frame of [{ type: 'join', group: 'g' }, { type: 'leave', group: 'g' }, { type: 'signal', to: 'b', data: 1 }]) {
      const client = await TestClient.open(server.url);
      client.send(frame);
      expect(await client.expectFatal('not-welcomed')).toMatchObject({ code: 1008 });
    }
  });

  it('refuses a second hello and a wrong version', async () => {
    const server = await startServer();
    const twice = await TestClient.welcomed(server.url, 'a');
    twice.send({ type: 'hello', version: PROTOCOL_VERSION, id: 'b' });
    await twice.expectFatal('already-welcomed');
    const old = await TestClient.open(server.url);
    old.send({ type: 'hello', version: 0, id: 'c' });
    await old.expectFatal('bad-version');
  });

  it('closes a socket that never says hello', async () => {
    const server = await startServer({ limits: { helloTimeoutMs: 100 } });
    const client = await TestClient.open(server.url);
    expect(await client.expectFatal('hello-timeout')).toMatchObject({ code: 1008 });
  });
});

describe('lifecycle', () => {
  it('closes clients with 1001 on close(), idempotently, and refuses bad options', async () => {
    const server = await startServer();
    const a = await TestClient.welcomed(server.url, 'a');
    const closing = server.close();
    expect(server.close()).toBe(closing);
    await closing;
    expect(await a.closed).toEqual({ code: 1001, reason: 'server-closing' });
    await expect(startServer({ port: 70_000 })).rejects.toThrow(RangeError);
    await expect(startServer({ limits: { peersPerGroup: 0 } })).rejects.toThrow(RangeError);
  });
});
