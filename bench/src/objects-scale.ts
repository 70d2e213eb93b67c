/**
 * Benchmark: replicated objects at scale (packages/objects/README.md, "Complexity, measured").
 *
 *   npm run bench:objects [-- --ops 4000 --runs 3 --max 1000000]
 *
 * 1. Updates against size. In a one-member group on the simulator, where the sequencer delivers its
 *    own total-order messages without waiting for anyone, each update goes the whole way (argument
 *    check and copy, engine, delivery at the flush that ends the turn, apply). A ReplicatedList and a ReplicatedMap of
 *    n = 1,000 ... `max` entries take `ops` updates: list insert and remove in the middle, map set
 *    and delete; a Counter takes as many adds, whose apply is O(1): that is the cost of the path
 *    without the data structure, and the list's cost minus it is what the list's structure costs.
 *    Baseline, in the same run: the same updates on a plain array (splice in the middle) and a plain
 *    Map of the same size, without any group. Reported: CPU µs per update, medians over `runs`;
 *    what matters is how each grows with n.
 * 2. A joiner's checkpoint. Two members hold a list and a map of 100,000 entries each; a third
 *    process joins and opens them. Reported: the checkpoint's size as msgpack, the virtual ms from
 *    `join()` to its first view, and the real ms that took (checkpoint, 64 KiB chunks, decode, load).
 *    The simulator models latency, not bandwidth: on a real link add size / bandwidth.
 */
import { Packr } from 'msgpackr';
import { Counter, ReplicatedList, ReplicatedMap } from '@synchrony/objects';
import { Simulator } from '@synchrony/sim';
import type { Group } from '@synchrony/core';
import { intOption } from './args.js';
import { fixed, machineLine, median, stopwatch, table } from './stats.js';


/** A one-member group on a fresh simulator. */
async function soloGroup(): Promise<{ sim: Simulator; group: Group }> {
  const sim = new Simulator({ seed: 1, latencyMs: [1, 5] });
  const group = sim.spawn('a').group('g');
  void group.join();
  await sim.run(1000);
  return { sim, group };
}

/**
 * CPU µs per update of `ops` calls of `update(i)`, each applied: the engine multicasts a send at
 * once but delivers it (and the object applies it) at the flush that ends the turn, so the time
 * runs until the simulator has run that flush (one virtual millisecond).
 */
async function perUpdate(sim: Simulator | undefined, ops: number, update: (i: number) => void): Promise<number> {
  const elapsed = stopwatch();
  for (let i = 0; i < ops; i++) update(i);
  if (sim !== undefined) await sim.run(1);
  return (elapsed().cpuMs * 1000) / ops;
}

interface SizeSample { list: number; counter: number; array: number; map: number; plainMap: number }

