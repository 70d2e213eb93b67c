/**
 * Issue 13: sixteen Chromium tabs started at once form one view of sixteen.
 *
 * As a new user tries it: every tab opens the page and calls `join()` in the same instant, on a
 * 2-core machine where the tabs' renderers, the browser and the signaling server share the CPU.
 * The group may form slowly there, but it must form (one tab founds it, the others join in
 * batches), never livelock, and report nothing. The time to the full view is printed.
 *
 *   npx tsc -b && ../shared/tools/isolated-net npx vitest run e2e/test/sixteen-tabs
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSignalingServer, type SignalingServer } from '@synchrony/signaling-server';
import { checkProperties, type TraceEvent } from '@synchrony/sim';
import { epochNowMs } from '../page/epoch-now.js';
import { buildTestPage } from './build-page.js';
import { launchChromium } from './chromium.js';
import { mergeTraces } from './merge-traces.js';
import { TestPage } from './test-page.js';
import { firstViewId, viewInstalledAt } from './trace-queries.js';
import { sameViewOf, waitForMembers } from './view-waits.js';
import { withTimeout } from './with-timeout.js';

const TABS = 16;
const GROUP = 'sixteen';
/** The library's default failure timeout (1 s): what a new user gets. */
const FAILURE_TIMEOUT_MS = 1000;
/** How often the test asks the tabs where they stand. */
const POLL_MS = 500;
/** Opening and joining 16 tabs on 2 cores: slow, but bounded. */
const FORM_TIMEOUT_MS = 120_000;

let server: SignalingServer | undefined;
let browser: Browser | undefined;
let pageDir = '';

beforeAll(async () => {
  pageDir = await withTimeout(buildTestPage(), 30_000, 'vite build of the test page');
  server = await startSignalingServer({ port: 0, host: '127.0.0.1', staticDir: pageDir });
  browser = await launchChromium(30_000);
}, 60_000);

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    await server?.close();
  }
}, 60_000);

describe(`Chromium: ${TABS} tabs started at once`, () => {
  it(`form one view of ${TABS}`, async () => {
    if (server === undefined || browser === undefined) throw new Error('beforeAll did not finish');
    const chromium = browser;
    const url = `http://127.0.0.1:${server.port}/?signaling=${encodeURIComponent(server.url)}`;
    const tabs = await Promise.all(Array.from({ length: TABS }, (_, i) => TestPage.open(chromium, url, `tab${i}`, FORM_TIMEOUT_MS)));

    const startedAt = epochNowMs();
    const joined = Promise.all(tabs.map((t) => t.join({ group: GROUP, failureTimeoutMs: FAILURE_TIMEOUT_MS })));
    const formed = await waitForMembers(tabs, (all) => sameViewOf(all) && all[0]!.view!.members.length === TABS, FORM_TIMEOUT_MS, `one view of ${TABS}`, POLL_MS);
    await withTimeout(joined, FORM_TIMEOUT_MS, 'every join() settles');
    const full = formed[0]!.view!;
    const traces = await Promise.all(tabs.map((t) => t.trace()));
    const fullAt = Math.max(...traces.map((trace) => viewInstalledAt(trace, full.id)!));
    console.log(`${TABS} tabs: first view ${Math.round(Math.min(...traces.map((t) => t.find((e) => e.k === 'view')?.at ?? Infinity)) - startedAt)} ms, ` +
      `full view (id ${full.id}) at every tab ${Math.round(fullAt - startedAt)} ms after join()`);

    expect(traces.filter((trace) => firstViewId(trace) === 1)).toHaveLength(1); // one founder
    expect([...formed.flatMap((s) => s.errors), ...tabs.flatMap((t) => t.pageErrors)]).toEqual([]);
    const live: TraceEvent = { k: 'fault', at: epochNowMs(), what: `live ${formed.map((s) => s.processId).join(',')}` };
    expect(checkProperties(mergeTraces([...traces, [live]]), { final: true })).toBeUndefined();
  }, 300_000);
});
