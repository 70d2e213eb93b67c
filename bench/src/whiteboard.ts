/**
 * Benchmark: the whiteboard workload with Synchrony's ReplicatedList against Yjs on y-webrtc, in the
 * same run (issue row 6).
 *
 *   ../shared/tools/isolated-net node bench/dist/whiteboard.js [--members 4] [--strokes 2000] [--runs 3]
 *
 * `members` Node processes each append `--strokes` strokes of about 200 bytes as fast as they can
 * (32 per event-loop turn), one operation per stroke, until every replica holds them all:
 *   synchrony  `ReplicatedList.push` on a group (connect() on our signaling server on 127.0.0.1);
 *   yjs        `Y.Array.push([stroke])`, one transaction per stroke, on y-webrtc's WebrtcProvider
 *              (its own signaling server, `y-webrtc/bin/server.js`, run here on a free port).
 * Both over @roamhq/wrtc, with no ICE servers. Reported: operations per second to convergence (all
 * operations over the time from the first append anywhere to the last replica converging), and the
 * bytes written into data channels per operation (every process's, summed).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSignalingServer } from '@synchrony/signaling-server';
import { budgetGuard, intOption } from './args.js';
import { recordResults } from './results.js';
import { count, fixed, machineLine, median, table } from './stats.js';
import type { WhiteboardCommand, WhiteboardReport } from './whiteboard/protocol.js';

const CHILD = fileURLToPath(new URL('./whiteboard/child.js', import.meta.url));
const STEP_TIMEOUT_MS = 120_000;
/** Extra node options for the children, e.g. BENCH_CHILD_NODE_ARGS='--cpu-prof' to profile them. */
const CHILD_NODE_ARGS = (process.env['BENCH_CHILD_NODE_ARGS'] ?? '').split(' ').filter((a) => a.length > 0);
const living = new Set<ChildProcess>();
process.on('exit', () => { for (const c of living) c.kill('SIGKILL'); });

type Kind = 'synchrony' | 'yjs';
interface Sample { opsPerS: number; bytesPerOp: number; sendsPerOp: number }

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** y-webrtc's own signaling server, as its README runs it (PORT=... node bin/server.js). */
async function startYSignaling(): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  // Not in the package's exports: found next to its CommonJS entry (dist/y-webrtc.cjs).
  const script = join(dirname(createRequire(import.meta.url).resolve('y-webrtc')), '..', 'bin', 'server.js');
  const proc = spawn(process.execPath, [script], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
  living.add(proc);
  const url = `ws://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://127.0.0.1:${port}`).then(() => true, () => false);
    if (up) return { url, stop: () => proc.kill() };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('y-webrtc signaling server did not start');
}

class Kid {
  readonly reports: WhiteboardReport[] = [];
  private waiters: Array<() => void> = [];
  constructor(readonly proc: ChildProcess) {
    proc.on('message', (r: WhiteboardReport) => {
      if (r.ev === 'error' || r.ev === 'failed') console.error(`  child: ${r.message}`);
      this.reports.push(r);
      for (const w of this.waiters.splice(0)) w();
    });
    proc.on('exit', () => { living.delete(proc); for (const w of this.waiters.splice(0)) w(); });
  }
  send(command: WhiteboardCommand): void { if (this.proc.connected) this.proc.send(command); }
  async waitFor<E extends WhiteboardReport['ev']>(ev: E): Promise<Extract<WhiteboardReport, { ev: E }>> {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    for (;;) {
      const found = this.reports.find((r) => r.ev === ev);
      if (found !== undefined) return found as Extract<WhiteboardReport, { ev: E }>;
      const failed = this.reports.find((r) => r.ev === 'failed');
      if (failed !== undefined) throw new Error(`a child failed: ${(failed as { message: string }).message}`);
      if (this.proc.exitCode !== null || Date.now() > deadline) throw new Error(`no ${ev} from a child`);
      await new Promise<void>((resolve) => { this.waiters.push(resolve); setTimeout(resolve, 1000); });
    }
  }
}

