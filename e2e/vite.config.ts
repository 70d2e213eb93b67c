/**
 * Builds the end-to-end test page (e2e/page) into e2e/dist, which the signaling server serves.
 *
 * simple-peer's CommonJS sources expect Node's globals and built-ins in the browser (`Buffer`,
 * `process.nextTick`, `global`, and the `events` module through readable-stream), which Vite does
 * not polyfill. simple-peer ships its own browser build, `simplepeer.min.js`: the same code bundled
 * with browserify's shims for exactly those, scoped inside the bundle (no window.process or
 * window.Buffer leaks out to fool other code). Pointing the import at it is the whole fix: no
 * polyfill package, no global shim, and @synchrony/webrtc stays untouched.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const require = createRequire(import.meta.url);

/** Where the built page goes: the test serves this folder with the signaling server. */
export const PAGE_OUT_DIR = fileURLToPath(new URL('./dist', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('./page', import.meta.url)),
  base: './',
  logLevel: 'warn',
  resolve: {
    alias: [{ find: /^simple-peer$/, replacement: require.resolve('simple-peer/simplepeer.min.js') }],
  },
  build: {
    outDir: PAGE_OUT_DIR,
    emptyOutDir: true,
    target: 'es2022',
    // Readable stacks in a failing run matter more here than bytes.
    minify: false,
    sourcemap: true,
  },
});
