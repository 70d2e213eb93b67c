/**
 * The soak's member processes, seen from the parent: forks them (member.ts), sends commands, waits
 * for their reports (every wait bounded), keeps their resource samples, and kills every one of them
 * when the parent exits, however it exits (normally, by an exception, by SIGINT or SIGTERM).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command, MemberSettings, Report, Sample, Status } from './messages.js';

const MEMBER_SCRIPT = fileURLToPath(new URL('./member.js', import.meta.url));
const living = new Set<ChildProcess>();

function killAll(): void {
  for (const child of living) child.kill('SIGKILL');
  living.clear();
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

interface Waiter {
  readonly match: (report: Report) => boolean;
  readonly resolve: (report: Report) => void;
  readonly reject: (error: Error) => void;
}

/** One incarnation of a member process. */
export class Member {
  /** The process id it connected under (known once 'ready'). */
  id = '';
  readonly samples: Sample[] = [];
  readonly errors = new Map<string, number>();
  /** Why it failed, if it reported a failure of its own. */
  failure: string | undefined;
  /** How it ended: undefined while it runs. */
  exit: { code: number | null; signal: NodeJS.Signals | null; expected: boolean; atMs: number } | undefined;
  readonly startedMs = Date.now();
  private waiters: Waiter[] = [];
  private expectedExit = false;

  constructor(
    readonly slot: number,
    readonly incarnation: number,
    readonly traceFile: string,
    private readonly proc: ChildProcess,
  ) {
    proc.on('message', (report: Report) => this.onReport(report));
    proc.on('exit', (code, signal) => {
      living.delete(proc);
      this.exit = { code, signal, expected: this.expectedExit, atMs: Date.now() };
      for (const w of this.waiters.splice(0)) w.reject(new Error(`${this.name} exited (${signal ?? code}) while waited on`));
    });
  }

  get name(): string {
    return `slot ${this.slot}.${this.incarnation}${this.id === '' ? '' : ` (${this.id})`}`;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  send(command: Command): void {
    if (command.cmd === 'leave' || command.cmd === 'exit') this.expectedExit = true;
    if (this.proc.connected) this.proc.send(command);
  }

  /** The next report `match` accepts; rejects after `timeoutMs` or when the process exits. */
  next<R extends Report>(match: (report: Report) => report is R, timeoutMs: number, what: string): Promise<R> {
    if (!this.running) return Promise.reject(new Error(`${this.name} is not running (waiting for ${what})`));
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        match,
        resolve: (r) => { clearTimeout(timer); resolve(r as R); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      };
      this.waiters.push(waiter);
    });
  }

  /** Asks for its status. */
  async status(timeoutMs: number): Promise<Status> {
    const answer = this.next(isEv('status'), timeoutMs, 'status');
    this.send({ cmd: 'status' });
    return (await answer).status;
  }

  /** SIGKILL: a crash that not even the process's own runtime sees coming. */
  kill(): void {
    this.expectedExit = true;
    this.proc.kill('SIGKILL');
  }

  /** Resolves once it exited; kills it after `graceMs`. */
  async ended(graceMs: number): Promise<void> {
    if (!this.running) return;
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    const timer = setTimeout(() => this.kill(), graceMs);
    await exited;
    clearTimeout(timer);
  }

  private onReport(report: Report): void {
    if (report.ev === 'sample') this.samples.push(report.sample);
    if (report.ev === 'ready') this.id = report.id;
    if (report.ev === 'error') {
      const kind = `${report.name}: ${report.message.replace(/p[0-9a-f]{24}(#\d+)?/g, 'P').replace(/\d+/g, 'N').slice(0, 90)}`;
      this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
    }
    if (report.ev === 'failed') {
      this.failure ??= report.message;
      for (const w of this.waiters.splice(0)) w.reject(new Error(`${this.name} failed: ${report.message}`));
      return;
    }
    for (const w of [...this.waiters]) {
      if (!w.match(report)) continue;
      this.waiters = this.waiters.filter((x) => x !== w);
      w.resolve(report);
    }
  }
}

/** Forks a member process and waits until it connected to the signaling server. */
export async function spawnMember(slot: number, incarnation: number, settings: MemberSettings, timeoutMs: number, cwd: string): Promise<Member> {
  const proc = fork(MEMBER_SCRIPT, [], {
    cwd,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: ['--expose-gc'],
    env: { ...process.env, SOAK_MEMBER: JSON.stringify(settings) },
  });
  living.add(proc);
  const member = new Member(slot, incarnation, settings.traceFile, proc);
  await member.next(isEv('ready'), timeoutMs, 'ready');
  return member;
}

/** A type guard for the reports of one kind. */
export function isEv<E extends Report['ev']>(ev: E): (report: Report) => report is Extract<Report, { ev: E }> {
  return (report): report is Extract<Report, { ev: E }> => report.ev === ev;
}
