/**
 * One measured run of the order benchmark: a fresh group of real engines on a `LoopNetwork`,
 * then a burst of multicasts in one order, timed until every member delivered every message.
 */
import type { Group, Order, Process } from '@synchrony/core';
import { stopwatch, type Elapsed } from '../stats.js';
import { LoopNetwork } from './loop-network.js';

/** An order as the application asks for it. */
export interface OrderCase {
  readonly label: string;
  readonly order: Order;
  readonly safe: boolean;
}

/** What one run measured. */
export interface RunResult {
  readonly deliveries: number;
  readonly elapsed: Elapsed;
  /** Virtual time the run took: time spent waiting on the engines' timers, free on this driver. */
  readonly virtualMs: number;
  readonly frames: number;
  readonly bytes: number;
  /** The frames sent during the timed part, when asked for. */
  readonly captured: Uint8Array[];
  /** Member ids by rank and the view id, to build baseline messages of the same shape. */
  readonly members: readonly string[];
  readonly viewId: number;
}

const GROUP = 'bench';
/** Generous bounds: a healthy run needs a few virtual seconds and a few wall seconds. */
const VIRTUAL_LIMIT_MS = 600_000;
const WALL_LIMIT_MS = 120_000;

/** Spawns `size` processes, has them all join at once, and runs until each sees the full view. */
function formGroup(net: LoopNetwork, size: number): Group[] {
  const processes: Process[] = [];
  for (let i = 0; i < size; i++) processes.push(net.spawn(`p${i}`));
  const groups = processes.map((p) => p.group(GROUP));
  for (const g of groups) void g.join().catch((error: unknown) => console.error('join failed', error));
  const full = (): boolean => groups.every((g) => g.view?.primary === true && g.view.members.length === size);
  const outcome = net.runUntil(full, 60_000, WALL_LIMIT_MS);
  if (outcome !== 'done') throw new Error(`the group of ${size} did not form (${outcome})`);
  return groups;
}

/** 100-byte payloads (or `bytes`), distinct, built before the clock starts. */
export function makePayloads(messages: number, bytes: number): Uint8Array[] {
  return Array.from({ length: messages }, (_, i) => new Uint8Array(bytes).fill(i & 0xff));
}

/**
 * Multicasts `payloads` round-robin from every member in one synchronous burst (as an
 * application loop would), and times it until all `size` members delivered all of them.
 */
export async function runOrder(order: OrderCase, payloads: readonly Uint8Array[], size: number, capture: boolean): Promise<RunResult> {
  const net = new LoopNetwork();
  const groups = formGroup(net, size);
  let delivered = 0;
  for (const g of groups) g.on('message', () => void (delivered += 1));
  const expected = payloads.length * size;
  const [frames0, bytes0, virtual0] = [net.framesSent, net.bytesSent, net.nowMs];
  if (capture) net.capture = [];
  const options = { order: order.order, safe: order.safe };
  const measure = stopwatch();
  const sends = payloads.map((p, i) => groups[i % size]!.send(p, options));
  const outcome = net.runUntil(() => delivered >= expected, VIRTUAL_LIMIT_MS, WALL_LIMIT_MS);
  const elapsed = measure();
  if (outcome !== 'done') throw new Error(`${order.label}: ${delivered} of ${expected} deliveries (${outcome})`);
  const captured = net.capture ?? [];
  net.capture = undefined;
  await settle(net, sends);
  if (delivered !== expected) throw new Error(`${order.label}: ${delivered} deliveries, expected ${expected}`);
  const view = groups[0]!.view!;
  return {
    deliveries: delivered, elapsed, virtualMs: net.nowMs - virtual0, frames: net.framesSent - frames0,
    bytes: net.bytesSent - bytes0, captured, members: view.members, viewId: view.id,
  };
}

/**
 * Checks that every send resolved. Promise callbacks run only between macrotasks, and a safe
 * send resolves once stable, so the network may need a little more virtual time: bounded.
 */
async function settle(net: LoopNetwork, sends: ReadonlyArray<Promise<void>>): Promise<void> {
  let settled = 0;
  const failures: unknown[] = [];
  for (const s of sends) void s.then(() => void (settled += 1), (error: unknown) => void failures.push(error));
  for (let round = 0; round < 100 && settled + failures.length < sends.length; round++) {
    await new Promise((resolve) => setImmediate(resolve));
    if (settled + failures.length < sends.length) net.runUntil(() => false, 100, WALL_LIMIT_MS);
  }
  if (failures.length > 0) throw new Error(`${failures.length} sends rejected, first: ${String(failures[0])}`);
  if (settled !== sends.length) throw new Error(`${sends.length - settled} sends never resolved`);
}
