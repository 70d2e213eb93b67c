/**
 * Every benchmark, run once at a tiny size, so that they keep working. Nothing here checks a time:
 * a benchmark passes when it exits 0 and records its results (in a file of its own, not
 * bench/results.json). The WebRTC ones need the network namespace (`npm test` runs inside it).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../dist', import.meta.url));
const RESULTS = join(mkdtempSync(join(tmpdir(), 'bench-')), 'results.json');
const TIMEOUT_MS = 240_000;

/** Runs `node [nodeArgs] bench/dist/<program>.js args`; resolves with its output, rejects on a non-zero exit. */
function run(program: string, args: string[], nodeArgs: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...nodeArgs, join(DIST, `${program}.js`), ...args, '--budget-s', '200'], {
      env: { ...process.env, BENCH_RESULTS: RESULTS }, timeout: TIMEOUT_MS - 10_000, maxBuffer: 16 * 1024 * 1024,
    }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${program} failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

const results = (): Record<string, Record<string, unknown>> => JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, Record<string, unknown>>;
const recorded = (program: string): boolean => program in results();
/** A share of the machine: in [0, 1], or null (NaN in JSON) for a stretch too short for the kernel's 10 ms counters (a tiny run's). */
const share = (value: unknown): boolean => value === null || (typeof value === 'number' && value >= 0 && value <= 1);

describe('benchmarks at a tiny size', () => {
  it('sim-orders', async () => {
    expect(await run('sim-orders', ['--messages', '200', '--runs', '1'], ['--expose-gc'])).toContain('| fifo');
    expect(recorded('sim-orders')).toBe(true);
  }, TIMEOUT_MS);

  it('memory', async () => {
    expect(await run('memory', ['--messages', '2000'], ['--expose-gc'])).toContain('kept');
    expect(recorded('memory')).toBe(true);
  }, TIMEOUT_MS);

  it('objects-scale', async () => {
    expect(await run('objects-scale', ['--ops', '100', '--runs', '1', '--max', '1000'])).toContain('ReplicatedList');
  }, TIMEOUT_MS);

  it('webrtc-messaging', async () => {
    const out = await run('webrtc-messaging', ['--runs', '1', '--small', '200', '--raw-small', '100', '--bulk-mib', '1', '--latency-s', '1']);
    expect(out).toContain('all to all, total');
    expect(recorded('webrtc-messaging')).toBe(true);
  }, TIMEOUT_MS);

  it('webrtc-state', async () => {
    expect(await run('webrtc-state', ['--runs', '1', '--state-mib', '1', '--members', '2'])).toContain('checkpoint');
    expect(recorded('webrtc-state')).toBe(true);
    // The machine's share busy during the raw transfer and the traffic, and the ceiling they give.
    const state = results()['webrtc-state']!;
    const samples = state['samples'] as Array<Record<string, unknown>>;
    expect(samples.every((s) => share(s['rawBusy']) && share(s['trafficBusy']))).toBe(true);
    expect(state).toHaveProperty('ceiling');
  }, TIMEOUT_MS);

  it('webrtc-connect', async () => {
    expect(await run('webrtc-connect', ['--runs', '1', '--sizes', '3', '--timeout-ms', '500'])).toContain('graceful leave');
    expect(recorded('webrtc-connect')).toBe(true);
  }, TIMEOUT_MS);

  it('webrtc-groups', async () => {
    expect(await run('webrtc-groups', ['--groups', '1,10', '--idle-s', '2', '--settle-s', '0', '--join-timeout-s', '60'])).toContain('Many groups over one connection per pair');
    expect(recorded('webrtc-groups')).toBe(true);
  }, TIMEOUT_MS);

  it('whiteboard (Synchrony and Yjs)', async () => {
    expect(await run('whiteboard', ['--runs', '1', '--members', '2', '--strokes', '20'])).toContain('Yjs');
    expect(recorded('whiteboard')).toBe(true);
  }, TIMEOUT_MS);

  it('browser (Chromium pages)', async () => {
    expect(await run('browser', ['--runs', '1', '--pages', '2', '--small', '200', '--raw-small', '100', '--bulk-mib', '1'])).toContain('Chromium pages');
    expect(recorded('browser')).toBe(true);
    const rows = results()['browser']!['rows'] as Array<Record<string, unknown>>;
    expect(rows.every((r) => share(r['groupBusy']) && share(r['rawBusy']))).toBe(true);
    expect(rows.every((r) => Number(r['groupCpuUsPerMessage']) >= 0 && Number(r['rawCpuUsPerMessage']) >= 0)).toBe(true);
  }, TIMEOUT_MS);

  it.runIf(existsSync('/usr/bin/redis-server'))('signaling-throughput', async () => {
    expect(await run('signaling-throughput', ['--runs', '1', '--clients', '12', '--joins', '4', '--groups', '4', '--signals', '2'])).toContain('signals');
  }, TIMEOUT_MS);

  it('report', async () => {
    expect(await run('report', [])).toContain('baseline (same run)');
  }, TIMEOUT_MS);
});
