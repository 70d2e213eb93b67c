/**
 * The parent's side of `webrtc-groups.ts`: forks the child processes (child.ts), sends them
 * commands and takes their reports, every wait bounded. Every child ever forked is killed with
 * SIGKILL when the parent exits, however it exits: normally, on an uncaught error, at its time
 * budget (process.exit), or on SIGINT, SIGTERM or SIGHUP (turned into an exit here). A child also
 * exits by itself when its IPC channel closes (the parent was SIGKILLed) or at its lifetime.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command, Report } from './messages.js';

const CHILD_SCRIPT = fileURLToPath(new URL('./child.js', import.meta.url));
/** Extra node options for the children, e.g. BENCH_CHILD_NODE_ARGS='--cpu-prof --cpu-prof-dir=DIR' to profile them. */
const CHILD_NODE_ARGS = (process.env['BENCH_CHILD_NODE_ARGS'] ?? '').split(' ').filter((a) => a.length > 0);
/** Error reports printed at most, so that a failing run does not flood the terminal. */
const MAX_PRINTED_ERRORS = 10;

const living = new Set<ChildProcess>();
let printedErrors = 0;
let guarded = false;

/** Installs, once, what kills every child when this process ends. */
function guardExit(): void {
  if (guarded) return;
  guarded = true;
  process.on('exit', () => {
    for (const child of living) child.kill('SIGKILL');
  });
  // Without a handler these signals end the process without running 'exit' handlers.
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(signal, () => process.exit(code));
  }
}

type Of<E extends Report['ev']> = Extract<Report, { ev: E }>;

interface Waiter {
  ev: Report['ev'];
  resolve: (report: Report) => void;
  reject: (error: Error) => void;
}

/** One forked child and its reports not taken yet. */
export class Child {
  private readonly unread: Report[] = [];
  private waiters: Waiter[] = [];
  private exited = false;
  /** Errors the child's process reported on 'error' (the first few are printed). */
  errors = 0;

  constructor(
    readonly name: string,
    private readonly proc: ChildProcess,
  ) {
    proc.on('message', (report: Report) => this.onReport(report));
    proc.on('exit', (code, signal) => {
      living.delete(proc);
      this.exited = true;
      for (const w of this.waiters.splice(0)) w.reject(new Error(`${name} exited (${signal ?? code}) while waited on`));
    });
  }

  send(command: Command): void {
    if (this.proc.connected) this.proc.send(command);
  }

  /** Takes the oldest report of kind `ev` not taken yet, waiting for it at most `timeoutMs`. */
  take<E extends Report['ev']>(ev: E, timeoutMs: number): Promise<Of<E>> {
    const at = this.unread.findIndex((r) => r.ev === ev);
    if (at >= 0) return Promise.resolve(this.unread.splice(at, 1)[0] as Of<E>);
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited; no ${ev} will come`));
    return new Promise<Of<E>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${this.name}: no ${ev} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        ev,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r as Of<E>);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Asks the child to exit; kills it if it has not after `graceMs`. */
  async stop(graceMs = 8000): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.send({ cmd: 'exit' });
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  private onReport(report: Report): void {
    if (report.ev === 'error') {
      this.errors += 1;
      if (printedErrors++ < MAX_PRINTED_ERRORS) console.error(`  [${this.name}] ${report.message}`);
      return;
    }
    if (report.ev === 'failed') {
      for (const w of this.waiters.splice(0)) w.reject(new Error(`${this.name}: ${report.cmd} failed: ${report.message}`));
      return;
    }
    const waiter = this.waiters.find((w) => w.ev === report.ev);
    if (waiter === undefined) {
      this.unread.push(report);
      return;
    }
    this.waiters = this.waiters.filter((w) => w !== waiter);
    waiter.resolve(report);
  }
}

/**
 * Forks `n` children and waits until each has loaded its modules (wrtc included). Each child ends
 * itself after `lifetimeMs` whatever happens.
 */
export async function spawnChildren(n: number, prefix: string, lifetimeMs: number, timeoutMs = 60_000): Promise<Child[]> {
  guardExit();
  const children: Child[] = [];
  for (let i = 0; i < n; i++) {
    const proc = fork(CHILD_SCRIPT, [String(lifetimeMs)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: CHILD_NODE_ARGS });
    living.add(proc);
    children.push(new Child(`${prefix}${i}`, proc));
  }
  await Promise.all(children.map((c) => c.take('ready', timeoutMs)));
  return children;
}

/** Sends `command` to every child and takes each one's report of kind `ev`. */
export function everyone<E extends Report['ev']>(children: readonly Child[], command: Command, ev: E, timeoutMs: number): Promise<Array<Of<E>>> {
  for (const child of children) child.send(command);
  return Promise.all(children.map((c) => c.take(ev, timeoutMs)));
}

/** Stops every child given, in parallel. */
export async function stopAll(children: readonly Child[]): Promise<void> {
  await Promise.all(children.map((c) => c.stop()));
}
