/**
 * The scenario both counter examples must pass, seen as a user sees it: three tabs click, every tab
 * shows every click; a tab opened later shows the count at once (state transfer). The test reads
 * and clicks the page's own `<output>` and `<button>`; it knows nothing else of the page.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { ServedPages } from '../../e2e/test/served-pages.js';

/** A tab that takes longer than this to connect, or a count that takes longer to arrive, is stuck. */
const STEP_TIMEOUT_MS = 15_000;
/** Clicks per tab: different, so a lost or doubled click changes the sum. */
const CLICKS = [2, 3, 4];

/** Opens a tab and waits until the page wired its button (it has joined and opened the counter). */
async function openReady(pages: ServedPages, label: string): Promise<Page> {
  const page = await pages.open(label);
  await page.waitForFunction(() => document.querySelector('button')?.onclick != null, undefined, { timeout: STEP_TIMEOUT_MS });
  return page;
}

/** Waits until the tab shows `count`. */
async function showsCount(page: Page, count: number): Promise<void> {
  await page.waitForFunction((n) => document.querySelector('output')?.textContent === String(n), count, { timeout: STEP_TIMEOUT_MS });
}

/** Runs the scenario on the pages the fixture serves; fails with the first tab that disagrees. */
export async function clickInThreeTabs(pages: ServedPages): Promise<void> {
  const tabs = await Promise.all(['a', 'b', 'c'].map((label) => openReady(pages, label)));
  await Promise.all(tabs.map(async (tab, i) => {
    for (let click = 0; click < CLICKS[i]!; click += 1) await tab.click('button');
  }));
  const total = CLICKS.reduce((sum, n) => sum + n, 0);
  await Promise.all(tabs.map((tab) => showsCount(tab, total)));

  const late = await openReady(pages, 'late');
  expect(await late.textContent('output')).toBe(String(total)); // the checkpoint arrived before the first render
  await late.click('button');
  await Promise.all([...tabs, late].map((tab) => showsCount(tab, total + 1)));
  expect(pages.pageErrors).toEqual([]);
}
