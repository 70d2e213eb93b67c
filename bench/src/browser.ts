/**
 * Benchmark: rows 1 and 2 of the messaging benchmark between Chromium pages (issue row 7): small
 * messages from one sender and from all, and bulk, on a Synchrony group against a raw mesh of
 * RTCDataChannels between other pages of the same browser, measured in the same repetition.
 *
 *   ../shared/tools/isolated-net node bench/dist/browser.js [--pages 3] [--runs 3] [--small 20000] [--raw-small 4000] [--bulk-mib 16]
 *
 * The page (bench/browser/page) is built with Vite and served by the signaling server; Debian's
 * Chromium (/usr/bin/chromium) runs it through playwright-core, each page in its own context. The
 * workloads and rates are those of webrtc-messaging.ts (stream-workloads.ts); the raw mesh waits on
 * 'bufferedamountlow' above the library's high-water mark.
 *
 * Each side is also metered (machine-cpu.ts): the share of the machine's cores busy while it streams,
 * and the machine's busy CPU time per message, every Chromium process included. When both sides
 * keep the machine busy, the ratio of rates is the ratio of those costs: a group ten times the raw
 * rate must spend a tenth of the raw mesh's CPU per message.
 *
 * `--profile DIR` writes a CPU profile of each group page for each group workload of the first
 * repetition (DIR/<workload>-page<i>.cpuprofile, the page built unminified); read one with
 * `node bench/dist/profile-summary.js FILE`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { startSignalingServer } from '@synchrony/signaling-server';
import { budgetGuard, intOption } from './args.js';
import { cpuMeter } from './machine-cpu.js';
import { recordResults } from './results.js';
import { count, fixed, machineLine, median, percent, table } from './stats.js';
import { workloads, type Workload } from './stream-workloads.js';

const CONFIG_FILE = fileURLToPath(new URL('../browser/vite.config.ts', import.meta.url));
const PAGE_DIR = fileURLToPath(new URL('../browser/dist', import.meta.url));
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-features=WebRtcHideLocalIpsWithMdns'];
const STEP_TIMEOUT_MS = 120_000;
const PIECE_BYTES = 16 * 1024;

interface Streamed { firstSendAt: number | undefined; at: number; received: number }
/** A rate, and the bytes every page wrote into its data channels per message (control frames included). */
/** One repetition of a workload: rates, bytes written per message, and the machine's CPU (machine-cpu.ts). */
interface Sample { group: number; raw: number; wire: number; groupCpuUs: number; rawCpuUs: number; groupBusy: number; rawBusy: number }

interface Measured {
  rate: number;
  wireBytesPerMessage: number;
  /** The machine's busy core-seconds per message, in µs: every page and Chromium process, all cores (machine-cpu.ts). */
  cpuUsPerMessage: number;
  /** The share of the machine's cores busy from the first send to the last arrival. */
  busyShare: number;
}
interface BenchPage {
  startGroup(signaling: string, name: string, size: number, config?: Record<string, number>): Promise<void>;
  startRaw(signaling: string, room: string, size: number): Promise<void>;
  stream(options: object): Promise<Streamed>;
  /** Bytes written into the page's data channels so far. */
  written(): number;
}

/** Runs `body` with Chromium's sampling profiler on in every page, and writes one profile per page under `dir`. */
async function profiled<T>(pages: readonly Page[], dir: string, name: string, body: () => Promise<T>): Promise<T> {
  const sessions = await Promise.all(pages.map(async (page) => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
    return cdp;
  }));
  const result = await body();
  await mkdir(dir, { recursive: true });
  await Promise.all(sessions.map(async (cdp, i) => {
    const { profile } = await cdp.send('Profiler.stop');
    await writeFile(join(dir, `${name}-page${i}.cpuprofile`), JSON.stringify(profile));
    await cdp.detach();
  }));
  return result;
}

