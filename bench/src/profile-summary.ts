/**
 * Prints where a CPU profile spent its time: the functions with the most self time, and the
 * share of idle, GC and program time. Reads the `.cpuprofile` JSON that `node --cpu-prof` and
 * Chromium's profiler (bench/src/browser.ts `--profile`) write.
 *
 *   node bench/dist/profile-summary.js FILE [--top 30] [--inclusive]
 *
 * `--inclusive` ranks by total time instead: a function's own time and that of everything it
 * called (each sample counted once per function on its stack). `--under NAME` counts only the
 * samples taken under a function of that name (e.g. `--under flush`).
 */
import { readFile } from 'node:fs/promises';
import { intOption } from './args.js';
import { table } from './stats.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] }

async function main(): Promise<void> {
  const file = process.argv[2];
  if (file === undefined || file.startsWith('--')) throw new RangeError('usage: profile-summary FILE [--top N]');
  const top = intOption('top', 30, 1, 1000);
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const inclusive = process.argv.includes('--inclusive');
  const under = process.argv.includes('--under') ? process.argv[process.argv.indexOf('--under') + 1] : undefined;
  const isUnder = (id: number): boolean => {
    for (let up: number | undefined = id; up !== undefined; up = parentOf.get(up)) if (byId.get(up)!.callFrame.functionName === under) return true;
    return false;
  };
  // Self time per node: the time deltas of the samples taken in it.
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0));
  const perFunction = new Map<string, number>();
  let total = 0;
  const keyOf = (id: number): string => {
    const frame = byId.get(id)!.callFrame;
    const file = frame.url.split('/').pop() ?? '';
    return `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
  };
  for (const [id, us] of self) {
    if (under !== undefined && !isUnder(id)) continue;
    total += us;
    const keys = new Set<string>([keyOf(id)]);
    if (inclusive) for (let up = parentOf.get(id); up !== undefined; up = parentOf.get(up)) keys.add(keyOf(up));
    for (const key of keys) perFunction.set(key, (perFunction.get(key) ?? 0) + us);
  }
  const special = (name: string): number => [...perFunction].filter(([key]) => key.startsWith(`(${name})`)).reduce((sum, [, us]) => sum + us, 0);
  const idle = special('idle');
  const busy = total - idle;
  console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled, idle ${((idle / total) * 100).toFixed(1)} %, gc ${((special('garbage collector') / Math.max(1, busy)) * 100).toFixed(1)} % of busy, program ${((special('program') / Math.max(1, busy)) * 100).toFixed(1)} % of busy`);
  const rows = [...perFunction].filter(([key]) => !key.startsWith('(idle)') && !key.startsWith('(root)')).sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([key, us]) => [key, (us / 1000).toFixed(1), `${((us / Math.max(1, busy)) * 100).toFixed(1)} %`]);
  console.log(table([inclusive ? 'function (total time)' : 'function (self time)', 'ms', 'of busy'], rows));
}

void main().catch((error: unknown) => { console.error(error instanceof Error ? error.message : error); process.exit(1); });
