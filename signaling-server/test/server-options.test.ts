/**
 * `startSignalingServer` options: no argument means defaults; a bad option is refused before
 * anything is bound, with a TypeError or RangeError that names the option, its range and the value.
 */
import { afterEach, describe, it, expect } from 'vitest';
import { startSignalingServer, type SignalingServer, type SignalingServerOptions } from '../src/server.js';
import { TestClient, cleanup } from './helpers.js';

afterEach(cleanup);

describe('startSignalingServer options', () => {
  let server: SignalingServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('starts with no argument at all: 127.0.0.1, any free port', async () => {
    server = await startSignalingServer();
    expect(server.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
    const client = await TestClient.welcomed(server.url, 'a');
    client.send({ type: 'ping' });
    await client.next('pong');
  });

  it('starts with an empty object too', async () => {
    server = await startSignalingServer({});
    expect(server.port).toBeGreaterThan(0);
  });

  const refused: Array<[string, unknown, ErrorConstructor, RegExp]> = [
    ['port above range', { port: 70_000 }, RangeError, /port must be an integer in 0\.\.65535, got 70000/],
    ['negative port', { port: -1 }, RangeError, /port .*0\.\.65535, got -1/],
    ['fractional port', { port: 80.5 }, RangeError, /port .*got 80\.5/],
    ['port as a string', { port: '8787' }, TypeError, /port must be a number .*got "8787"/],
    ['NaN port', { port: Number.NaN }, RangeError, /port .*got NaN/],
    ['host as a number', { host: 127 }, TypeError, /host must be a string, got 127/],
    ['secret as a number', { secret: 42 }, TypeError, /secret must be a string, got 42/],
    ['empty secret', { secret: '' }, RangeError, /secret must be a non-empty string/],
    ['staticDir as an object', { staticDir: {} }, TypeError, /staticDir must be a string/],
    ['limits as a number', { limits: 5 }, TypeError, /limits must be an object, got 5/],
    ['negative limit', { limits: { peersPerGroup: -3 } }, RangeError, /limits\.peersPerGroup must be an integer in 1\.\.\d+, got -3/],
    ['zero limit', { limits: { maxFrameBytes: 0 } }, RangeError, /limits\.maxFrameBytes .*got 0/],
    ['infinite limit', { limits: { socketsPerServer: Infinity } }, RangeError, /limits\.socketsPerServer .*got Infinity/],
    ['limit as a string', { limits: { helloTimeoutMs: '10' } }, TypeError, /limits\.helloTimeoutMs must be a number, got string/],
    ['misspelt limit', { limits: { peerPerGroup: 4 } }, TypeError, /unknown limit limits\.peerPerGroup/],
    ['misspelt option', { prot: 8787 }, TypeError, /unknown option "prot"/],
    ['options as a string', 'ws://x', TypeError, /options must be an object, got "ws:\/\/x"/],
    ['redis as a number', { redis: 6379 }, TypeError, /redis must be a URL string .*got 6379/],
    ['redis as an http URL', { redis: 'http://127.0.0.1:6379' }, TypeError, /redis\.url must be a redis:\/\/ or rediss:\/\/ URL/],
    ['redis not a URL', { redis: 'localhost' }, TypeError, /redis\.url must be a redis:\/\/ .*got "localhost"/],
    ['presence TTL too short', { redis: { url: 'redis://127.0.0.1:1', presenceTtlMs: 10 } }, RangeError, /redis\.presenceTtlMs must be an integer in 300\.\.600000 ms, got 10/],
    ['onBug not a function', { onBug: 'log' }, TypeError, /onBug must be a function/],
  ];
  for (const [what, options, type, message] of refused) {
    it(`refuses ${what} with a ${type.name}`, async () => {
      const started = startSignalingServer(options as SignalingServerOptions);
      await expect(started).rejects.toThrow(type);
      await expect(started).rejects.toThrow(message);
    });
  }
});
