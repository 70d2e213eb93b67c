import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { TestClient } from './helpers.js';

// The command runs from the build (`npm run build` or `npx tsc -p signaling-server`); the
// test is skipped when there is no build rather than testing a stale one by surprise.
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

describe.skipIf(!existsSync(CLI))('synchrony-signaling', () => {
  it('prints the URL, serves, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI, '--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          const match = /^(ws:\/\/\S+)\n/.exec(out);
          if (match?.[1] !== undefined) resolve(match[1]);
        });
        child.once('exit', () => reject(new Error(`exited before printing its URL: ${out}`)));
      });
      expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
      const client = await TestClient.welcomed(url, 'cli-peer');
      child.kill('SIGTERM');
      expect((await client.closed).code).toBe(1001); // going away, a clean close
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses a bad port with a usage message and exit code 1', async () => {
    const child = spawn(process.execPath, [CLI, '--port', 'eighty'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(err).toContain('usage: synchrony-signaling');
  });
});
