/**
 * Test helpers: a WebSocket client that checks every server frame against the protocol
 * parser, and cleanup of every server and client a test opened.
 */

import { WebSocket, type ClientOptions } from 'ws';
import { parseServerMessage, ProtocolError, PROTOCOL_VERSION, type ServerMessage } from '../src/protocol.js';
import { startSignalingServer, type SignalingServer, type SignalingServerOptions } from '../src/server.js';

const WAIT_MS = 3000;

const servers: SignalingServer[] = [];
const clients: TestClient[] = [];

/** Starts a server on 127.0.0.1 and an ephemeral port; `cleanup` closes it. */
export async function startServer(options: Partial<SignalingServerOptions> = {}): Promise<SignalingServer> {
  const server = await startSignalingServer({ port: 0, host: '127.0.0.1', ...options });
  servers.push(server);
  return server;
}

/** Closes every client and server opened by the test; register with `afterEach(cleanup)`. */
export async function cleanup(): Promise<void> {
  for (const client of clients.splice(0)) client.socket.terminate();
  await Promise.all(servers.splice(0).map((server) => server.close()));
}

/** How a socket ended. */
export interface CloseInfo { code: number; reason: string }

/** A client socket with a queue of validated server frames. */
export class TestClient {
  readonly socket: WebSocket;
  readonly closed: Promise<CloseInfo>;
  readonly opened: Promise<void>;
  private readonly queue: ServerMessage[] = [];
  private wake: (() => void) | undefined;

  constructor(url: string, options: ClientOptions = {}) {
    this.socket = new WebSocket(url, options);
    clients.push(this);
    this.socket.on('error', () => undefined); // a refused or reset socket is an expected outcome here
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('close', () => reject(new Error('closed before open')));
    });
    this.opened.catch(() => undefined);
    this.closed = new Promise((resolve) => {
      this.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    this.socket.on('message', (data, isBinary) => {
      if (isBinary) throw new Error('the server sent a binary frame');
      const message = parseServerMessage(String(data));
      if (message instanceof ProtocolError) throw new Error(`the server sent an invalid frame: ${message.message}: ${String(data)}`);
      this.queue.push(message);
      this.wake?.();
    });
  }

  /** Opens a client and waits for the connection. */
  static async open(url: string, options?: ClientOptions): Promise<TestClient> {
    const client = new TestClient(url, options);
    await client.opened;
    return client;
  }

  /** Opens a client, says hello as `id` and waits for the welcome. */
  static async welcomed(url: string, id: string, token?: string): Promise<TestClient> {
    const client = await TestClient.open(url);
    client.send({ type: 'hello', version: PROTOCOL_VERSION, id, ...(token === undefined ? {} : { token }) });
    await client.next('welcome');
    return client;
  }

  /** Sends an object as JSON, or a string or bytes as they are. */
  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' || frame instanceof Uint8Array ? frame : JSON.stringify(frame));
  }

  /** Removes and returns the first queued frame of `type`, waiting for one if needed. */
  async next<T extends ServerMessage['type']>(type: T, timeoutMs = WAIT_MS): Promise<Extract<ServerMessage, { type: T }>> {
    return this.take((message): message is Extract<ServerMessage, { type: T }> => message.type === type, `a "${type}" frame`, timeoutMs);
  }

  /**
   * Consumes the `peers` frames of `group` in order until one lists exactly `expected` (in
   * any order): stale lists are skipped, so an old `[]` cannot satisfy a later wait.
   */
  async peers(group: string, expected: string[], timeoutMs = WAIT_MS): Promise<void> {
    const want = [...expected].sort().join(',');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = await this.take((m) => m.type === 'peers' && m.group === group, `peers of ${group} = [${want}]`, deadline - Date.now());
      if (message.type === 'peers' && [...message.peers].sort().join(',') === want) return;
    }
  }

  /** Waits for a fatal error frame with `code`, then for the close that must follow it. */
  async expectFatal(code: string): Promise<CloseInfo> {
    const error = await this.next('error');
    if (error.code !== code || !error.fatal) throw new Error(`expected fatal ${code}, got ${JSON.stringify(error)}`);
    return this.closed;
  }

  /** Forgets the frames received so far. */
  drain(): void {
    this.queue.length = 0;
  }

  /** The frames received and not yet taken. */
  pending(): readonly ServerMessage[] {
    return this.queue;
  }

  private async take<M extends ServerMessage>(match: (message: ServerMessage) => message is M, what: string, timeoutMs: number): Promise<M>;
  private async take(match: (message: ServerMessage) => boolean, what: string, timeoutMs: number): Promise<ServerMessage>;
  private async take(match: (message: ServerMessage) => boolean, what: string, timeoutMs: number): Promise<ServerMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.queue.findIndex(match);
      if (index >= 0) return this.queue.splice(index, 1)[0]!;
      const leftMs = deadline - Date.now();
      if (leftMs <= 0) throw new Error(`timed out waiting for ${what}; queued: ${JSON.stringify(this.queue).slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, leftMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

/** The HTTP base URL of a server. */
export function httpUrl(server: SignalingServer): string {
  return server.url.replace(/^ws:/, 'http:');
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
