/**
 * Runs an example program as a user runs it, `node examples/NAME.js`, and gives back what it
 * printed; fails if it exits with an error, writes to stderr, or takes too long.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root, where a user runs the examples from. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Resolves with the example's stdout once it exited with status 0. */
export function runExample(file: string, args: readonly string[] = [], timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [file, ...args], { cwd: ROOT, timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`node ${file} failed: ${error.message}\n${stdout}${stderr}`));
      else if (stderr !== '') reject(new Error(`node ${file} wrote to stderr:\n${stderr}`));
      else resolve(stdout);
    });
  });
}
