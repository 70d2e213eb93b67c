/**
 * Builds the Chromium test's page (page/) into test/browser/dist, which the signaling server
 * serves. The page bundles the workspace packages from their `dist/`, so `tsc -b` must have run.
 *
 * The simple-peer alias is e2e/vite.config.ts's, copied: simple-peer's CommonJS sources expect
 * Node's globals in the browser, and its own browser build (`simplepeer.min.js`) carries the shims
 * inside the bundle. Another change is making plain Vite builds work without it; until it is in
 * this branch, this test page needs the alias too.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const require = createRequire(import.meta.url);

/** Where the built page goes. */
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
    minify: false,
    sourcemap: true,
  },
});
