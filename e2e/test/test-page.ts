/**
 * One browser page running the test page, seen from the test: its calls into the page's
 * `window.synchronyE2e`, each bounded in time, and the errors the page threw.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TraceEvent } from '@synchrony/sim';
import type { JoinRequest, PageStatus, SendSpec } from '../page/e2e-api.js';
import { withTimeout } from './with-timeout.js';

/** A call into a page that takes longer than this has hung. */
const CALL_TIMEOUT_MS = 15_000;

/** A page of its own browser context (no storage shared with the other pages), loaded and ready. */
export class TestPage {
  /** Uncaught exceptions Playwright saw in the page. */
  readonly pageErrors: string[] = [];

  private constructor(
    readonly label: string,
    private readonly context: BrowserContext,
    private readonly page: Page,
    private readonly callTimeoutMs: number,
  ) {
    page.on('pageerror', (error) => this.pageErrors.push(`${error.name}: ${error.message}`));
  }

  /**
   * Opens `url` in a new context of `browser` and waits for the page's API. Loading the page and
   * every later call into it are bounded by `callTimeoutMs`.
   */
  static async open(browser: Browser, url: string, label: string, callTimeoutMs = CALL_TIMEOUT_MS): Promise<TestPage> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const testPage = new TestPage(label, context, page, callTimeoutMs);
    await page.goto(url, { timeout: callTimeoutMs });
    await page.waitForFunction(() => window.synchronyE2e !== undefined, undefined, { timeout: callTimeoutMs });
    return testPage;
  }

  /** Connects and joins; resolves with the status after the first view (and state transfer). */
  join(request: JoinRequest): Promise<PageStatus> {
    return this.call('join', this.page.evaluate((r) => window.synchronyE2e!.join(r), request));
  }

  /** Makes the multicasts and resolves once each one settled. */
  send(specs: readonly SendSpec[]): Promise<void> {
    return this.call('send', this.page.evaluate((s) => window.synchronyE2e!.send(s), specs));
  }

  /**
   * Makes the multicasts without waiting for them and, in the same turn of the page's event loop,
   * takes its status and trace: what the page had recorded the instant before it is closed.
   */
  sendAndTakeRecord(specs: readonly SendSpec[]): Promise<{ status: PageStatus; trace: TraceEvent[] }> {
    return this.call('sendAndTakeRecord', this.page.evaluate((s) => {
      const api = window.synchronyE2e!;
      api.sendAndForget(s);
      return { status: api.status(), trace: api.trace() };
    }, specs));
  }

  /** Resolves when everything this page sent is stable. */
  flush(): Promise<void> {
    return this.call('flush', this.page.evaluate(() => window.synchronyE2e!.flush()));
  }

  /** Leaves the group gracefully; resolves once a view without this page is installed. */
  leave(): Promise<void> {
    return this.call('leave', this.page.evaluate(() => window.synchronyE2e!.leave()));
  }

  /** Where the page stands: its view, state, pending sends and reported errors. */
  status(): Promise<PageStatus> {
    return this.call('status', this.page.evaluate(() => window.synchronyE2e!.status()));
  }

  /** The page's trace so far, in the simulator's format. */
  trace(): Promise<TraceEvent[]> {
    return this.call('trace', this.page.evaluate(() => window.synchronyE2e!.trace()));
  }

  /**
   * Closes the page (no `beforeunload`, no graceful leave): to the other pages the process just
   * stops, as when a user closes a tab.
   */
  async close(): Promise<void> {
    await this.page.close();
    await this.context.close();
  }

  private call<T>(what: string, promise: Promise<T>): Promise<T> {
    return withTimeout(promise, this.callTimeoutMs, `${this.label}.${what}`);
  }
}
