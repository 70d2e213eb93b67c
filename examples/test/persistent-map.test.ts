/**
 * examples/persistent-map: a ReplicatedMap with `idbStore`, built by Vite with no config. Two tabs of
 * one browser profile set notes; both close; a tab opened afterwards finds the group gone and
 * restarts it from IndexedDB, with every note. Needs `tsc -b` and isolated-net.
 */
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSignalingServer, type SignalingServer } from '@synchrony/signaling-server';
import { launchChromium } from '../../e2e/test/chromium.js';
import { withTimeout } from '../../e2e/test/with-timeout.js';

const ROOT = fileURLToPath(new URL('../persistent-map', import.meta.url));
const STEP_TIMEOUT_MS = 15_000;

let server: SignalingServer | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
const errors: string[] = [];

beforeAll(async () => {
  await withTimeout(build({ root: ROOT, configFile: false, logLevel: 'warn' }), 20_000, 'vite build of examples/persistent-map');
  server = await startSignalingServer({ port: 0, host: '127.0.0.1', staticDir: `${ROOT}/dist` });
  browser = await launchChromium(STEP_TIMEOUT_MS);
  context = await browser.newContext(); // one profile: the tabs share its IndexedDB
}, 45_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
}, 30_000);

async function openTab(): Promise<Page> {
  const page = await context!.newPage();
  page.on('pageerror', (error) => errors.push(`${error.name}: ${error.message}`));
  await page.goto(`http://127.0.0.1:${server!.port}/`, { timeout: STEP_TIMEOUT_MS });
  await page.waitForFunction(() => document.querySelector('form')?.onsubmit != null, undefined, { timeout: STEP_TIMEOUT_MS });
  return page;
}

async function setNote(page: Page, key: string, value: string): Promise<void> {
  await page.fill('input[name=key]', key);
  await page.fill('input[name=value]', value);
  await page.click('button');
}

const shows = (page: Page, text: string): Promise<unknown> =>
  page.waitForFunction((t) => document.querySelector('pre')?.textContent === t, text, { timeout: STEP_TIMEOUT_MS });

describe('examples/persistent-map', () => {
  it('keeps the notes across tabs, and across closing them all', async () => {
    const first = await openTab();
    await setNote(first, 'milk', '2 l');
    const second = await openTab();
    await shows(second, 'milk = 2 l'); // state transfer from the first tab
    await setNote(second, 'bread', '1');
    await Promise.all([shows(first, 'bread = 1\nmilk = 2 l'), shows(second, 'bread = 1\nmilk = 2 l')]);
    await first.close({ runBeforeUnload: true });
    await second.close({ runBeforeUnload: true }); // the last tab: its pagehide checkpoint has both notes
    const again = await openTab(); // nobody holds the group: it restarts from IndexedDB
    await shows(again, 'bread = 1\nmilk = 2 l');
    expect(errors).toEqual([]);
  });
});
