/**
 * The demos as a Vite multi-page build: `/` (the landing page), `/whiteboard.html` and
 * `/room.html`, into demo-app/dist, which the signaling server serves (`npm start`). A plain
 * config: @synchrony/webrtc picks simple-peer's browser build by itself.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** Where the built app goes: `npm start` and the tests serve this folder. */
export const APP_OUT_DIR = here('./dist');

export default defineConfig({
  root: here('.'),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: APP_OUT_DIR,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    rolldownOptions: {
      input: {
        index: here('./index.html'),
        whiteboard: here('./whiteboard.html'),
        room: here('./room.html'),
      },
    },
  },
});
