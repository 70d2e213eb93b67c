/**
 * Where the tests find the drop-in script: built by `npm run build` (Vite, vite.config.ts), not by
 * the tests, so that they check the file a user gets.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The drop-in script's path; throws, saying how to build it, when it is missing. */
export function iifePath(): string {
  const path = fileURLToPath(new URL('../dist/synchrony.iife.js', import.meta.url));
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first`);
  return path;
}
