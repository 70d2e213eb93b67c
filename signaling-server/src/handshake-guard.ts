/**
 * The guard of TCP connections that have not finished their HTTP request yet (slowloris).
 *
 * Node's own `headersTimeout` is only enforced when its connection check runs (every 30 s by
 * default), and a connection in its handshake is no WebSocket yet, so no socket limit sees it.
 * Here each connection gets `handshakeTimeoutMs` to deliver its request (an upgrade, or a GET),
 * and one address may hold at most `socketsPerAddress` connections in that state; beyond either,
 * the connection is destroyed without a word (it has not said anything a reply could answer).
 */

import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

/** Bounds of the guard. */
export interface HandshakeLimits {
  readonly handshakeTimeoutMs: number;
  readonly socketsPerAddress: number;
}

/** Watches `server`'s connections until each has sent its request; returns the count still in handshake. */
export function guardHandshakes(server: Server, limits: HandshakeLimits): { readonly pending: () => number } {
  const timers = new Map<Socket, NodeJS.Timeout>();
  const perAddress = new Map<string, number>();

  const settle = (socket: Socket): void => {
    const timer = timers.get(socket);
    if (timer === undefined) return;
    clearTimeout(timer);
    timers.delete(socket);
    const address = socket.remoteAddress ?? 'unknown';
    const left = (perAddress.get(address) ?? 1) - 1;
    if (left > 0) perAddress.set(address, left);
    else perAddress.delete(address);
  };

  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = perAddress.get(address) ?? 0;
    if (count >= limits.socketsPerAddress) {
      socket.destroy();
      return;
    }
    perAddress.set(address, count + 1);
    timers.set(socket, setTimeout(() => {
      settle(socket);
      socket.destroy();
    }, limits.handshakeTimeoutMs));
    socket.once('close', () => settle(socket));
  });
  // The request is complete (headers read): from here the hello timeout or the request timeout governs.
  const done = (request: IncomingMessage): void => settle(request.socket);
  server.on('request', done);
  server.on('upgrade', done);
  return { pending: () => timers.size };
}
