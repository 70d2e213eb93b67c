/**
 * connect() given bad signaling input: a server that accepts TCP and never answers, a plain HTTP
 * server, a WebSocket server of another kind, bad options. Each ends in a clear error at the call
 * (SignalingError, or TypeError naming the option), within the attempt timeout: never a crash of
 * the process (an unhandled 'error' event fails the vitest run), never a hang.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { connect, type ConnectOptions } from '../src/index.js';
import type { WrtcLike } from '../src/wrtc.js';
import { Cleanups } from './group-fixtures.js';
import { startServer, wrtc } from './helpers.js';

const cleanups = new Cleanups();
afterEach(() => cleanups.runAll());

const ATTEMPT_MS = 800;

function options(signaling: unknown, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return { signaling, iceServers: [], wrtc: wrtc as unknown as WrtcLike, signalingTimings: { attemptTimeoutMs: ATTEMPT_MS }, ...extra } as ConnectOptions;
}

/** Connects and, if it worked against expectations, closes what it opened. */
async function tryConnect(opts: ConnectOptions): Promise<unknown> {
  const process = await connect(opts);
  cleanups.push(() => process.close({ abrupt: true }));
  return process;
}

async function listening(server: Server | ReturnType<typeof createHttpServer>, sockets = new Set<Socket>()): Promise<number> {
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy(); // close() waits for open connections
  }));
  return (server.address() as AddressInfo).port;
}

/** A TCP server that accepts every connection and never says a word. */
async function silentTcpServer(): Promise<string> {
  return `ws://127.0.0.1:${await listening(createTcpServer())}`;
}

/** A port with nothing listening on it (bound, read, released). */
async function deadPort(): Promise<string> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `ws://127.0.0.1:${port}`;
}

describe('connect() against things that are not a signaling server', () => {
  it('rejects with a SignalingError when the TCP server accepts and never answers, without crashing', async () => {
    const url = await silentTcpServer();
    const startedMs = Date.now();
    await expect(tryConnect(options(url))).rejects.toMatchObject({ name: 'SignalingError', message: expect.stringMatching(/no answer to the WebSocket handshake .* within 800 ms/) });
    expect(Date.now() - startedMs).toBeLessThan(ATTEMPT_MS + 2000);
    // ws emits its 'error' for the aborted handshake on a later tick: give it the chance to crash us.
    await new Promise((resolve) => setTimeout(resolve, 200));
  });

  it('says a plain HTTP server is not a Synchrony signaling server', async () => {
    const http = createHttpServer((_request, response) => response.end('hello, I serve web pages'));
    const url = `ws://127.0.0.1:${await listening(http)}`;
    await expect(tryConnect(options(url))).rejects.toMatchObject({ name: 'SignalingError', message: expect.stringMatching(/not a Synchrony signaling server/) });
  });

  it('says a WebSocket server of another kind is not a Synchrony signaling server', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => new Promise((resolve) => wss.close(() => resolve())));
    await new Promise((resolve) => wss.once('listening', resolve));
    wss.on('connection', (socket) => socket.on('message', (data) => socket.send(`echo: ${String(data)}`)));
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    await expect(tryConnect(options(url))).rejects.toMatchObject({ name: 'SignalingError', message: expect.stringMatching(/cannot parse.*not a Synchrony signaling server/) });
  });

  it('says nothing listens at a closed port', async () => {
    const url = await deadPort();
    await expect(tryConnect(options(url))).rejects.toMatchObject({ name: 'SignalingError', message: expect.stringMatching(/nothing listens at ws:\/\/127\.0\.0\.1:\d+ \(connection refused\)/) });
  });
});

describe('connect() with several signaling URLs', () => {
  it('moves on to the next URL when the first is down or mute', async () => {
    const server = await startServer();
    cleanups.push(() => server.close());
    const process = await tryConnect(options([await deadPort(), await silentTcpServer(), server.url]));
    expect(process).toBeDefined();
  });

  it('rejects, saying why each failed, when none answers', async () => {
    const urls = [await deadPort(), await silentTcpServer()];
    const error = await tryConnect(options(urls)).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SignalingError' });
    expect((error as Error).message).toMatch(/cannot reach any of 2 signaling servers: nothing listens at .*; no answer to the WebSocket handshake/);
  });
});

describe('connect() options', () => {
  const refused: Array<[string, unknown, RegExp]> = [
    ['no options at all', undefined, /connect\(\) takes an options object/],
    ['no signaling', {}, /signaling must be a ws:\/\/ or wss:\/\/ URL, got undefined/],
    ['a number', { signaling: 8787 }, /signaling must be a ws:\/\/ or wss:\/\/ URL, got 8787/],
    ['an http URL', { signaling: 'http://127.0.0.1:8787' }, /signaling must be a ws:\/\/ or wss:\/\/ URL, got "http:\/\/127\.0\.0\.1:8787"/],
    ['not a URL', { signaling: 'localhost:8787' }, /signaling must be a ws:\/\/ or wss:\/\/ URL/],
    ['an empty array', { signaling: [] }, /non-empty array of them, got an empty array/],
    ['an array with a bad entry', { signaling: ['ws://127.0.0.1:1', 42] }, /signaling\[1\] must be a ws:\/\/ or wss:\/\/ URL, got 42/],
    ['a token that is not a string', { signaling: 'ws://127.0.0.1:1', token: 7 }, /token must be a string, got 7/],
    ['iceServers that are not an array', { signaling: 'ws://127.0.0.1:1', iceServers: { urls: 'stun:x' } }, /iceServers must be an array of RTCIceServer, got an object/],
  ];
  for (const [what, given, message] of refused) {
    it(`rejects ${what} with a TypeError naming the option`, async () => {
      const call = connect(given as ConnectOptions);
      await expect(call).rejects.toThrow(TypeError);
      await expect(call).rejects.toThrow(message);
    });
  }
});
