/**
 * `npm run soak -- --minutes N`: N minutes of a group of 6 Node processes over real WebRTC under
 * mixed traffic, crashes, leaves, partitions and dropped connections (soak-run.ts), then the
 * simulator's property checker on the merged traces, and the members' heap, active resources and
 * peer connections over time. Exits 0 when every property held and nothing failed, 1 otherwise,
 * 2 past its time budget (minutes plus 5); its member processes are killed on any exit. A member
 * that dies of SIGSEGV (the WebRTC stack's known crash) is reported, and fails the run with --strict.
 *
 *   ../shared/tools/isolated-net npm run soak -- --minutes 30 [--seed 7] [--processes 6]
 *       [--anchors 2] [--failure-timeout-ms 2000] [--send-interval-ms 150] [--request-every 20]
 *       [--sample-s 5] [--converge-timeout-s 90] [--faults crash,leave,partition,drop,quiet]
 *       [--dir DIR] [--report FILE] [--strict]
 *
 * DIR (default a folder in the OS's temp dir) receives each member's trace, the parent's faults
 * (parent.ndjson), and is the members' working directory: run under `ulimit -c unlimited` to get a
 * core dump of a member that dies of a signal.
 *
 * WebRTC in Node needs a non-loopback interface for host candidates: run it inside isolated-net.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAULT_KINDS, runSoak, type FaultKind, type IncarnationSummary, type SoakResult } from './soak-run.js';

function intOption(name: string, fallback: number, min: number, max: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const raw = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(raw) || raw < min || raw > max) throw new RangeError(`--${name} takes an integer in [${min}, ${max}], got ${process.argv[at + 1]}`);
  return raw;
}

function stringOption(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const minutes = intOption('minutes', 2, 1, 240);
const seed = intOption('seed', Date.now() % 1_000_000, 0, 2 ** 31 - 1);
const processes = intOption('processes', 6, 3, 12);
const dir = stringOption('dir') ?? join(tmpdir(), `synchrony-soak-${seed}`);
const faultKinds = (stringOption('faults') ?? FAULT_KINDS.join(',')).split(',') as FaultKind[];
if (faultKinds.length === 0 || faultKinds.some((k) => !FAULT_KINDS.includes(k))) throw new RangeError(`--faults takes a list of ${FAULT_KINDS.join(', ')}`);
const budgetMs = (minutes + 5) * 60_000;
const budget = setTimeout(() => {
  console.error(`soak: over its budget of ${budgetMs / 60_000} minutes; stopping (members killed)`);
  process.exit(2);
}, budgetMs);

const result = await runSoak({
  minutes,
  processes,
  anchors: intOption('anchors', 2, 0, processes - 3),
  seed,
  failureTimeoutMs: intOption('failure-timeout-ms', 2000, 500, 30_000),
  sendIntervalMs: intOption('send-interval-ms', 150, 10, 10_000),
  requestEvery: intOption('request-every', 20, 2, 10_000),
  sampleMs: intOption('sample-s', 5, 1, 600) * 1000,
  convergeTimeoutMs: intOption('converge-timeout-s', 90, 10, 600) * 1000,
  dir,
  faultKinds,
  strict: process.argv.includes('--strict'),
  log: (line) => console.log(`soak: ${line}`),
});
clearTimeout(budget);
print(result);
const reportFile = stringOption('report');
if (reportFile !== undefined) writeFileSync(reportFile, `${JSON.stringify(result, null, 2)}\n`);
process.exit(result.ok ? 0 : 1);

function print(r: SoakResult): void {
  console.log(`\nsoak (seed ${r.seed}, ${r.durationS} s): ${r.ok ? 'OK' : 'FAILED'}`);
  console.log(`  faults: ${Object.entries(r.faults).map(([k, n]) => `${k} ${n}`).join(', ')}; longest recovery to one view ${r.longestRecoveryMs} ms`);
  console.log(`  trace: ${r.traceEvents} events, ${r.sends} sends, ${r.deliveries} deliveries, ${r.requests} requests, ${r.views} view events; checked in ${r.checkMs} ms`);
  console.log(`  checker: ${r.violation === undefined ? 'every property holds' : `${r.violation.property}: ${r.violation.detail}`}`);
  console.log(`  connections: one per live peer ${r.connectionsSettledMs === undefined ? 'never reached' : `${r.connectionsSettledMs} ms after the faults stopped`}`);
  for (const p of r.problems) console.log(`  problem: ${p}`);
  for (const p of r.nativeCrashes) console.log(`  native crash (SIGSEGV in the WebRTC stack, @roamhq/wrtc; a failure with --strict): ${p}`);
  console.log('  slot.incarnation  lifetime  end      heap MB (start mid end)  rss MB (start mid end)  resources  peer conns  max stall');
  for (const i of r.incarnations) console.log(`  ${row(i)}`);
}

function row(i: IncarnationSummary): string {
  const three = (t: [number, number, number] | undefined): string => (t === undefined ? '-' : t.join(' / '));
  return [
    `${i.slot}.${i.incarnation}`.padEnd(16),
    `${i.lifetimeS} s`.padStart(8),
    i.end.padEnd(8),
    three(i.heapMb).padEnd(24),
    three(i.rssMb).padEnd(23),
    three(i.activeResources).padEnd(10),
    three(i.peerConnections).padEnd(11),
    `${i.maxStallMs} ms`,
  ].join('  ');
}
