/**
 * Reproduction (not a benchmark): a newcomer learns its peers from the signaling server a few
 * milliseconds after `join()`, but sends its first JOIN only at the next join round, `joinRetryMs`
 * (300 ms) later: the first round ran with no peers, and nothing reacts to `onPeers`.
 *
 *   ../shared/tools/isolated-net node bench/dist/repro/join-latency.js
 */
import wrtc from '@roamhq/wrtc';
import { createProcess, decodeFrame, type Process } from '@synchrony/core';
import { startSignalingServer } from '@synchrony/signaling-server';
import { realClock, WebRtcTransport, type WrtcLike } from '@synchrony/webrtc';

type Log = (what: string) => void;

/** A process on WebRTC; with `log`, its JOIN frames and its peer lists are logged. */
async function spawn(signaling: string, log?: Log): Promise<Process> {
  const transport = await WebRtcTransport.create({ signaling, iceServers: [], wrtc: wrtc as unknown as WrtcLike });
  if (log !== undefined) {
    const send = transport.send.bind(transport);
    transport.send = (to, frame, lane) => {
      const decoded = decodeFrame(frame, Number.MAX_SAFE_INTEGER);
      if (typeof decoded !== 'string' && decoded.frame.m.some((m) => m.t === 'j')) log(`JOIN sent to ${to.slice(0, 8)}`);
      send(to, frame, lane);
    };
    transport.onPeers((group, peers) => log(`onPeers(${group}): ${peers.length} peer(s)`));
  }
  return createProcess({ transport, clock: realClock() });
}

async function main(): Promise<void> {
  const server = await startSignalingServer({ port: 0, host: '127.0.0.1' });
  const member = await spawn(server.url);
  await member.join('g');
  const t0 = performance.now();
  const log: Log = (what) => console.log(`${Math.round(performance.now() - t0)} ms  ${what}`);
  const newcomer = await spawn(server.url, log);
  log('connect() resolved');
  const group = newcomer.group('g');
  group.on('view', (v) => log(`view ${v.id} with ${v.members.length} members`));
  log('join() called');
  await group.join();
  await Promise.all([member.close({ abrupt: true }), newcomer.close({ abrupt: true })]);
  await server.close();
}

void main().then(() => process.exit(), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
