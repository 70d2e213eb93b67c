/**
 * A census of a Node process's writes into wrtc data channels, for finding where a WebRTC
 * benchmark's time goes: preload it into the children of a program,
 *
 *   BENCH_CHILD_NODE_ARGS="--import $PWD/bench/dist/send-census.js" node bench/dist/webrtc-state.js --runs 1
 *
 * and each child prints, as it exits, one line on stderr: its `send` calls, the bytes they wrote,
 * and the milliseconds its JavaScript thread spent inside them (wrtc's `send` blocks until its
 * network thread takes the data), then the same for every 100 ms (wall clock, ms within the minute)
 * in which it was blocked more than 20 ms.
 */
import wrtc from '@roamhq/wrtc';

interface Tally { calls: number; bytes: number; blockedMs: number }

const BUCKET_MS = 100;
const SHOWN_BUCKET_MS = 20;

const channel = (wrtc as unknown as { RTCDataChannel: { prototype: { send(data: unknown): void } } }).RTCDataChannel.prototype;
const send = channel.send;
const total: Tally = { calls: 0, bytes: 0, blockedMs: 0 };
const buckets = new Map<number, Tally>();

channel.send = function counted(this: unknown, data: unknown): void {
  const startedAt = performance.now();
  try {
    send.call(this, data);
  } finally {
    const blockedMs = performance.now() - startedAt;
    const bytes = (data as { byteLength?: number }).byteLength ?? (data as { length?: number }).length ?? 0;
    const bucketAt = Math.floor(Date.now() / BUCKET_MS) * BUCKET_MS;
    const bucket = buckets.get(bucketAt) ?? { calls: 0, bytes: 0, blockedMs: 0 };
    buckets.set(bucketAt, bucket);
    for (const t of [total, bucket]) {
      t.calls += 1;
      t.bytes += bytes;
      t.blockedMs += blockedMs;
    }
  }
};

process.on('exit', () => {
  const busy = [...buckets]
    .filter(([, t]) => t.blockedMs > SHOWN_BUCKET_MS)
    .map(([at, t]) => `${at % 60_000}: ${t.calls} sends, ${Math.round(t.bytes / 1024)} KiB, ${Math.round(t.blockedMs)} ms`);
  process.stderr.write(
    `[send census, pid ${process.pid}] ${total.calls} sends, ${(total.bytes / 2 ** 20).toFixed(2)} MiB, ` +
    `${Math.round(total.blockedMs)} ms blocked${busy.length > 0 ? `; busy 100 ms: ${busy.join(' | ')}` : ''}\n`,
  );
});
