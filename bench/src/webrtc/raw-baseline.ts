/**
 * The raw data channel, measured in the same run as the library: two child processes open one
 * simple-peer channel through the same signaling server, then time round trips and bulk transfer.
 */
import { cpuMeter, type CpuSpan } from '../machine-cpu.js';
import { median } from '../stats.js';
import { isEv, spawnChildren, stopAll, type Child } from './fleet.js';

/** What one pair of raw endpoints measured. */
export interface RawSample {
  /** From the first process starting (WebSocket, hello, join) until the channel is open at both. */
  openMs: number;
  /** Median round trip of a 16-byte message. */
  rttMs: number;
  /** Messages per second received, when a bulk transfer was asked for. */
  messagesPerSecond?: number;
  /** How busy the machine was during that bulk transfer (machine-cpu.ts). */
  bulkCpu?: CpuSpan;
}

/** What to measure on the raw channel, and where. */
export interface RawOptions {
  signaling: string;
  group: string;
  rttCount: number;
  /** Bulk transfer: `count` messages of `bytes`, initiator to responder; none when absent. */
  bulk?: { count: number; bytes: number };
  timeoutMs: number;
}

/** Opens a raw channel between two fresh processes and measures it; stops them before returning. */
export async function measureRaw(options: RawOptions): Promise<RawSample> {
  const pair = await spawnChildren(2, 'raw');
  try {
    for (const c of pair) c.send({ cmd: 'raw', signaling: options.signaling, group: options.group });
    const opens = await Promise.all(pair.map((c) => c.waitFor(isEv('raw-open'), options.timeoutMs, 'raw channel')));
    const openMs = Math.max(...opens.map((o) => o.at)) - Math.min(...opens.map((o) => o.startAt));
    const initiator = pair[opens.findIndex((o) => o.initiator)]!;
    const responder = pair.find((c) => c !== initiator)!;
    const rttMs = await roundTrips(initiator, options.rttCount, options.timeoutMs);
    const sample: RawSample = { openMs, rttMs };
    if (options.bulk !== undefined) {
      const stop = cpuMeter();
      sample.messagesPerSecond = await bulk(initiator, responder, options.bulk, options.timeoutMs);
      sample.bulkCpu = stop();
    }
    return sample;
  } finally {
    await stopAll(pair);
  }
}

async function roundTrips(initiator: Child, count: number, timeoutMs: number): Promise<number> {
  initiator.send({ cmd: 'raw-rtt', count });
  const { rttsMs } = await initiator.waitFor(isEv('raw-rtt'), timeoutMs, 'round trips');
  return median(rttsMs.slice(Math.min(10, rttsMs.length >> 1))); // the first few warm the path up
}

/** Messages per second, from the sender's start until the last message arrived. */
async function bulk(initiator: Child, responder: Child, transfer: { count: number; bytes: number }, timeoutMs: number): Promise<number> {
  initiator.send({ cmd: 'raw-send', ...transfer });
  const sent = await initiator.waitFor(isEv('raw-sent'), timeoutMs, 'raw send');
  const received = await responder.waitFor(isEv('raw-received'), timeoutMs, 'raw receive');
  if (received.count !== transfer.count) throw new Error(`raw channel: ${received.count} of ${transfer.count} messages arrived`);
  return transfer.count / ((received.at - sent.startAt) / 1000);
}
