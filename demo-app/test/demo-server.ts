/**
 * What every demo test starts from: the built app (`npm run build` builds demo-app/dist), served
 * with the signaling server on a free port as `npm start` serves it, and Debian's Chromium.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startSignalingServer, type SignalingServer } from '@synchrony/signaling-server';
import { launchChromium } from '../../e2e/test/chromium.js';
import { APP_OUT_DIR } from '../vite.config.js';
import { STEP_MS } from './demo-page.js';

/** Where the tests keep their screenshots (gitignored). */
export const RESULTS_DIR = new URL('../test-results/', import.meta.url).pathname;

export interface DemoServer {
  readonly server: SignalingServer;
  readonly browser: Browser;
  /** `http://127.0.0.1:PORT/<page>.html?room=<room>&...`: a demo page's URL. */
  url(page: 'whiteboard' | 'room' | 'index', room: string, extra?: Record<string, string>): string;
  close(): Promise<void>;
}

/** Serves the built demos and launches Chromium; rejects when the app was not built. */
export async function startDemoServer(): Promise<DemoServer> {
  if (!existsSync(join(APP_OUT_DIR, 'whiteboard.html'))) {
    throw new Error(`${APP_OUT_DIR} has no built app: run \`npm run build\` first (npm test does)`);
  }
  await mkdir(RESULTS_DIR, { recursive: true });
  const server = await startSignalingServer({ port: 0, host: '127.0.0.1', staticDir: APP_OUT_DIR });
  let browser: Browser;
  try {
    browser = await launchChromium(STEP_MS);
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    server,
    browser,
    url(page, room, extra = {}) {
      const query = new URLSearchParams({ room, ...extra }).toString();
      return `http://127.0.0.1:${server.port}/${page === 'index' ? '' : `${page}.html`}?${query}`;
    },
    async close() {
      try {
        await browser.close();
      } finally {
        await server.close();
      }
    },
  };
}

/**
 * Starts the server and Chromium before a test file's tests and stops them after; returns the
 * function that gives them to the tests.
 */
export function useDemoServer(): () => DemoServer {
  let demo: DemoServer | undefined;
  beforeAll(async () => {
    demo = await startDemoServer();
  }, 30_000);
  afterAll(async () => {
    await demo?.close();
  }, 30_000);
  return () => {
    if (demo === undefined) throw new Error('the demo server did not start');
    return demo;
  };
}

/** A room name of its own for each test, so tests never share a group. */
export function testRoom(name: string): string {
  return `${name}-${Math.random().toString(36).slice(2, 8)}`;
}
