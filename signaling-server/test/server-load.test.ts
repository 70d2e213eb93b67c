import { afterEach, describe, it, expect } from 'vitest';
import { TestClient, cleanup, httpUrl, startServer } from './helpers.js';

afterEach(cleanup);

const SOCKETS = 500;
const GROUPS = 10;
const BUDGET_MS = 10_000;

describe('load', () => {
  it(`welcomes ${SOCKETS} concurrent sockets joining ${GROUPS} groups within ${BUDGET_MS} ms`, async () => {
    const server = await startServer({ limits: { socketsPerAddress: SOCKETS + 10 } });
    const startedMs = Date.now();
    const clients = await Promise.all(Array.from({ length: SOCKETS }, async (_, index) => {
      const client = await TestClient.welcomed(server.url, `load-${index}`);
      client.send({ type: 'join', group: `group-${index % GROUPS}` });
      return client;
    }));
    // Every peer eventually sees the full membership of its group.
    const perGroup = SOCKETS / GROUPS;
    await Promise.all(clients.map((client, index) => {
      const group = `group-${index % GROUPS}`;
      const others = Array.from({ length: perGroup }, (_, k) => `load-${k * GROUPS + (index % GROUPS)}`).filter((id) => id !== `load-${index}`);
      return client.peers(group, others, BUDGET_MS);
    }));
    const elapsedMs = Date.now() - startedMs;
    expect(elapsedMs).toBeLessThan(BUDGET_MS);
    expect(await (await fetch(`${httpUrl(server)}/healthz`)).json()).toEqual({ ok: true, sockets: SOCKETS, groups: GROUPS });

    // A signal still crosses promptly under that load.
    clients[0]!.send({ type: 'signal', to: `load-${GROUPS}`, data: { type: 'offer', sdp: 'v=0' } });
    expect(await clients[1 * GROUPS]!.next('signal')).toMatchObject({ from: 'load-0' });

    await Promise.all(clients.map((client) => {
      client.socket.close();
      return client.closed;
    }));
    await server.close();
  }, 20_000);
});