/** One repetition at size n: the objects, then the plain structures, back to back. */
async function sampleSize(n: number, ops: number): Promise<SizeSample> {
  const { sim, group } = await soloGroup();
  const list = await ReplicatedList.open<number>(group, 'l');
  const map = await ReplicatedMap.open<number>(group, 'm');
  const counter = await Counter.open(group, 'n');
  for (let i = 0; i < n; i++) {
    void list.push(i);
    void map.set(`k${i}`, i);
    if (i % 1000 === 999) await sim.run(1);
  }
  await sim.run(10);
  if (list.length !== n || map.size !== n) throw new Error(`built ${list.length} items and ${map.size} keys of ${n}`);
  const mid = n >> 1;
  const sample: SizeSample = {
    list: await perUpdate(sim, ops, (i) => void (i % 2 === 0 ? list.insert(mid, i) : list.remove(mid))),
    map: await perUpdate(sim, ops, (i) => void (i % 2 === 0 ? map.set(`new${i}`, i) : map.delete(`new${i - 1}`))),
    counter: await perUpdate(sim, ops, (i) => void counter.add(i % 2 === 0 ? 1 : -1)),
    array: 0,
    plainMap: 0,
  };
  const array = Array.from({ length: n }, (_, i) => i);
  const plain = new Map(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
  sample.array = await perUpdate(undefined, ops, (i) => void (i % 2 === 0 ? array.splice(mid, 0, i) : array.splice(mid, 1)));
  sample.plainMap = await perUpdate(undefined, ops, (i) => void (i % 2 === 0 ? plain.set(`new${i}`, i) : plain.delete(`new${i - 1}`)));
  if (list.length !== n || array.length !== n || counter.value !== 0) throw new Error('the updates did not all apply');
  return sample;
}

/** Two members with a list and a map of `n` entries, then a joiner: its checkpoint and how long it took. */
async function joinerCheckpoint(n: number): Promise<{ mb: number; virtualMs: number; realMs: number }> {
  const sim = new Simulator({ seed: 2, latencyMs: [1, 20] });
  const [a, b] = [sim.spawn('a').group('g'), sim.spawn('b').group('g')];
  void a.join();
  await sim.run(500);
  void b.join();
  await sim.run(1000);
  const list = await ReplicatedList.open<string>(a, 'l');
  const map = await ReplicatedMap.open<string>(b, 'm');
  const mapAtA = await ReplicatedMap.open<string>(a, 'm');
  for (let i = 0; i < n; i += 2000) {
    for (let j = i; j < i + 2000; j++) {
      void list.push(`item-${j}-xxxxxxxxxx`);
      void map.set(`key-${j}`, `value-${j}-yyyyyyyyyy`);
    }
    while (list.length < i + 2000 || mapAtA.size < i + 2000) await sim.run(10);
  }
  const mb = new Packr({ useRecords: false, mapsAsObjects: true }).pack([list.toArray(), [...mapAtA.entries()]]).length / 1e6;
  const c = sim.spawn('c').group('g');
  const elapsed = stopwatch();
  const start = sim.now;
  let joinedAt: number | undefined;
  void c.join().then(() => { joinedAt = sim.now; });
  while (joinedAt === undefined && sim.now - start < 600_000) await sim.run(1);
  const [lc, mc] = [await ReplicatedList.open<string>(c, 'l'), await ReplicatedMap.open<string>(c, 'm')];
  const realMs = elapsed().wallMs;
  if (joinedAt === undefined || lc.length !== n || mc.size !== n) throw new Error('the joiner did not get the state');
  return { mb, virtualMs: joinedAt - start, realMs };
}

async function main(): Promise<void> {
  const ops = intOption('ops', 4000, 100, 100_000);
  const runs = intOption('runs', 3, 1, 20);
  const max = intOption('max', 1_000_000, 1_000, 1_000_000);
  const sizes = [1_000, 10_000, 100_000, 1_000_000].filter((n) => n <= max);
  console.log(await machineLine());
  await sampleSize(1_000, ops); // warm-up: the first run pays for the JIT
  const rows: string[][] = [];
  for (const n of sizes) {
    const samples: SizeSample[] = [];
    for (let r = 0; r < runs; r++) samples.push(await sampleSize(n, ops));
    const med = (pick: (s: SizeSample) => number): string => fixed(median(samples.map(pick)), 2);
    rows.push([
      n.toLocaleString('en'), med((s) => s.list), med((s) => s.counter), med((s) => s.list - s.counter), med((s) => s.array),
      med((s) => s.map), med((s) => s.plainMap),
    ]);
  }
  console.log(`\nCPU µs per update (median of ${runs} runs of ${ops} updates; list: insert/remove in the middle; map: set/delete)\n`);
  console.log(table(['entries', 'ReplicatedList', 'Counter (the path)', 'list − path', 'array splice', 'ReplicatedMap', 'plain Map'], rows));
  const join = await joinerCheckpoint(100_000);
  console.log(`\nA joiner's checkpoint of a list and a map of 100,000 entries each: ${fixed(join.mb, 1)} MB as msgpack; ` +
    `join() to first view ${join.virtualMs} virtual ms (latency 1-20 ms, no bandwidth model), ${Math.round(join.realMs)} real ms.`);
}

await main();
