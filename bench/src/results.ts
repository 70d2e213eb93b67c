/**
 * bench/results.json: the latest results of each benchmark program, under its name, so that one
 * program's run does not erase another's. `BENCH_RESULTS` names another file (the tests use one).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const DEFAULT_FILE = fileURLToPath(new URL('../results.json', import.meta.url));

/** Stores `result` as the latest of `program`, with the time it was measured. */
export async function recordResults(program: string, result: Record<string, unknown>): Promise<void> {
  const file = process.env['BENCH_RESULTS'] ?? DEFAULT_FILE;
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // none yet, or unreadable: start over
  }
  all[program] = { measuredAt: new Date().toISOString(), ...result };
  await writeFile(file, `${JSON.stringify(all, null, 2)}\n`);
}
