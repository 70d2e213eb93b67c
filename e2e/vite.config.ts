/**
 * Builds the end-to-end test page (e2e/page) into e2e/dist, which the signaling server serves.
 *
 * A plain config: no alias, no define, no polyfill. @synchrony/webrtc picks simple-peer's browser
 * build by itself (the `browser` condition of its `#simple-peer` import), as it does for any user's
 * bundler.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Where the built page goes: the test serves this folder with the signaling server. */
export const PAGE_OUT_DIR = fileURLToPath(new URL('./dist', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('./page', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: PAGE_OUT_DIR,
    emptyOutDir: true,
    target: 'es2022',
    // Readable stacks in a failing run matter more here than bytes.
    minify: false,
    sourcemap: true,
  },
});
