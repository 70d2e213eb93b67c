#!/usr/bin/env node
/**
 * npm run sim -- --seeds N [--from S] [--jobs J]   runs N random scenarios on J worker threads
 *                                                 (default: one per core), prints failing seeds
 * npm run sim -- --seed S [--quiet]               replays one scenario with its readable trace
 * --reliable (with either): connections that lose nothing while they live, as WebRTC's; partitions
 * break them (ScenarioOptions.reliable)
 * --turnover-partitions (with either): partitions may strike while a turnover's leaves complete
 * (ScenarioOptions.turnoverPartitions: a wider model, with one case left open; see its comment)
 *
 * A bad command line prints what is wrong and the usage, and exits with 2; a property violated
 * exits with 1.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { formatTrace } from './format-trace.js';
import { runScenario, type ScenarioOptions } from './scenario.js';

/** Seeds beyond this would repeat earlier ones: the generator is seeded with `seed | 0`. */
const MAX_SEED = 2 ** 31 - 1;
const MAX_JOBS = 64;

const USAGE = `usage: npm run sim -- --seeds N [--from S] [--jobs J] [--reliable] [--turnover-partitions]
       npm run sim -- --seed S [--quiet] [--reliable] [--turnover-partitions]

  --seeds N                run N random scenarios (default 100), the property checker on each;
                           prints the seeds that fail, each with the command that replays it
  --from S                 the first of them (default 1)
  --jobs J                 worker threads (default: one per core; at most ${MAX_JOBS})
  --seed S                 replays one scenario and prints its readable trace
  --quiet                  (with --seed) the trace without its deliveries
  --reliable               connections that lose nothing while they live, as WebRTC's
  --turnover-partitions    partitions may also strike while a turnover's leaves complete
  --help                   this text

Seeds are integers in 0..${MAX_SEED} (the simulator's generator takes 32 bits).
`;

/** A command-line integer in [min, max], or an Error that says which option is wrong and how. */
function integer(option: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new Error(`--${option} must be an integer in ${min}..${max}, got ${text}`);
  return value;
}

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
  let command: Command | undefined;
  try {
    command = parseCommand(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`sim: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exitCode = 2;
  }
  if (command?.kind === 'help') process.stdout.write(USAGE);
  else if (command?.kind === 'replay') await replay(command.seed, command.quiet, command.flags);
  else if (command?.kind === 'many') await runMany(command.from, command.count, command.jobs, command.flags);
}

/** What the command line asks for. */
type Command =
  | { kind: 'help' }
  | { kind: 'replay'; seed: number; quiet: boolean; flags: Flags }
  | { kind: 'many'; from: number; count: number; jobs: number; flags: Flags };

/** The command line, checked: an Error that says what is wrong when it is not one of the usages. */
function parseCommand(args: string[]): Command {
  const { values } = parseArgs({
    args,
    options: {
      seeds: { type: 'string' },
      seed: { type: 'string' },
      from: { type: 'string' },
      jobs: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      reliable: { type: 'boolean', default: false },
      'turnover-partitions': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return { kind: 'help' };
  const flags: Flags = { reliable: values.reliable, turnoverPartitions: values['turnover-partitions'] };
  if (values.seed !== undefined) {
    if (values.seeds !== undefined || values.from !== undefined || values.jobs !== undefined) throw new Error('--seed replays one scenario: it takes no --seeds, --from or --jobs');
    return { kind: 'replay', seed: integer('seed', values.seed, 0, MAX_SEED), quiet: values.quiet, flags };
  }
  if (values.quiet) throw new Error('--quiet goes with --seed');
  const from = values.from === undefined ? 1 : integer('from', values.from, 0, MAX_SEED);
  const count = values.seeds === undefined ? 100 : integer('seeds', values.seeds, 1, MAX_SEED - from + 1);
  const jobs = values.jobs === undefined ? Math.min(MAX_JOBS, availableParallelism()) : integer('jobs', values.jobs, 1, MAX_JOBS);
  return { kind: 'many', from, count, jobs, flags };
}
