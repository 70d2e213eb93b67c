/**
 * One process of the whiteboard benchmark (whiteboard.ts): a Synchrony `ReplicatedList` on
 * `connect()`, or a Yjs `Y.Array` on y-webrtc, both over @roamhq/wrtc. It appends its strokes when
 * told, and reports once its replica holds every process's strokes. Bytes written into data
 * channels are counted by wrapping `RTCDataChannel.prototype.send` (both libraries write there).
 */
import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';
import type { Group, Process } from '@synchrony/core';
import { ReplicatedList } from '@synchrony/objects';
import { connect, type WrtcLike } from '@synchrony/webrtc';
import { wallNow } from '../webrtc/messages.js';
import { stroke, type WhiteboardCommand, type WhiteboardReport } from './protocol.js';

const WRTC = wrtc as unknown as WrtcLike & { RTCDataChannel: { prototype: { send(data: unknown): void } } };
let sentBytes = 0;
let sends = 0;
const send = WRTC.RTCDataChannel.prototype.send;
WRTC.RTCDataChannel.prototype.send = function counted(this: unknown, data: unknown): void {
  sends += 1;
  sentBytes += (data as { byteLength?: number; length?: number }).byteLength ?? (data as { length?: number }).length ?? 0;
  send.call(this, data);
};

function report(message: WhiteboardReport): void {
  process.send?.(message);
}

/** What the parent drives: append, and a way to read the replica's length. */
interface Board {
  append(item: unknown): void;
  length(): number;
  /** Calls back on every change of the replica. */
  onChange(callback: () => void): void;
  close(): Promise<void>;
}

let board: Board | undefined;

async function startSynchrony(signaling: string, room: string, members: number): Promise<Board> {
  // BENCH_CONFIG: engine settings as JSON, for experiments.
  const config = process.env['BENCH_CONFIG'] === undefined ? {} : { config: JSON.parse(process.env['BENCH_CONFIG']) as Record<string, number> };
  const peer: Process = await connect({ signaling, iceServers: [], wrtc: WRTC, ...config });
  const group: Group = peer.group(room);
  const list = await ReplicatedList.open<unknown>(group, 'strokes');
  await group.join();
  while ((group.view?.members.length ?? 0) < members) await new Promise((resolve) => setTimeout(resolve, 10));
  return {
    append: (item) => void list.push(item).catch((error: unknown) => report({ ev: 'error', message: String(error) })),
    length: () => list.length,
    onChange: (callback) => void list.on('change', callback),
    close: () => peer.close({ abrupt: true }),
  };
}

/** A y-webrtc provider still not connected to every peer after this many 10 ms waits (20 s) gives up. */
const GIVE_UP_WAITS = 2000;

async function startYjs(signaling: string, room: string, members: number): Promise<Board> {
  // lib0's WebSocket client uses the global WebSocket, which Node 20 lacks.
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
  const Y = await import('yjs');
  const { WebrtcProvider } = await import('y-webrtc');
  const doc = new Y.Doc();
  const array = doc.getArray<unknown>('strokes');
  const provider = new WebrtcProvider(room, doc, {
    signaling: [signaling],
    peerOpts: { wrtc, config: { iceServers: [] } },
    maxConns: 64,
  });
  const peers = (): string => [...(provider.room?.webrtcConns.values() ?? [])].map((c) => `${c.connected ? 'c' : '-'}${c.synced ? 's' : '-'}`).join(' ');
  const connected = (): boolean => {
    const conns = provider.room?.webrtcConns;
    // Not `synced`: y-webrtc sets it only for the peers that answer before the room counts as synced.
    return conns !== undefined && conns.size >= members - 1 && [...conns.values()].every((c) => c.connected);
  };
  for (let waits = 1; !connected(); waits++) {
    if (waits % 500 === 0) report({ ev: 'error', message: `yjs: ${provider.room?.webrtcConns.size ?? 0} of ${members - 1} peers after ${waits / 100} s: ${peers()}` });
    // y-webrtc never gives up on a connection attempt that stalls (seen in about one run of ten
    // here, both ends waiting), and disconnecting its provider and connecting it again lost the
    // peers that were connected: the parent starts the repetition over with fresh processes.
    if (waits === GIVE_UP_WAITS) throw new Error(`yjs: not connected to every peer after ${waits / 100} s (${peers()})`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await new Promise((resolve) => setTimeout(resolve, 500)); // the sync exchange of empty documents
  return {
    append: (item) => array.push([item]), // one transaction per stroke
    length: () => array.length,
    onChange: (callback) => array.observe(callback),
    close: async () => {
      provider.destroy();
      doc.destroy();
    },
  };
}

async function go(strokes: number, total: number, chunk: number, index: number): Promise<void> {
  const b = board!;
  let done: () => void = () => {};
  const converged = new Promise<void>((resolve) => { done = resolve; });
  b.onChange(() => { if (b.length() >= total) done(); });
  sentBytes = 0;
  sends = 0;
  const startAt = wallNow();
  for (let i = 0; i < strokes; i++) {
    if (i > 0 && i % chunk === 0) await new Promise((resolve) => setImmediate(resolve));
    b.append(stroke(index, i));
  }
  if (b.length() >= total) done();
  await converged;
  const at = wallNow();
  report({ ev: 'converged', startAt, at, length: b.length(), sentBytes, sends });
}

async function handle(command: WhiteboardCommand): Promise<void> {
  switch (command.cmd) {
    case 'start':
      board = command.kind === 'synchrony'
        ? await startSynchrony(command.signaling, command.room, command.members)
        : await startYjs(command.signaling, command.room, command.members);
      report({ ev: 'joined', at: wallNow() });
      return;
    case 'go': return go(command.strokes, command.total, command.chunk, command.index);
    case 'exit':
      await board?.close();
      process.exit(0);
  }
}

process.on('message', (command: WhiteboardCommand) => {
  void handle(command).catch((error: unknown) => report({ ev: 'failed', message: String(error) }));
});
process.on('disconnect', () => process.exit(0));
report({ ev: 'ready' });
