/**
 * One page of the store's Chromium test, seen from Node: a "device" (its own store name), its
 * calls into `window.storeTest`, each bounded in time, and the errors the page threw.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { JoinRequest, PageStatus, StoredSummary } from './page/store-test-api.js';

/** A call into a page that takes longer than this has hung. */
export const CALL_TIMEOUT_MS = 15_000;

/** Rejects with `what` in the message when `promise` takes longer than `timeoutMs`. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `probe` every 50 ms until `done` holds; rejects after `timeoutMs` with the last value seen. */
export async function waitUntil<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await withTimeout(probe(), timeoutMs, what);
    if (done(value)) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}; last seen: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export class DevicePage {
  /** Uncaught exceptions Playwright saw in the page. */
  readonly pageErrors: string[] = [];

  private constructor(readonly device: string, readonly page: Page) {
    page.on('pageerror', (error) => this.pageErrors.push(`${error.name}: ${error.message}`));
  }

  /** Opens the test page for `device` in `context` and waits for its API. */
  static async open(context: BrowserContext, baseUrl: string, device: string): Promise<DevicePage> {
    const page = await context.newPage();
    const devicePage = new DevicePage(device, page);
    await page.goto(`${baseUrl}&device=${device}`, { timeout: CALL_TIMEOUT_MS });
    await devicePage.ready();
    return devicePage;
  }

  join(request: JoinRequest): Promise<PageStatus> {
    return this.call('join', this.page.evaluate((r) => window.storeTest!.join(r), request));
  }

  add(n: number): Promise<void> {
    return this.call('add', this.page.evaluate((x) => window.storeTest!.add(x), n));
  }

  note(key: string, value: string): Promise<void> {
    return this.call('note', this.page.evaluate(([k, v]) => window.storeTest!.note(k, v), [key, value] as const));
  }

  status(): Promise<PageStatus> {
    return this.call('status', this.page.evaluate(() => window.storeTest!.status()));
  }

  stored(group: string): Promise<StoredSummary> {
    return this.call('stored', this.page.evaluate((g) => window.storeTest!.stored(g), group));
  }

  /** Reloads the page (a new process, as a user's reload) and waits for its API. */
  async reload(): Promise<void> {
    await this.page.reload({ timeout: CALL_TIMEOUT_MS });
    await this.ready();
  }

  /** Closes the tab as a user does: no beforeunload, no graceful leave; pagehide fires. */
  close(): Promise<void> {
    return this.call('close', this.page.close());
  }

  private async ready(): Promise<void> {
    await this.page.waitForFunction(() => window.storeTest !== undefined, undefined, { timeout: CALL_TIMEOUT_MS });
  }

  private call<T>(what: string, promise: Promise<T>): Promise<T> {
    return withTimeout(promise, CALL_TIMEOUT_MS, `${this.device}.${what}`);
  }
}
