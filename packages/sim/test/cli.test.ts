/**
 * The simulator's command line (src/cli.ts): a bad command line gets what is wrong and the usage,
 * with exit code 2, never a stack trace or a run that never ends; a good one runs.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function sim(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run sim', () => {
  it('prints its usage for --help', async () => {
    const { code, stdout } = await sim('--help');
    expect(code).toBe(0);
    expect(stdout).toContain('usage: npm run sim -- --seeds N');
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--seeds', 'abc'], /--seeds must be an integer in 1\.\./],
    [['--seeds', '-3'], /--seeds/],
    [['--jobs', '0'], /--jobs must be an integer in 1\.\.64, got 0/],
    [['--seed', '1.5'], /--seed must be an integer in 0\.\.2147483647, got 1\.5/],
    [['--seed', '3', '--seeds', '5'], /--seed replays one scenario: it takes no --seeds/],
    [['--quiet'], /--quiet goes with --seed/],
    [['--from', '2147483647', '--seeds', '2'], /--seeds must be an integer in 1\.\.1, got 2/],
  ])('refuses %j with what is wrong, the usage and exit code 2', async (args, message) => {
    const { code, stderr } = await sim(...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toContain('usage: npm run sim');
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('runs the seeds it is given', async () => {
    const { code, stdout } = await sim('--seeds', '2', '--from', '7', '--jobs', '1');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^2 passed, 0 failed \(2 seeds from 7, 1 jobs/m);
  });
});
