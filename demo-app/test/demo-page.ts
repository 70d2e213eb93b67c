/**
 * One demo page in Chromium, seen from a test: opened in a browser context of its own (its own
 * renderer process and storage), its status read through `window.synchronyDemo`, every wait
 * bounded, and every console error and uncaught exception it showed kept for the test to check.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../e2e/test/chromium.js';
import { waitUntil, withTimeout } from '../../e2e/test/with-timeout.js';
import type { DemoStatus } from '../src/shared/demo-handle.js';

/** A step that takes longer than this has hung. */
export const STEP_MS = 15_000;
/** Every page in the tests sees this viewport. */
const VIEWPORT = { width: 1280, height: 900 };

export class DemoPage {
  /** Console errors and uncaught exceptions, as text. */
  readonly problems: string[] = [];

  private constructor(
    readonly label: string,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    page.on('pageerror', (error) => this.problems.push(`${label}: uncaught ${error.name}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') this.problems.push(`${label}: console.error ${message.text()}`);
    });
  }

  /** Opens `url` in a new context of `browser` and waits until the page joined its group. */
  static async open(browser: Browser, url: string, label: string): Promise<DemoPage> {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    const demo = new DemoPage(label, context, page);
    await demo.goto(url);
    return demo;
  }

  /**
   * A "device": a browser of its own with a user data directory that outlives it, so what the page
   * stored in IndexedDB is there again when the device opens the page again.
   */
  static async openOnDevice(userDataDir: string, url: string, label: string): Promise<DemoPage> {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], viewport: VIEWPORT, timeout: STEP_MS,
    });
    const page = context.pages()[0] ?? await context.newPage();
    const demo = new DemoPage(label, context, page);
    await demo.goto(url);
    return demo;
  }

  /** Loads `url` and waits until the page joined (its first view installed). */
  async goto(url: string): Promise<void> {
    await this.page.goto(url, { timeout: STEP_MS });
    await this.joined();
  }

  /** Reloads the page (a new process, a new member) and waits until it joined again. */
  async reload(): Promise<void> {
    await this.page.reload({ timeout: STEP_MS });
    await this.joined();
  }

  /** Where the page stands. */
  status(): Promise<DemoStatus> {
    return withTimeout(this.page.evaluate(() => window.synchronyDemo!.status()), STEP_MS, `${this.label}.status`);
  }

  /** Polls the status until `done` holds. */
  waitFor(done: (status: DemoStatus) => boolean, what: string, timeoutMs = STEP_MS): Promise<DemoStatus> {
    return waitUntil(() => this.status(), done, timeoutMs, `${this.label}: ${what}`);
  }

  /**
   * Crashes the page's renderer (CDP `Page.crash`): the process dies on the spot, with no unload,
   * no goodbye and no closed connection sent; the others can only notice its silence.
   */
  async crash(): Promise<void> {
    const crashed = this.page.waitForEvent('crash', { timeout: STEP_MS });
    const cdp = await this.context.newCDPSession(this.page);
    void cdp.send('Page.crash').catch(() => {}); // never answers: the renderer is gone
    await crashed;
  }

  /** Closes the page as a person closes a tab, then its context (for a device, its browser). */
  async close(): Promise<void> {
    await this.page.close();
    await this.context.close();
  }

  /** Clicks the network switch of the inspector: true cuts this tab off, false mends it. */
  async cutOff(cut: boolean): Promise<void> {
    const box = this.page.getByLabel('Cut this tab off the network');
    if (cut) await box.check();
    else await box.uncheck();
  }

  /** Waits until the page (loaded or reloaded by itself) joined its group. */
  async joined(): Promise<void> {
    await this.page.waitForFunction(() => window.synchronyDemo?.status().phase !== 'connecting', undefined, { timeout: STEP_MS });
    const status = await this.status();
    if (status.phase !== 'joined') throw new Error(`${this.label} did not join: ${status.failure ?? status.phase}`);
  }
}

/** Polls several pages until `done` holds of their statuses together. */
export function waitForAll(
  pages: readonly DemoPage[],
  done: (statuses: DemoStatus[]) => boolean,
  what: string,
  timeoutMs = STEP_MS,
): Promise<DemoStatus[]> {
  return waitUntil(() => Promise.all(pages.map((p) => p.status())), done, timeoutMs, what);
}

/** True when every status shows one primary view made of exactly these pages' members. */
export function oneViewOf(statuses: readonly DemoStatus[]): boolean {
  const first = statuses[0]?.view;
  if (first === undefined || !first.primary) return false;
  const members = statuses.map((s) => s.me).sort().join(',');
  return statuses.every((s) => s.view?.primary === true && s.view.id === first.id && [...s.view.members].sort().join(',') === members);
}

/** The problems every page showed (console errors, uncaught exceptions, reported errors). */
export function problemsOf(pages: readonly DemoPage[], statuses: readonly DemoStatus[]): string[] {
  return [...pages.flatMap((p) => p.problems), ...statuses.flatMap((s) => s.reported)];
}
