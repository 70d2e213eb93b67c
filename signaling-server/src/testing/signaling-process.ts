/**
 * A signaling server in a process of its own (the `synchrony-signaling` command), for tests and
 * benchmarks that must kill one the hard way (SIGKILL: no close frames, no goodbye to Redis).
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built command; tests that use it need `npm run build` first. */
// Two levels below the package from src/testing and from dist/testing alike.
export const SIGNALING_CLI_PATH = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const START_TIMEOUT_MS = 10_000;

/** Options of {@link SignalingProcess.start}: the command's own flags. */
export interface SignalingProcessOptions {
  redis?: string;
  redisPrefix?: string;
  presenceTtlMs?: number;
  /** Overrides of DEFAULT_LIMITS (`--limit NAME=N`). */
  limits?: Record<string, number>;
}

/** A running `synchrony-signaling` child process on 127.0.0.1 and a free port. */
export class SignalingProcess {
  private constructor(
    private readonly child: ChildProcess,
    /** The URL it printed. */
    readonly url: string,
  ) {}

  /** Starts the command and waits (at most 10 s) for the URL it prints. */
  static async start(options: SignalingProcessOptions = {}): Promise<SignalingProcess> {
    if (!existsSync(SIGNALING_CLI_PATH)) throw new Error(`no ${SIGNALING_CLI_PATH}: run npm run build first`);
    const args = [SIGNALING_CLI_PATH, '--port', '0', '--host', '127.0.0.1'];
    if (options.redis !== undefined) args.push('--redis', options.redis);
    if (options.redisPrefix !== undefined) args.push('--redis-prefix', options.redisPrefix);
    if (options.presenceTtlMs !== undefined) args.push('--presence-ttl-ms', String(options.presenceTtlMs));
    for (const [name, value] of Object.entries(options.limits ?? {})) args.push('--limit', `${name}=${value}`);
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err = (err + chunk).slice(-2000)));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => fail(`no URL within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
      const fail = (why: string): void => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`synchrony-signaling did not start: ${why}: ${err.trim()}`));
      };
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const match = /^(ws:\/\/\S+)\n/.exec(out);
        if (match?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code) => fail(`exited with ${code}`));
    });
    return new SignalingProcess(child, url);
  }

  /** Kills it with SIGKILL (a crash) and waits for the exit. Idempotent. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }
}
