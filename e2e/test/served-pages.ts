/**
 * Pages served by a real signaling server, opened in Chromium: the fixture of the tests of the
 * drop-in script and of the examples. The server serves a folder on its own port (`staticDir`), so
 * a page finds its signaling server at its own origin, as a deployed page would; each page gets a
 * browser context of its own (no storage shared, as separate users); uncaught exceptions and
 * unhandled rejections of every page are collected, for the test to assert there were none.
 */
import type { Browser, Page } from 'playwright-core';
import { startSignalingServer, type SignalingServer } from '@synchrony/signaling-server';
import { launchChromium } from './chromium.js';

/** Launching Chromium or loading a page that takes longer than this has hung. */
const START_TIMEOUT_MS = 15_000;

/** A signaling server serving a folder, and a Chromium to open its pages in. */
export class ServedPages {
  /** `label: error` for every uncaught exception or unhandled rejection of any page. */
  readonly pageErrors: string[] = [];

  private constructor(
    private readonly server: SignalingServer,
    private readonly browser: Browser,
  ) {}

  /** Serves `staticDir` and launches Chromium. */
  static async start(staticDir: string): Promise<ServedPages> {
    const server = await startSignalingServer({ port: 0, host: '127.0.0.1', staticDir });
    try {
      return new ServedPages(server, await launchChromium(START_TIMEOUT_MS));
    } catch (error) {
      await server.close();
      throw error;
    }
  }

  /** The origin the pages are served from, `http://127.0.0.1:PORT`. */
  get origin(): string {
    return `http://127.0.0.1:${this.server.port}`;
  }

  /** The signaling server's URL, `ws://127.0.0.1:PORT`. */
  get signalingUrl(): string {
    return this.server.url;
  }

  /** Opens `path` (default the folder's index.html) in a new browser context, and waits for it to load. */
  async open(label: string, path = '/'): Promise<Page> {
    const context = await this.browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (error) => this.pageErrors.push(`${label}: ${error.name}: ${error.message}`));
    await page.goto(`${this.origin}${path}`, { timeout: START_TIMEOUT_MS });
    return page;
  }

  /** Closes every page, the browser and the server. */
  async close(): Promise<void> {
    try {
      await this.browser.close();
    } finally {
      await this.server.close();
    }
  }
}
