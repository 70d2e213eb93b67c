/**
 * The soak, two minutes of it, as part of `npm test`: 6 Node processes over real WebRTC under mixed
 * traffic, crashes, leaves, partitions and dropped connections, judged by the simulator's property
 * checker on the merged traces (soak/src/soak-run.ts). It runs the built program (`npm test` builds
 * first) as `npm run soak` does, in a process of its own that the test kills if it overstays.
 *
 *   ../shared/tools/isolated-net npx vitest run soak/test/soak.test.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { SoakResult } from '../src/soak-run.js';

const PROGRAM = fileURLToPath(new URL('../dist/soak.js', import.meta.url));
const MINUTES = 2;
/** The soak's own minutes, its start and its end (quiesce, check), and slack for a loaded machine. */
const TIMEOUT_MS = (MINUTES + 4) * 60_000;

let running: ChildProcess | undefined;
let dir: string | undefined;
afterEach(() => {
  running?.kill('SIGTERM'); // the soak kills its member processes on SIGTERM
  running = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function soak(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PROGRAM, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    running = child;
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('the soak', () => {
  it(`keeps every property for ${MINUTES} minutes of traffic, crashes, leaves, partitions and dropped connections, in flat memory`, async () => {
    dir = mkdtempSync(join(tmpdir(), 'synchrony-soak-test-'));
    const report = join(dir, 'report.json');
    const { code, output } = await soak(['--minutes', String(MINUTES), '--seed', '7', '--dir', join(dir, 'traces'), '--report', report]);
    console.info(output.trim());
    expect(code, output).toBe(0);
    const result = JSON.parse(readFileSync(report, 'utf8')) as SoakResult;
    expect(result.violation).toBeUndefined();
    expect(result.problems).toEqual([]);
    // A member that dies of SIGSEGV in the WebRTC stack (@roamhq/wrtc) counts as one more crash, which
    // the group must survive like the others. The trigger found, a peer connection closed outright
    // under the other side's sends, is gone from our links (peer-link.ts): 10 minutes of seed 7 had
    // none after, 1 before (6 in a 30-minute run). The race itself is inside wrtc, so the bound stays.
    expect(result.nativeCrashes.length, result.nativeCrashes.join('; ')).toBeLessThanOrEqual(2);
    for (const kind of ['crash', 'leave', 'partition', 'drop'] as const) expect(result.faults[kind], kind).toBeGreaterThan(0);
    expect(result.deliveries).toBeGreaterThan(1000);
    expect(result.requests).toBeGreaterThan(0);

    // The anchors (never crashed nor closed) lived through the whole run, unless the WebRTC stack's
    // crash took one: their heap after GC, resources and connections stay bounded.
    const anchors = result.incarnations.filter((i) => i.slot < 2 && i.incarnation === 0 && i.end === 'exit 0');
    expect(anchors.length).toBeGreaterThanOrEqual(2 - result.nativeCrashes.length);
    for (const anchor of anchors) {
      const [heapStart, , heapEnd] = anchor.heapMb!;
      expect(heapEnd - heapStart, `heap growth of slot ${anchor.slot} (MB)`).toBeLessThan(16);
      expect(Math.max(...anchor.activeResources!), `active resources of slot ${anchor.slot}`).toBeLessThan(100);
    }
    for (const i of result.incarnations) if (i.peerConnections !== undefined) expect(i.peerConnections[2]).toBeLessThanOrEqual(12);
  }, TIMEOUT_MS);
});
