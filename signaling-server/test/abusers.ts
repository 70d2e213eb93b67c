/**
 * Hostile signaling clients, for the hardening tests here and in packages/webrtc. Each one is
 * bounded in count and in time: it stops by itself by `deadlineMs` at the latest, destroying
 * whatever it still holds, and reports what the server did to it. They talk only to 127.0.0.1.
 */

import { createConnection, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { PROTOCOL_VERSION } from '../src/protocol.js';

/** What the server did to a set of abusive connections. */
export interface AbuseReport {
  /** Connections made. */
  opened: number;
  /** Connections the server closed (or refused) before the abuser gave up. */
  closedByServer: number;
  /** Error frames received, by code. */
  errors: Record<string, number>;
  /** WebSocket close codes seen, by code. */
  closeCodes: Record<number, number>;
}

const emptyReport = (): AbuseReport => ({ opened: 0, closedByServer: 0, errors: {}, closeCodes: {} });
const bump = (counts: Record<string | number, number>, key: string | number): void => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/**
 * Slowloris: `count` raw TCP connections, each sending a WebSocket upgrade request one byte
 * every `byteIntervalMs`. Resolves when the server has closed them all, or at `deadlineMs`.
 */
export async function slowloris(port: number, count: number, byteIntervalMs: number, deadlineMs: number): Promise<AbuseReport> {
  const report = emptyReport();
  const request = Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${'A'.repeat(22)}==\r\n\r\n`);
  const sockets: Socket[] = [];
  const closed = Array.from({ length: count }, () => new Promise<void>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    sockets.push(socket);
    report.opened += 1;
    let sent = 0;
    let gaveUp = false;
    const timer = setInterval(() => {
      if (sent < request.length - 1) socket.write(request.subarray(sent, (sent += 1))); // never the last byte
    }, byteIntervalMs);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearInterval(timer);
      if (!gaveUp) report.closedByServer += 1;
      resolve();
    });
    socket.once('giveUp', () => {
      gaveUp = true;
    });
  }));
  const deadline = setTimeout(() => {
    for (const socket of sockets) {
      socket.emit('giveUp');
      socket.destroy();
    }
  }, deadlineMs);
  await Promise.all(closed);
  clearTimeout(deadline);
  return report;
}

/** Opens WebSockets, lets `act` abuse each, and collects what the server answered until all are closed or `deadlineMs`. */
async function abuseWebSockets(url: string, count: number, deadlineMs: number, act: (socket: WebSocket, index: number) => void): Promise<AbuseReport> {
  const report = emptyReport();
  const sockets: WebSocket[] = [];
  let done = false;
  const closed = Array.from({ length: count }, (_, index) => new Promise<void>((resolve) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    sockets.push(socket);
    report.opened += 1;
    socket.on('error', () => undefined);
    socket.on('open', () => act(socket, index));
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = JSON.parse(String(data)) as { type?: string; code?: string };
      if (frame.type === 'error' && frame.code !== undefined) bump(report.errors, frame.code);
    });
    socket.once('close', (code) => {
      bump(report.closeCodes, code);
      if (!done) report.closedByServer += 1;
      resolve();
    });
  }));
  const deadline = setTimeout(() => {
    done = true;
    for (const socket of sockets) socket.terminate();
  }, deadlineMs);
  await Promise.all(closed);
  clearTimeout(deadline);
  return report;
}

/** WebSockets that open and then say nothing at all (they do answer pings, as `ws` does). */
export function idleSockets(url: string, count: number, deadlineMs: number): Promise<AbuseReport> {
  return abuseWebSockets(url, count, deadlineMs, () => undefined);
}

/** Each socket says hello, then sends `joins` joins of distinct groups in one burst. */
export function joinFlood(url: string, count: number, joins: number, deadlineMs: number): Promise<AbuseReport> {
  return abuseWebSockets(url, count, deadlineMs, (socket, index) => {
    socket.send(JSON.stringify({ type: 'hello', version: PROTOCOL_VERSION, id: `flood-${index}-${process.pid}` }));
    for (let i = 0; i < joins; i += 1) socket.send(JSON.stringify({ type: 'join', group: `flood-group-${i}` }));
  });
}

/** Each socket sends one text frame of `bytes` bytes (the server's limit is far below). */
export function hugeFrames(url: string, count: number, bytes: number, deadlineMs: number): Promise<AbuseReport> {
  const frame = `{"type":"hello","version":1,"id":"${'x'.repeat(Math.max(0, bytes - 40))}"}`;
  return abuseWebSockets(url, count, deadlineMs, (socket) => socket.send(frame));
}

/** Each socket says hello under `id`, which an honest process holds. */
export function idThieves(url: string, id: string, count: number, deadlineMs: number): Promise<AbuseReport> {
  return abuseWebSockets(url, count, deadlineMs, (socket, index) => {
    socket.send(JSON.stringify({ type: 'hello', version: PROTOCOL_VERSION, id, ...(index % 2 === 0 ? {} : { key: `guess-${index}` }) }));
  });
}

/** Each socket sends garbage: truncated JSON, binary, unknown types (in turn). */
export function garbage(url: string, count: number, deadlineMs: number): Promise<AbuseReport> {
  const frames: Array<string | Buffer> = ['{"type":"hello","version":1,"id":"tr', Buffer.from([0xff, 0x00, 0x13, 0x37]), '{"type":"gimme-all-peers"}', 'null', '\u0000\u0001'];
  return abuseWebSockets(url, count, deadlineMs, (socket, index) => socket.send(frames[index % frames.length]!));
}
