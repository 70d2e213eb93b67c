/**
 * Builds the test page with Vite (e2e/vite.config.ts) and returns the folder to serve. The page
 * bundles the workspace packages from their `dist/`, so `tsc -b` must have run first.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { PAGE_OUT_DIR } from '../vite.config.js';

const CONFIG_FILE = fileURLToPath(new URL('../vite.config.ts', import.meta.url));

/** Builds the page and resolves with the folder it went to. */
export async function buildTestPage(): Promise<string> {
  await build({ configFile: CONFIG_FILE });
  return PAGE_OUT_DIR;
}