async function runOnce(kind: Kind, signaling: string, room: string, members: number, strokes: number): Promise<Sample> {
  const kids = Array.from({ length: members }, () => {
    const proc = fork(CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: CHILD_NODE_ARGS });
    living.add(proc);
    return new Kid(proc);
  });
  try {
    await Promise.all(kids.map((k) => k.waitFor('ready')));
    for (const k of kids) k.send({ cmd: 'start', kind, signaling, room, members });
    await Promise.all(kids.map((k) => k.waitFor('joined')));
    const total = strokes * members;
    kids.forEach((k, index) => k.send({ cmd: 'go', strokes, total, chunk: 32, index }));
    const done = await Promise.all(kids.map((k) => k.waitFor('converged')));
    if (done.some((d) => d.length !== total)) throw new Error(`${kind}: replicas of ${done.map((d) => d.length).join(', ')} items, expected ${total}`);
    const seconds = (Math.max(...done.map((d) => d.at)) - Math.min(...done.map((d) => d.startAt))) / 1000;
    const bytes = done.reduce((sum, d) => sum + d.sentBytes, 0);
    const sends = done.reduce((sum, d) => sum + d.sends, 0);
    return { opsPerS: total / seconds, bytesPerOp: bytes / total, sendsPerOp: sends / total };
  } finally {
    for (const k of kids) k.send({ cmd: 'exit' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const k of kids) k.proc.kill('SIGKILL');
  }
}

/**
 * A Yjs repetition whose peers never connect (y-webrtc's stall, see child.ts) starts over in fresh
 * processes, four times at most: the stall hit up to half the attempts of one run. Synchrony's
 * repetitions get no second try.
 */
const YJS_ATTEMPTS = 5;

async function attempts(kind: Kind, run: (attempt: number) => Promise<Sample>): Promise<Sample> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt);
    } catch (error) {
      const stalled = error instanceof Error && error.message.includes('yjs: not connected');
      if (kind !== 'yjs' || !stalled || attempt === YJS_ATTEMPTS) throw error;
      console.error(`  yjs: attempt ${attempt} of ${YJS_ATTEMPTS} did not connect; starting over in fresh processes`);
    }
  }
}

async function main(): Promise<void> {
  const members = intOption('members', 4, 2, 8);
  const strokes = intOption('strokes', 2000, 10, 100_000);
  const runs = intOption('runs', 3, 1, 9);
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  const cancelBudget = budgetGuard('whiteboard');
  const machine = await machineLine();
  console.log(`whiteboard: ${members} processes × ${strokes} strokes, ${runs} runs; ${machine}`);
  const ours = await startSignalingServer({ port: 0, host: '127.0.0.1' });
  const theirs = await startYSignaling();
  const samples: Record<Kind, Sample[]> = { synchrony: [], yjs: [] };
  try {
    for (let rep = 0; rep < runs; rep++) {
      const kinds: Kind[] = rep % 2 === 0 ? ['yjs', 'synchrony'] : ['synchrony', 'yjs'];
      for (const kind of kinds.filter((k) => only === undefined || k === only)) {
        const s = await attempts(kind, (attempt) => runOnce(kind, kind === 'yjs' ? theirs.url : ours.url, `wb-${kind}-${rep}-${attempt}`, members, strokes));
        samples[kind].push(s);
        console.log(`  run ${rep + 1}/${runs} ${kind}: ${count(s.opsPerS)} ops/s, ${fixed(s.bytesPerOp, 0)} B and ${fixed(s.sendsPerOp, 2)} channel sends per op`);
      }
    }
  } finally {
    cancelBudget();
    theirs.stop();
    await ours.close();
  }
  if (only !== undefined) return;
  const ratios = samples.synchrony.map((s, i) => s.opsPerS / samples.yjs[i]!.opsPerS);
  const m = (kind: Kind, pick: (s: Sample) => number): number => median(samples[kind].map(pick));
  console.log(table(['library', 'ops/s to convergence', 'bytes on the wire per op', 'channel sends per op', 'ratio'], [
    ['Synchrony ReplicatedList', count(m('synchrony', (s) => s.opsPerS)), fixed(m('synchrony', (s) => s.bytesPerOp), 0), fixed(m('synchrony', (s) => s.sendsPerOp), 3),
      `${fixed(median(ratios), 1)} (${fixed(Math.min(...ratios), 1)}–${fixed(Math.max(...ratios), 1)})`],
    ['Yjs Y.Array + y-webrtc', count(m('yjs', (s) => s.opsPerS)), fixed(m('yjs', (s) => s.bytesPerOp), 0), fixed(m('yjs', (s) => s.sendsPerOp), 3), '1'],
  ]));
  await recordResults('whiteboard', { machine, members, strokes, runs, samples, ratio: median(ratios) });
}

void main().then(() => process.exit(), (error: unknown) => { console.error(error); process.exit(1); });