async function runStream(pages: readonly Page[], on: 'group' | 'raw', w: Workload, messages: number): Promise<Measured> {
  const senders = w.senders === 'one' ? [pages[pages.length - 1]!] : [...pages];
  const each = Math.ceil(messages / senders.length);
  const total = each * senders.length;
  const pieces = on === 'raw' ? Math.ceil(w.bytes / PIECE_BYTES) : 1;
  const startAt = performance.timeOrigin + performance.now() + 300; // every page's receiver is armed by then
  const written = (): Promise<number[]> => Promise.all(pages.map((page) => page.evaluate(() => (window as unknown as { benchPage: BenchPage }).benchPage.written())));
  const before = await written();
  const stopMeter = cpuMeter();
  const reports = await Promise.all(pages.map((page) => {
    const sends = senders.includes(page) ? each : 0;
    const options = {
      on, count: sends, bytes: w.bytes, order: w.order, safe: w.safe, chunk: 32,
      expected: on === 'group' ? total : (total - sends) * pieces, pieceBytes: PIECE_BYTES, startAt,
    };
    return page.evaluate((o) => (window as unknown as { benchPage: BenchPage }).benchPage.stream(o), options);
  }));
  const cpu = stopMeter(); // the pages idle until startAt: busy time is the stream's (and other tenants')
  const first = Math.min(...reports.flatMap((r) => (r.firstSendAt === undefined ? [] : [r.firstSendAt])));
  const seconds = (Math.max(...reports.map((r) => r.at)) - first) / 1000;
  // Read once every page has received everything: by then every byte of the workload was written.
  const after = await written();
  const wireBytesPerMessage = after.reduce((sum, bytes, i) => sum + bytes - before[i]!, 0) / total;
  return {
    rate: w.unit === 'MiB/s' ? (total * w.bytes) / (1024 * 1024) / seconds : total / seconds, wireBytesPerMessage,
    cpuUsPerMessage: (cpu.busyCoreSeconds * 1e6) / total, busyShare: Math.min(1, cpu.busyCoreSeconds / (cpu.cores * seconds)),
  };
}

/**
 * One sender: how many times the raw mesh's small-message rate the group could reach at most, if
 * the raw mesh's own bulk rate (16 KiB messages from one sender, the same repetition, MiB/s at each
 * receiver) carried the bytes that the group wrote per message to each receiver (its frames and
 * all control traffic). The same topology as the bulk workload, so the same channels' capacity.
 */
function bytesCeiling(rawBulkMiBps: number, s: { raw: number; wire: number }, pages: number): number {
  const bytesPerReceiver = s.wire / (pages - 1);
  return (rawBulkMiBps * 1024 * 1024) / bytesPerReceiver / s.raw;
}

