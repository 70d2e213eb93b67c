/**
 * Benchmark: memory of a group under a long stream of messages (issue row 8).
 *
 *   node --expose-gc bench/dist/memory.js [--messages 1000000] [--members 4] [--bytes 100]
 *
 * `members` real engines (`createProcess`) in this process on the zero-latency loop driver
 * (sim/loop-network.ts), total order. Every member multicasts its share in bursts of 2,500 sends
 * (what an application loop would do), and each burst runs until delivered everywhere. Measured
 * with `gc()` first: the heap of the idle group before, after each 10 % of the messages, and after
 * the last one once everything is delivered and stable; the largest heap seen without `gc()`.
 * The bound this program checks (exit status 1 if broken): during the run, at most idle + 64 MiB
 * after a collection (the window is `windowMessages` per sender, so what the engines retain does not
 * grow with the count); afterwards, back within idle + 2 MiB.
 */
import type { Group, Order } from '@synchrony/core';
import { intOption } from './args.js';
import { recordResults } from './results.js';
import { count, fixed, machineLine, stopwatch } from './stats.js';
import { LoopNetwork } from './sim/loop-network.js';

const BURST = 2500;
const BOUND_DURING_MIB = 64;
const BOUND_AFTER_MIB = 2;

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const mib = (bytes: number): number => bytes / (1024 * 1024);

async function main(): Promise<void> {
  const messages = intOption('messages', 1_000_000, 1000, 10_000_000);
  const members = intOption('members', 4, 2, 16);
  const bytes = intOption('bytes', 100, 1, 64 * 1024);
  const machine = await machineLine();
  console.log(`memory: ${count(messages)} total-order multicasts of ${bytes} B through a group of ${members}; ${machine}`);
  const net = new LoopNetwork();
  const groups: Group[] = [];
  for (let i = 0; i < members; i++) groups.push(net.spawn(`p${i}`).group('memory'));
  for (const g of groups) void g.join();
  const formed = (): boolean => groups.every((g) => g.view?.members.length === members);
  if (net.runUntil(formed, 60_000, 60_000) !== 'done') throw new Error('the group did not form');
  let delivered = 0;
  for (const g of groups) g.on('message', () => void (delivered += 1));
  await new Promise((resolve) => setImmediate(resolve));
  const idle = heapAfterGc();
  const payload = new Uint8Array(bytes).fill(1);
  const options: { order: Order } = { order: 'total' };
  const samples: Array<{ messages: number; heapMiB: number }> = [];
  let peakNoGc = 0;
  let failures = 0;
  const elapsed = stopwatch();
  for (let sent = 0; sent < messages; ) {
    const burst = Math.min(BURST * members, messages - sent);
    for (let i = 0; i < burst; i++) void groups[i % members]!.send(payload, options).catch(() => void (failures += 1));
    sent += burst;
    const target = sent * members;
    if (net.runUntil(() => delivered >= target, 600_000, 120_000) !== 'done') throw new Error(`stuck at ${delivered} of ${target} deliveries`);
    await new Promise((resolve) => setImmediate(resolve)); // the sends' promises settle
    peakNoGc = Math.max(peakNoGc, process.memoryUsage().heapUsed);
    if (sent % Math.max(burst, Math.floor(messages / 10)) < burst) samples.push({ messages: sent, heapMiB: mib(heapAfterGc()) - mib(idle) });
  }
  net.runUntil(() => false, 2000, 60_000); // stability reports go round: everything is freed
  await new Promise((resolve) => setImmediate(resolve));
  const after = heapAfterGc();
  const seconds = elapsed().wallMs / 1000;
  const duringMax = Math.max(...samples.map((s) => s.heapMiB));
  console.log(`  ${count(messages)} messages (${count(messages * members)} deliveries) in ${fixed(seconds, 1)} s; ${failures} sends failed`);
  console.log(`  heap after gc, above the idle group's ${fixed(mib(idle), 1)} MiB: ${samples.map((s) => `${fixed(s.heapMiB, 1)}`).join(', ')} MiB at each 10 %`);
  console.log(`  largest heap seen without gc: ${fixed(mib(peakNoGc), 1)} MiB; after the run, once stable: ${fixed(mib(after) - mib(idle), 2)} MiB above idle`);
  const ok = failures === 0 && duringMax <= BOUND_DURING_MIB && mib(after) - mib(idle) <= BOUND_AFTER_MIB;
  console.log(`  bound: during ≤ idle + ${BOUND_DURING_MIB} MiB, after ≤ idle + ${BOUND_AFTER_MIB} MiB: ${ok ? 'kept' : 'BROKEN'}`);
  await recordResults('memory', {
    machine, messages, members, bytes, idleMiB: mib(idle), duringMaxMiBAboveIdle: duringMax, peakNoGcMiB: mib(peakNoGc),
    afterMiBAboveIdle: mib(after) - mib(idle), boundDuringMiB: BOUND_DURING_MIB, boundAfterMiB: BOUND_AFTER_MIB, kept: ok, samples,
  });
  if (!ok) process.exitCode = 1;
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
