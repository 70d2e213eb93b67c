/**
 * Reproduction (not a benchmark): a burst of total-order sends over real WebRTC makes the link
 * layer retransmit most of its frames, and can break the group up.
 *
 *   ../shared/tools/isolated-net node bench/dist/repro/webrtc-burst.js [--each 1000] [--chunk 1000000]
 *
 * Four processes in this one Node process (`createProcess` on `WebRtcTransport`), each multicasting
 * `each` 1 KiB messages, `chunk` per turn of the event loop. It prints the views, the event loop's
 * stalls, and per process the frames sent and how many of them repeat a (peer, lane, epoch, seq)
 * already sent: retransmissions by the engine's reliable lanes over a channel that is reliable.
 */
import wrtc from '@roamhq/wrtc';
import { createProcess, decodeFrame, type Group, type Process } from '@synchrony/core';
import { startSignalingServer } from '@synchrony/signaling-server';
import { realClock, WebRtcTransport, type WrtcLike } from '@synchrony/webrtc';
import { intOption } from '../args.js';

const MEMBERS = 4;
const BYTES = 1024;
const DEADLINE_MS = 20_000;
const t0 = performance.now();
const log = (...what: unknown[]): void => console.log(`${Math.round(performance.now() - t0)} ms`, ...what);

interface Counts {
  frames: number;
  bytes: number;
  resent: number;
  resentBytes: number;
  seen: Set<string>;
}

/** A transport whose sends are counted; a repeated (peer, lane, epoch, seq) is a retransmission. */
async function countedTransport(signaling: string, counts: Counts): Promise<WebRtcTransport> {
  const transport = await WebRtcTransport.create({ signaling, iceServers: [], wrtc: wrtc as unknown as WrtcLike });
  const send = transport.send.bind(transport);
  transport.send = (to, frame, lane) => {
    counts.frames += 1;
    counts.bytes += frame.length;
    const decoded = decodeFrame(frame, Number.MAX_SAFE_INTEGER);
    if (typeof decoded !== 'string' && decoded.frame.s !== undefined) {
      const key = `${to}/${decoded.frame.l}/${decoded.frame.e}/${decoded.frame.s}`;
      if (counts.seen.has(key)) {
        counts.resent += 1;
        counts.resentBytes += frame.length;
      } else counts.seen.add(key);
    }
    send(to, frame, lane);
  };
  return transport;
}

function watchEventLoop(): () => void {
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - last > 100) log(`event loop stalled ${Math.round(now - last)} ms`);
    last = now;
  }, 5);
  return () => clearInterval(timer);
}

async function main(): Promise<void> {
  const each = intOption('each', 1000, 1, 100_000);
  const chunk = intOption('chunk', 1_000_000, 1, 1_000_000);
  const server = await startSignalingServer({ port: 0, host: '127.0.0.1' });
  const counts: Counts[] = [];
  const processes: Process[] = [];
  for (let i = 0; i < MEMBERS; i++) {
    counts.push({ frames: 0, bytes: 0, resent: 0, resentBytes: 0, seen: new Set() });
    processes.push(createProcess({ transport: await countedTransport(server.url, counts[i]!), clock: realClock() }));
  }
  const groups: Group[] = processes.map((p) => p.group('burst', { failureTimeoutMs: 1000 }));
  const delivered = groups.map(() => 0);
  groups.forEach((g, i) => {
    g.on('message', () => void (delivered[i] = delivered[i]! + 1));
    g.on('view', (v) => log(`view at ${i}: id ${v.id}, ${v.members.length} members, primary ${v.primary}`));
  });
  await Promise.all(groups.map((g) => g.join()));
  while (!groups.every((g) => g.view?.members.length === MEMBERS)) await new Promise((r) => setTimeout(r, 10));
  const stopWatching = watchEventLoop();
  log(`burst: ${each} total-order sends of ${BYTES} B at each of ${MEMBERS} processes, ${chunk} per turn`);
  const start = performance.now();
  let rejected = 0;
  const payload = new Uint8Array(BYTES);
  for (let k = 0; k < each; k++) {
    if (k > 0 && k % chunk === 0) await new Promise((r) => setImmediate(r));
    for (const g of groups) void g.send(payload).catch(() => void (rejected += 1));
  }
  const done = (): boolean => delivered.every((d) => d === each * MEMBERS);
  while (!done() && performance.now() - start < DEADLINE_MS) await new Promise((r) => setTimeout(r, 5));
  stopWatching();
  log(`${done() ? 'all delivered' : 'INCOMPLETE'} after ${Math.round(performance.now() - start)} ms; delivered ${delivered.join(', ')}; rejected ${rejected}`);
  counts.forEach((c, i) => log(`process ${i}: ${c.frames} frames (${(c.bytes / 1e6).toFixed(1)} MB), retransmitted ${c.resent} (${(c.resentBytes / 1e6).toFixed(1)} MB)`));
  await Promise.all(processes.map((p) => p.close({ abrupt: true })));
  await server.close();
}

void main().then(() => process.exit(), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
