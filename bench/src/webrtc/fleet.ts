/**
 * The parent's side of the WebRTC benchmarks: forks child processes (child.ts), sends them
 * commands, and waits for their reports, every wait bounded. Every child ever forked is killed
 * when the parent exits, however it exits.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { STALL_REPORT_MS, type Command, type Report } from './messages.js';

const CHILD_SCRIPT = fileURLToPath(new URL('./child.js', import.meta.url));
/** Extra node options for the children, e.g. BENCH_CHILD_NODE_ARGS='--cpu-prof' to profile them. */
const CHILD_NODE_ARGS = (process.env['BENCH_CHILD_NODE_ARGS'] ?? '').split(' ').filter((a) => a.length > 0);
const living = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of living) child.kill('SIGKILL');
});

/** Error reports printed at most, so that a failing run does not flood the terminal. */
const MAX_PRINTED_ERRORS = 10;
let printedErrors = 0;

interface Waiter {
  match: (report: Report) => boolean;
  resolve: (report: Report) => void;
  reject: (error: Error) => void;
}

/** One forked child and the reports it sent so far. */
export class Child {
  readonly reports: Report[] = [];
  private waiters: Waiter[] = [];

  constructor(
    readonly name: string,
    private readonly proc: ChildProcess,
  ) {
    proc.on('message', (report: Report) => this.onReport(report));
    proc.on('exit', (code, signal) => {
      living.delete(proc);
      // Nothing more will come: fail the waits now rather than at their timeouts.
      for (const w of this.waiters.splice(0)) w.reject(new Error(`${name} exited (${signal ?? code}) while waited on`));
    });
  }

  send(command: Command): void {
    if (this.proc.connected) this.proc.send(command);
  }

  /** The first report, past or future, that `match` accepts; rejects after `timeoutMs`. */
  waitFor<R extends Report>(match: (report: Report) => report is R, timeoutMs: number, what: string): Promise<R> {
    const past = this.reports.find(match);
    if (past !== undefined) return Promise.resolve(past);
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        match,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r as R);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** SIGKILL: a crash that not even the process's own runtime sees coming. */
  kill(): void {
    this.proc.kill('SIGKILL');
  }

  /** Asks the child to exit; kills it if it has not after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.send({ cmd: 'exit' });
    const timer = setTimeout(() => this.kill(), graceMs);
    await exited;
    clearTimeout(timer);
  }

  private onReport(report: Report): void {
    this.reports.push(report);
    if (report.ev === 'error' && printedErrors++ < MAX_PRINTED_ERRORS) console.error(`  [${this.name}] ${report.message}`);
    if (report.ev === 'failed') {
      for (const w of this.waiters.splice(0)) w.reject(new Error(`${this.name}: ${report.cmd} failed: ${report.message}`));
      return;
    }
    for (const w of [...this.waiters]) {
      if (!w.match(report)) continue;
      this.waiters = this.waiters.filter((x) => x !== w);
      w.resolve(report);
    }
  }
}

/** Forks `n` children and waits until each has loaded its modules (wrtc included) and is ready. */
export async function spawnChildren(n: number, prefix: string, timeoutMs = 30_000): Promise<Child[]> {
  const children: Child[] = [];
  for (let i = 0; i < n; i++) {
    const proc = fork(CHILD_SCRIPT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: CHILD_NODE_ARGS });
    living.add(proc);
    children.push(new Child(`${prefix}${i}`, proc));
  }
  await Promise.all(children.map((c) => c.waitFor(isEv('ready'), timeoutMs, 'ready')));
  return children;
}

/**
 * The longest event-loop stall any of `children` reported, as text ('< 100' when none was
 * reported): a stall near the failure timeout explains a false suspicion, and stalls inflate
 * every latency measured.
 */
export function longestStall(children: readonly Child[]): string {
  const longest = Math.max(0, ...children.flatMap((c) => c.reports.filter(isEv('stall')).map((r) => r.ms)));
  return longest === 0 ? `< ${STALL_REPORT_MS}` : String(Math.round(longest));
}

/** Stops every child given, in parallel. */
export async function stopAll(children: readonly Child[]): Promise<void> {
  await Promise.all(children.map((c) => c.stop()));
}

/** A type guard for the reports of one kind. */
export function isEv<E extends Report['ev']>(ev: E): (report: Report) => report is Extract<Report, { ev: E }> {
  return (report): report is Extract<Report, { ev: E }> => report.ev === ev;
}
