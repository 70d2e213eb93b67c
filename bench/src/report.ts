/**
 * Prints the latest results of every benchmark (bench/results.json) as one Markdown table, each row
 * with the baseline it is measured against, its target and whether the target is met.
 *
 *   node bench/dist/report.js            (the last step of `npm run bench`)
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { count, fixed, percent, table } from './stats.js';

const FILE = process.env['BENCH_RESULTS'] ?? fileURLToPath(new URL('../results.json', import.meta.url));

type Json = Record<string, unknown>;
interface Row { what: string; result: string; baseline: string; target: string; met: boolean | undefined }

const yes = (met: boolean | undefined): string => (met === undefined ? '–' : met ? 'met' : 'NOT met');

function messagingRows(r: Json, program: 'webrtc-messaging' | 'browser'): Row[] {
  const rows = (r['rows'] as Json[] | undefined) ?? [];
  const where = program === 'browser' ? 'Chromium pages' : 'Node processes';
  return rows.map((x) => {
    const key = String(x['key']);
    if (key.startsWith('latency')) {
      const extra = Number(x['groupP50Ms']) - Number(x['rawP50Ms']);
      return {
        what: `${key} (${where})`, result: `p50 ${fixed(Number(x['groupP50Ms']), 2)} ms, p99 ${fixed(Number(x['groupP99Ms']), 2)} ms`,
        baseline: `raw mesh: p50 ${fixed(Number(x['rawP50Ms']), 2)} ms, p99 ${fixed(Number(x['rawP99Ms']), 2)} ms`,
        target: 'p50 ≤ raw p50 + 1 ms', met: extra <= 1,
      };
    }
    const ratio = Number(x['ratio']);
    const unit = String(x['unit']);
    const bulk = key.startsWith('bulk');
    const target = bulk ? 0.9 : key.endsWith('safe') ? 5 : 10;
    const show = (v: number): string => (unit === 'msg/s' ? `${count(v)} msg/s` : `${fixed(v, 1)} MiB/s`);
    // Chromium, one sender: what the raw mesh's bulk rate would carry of the group's bytes (browser.ts).
    const ceiling = x['ceiling'] === undefined ? '' : ` (the raw bulk rate carries ≤ ${fixed(Number(x['ceiling']), 1)} × raw of these bytes)`;
    // Chromium: the machine's CPU per message on each side (browser.ts); when both keep the cores busy, their ratio is the rates'.
    const cpu = x['groupCpuUsPerMessage'] === undefined || unit !== 'msg/s' ? ''
      : `; machine CPU per message ${fixed(Number(x['groupCpuUsPerMessage']), 1)} µs against raw ${fixed(Number(x['rawCpuUsPerMessage']), 1)} µs, cores busy ${percent(Number(x['groupBusy']))} / ${percent(Number(x['rawBusy']))}`;
    return {
      what: `${key} (${where})`, result: `${show(Number(x['group']))} = ${fixed(ratio, 2)} × raw${ceiling}${cpu}`,
      baseline: `raw mesh, each message its own send: ${show(Number(x['raw']))}`, target: `≥ ${target} × raw`, met: ratio >= target,
    };
  });
}

function connectRows(r: Json): Row[] {
  const timeout = Number(r['failureTimeoutMs']);
  return ((r['sizes'] as Json[] | undefined) ?? []).flatMap((s) => {
    const n = Number(s['processes']);
    const leave = (s['leaveToViewMs'] as number[]).slice().sort((a, b) => a - b);
    const kills = (s['killExcessMs'] as number[]);
    const out: Row[] = [
      { what: `connect → first view, ${n} processes`, result: `${fixed(Number(s['firstViewMs']), 0)} ms`, baseline: `raw channel open ${fixed(Number(r['rawOpenMs']), 0)} ms`, target: 'reported', met: undefined },
      { what: `graceful leave → view, ${n} processes`, result: `${leave.map((v) => fixed(v, 0)).join(', ')} ms`, baseline: `raw rtt ${fixed(Number(r['rawRttMs']), 2)} ms`, target: n === 8 ? '≤ 50 ms at 8' : 'reported', met: n === 8 ? Math.max(...leave) <= 50 : undefined },
      { what: `crash (SIGKILL) → view, ${n} processes`, result: `timeout + ${kills.map((v) => fixed(v, 0)).join(', ')} ms`, baseline: `failure timeout ${timeout} ms`, target: '≤ timeout + 100 ms', met: Math.max(...kills) <= 100 },
    ];
    return out;
  });
}

function rowsOf(all: Json): Row[] {
  const out: Row[] = [];
  const get = (name: string): Json | undefined => all[name] as Json | undefined;
  const messaging = get('webrtc-messaging');
  if (messaging) out.push(...messagingRows(messaging, 'webrtc-messaging'));
  const state = get('webrtc-state');
  if (state) {
    const samples = state['samples'] as Json[];
    const ratio = Number(state['ratio']);
    const med = (pick: (s: Json) => number): number => samples.map(pick).sort((a, b) => a - b)[samples.length >> 1]!;
    out.push({
      what: `state transfer, ${state['stateMib']} MiB checkpoint, traffic on`, result: `${fixed(med((s) => Number(s['groupMiBps'])), 1)} MiB/s = ${fixed(ratio, 2)} × raw`,
      baseline: `raw 16 KiB sends on one channel: ${fixed(med((s) => Number(s['rawMiBps'])), 1)} MiB/s`, target: '≥ 0.8 × raw', met: ratio >= 0.8,
    });
    if (state['quietRatio'] !== undefined) {
      out.push({
        what: 'the same transfer, no traffic (a later joiner)', result: `${fixed(med((s) => Number(s['quietMiBps'])), 1)} MiB/s = ${fixed(Number(state['quietRatio']), 2)} × raw`,
        baseline: 'the same raw transfer', target: 'reported', met: undefined,
      });
    }
    if (state['ceiling'] !== undefined) {
      out.push({
        what: 'the machine\'s ceiling for the transfer with traffic', result: `${fixed(Number(state['ceiling']), 2)} × raw`,
        baseline: `cores busy: raw transfer ${percent(med((s) => Number(s['rawBusy'])))}, the traffic alone ${percent(med((s) => Number(s['trafficBusy'])))}`,
        target: 'reported', met: undefined,
      });
    }
    out.push({
      what: 'traffic during the transfer (1,000 msg/s)', result: `p99 ${fixed(med((s) => Number((s['during'] as Json)['p99'])), 1)} ms, longest gap ${fixed(med((s) => Number((s['during'] as Json)['maxGapMs'])), 0)} ms`,
      baseline: `same traffic without a join: p99 ${fixed(med((s) => Number((s['quiet'] as Json)['p99'])), 1)} ms, gap ${fixed(med((s) => Number((s['quiet'] as Json)['maxGapMs'])), 0)} ms`, target: 'keeps flowing', met: undefined,
    });
  }
  const connect = get('webrtc-connect');
  if (connect) out.push(...connectRows(connect));
  const board = get('whiteboard');
  if (board) {
    const samples = board['samples'] as { synchrony: Json[]; yjs: Json[] };
    const med = (xs: Json[], key: string): number => xs.map((s) => Number(s[key])).sort((a, b) => a - b)[xs.length >> 1]!;
    const ratio = Number(board['ratio']);
    out.push({
      what: `whiteboard, ${board['members']} × ${board['strokes']} strokes`, result: `${count(med(samples.synchrony, 'opsPerS'))} ops/s, ${fixed(med(samples.synchrony, 'bytesPerOp'), 0)} B/op = ${fixed(ratio, 1)} × Yjs`,
      baseline: `Yjs + y-webrtc: ${count(med(samples.yjs, 'opsPerS'))} ops/s, ${fixed(med(samples.yjs, 'bytesPerOp'), 0)} B/op`, target: '≥ 10 × Yjs', met: ratio >= 10,
    });
  }
  const browser = get('browser');
  if (browser) out.push(...messagingRows(browser, 'browser'));
  const memory = get('memory');
  if (memory) {
    out.push({
      what: `heap, ${count(Number(memory['messages']))} messages through ${memory['members']} members`,
      result: `≤ ${fixed(Number(memory['duringMaxMiBAboveIdle']), 1)} MiB above idle during, ${fixed(Number(memory['afterMiBAboveIdle']), 2)} MiB after`,
      baseline: `idle group ${fixed(Number(memory['idleMiB']), 1)} MiB`, target: `≤ idle + ${memory['boundDuringMiB']} MiB during, ≤ idle + ${memory['boundAfterMiB']} MiB after`, met: memory['kept'] === true,
    });
  }
  return out;
}

async function main(): Promise<void> {
  const all = JSON.parse(await readFile(FILE, 'utf8')) as Json;
  const rows = rowsOf(all);
  console.log(table(['what', 'result', 'baseline (same run)', 'target', ''], rows.map((r) => [r.what, r.result, r.baseline, r.target, yes(r.met)])));
  for (const [program, r] of Object.entries(all)) console.log(`${program} (${String((r as Json)['measuredAt'])}): ${String((r as Json)['machine'])}`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
