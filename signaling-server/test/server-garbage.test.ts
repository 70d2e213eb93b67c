import { createHash } from 'node:crypto';
import { afterEach, describe, it, expect } from 'vitest';
import { PROTOCOL_VERSION } from '../src/protocol.js';
import type { SignalingServer } from '../src/server.js';
import { TestClient, cleanup, httpUrl, sleep, startServer } from './helpers.js';

afterEach(cleanup);

/** Sends one frame on a fresh socket and expects a fatal error with `code`. */
async function expectRefused(server: SignalingServer, frame: unknown, code: string, afterHello = false): Promise<void> {
  const client = afterHello ? await TestClient.welcomed(server.url, `p-${Math.random().toString(36).slice(2)}`) : await TestClient.open(server.url);
  client.send(frame);
  const error = await client.next('error');
  expect({ code: error.code, fatal: error.fatal }, String(frame).slice(0, 80)).toEqual({ code, fatal: true });
  expect(await client.closed).toEqual({ code: 1008, reason: code });
}

/** A deterministic byte stream (SHA-256 in counter mode), so a failing run replays from its seed. */
function seededBytes(seed: number, length: number): Buffer {
  const chunks: Buffer[] = [];
  for (let counter = 0; chunks.length * 32 < length; counter += 1) chunks.push(createHash('sha256').update(`${seed}:${counter}`).digest());
  return Buffer.concat(chunks).subarray(0, length);
}

async function answeredWithin(client: TestClient, timeoutMs: number): Promise<boolean> {
  let closed = false;
  void client.closed.then(() => {
    closed = true;
  });
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(10)) {
    if (closed || client.pending().length > 0) return true;
  }
  return false;
}

describe('garbage input', () => {
  it('refuses binary frames', async () => {
    const server = await startServer();
    await expectRefused(server, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]), 'bad-frame');
    await expectRefused(server, Buffer.from(JSON.stringify({ type: 'ping' })), 'bad-frame'); // even valid JSON, when binary
  });

  it('refuses invalid JSON and non-objects', async () => {
    const server = await startServer();
    for (const text of ['not json', '{"type":"ping"', '[1,2,3]', 'null', '"ping"', '']) await expectRefused(server, text, 'bad-json');
  });

  it('refuses wrong types, unknown types, huge strings and deep nesting', async () => {
    const server = await startServer();
    const frames: unknown[] = [
      { type: 'hello', version: PROTOCOL_VERSION, id: 'x'.repeat(50_000) },
      { type: 'hello', version: PROTOCOL_VERSION, id: 42 },
      { type: 'hello', version: PROTOCOL_VERSION, id: ['a'] },
      { type: 'hello', version: PROTOCOL_VERSION, id: 'a', token: { forged: true } },
      { type: 'subscribe-everything' },
      { type: null },
      { noType: 1 },
    ];
    for (const frame of frames) await expectRefused(server, frame, 'bad-message');
    await expectRefused(server, { type: 'hello', version: '1', id: 'a' }, 'bad-message');
    await expectRefused(server, { type: 'hello', version: Number.MAX_SAFE_INTEGER, id: 'a' }, 'bad-version');
    await expectRefused(server, { type: 'join', group: 'g'.repeat(40_000) }, 'bad-message', true);
    await expectRefused(server, { type: 'join', group: 'bell\u0007' }, 'bad-message', true);
    await expectRefused(server, `{"type":"signal","to":"b","data":${'['.repeat(20_000)}${']'.repeat(20_000)}}`, 'bad-message', true);
  });

  it('refuses prototype-pollution-looking keys and does not pollute', async () => {
    const server = await startServer();
    await expectRefused(server, '{"type":"ping","__proto__":{"isAdmin":true}}', 'bad-message');
    await expectRefused(server, '{"type":"hello","version":1,"id":"a","constructor":{"prototype":{"isAdmin":true}}}', 'bad-message');
    await expectRefused(server, '{"type":"signal","to":"b","data":{"sdp":"x","__proto__":{"polluted":1}}}', 'bad-message', true);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('survives a seeded storm of random frames and keeps serving', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? 20240607);
    const server = await startServer({ limits: { maxFrameBytes: 4096, socketsPerAddress: 200 } });
    const templates = ['{"type":"hello","version":1,"id":"§"}', '{"type":"join","group":"§"}', '{"type":"signal","to":"§","data":§}', '{"type":"§"}', '§'];
    const clients = await Promise.all(Array.from({ length: 40 }, () => TestClient.open(server.url)));
    clients.forEach((client, index) => {
      const bytes = seededBytes(seed + index, 6000);
      const pick = bytes[0]! % 4;
      if (pick === 0) client.send(bytes.subarray(1, 1 + (bytes[1]! * 8))); // binary junk
      else if (pick === 1) client.send(bytes.toString('latin1', 2, 2 + bytes[2]! * 20)); // text junk, sometimes oversized
      else {
        const template = templates[bytes[3]! % templates.length]!;
        client.send(template.replaceAll('§', () => bytes.toString('base64', 4, 4 + (bytes[4]! % 64))));
      }
    });
    // Every frame is answered: a reply (welcome, peers, error...) or a close.
    const answered = await Promise.all(clients.map((client) => answeredWithin(client, 3000)));
    expect(answered.filter((ok) => !ok).length, `seed ${seed}`).toBe(0);
    const survivor = await TestClient.welcomed(server.url, 'survivor');
    survivor.send({ type: 'ping' });
    await survivor.next('pong');
    const health = await (await fetch(`${httpUrl(server)}/healthz`)).json();
    expect(health, `seed ${seed}`).toMatchObject({ ok: true });
  });
});
