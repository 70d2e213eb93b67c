/**
 * The live sockets of one server: admission (per-address and total caps), the hello
 * timeout, the heartbeat, shutdown, and the guard that turns a handler bug into an error
 * frame instead of a crash.
 */

import type { WebSocket } from 'ws';
import { GroupRegistry } from './group-registry.js';
import type { SignalingLimits } from './limits.js';
import { GOING_AWAY_CLOSE_CODE } from './protocol.js';
import { Session, type SessionContext } from './session.js';

/** How long a shutdown waits for clients to complete the close handshake before cutting them off. */
const CLOSE_GRACE_MS = 1000;

/** The sockets and groups of one signaling server. */
export class SocketHub {
  private readonly sockets = new Map<Session, WebSocket>();
  // Admitted or not: a refused socket is still closing, and shutdown must wait for it too.
  private readonly everySocket = new Set<WebSocket>();
  private readonly socketsByAddress = new Map<string, number>();
  private context: SessionContext;
  /** The peers and groups of this server (and, attached to it, of the cluster). */
  readonly registry: GroupRegistry;

  constructor(
    private readonly limits: SignalingLimits,
    secret: string | undefined,
    private readonly reportBug: (error: unknown) => void,
  ) {
    this.registry = new GroupRegistry(limits.peersPerGroup);
    this.context = { registry: this.registry, limits, secret, reportBug, now: () => performance.now() };
  }

  /** In a cluster: every `hello` claims its id on every server before it is welcomed. */
  setIdClaimer(claimId: (id: string, key: string | undefined) => Promise<boolean>): void {
    this.context = { ...this.context, claimId };
  }

  /** Open, admitted sockets. */
  get socketCount(): number {
    return this.sockets.size;
  }

  /** Groups with at least one peer. */
  get groupCount(): number {
    return this.registry.groupCount;
  }

  /** Takes charge of a freshly upgraded socket from `address`. */
  accept(socket: WebSocket, address: string): void {
    const session = new Session(socket, this.context);
    // ws reports protocol violations (bad UTF-8, oversized frame) here after closing the
    // socket itself; without a listener the 'error' event would crash the process.
    socket.on('error', () => undefined);
    this.everySocket.add(socket);
    socket.once('close', () => this.everySocket.delete(socket));
    const { socketsPerServer, socketsPerAddress } = this.limits;
    if (this.sockets.size >= socketsPerServer) return session.fail('server-full', `the server has ${socketsPerServer} sockets already`);
    const fromAddress = this.socketsByAddress.get(address) ?? 0;
    if (fromAddress >= socketsPerAddress) return session.fail('too-many-sockets', `more than ${socketsPerAddress} sockets from one address`);
    this.sockets.set(session, socket);
    this.socketsByAddress.set(address, fromAddress + 1);
    const helloTimer = setTimeout(() => this.guard(session, () => {
      if (!session.welcomed) session.fail('hello-timeout', `no "hello" within ${this.limits.helloTimeoutMs} ms`);
    }), this.limits.helloTimeoutMs);
    socket.on('message', (data, isBinary) => this.guard(session, () => session.receive(data, isBinary)));
    socket.on('pong', () => {
      session.awaitingPong = false;
    });
    socket.once('close', () => {
      clearTimeout(helloTimer);
      this.sockets.delete(session);
      const left = (this.socketsByAddress.get(address) ?? 1) - 1;
      if (left > 0) this.socketsByAddress.set(address, left);
      else this.socketsByAddress.delete(address);
      this.guard(session, () => session.dispose());
    });
  }

  /** One heartbeat round: terminate sockets silent since the last round, ping the others. */
  heartbeat(): void {
    for (const [session, socket] of this.sockets) {
      if (session.awaitingPong) {
        socket.terminate(); // its 'close' handler cleans up
        continue;
      }
      session.awaitingPong = true;
      try {
        socket.ping();
      } catch {
        socket.terminate(); // still connecting or already closing: either way, not alive
      }
    }
  }

  /** Closes every socket with 1001, then cuts off those that do not finish the handshake in time. */
  async closeAll(): Promise<void> {
    const sockets = [...this.everySocket];
    const closed = sockets.map((socket) => new Promise<void>((resolve) => {
      if (socket.readyState === socket.CLOSED) resolve();
      else socket.once('close', () => resolve());
    }));
    for (const session of this.sockets.keys()) session.close(GOING_AWAY_CLOSE_CODE, 'server-closing');
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_GRACE_MS);
    });
    await Promise.race([Promise.all(closed), grace]);
    clearTimeout(timer);
    for (const socket of sockets) socket.terminate();
    await Promise.all(closed);
  }

  /** Runs a handler; a throw is a server bug: report it, and drop only the socket involved. */
  private guard(session: Session, handler: () => void): void {
    try {
      handler();
    } catch (error) {
      this.reportBug(error);
      try {
        session.fail('server-error', 'internal server error');
      } catch (secondError) {
        this.reportBug(secondError);
        this.sockets.get(session)?.terminate();
      }
    }
  }
}
