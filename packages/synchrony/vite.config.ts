/**
 * Builds the drop-in script, dist/synchrony.iife.js: the whole of `synchrony` (src/index.ts) as
 * one classic script that defines `window.Synchrony`, for a page with no bundler:
 * `<script src="synchrony.iife.js"></script>`. `tsc -b` builds the rest of dist/ (the ES modules
 * and their types) and must run first: the workspace packages are bundled from their dist/.
 *
 * The build fails if Node code gets in (build/browser-only.ts) and prints the script's size.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { browserOnly } from './build/browser-only.js';
import { reportSize } from './build/report-size.js';

/** The global the script defines. */
export const GLOBAL_NAME = 'Synchrony';
/** The script, relative to dist/. */
export const IIFE_FILE = 'synchrony.iife.js';
/** Where it goes: next to what tsc emits, so that `synchrony/synchrony.iife.js` resolves to it. */
export const OUT_DIR = fileURLToPath(new URL('./dist', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  logLevel: 'warn',
  plugins: [browserOnly(), reportSize()],
  build: {
    outDir: OUT_DIR,
    emptyOutDir: false, // tsc's output lives there too
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: false, // report-size.ts prints what matters, at level 9
    lib: {
      entry: fileURLToPath(new URL('./src/index.ts', import.meta.url)),
      name: GLOBAL_NAME,
      formats: ['iife'],
      fileName: () => IIFE_FILE,
    },
  },
});
