/**
 * Benchmark (issue 3): deliveries per second of the engine for 100-byte messages in a group of
 * 4, FIFO vs causal vs total vs safe, against the wire codec measured in the same run.
 *
 *   node bench/dist/sim-orders.js [--messages 20000] [--runs 5] [--members 4] [--bytes 100]
 *
 * Per repetition and order: a fresh group of real engines (`createProcess` of @synchrony/core)
 * on a zero-latency in-memory driver with a manual clock (sim/loop-network.ts says why not the
 * simulator); every member multicasts its share of `messages` in one burst; the clock runs
 * until every member delivered every message. Right after, in the same process:
 *   baseline   encodeFrame + decodeFrame of one frame per delivery, each holding that
 *              delivery's DATA message (same count, same shape): the codec with no protocol;
 *   own frames decodeFrame + encodeFrame of the frames the engine actually sent in that run.
 * Reported: medians over the repetitions, and the ratios computed within each repetition.
 */
import { intOption } from './args.js';
import { codecOfFrames, codecPerDelivery, dataMessage } from './sim/codec-baseline.js';
import { makePayloads, runOrder, type OrderCase, type RunResult } from './sim/order-run.js';
import { count, fixed, machineLine, median, range, table } from './stats.js';
import { recordResults } from './results.js';

const CASES: readonly OrderCase[] = [
  { label: 'fifo', order: 'fifo', safe: false },
  { label: 'causal', order: 'causal', safe: false },
  { label: 'total', order: 'total', safe: false },
  { label: 'safe (total)', order: 'total', safe: true },
];

const ORDER_CODES = { fifo: 0, causal: 1, total: 2 } as const;

interface Sample {
  /** Deliveries per second of wall-clock time. */
  wallRate: number;
  /** Deliveries per second of this process's CPU time: what the engine costs, whatever else the machine runs. */
  cpuRate: number;
  baselineCpuRate: number;
  /** The engine's deliveries per CPU-second over the baseline's. */
  ratio: number;
  wallRatio: number;
  codecShare: number;
  framesPerMessage: number;
  virtualMs: number;
}

/** Runs one case once: the engine, then both codec baselines, back to back. */
async function sample(order: OrderCase, payloads: readonly Uint8Array[], members: number): Promise<Sample> {
  collectGarbage();
  const run: RunResult = await runOrder(order, payloads, members, true);
  const shape = { order: ORDER_CODES[order.order], safe: order.safe, members: run.members, viewId: run.viewId };
  const messages = payloads.map((p, i) => dataMessage(shape, i, p));
  collectGarbage();
  const baseline = codecPerDelivery(messages, run.deliveries);
  const ownFrames = codecOfFrames(run.captured);
  const perSecond = (ms: number): number => run.deliveries / (ms / 1000);
  return {
    wallRate: perSecond(run.elapsed.wallMs),
    cpuRate: perSecond(run.elapsed.cpuMs),
    baselineCpuRate: perSecond(baseline.cpuMs),
    ratio: baseline.cpuMs / run.elapsed.cpuMs,
    wallRatio: baseline.wallMs / run.elapsed.wallMs,
    codecShare: ownFrames.cpuMs / run.elapsed.cpuMs,
    framesPerMessage: run.frames / payloads.length,
    virtualMs: run.virtualMs,
  };
}

/** Between runs, when node runs with --expose-gc: a run should not pay for the last one's garbage. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function summarise(order: OrderCase, samples: readonly Sample[]): string[] {
  const med = (pick: (s: Sample) => number): number => median(samples.map(pick));
  const [low, high] = range(samples.map((s) => s.ratio));
  return [
    order.label,
    count(med((s) => s.wallRate)),
    count(med((s) => s.cpuRate)),
    count(med((s) => s.baselineCpuRate)),
    fixed(med((s) => s.ratio), 2),
    `${fixed(low, 2)}–${fixed(high, 2)}`,
    fixed(med((s) => s.wallRatio), 2),
    `${fixed(100 * med((s) => s.codecShare), 0)} %`,
    fixed(med((s) => s.framesPerMessage), 2),
    count(med((s) => s.virtualMs)),
  ];
}

async function main(): Promise<void> {
  const messages = intOption('messages', 20_000, 100, 200_000);
  const runs = intOption('runs', 5, 1, 21);
  const members = intOption('members', 4, 2, 16);
  const bytes = intOption('bytes', 100, 1, 64 * 1024);
  console.log(`sim-orders: ${messages} multicasts of ${bytes} bytes in a group of ${members}, ${runs} runs per order`);
  const machine = await machineLine();
  console.log(machine);
  const payloads = makePayloads(messages, bytes);
  const warmup = payloads.slice(0, Math.max(100, messages >> 2));
  for (const order of CASES) await runOrder(order, warmup, members, false); // JIT warm-up, not counted
  const samples = new Map<OrderCase, Sample[]>(CASES.map((c) => [c, []]));
  for (let rep = 0; rep < runs; rep++) {
    // Rotate the order of the cases, so that drift in the machine's load hits each alike.
    for (let k = 0; k < CASES.length; k++) {
      const order = CASES[(rep + k) % CASES.length]!;
      samples.get(order)!.push(await sample(order, payloads, members));
    }
    process.stdout.write(`  run ${rep + 1}/${runs} done\n`);
  }
  const header = ['order', 'deliveries/s', 'per CPU-s', 'baseline per CPU-s', 'engine ÷ baseline', 'min–max', '(wall)',
    'codec share', 'frames/msg', 'virtual ms'];
  console.log(table(header, CASES.map((c) => summarise(c, samples.get(c)!))));
  console.log('engine ÷ baseline: deliveries per CPU-second of the engine over those of the codec baseline, within each run;');
  console.log('  median and spread over the runs ((wall): the same ratio on wall-clock time). 1 = as cheap as the bare codec.');
  console.log('codec share: CPU time to decode and re-encode the frames the engine sent, over the engine\'s CPU time.');
  await recordResults('sim-orders', {
    machine, messages, runs, members, bytes,
    rows: CASES.map((c) => {
      const xs = samples.get(c)!;
      return { order: c.label, deliveriesPerCpuS: median(xs.map((s) => s.cpuRate)), engineOverBaseline: median(xs.map((s) => s.ratio)) };
    }),
  });
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
