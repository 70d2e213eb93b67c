import { afterEach, describe, it, expect } from 'vitest';
import { PROTOCOL_VERSION } from '../src/protocol.js';
import { issueToken } from '../src/token.js';
import { TestClient, cleanup, startServer } from './helpers.js';

afterEach(cleanup);

const secret = 's3cret-for-tests';

async function helloWith(url: string, id: string, token?: string): Promise<TestClient> {
  const client = await TestClient.open(url);
  client.send({ type: 'hello', version: PROTOCOL_VERSION, id, ...(token === undefined ? {} : { token }) });
  return client;
}

describe('token auth', () => {
  it('accepts a valid token and lets it join the groups it names, refusing others', async () => {
    const server = await startServer({ secret });
    const a = await TestClient.welcomed(server.url, 'a', issueToken({ secret, groups: ['room', 'lobby'] }));
    a.send({ type: 'join', group: 'room' });
    await a.peers('room', []);
    a.send({ type: 'join', group: 'lobby' });
    await a.peers('lobby', []);
    a.send({ type: 'join', group: 'vault' });
    expect(await a.expectFatal('group-forbidden')).toEqual({ code: 1008, reason: 'group-forbidden' });
  });

  it("lets a '*' token join any group", async () => {
    const server = await startServer({ secret });
    const a = await TestClient.welcomed(server.url, 'a', issueToken({ secret, groups: ['*'] }));
    a.send({ type: 'join', group: 'anything at all' });
    await a.peers('anything at all', []);
  });

  it('refuses a missing token', async () => {
    const server = await startServer({ secret });
    await (await helloWith(server.url, 'a')).expectFatal('token-required');
  });

  it('refuses a bad signature and garbage', async () => {
    const server = await startServer({ secret });
    await (await helloWith(server.url, 'a', issueToken({ secret: 'not the secret', groups: ['*'] }))).expectFatal('token-invalid');
    await (await helloWith(server.url, 'b', 'not-a-token')).expectFatal('token-invalid');
    const [payload] = issueToken({ secret, groups: ['room'] }).split('.');
    await (await helloWith(server.url, 'c', `${payload}.AAAA`)).expectFatal('token-invalid');
  });

  it('refuses an expired token', async () => {
    const server = await startServer({ secret });
    const expired = issueToken({ secret, groups: ['*'], expiresInSec: 60, nowMs: Date.now() - 120_000 });
    await (await helloWith(server.url, 'a', expired)).expectFatal('token-expired');
  });

  it('refuses a token bound to another peer id, accepts it for its own', async () => {
    const server = await startServer({ secret });
    const token = issueToken({ secret, groups: ['*'], peer: 'owner' });
    await (await helloWith(server.url, 'thief', token)).expectFatal('token-invalid');
    await TestClient.welcomed(server.url, 'owner', token);
  });

  it('ignores tokens when the server has no secret (development)', async () => {
    const server = await startServer();
    const a = await TestClient.welcomed(server.url, 'a', 'whatever');
    a.send({ type: 'join', group: 'g' });
    await a.peers('g', []);
  });

  it('refuses an empty secret at startup', async () => {
    await expect(startServer({ secret: '' })).rejects.toThrow(RangeError);
  });
});
