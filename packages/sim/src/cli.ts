#!/usr/bin/env node
/**
 * npm run sim -- --seeds N [--from S] [--jobs J]   runs N random scenarios on J worker threads
 *                                                 (default: one per core), prints failing seeds
 * npm run sim -- --seed S [--quiet]               replays one scenario with its readable trace
 * --reliable (with either): connections that lose nothing while they live, as WebRTC's; partitions
 * break them (ScenarioOptions.reliable)
 * --turnover-partitions (with either): partitions may strike while a turnover's leaves complete
 * (ScenarioOptions.turnoverPartitions: a wider model, with one case left open; see its comment)
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { formatTrace } from './format-trace.js';
import { runScenario, type ScenarioOptions } from './scenario.js';

/** The scenario options the command line sets. */
type Flags = Pick<ScenarioOptions, 'reliable' | 'turnoverPartitions'>;

function flagsOf(flags: Flags): string {
  return `${flags.reliable === true ? ' --reliable' : ''}${flags.turnoverPartitions === true ? ' --turnover-partitions' : ''}`;
}

interface Failure {
  seed: number;
  property: string;
  detail: string;
}

/** A worker: runs every `stride`-th seed from `first`, reports each failure and then its count. */
async function work(first: number, end: number, stride: number, flags: Flags): Promise<void> {
  for (let seed = first; seed < end; seed += stride) {
    const result = await runScenario(seed, flags);
    if (result.violation) parentPort!.postMessage({ seed, ...result.violation } satisfies Failure);
  }
  parentPort!.postMessage('done');
}

async function replay(seed: number, quiet: boolean, flags: Flags): Promise<void> {
  const result = await runScenario(seed, flags);
  console.log(formatTrace(result.trace, { deliveries: !quiet }));
  console.log(`\nseed ${result.seed}: ${result.summary}; trace hash ${result.hash}`);
  if (result.violation) {
    console.log(`VIOLATION of ${result.violation.property}: ${result.violation.detail}`);
    process.exitCode = 1;
  } else console.log('every property held');
}

async function runMany(from: number, count: number, jobs: number, flags: Flags): Promise<void> {
  const started = Date.now();
  const failures: Failure[] = [];
  const workers = Array.from({ length: Math.max(1, Math.min(jobs, count)) }, (_, i) => new Promise<void>((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { first: from + i, end: from + count, stride: jobs, flags } });
    worker.on('message', (message: Failure | 'done') => {
      if (message === 'done') return resolve();
      failures.push(message);
      console.log(`seed ${message.seed} FAILED ${message.property}: ${message.detail}`);
      console.log(`  replay: npm run sim -- --seed ${message.seed}${flagsOf(flags)}`);
    });
    worker.on('error', reject);
    worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`a worker exited with code ${code}`))));
  }));
  await Promise.all(workers);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`${count - failures.length} passed, ${failures.length} failed (${count} seeds from ${from}${flags.reliable === true ? ', reliable connections' : ''}${flags.turnoverPartitions === true ? ', partitions during turnovers' : ''}, ${jobs} jobs, ${seconds} s)`);
  if (failures.length > 0) process.exitCode = 1;
}

if (!isMainThread) {
  const { first, end, stride, flags } = workerData as { first: number; end: number; stride: number; flags: Flags };
  await work(first, end, stride, flags);
} else {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string' },
      seed: { type: 'string' },
      from: { type: 'string', default: '1' },
      jobs: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      reliable: { type: 'boolean', default: false },
      'turnover-partitions': { type: 'boolean', default: false },
    },
  });
  const flags: Flags = { reliable: values.reliable, turnoverPartitions: values['turnover-partitions'] };
  if (values.seed !== undefined) await replay(Number(values.seed), values.quiet, flags);
  else await runMany(Number(values.from), Number(values.seeds ?? '100'), Number(values.jobs ?? availableParallelism()), flags);
}
