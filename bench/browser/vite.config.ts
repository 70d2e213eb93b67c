/** Builds the browser benchmark's page (bench/browser/page) into bench/browser/dist, which the signaling server serves. */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export const PAGE_OUT_DIR = fileURLToPath(new URL('./dist', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('./page', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: { outDir: PAGE_OUT_DIR, emptyOutDir: true, target: 'es2022' },
});