async function main(): Promise<void> {
  const size = intOption('pages', 3, 2, 6);
  const runs = intOption('runs', 3, 1, 9);
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] ?? '' : '';
  const profileDir = process.argv.includes('--profile') ? process.argv[process.argv.indexOf('--profile') + 1] : undefined;
  if (profileDir !== undefined && (profileDir === '' || profileDir.startsWith('--'))) throw new RangeError('--profile takes a directory');
  const cancelBudget = budgetGuard('browser');
  const list = workloads().filter((w) => !w.latency && (only === '' || w.key.startsWith(only)));
  const machine = await machineLine();
  console.log(`browser: ${size} Chromium pages per side, ${runs} runs; ${machine}`);
  await build({ configFile: CONFIG_FILE, build: { minify: profileDir === undefined } });
  const server = await startSignalingServer({ port: 0, host: '127.0.0.1', staticDir: PAGE_DIR });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, timeout: 30_000 });
  const samples = new Map<string, Sample[]>(list.map((w) => [w.key, []]));
  try {
    const open = async (): Promise<Page> => {
      const page = await (await browser.newContext()).newPage();
      page.setDefaultTimeout(STEP_TIMEOUT_MS);
      page.on('pageerror', (error) => console.error(`  page error: ${error.message}`));
      await page.goto(`http://127.0.0.1:${server.port}/index.html`);
      await page.waitForFunction(() => 'benchPage' in window);
      return page;
    };
    const groupPages = await Promise.all(Array.from({ length: size }, open));
    const rawPages = await Promise.all(Array.from({ length: size }, open));
    const signaling = `ws://127.0.0.1:${server.port}`;
    // BENCH_CONFIG: engine settings as JSON for the group's pages, for experiments (as in the Node children).
    const config = process.env['BENCH_CONFIG'] === undefined ? undefined : (JSON.parse(process.env['BENCH_CONFIG']) as Record<string, number>);
    await Promise.all(groupPages.map((p) => p.evaluate(([s, n, c]) => (window as unknown as { benchPage: BenchPage }).benchPage.startGroup(s as string, 'bench', n as number, c as Record<string, number> | undefined), [signaling, size, config] as const)));
    await Promise.all(rawPages.map((p) => p.evaluate(([s, n]) => (window as unknown as { benchPage: BenchPage }).benchPage.startRaw(s as string, 'raw', n as number), [signaling, size])));
    // By seniority the last page to join is not the sequencer in general; the one sender is the last page here.
    for (let rep = 0; rep < runs; rep++) {
      for (const w of list) {
        const rawMeasured = await runStream(rawPages, 'raw', w, w.rawCount);
        const raw = rawMeasured.rate;
        const measure = (): Promise<Measured> => runStream(groupPages, 'group', w, w.groupCount);
        const measured = profileDir !== undefined && rep === 0 ? await profiled(groupPages, profileDir, w.key, measure) : await measure();
        const group = measured.rate;
        samples.get(w.key)!.push({
          group, raw, wire: measured.wireBytesPerMessage, groupCpuUs: measured.cpuUsPerMessage, rawCpuUs: rawMeasured.cpuUsPerMessage,
          groupBusy: measured.busyShare, rawBusy: rawMeasured.busyShare,
        });
        console.log(`  run ${rep + 1}/${runs} ${w.key}: group ${fixed(group, 1)} ${w.unit}, raw ${fixed(raw, 1)} ${w.unit}, ratio ${fixed(group / raw, 2)}, ${fixed(measured.wireBytesPerMessage, 0)} B written per message; ` +
          `machine busy ${percent(measured.busyShare)} (raw ${percent(rawMeasured.busyShare)}), ${fixed(measured.cpuUsPerMessage, 1)} µs of CPU per message (raw ${fixed(rawMeasured.cpuUsPerMessage, 1)})`);
      }
    }
  } finally {
    cancelBudget();
    await browser.close();
    await server.close();
  }
  const bulk = samples.get('bulk-16k');
  const rows = list.map((w) => {
    const xs = samples.get(w.key)!;
    const ratios = xs.map((s) => s.group / s.raw);
    const show = (v: number): string => (w.unit === 'msg/s' ? `${count(v)} msg/s` : `${fixed(v, 1)} MiB/s`);
    const ceilings = w.unit === 'msg/s' && w.senders === 'one' && bulk?.length === xs.length ? xs.map((s, rep) => bytesCeiling(bulk[rep]!.raw, s, size)) : [];
    return {
      cells: [
        w.label, show(median(xs.map((s) => s.group))), show(median(xs.map((s) => s.raw))),
        `${fixed(median(ratios), 2)} (${fixed(Math.min(...ratios), 2)}–${fixed(Math.max(...ratios), 2)})`,
        fixed(median(xs.map((s) => s.wire)), 0), ceilings.length === 0 ? '' : fixed(median(ceilings), 1),
        `${percent(median(xs.map((s) => s.groupBusy)))} / ${percent(median(xs.map((s) => s.rawBusy)))}`,
        `${fixed(median(xs.map((s) => s.groupCpuUs)), 1)} / ${fixed(median(xs.map((s) => s.rawCpuUs)), 1)}`,
      ],
      json: {
        key: w.key, unit: w.unit, group: median(xs.map((s) => s.group)), raw: median(xs.map((s) => s.raw)), ratio: median(ratios), ratios,
        wireBytesPerMessage: median(xs.map((s) => s.wire)), ...(ceilings.length === 0 ? {} : { ceiling: median(ceilings), ceilings }),
        groupBusy: median(xs.map((s) => s.groupBusy)), rawBusy: median(xs.map((s) => s.rawBusy)),
        groupCpuUsPerMessage: median(xs.map((s) => s.groupCpuUs)), rawCpuUsPerMessage: median(xs.map((s) => s.rawCpuUs)),
      },
    };
  });
  console.log(table(
    ['workload (Chromium pages)', 'group', 'raw (same run)', 'group ÷ raw (min–max)', 'B written per msg', 'raw bulk ÷ those bytes, ÷ raw',
      'machine busy: group / raw', 'machine CPU µs per msg: group / raw'],
    rows.map((r) => r.cells),
  ));
  await recordResults('browser', { machine, pages: size, runs, rows: rows.map((r) => r.json) });
}

void main().then(() => process.exit(), (error: unknown) => { console.error(error); process.exit(1); });
