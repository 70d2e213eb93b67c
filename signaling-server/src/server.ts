/**
 * `startSignalingServer`: one Node HTTP server carrying the WebSocket signaling endpoint
 * (any path), `GET /healthz`, and optionally a static folder, on a single port.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { SignalingLimits } from './limits.js';
import { resolveOptions, type ResolvedOptions, type SignalingServerOptions } from './options.js';
import { SocketHub } from './socket-hub.js';
import { createStaticHandler, sendText, type StaticHandler } from './static-files.js';
import { guardHandshakes } from './handshake-guard.js';

/** A running signaling server. */
export interface SignalingServer {
  /** The WebSocket URL clients connect to, e.g. `'ws://127.0.0.1:8787'`. */
  readonly url: string;
  /** The port actually bound. */
  readonly port: number;
  /** The limits in force. */
  readonly limits: Readonly<SignalingLimits>;
  /** Closes every socket (code 1001) and the listener; idempotent. */
  close(): Promise<void>;
}

export type { SignalingServerOptions, RedisOptions } from './options.js';

/**
 * Starts a signaling server; with no options, on 127.0.0.1 and any free port.
 *
 * Rejects with a TypeError or RangeError naming the option for a bad option (before anything is
 * bound), and with the system's error when the port cannot be bound or `staticDir` is not a folder.
 */
export async function startSignalingServer(options?: SignalingServerOptions): Promise<SignalingServer> {
  const { port, host, secret, staticDir, limits, redis, onBug } = resolveOptions(options);
  const serveStatic = staticDir === undefined ? undefined : await createStaticHandler(staticDir);
  const hub = new SocketHub(limits, secret, onBug);
  const cluster = redis === undefined ? undefined : await joinCluster(hub, redis, limits, onBug);

  const httpServer = createServer((request, response) => {
    handleHttp(request, response, hub, cluster, serveStatic).catch((error: unknown) => {
      onBug(error);
      if (!response.headersSent) sendText(response, 500, 'internal error');
      else response.destroy();
    });
  });
  // A request must arrive whole within handshakeTimeoutMs (slowloris); then an upgraded socket is
  // governed by the hello timeout and the heartbeat, a plain request by requestTimeout.
  guardHandshakes(httpServer, limits);
  httpServer.headersTimeout = limits.handshakeTimeoutMs;
  httpServer.requestTimeout = Math.max(30_000, limits.handshakeTimeoutMs); // Node wants it ≥ headersTimeout
  // No compression: it costs CPU per frame and opens the door to decompression bombs.
  const wss = new WebSocketServer({ server: httpServer, maxPayload: limits.maxFrameBytes, perMessageDeflate: false, clientTracking: false });
  wss.on('connection', (socket, request) => hub.accept(socket, request.socket.remoteAddress ?? 'unknown'));
  wss.on('error', onBug);

  try {
    await listen(httpServer, port, host);
  } catch (error) {
    await cluster?.close();
    throw error;
  }
  const heartbeat = setInterval(() => hub.heartbeat(), limits.heartbeatIntervalMs);
  const boundPort = (httpServer.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `ws://${urlHost(host)}:${boundPort}`,
    port: boundPort,
    limits: Object.freeze({ ...limits }),
    close: () => {
      closing ??= shutDown(httpServer, wss, hub, heartbeat).finally(() => cluster?.close());
      return closing;
    },
  };
}

/**
 * Joins the cluster on Redis. The directory module (and with it the Redis client) is imported here
 * and only here, so a standalone server never loads it.
 */
async function joinCluster(hub: SocketHub, redis: NonNullable<ResolvedOptions['redis']>, limits: SignalingLimits, onBug: (error: unknown) => void): Promise<Cluster> {
  const { RedisDirectory } = await import('./cluster/redis-directory.js');
  const directory = await RedisDirectory.start(hub.registry, redis, limits.peersPerGroup, onBug);
  hub.registry.attach(directory);
  hub.setIdClaimer((id, key) => directory.claim(id, key));
  return directory;
}

/** The part of the cluster link the server uses. */
interface Cluster {
  readonly status: { readonly server: string; readonly redis: 'ready' | 'down' };
  close(): Promise<void>;
}

async function handleHttp(request: IncomingMessage, response: ServerResponse, hub: SocketHub, cluster: Cluster | undefined, serveStatic: StaticHandler | undefined): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    return sendText(response, 405, 'method not allowed');
  }
  const pathname = (request.url ?? '/').split('?', 1)[0];
  if (pathname === '/healthz') {
    const body = JSON.stringify({ ok: true, sockets: hub.socketCount, groups: hub.groupCount, ...(cluster === undefined ? {} : { cluster: cluster.status }) });
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    return void response.end(request.method === 'HEAD' ? undefined : body);
  }
  if (serveStatic === undefined) return sendText(response, 404, 'not found');
  await serveStatic(request, response);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function shutDown(httpServer: Server, wss: WebSocketServer, hub: SocketHub, heartbeat: NodeJS.Timeout): Promise<void> {
  clearInterval(heartbeat);
  const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
  await hub.closeAll();
  wss.close();
  // Idle keep-alive HTTP connections would otherwise hold the listener open.
  httpServer.closeAllConnections();
  await stopped;
}

/** The host as it appears in a URL: a wildcard becomes loopback, IPv6 gets brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
