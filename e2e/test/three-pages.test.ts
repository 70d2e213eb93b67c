/**
 * Issue 4, end to end in real Chromium: one group formed by three pages over real WebRTC data
 * channels, introduced by a real signaling server that also serves the page. Mixed FIFO, causal
 * and total traffic from every page; the coordinator's tab closed mid-run; a fourth page joining
 * late under traffic and getting the state by state transfer. The simulator's property checker
 * judges the merged trace of every page, as it judges a simulated run.
 *
 * Run inside the isolated network namespace (WebRTC needs a non-loopback interface):
 *   npx tsc -b && ../shared/tools/isolated-net npx vitest run e2e
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSignalingServer, type SignalingServer } from '@synchrony/signaling-server';
import { checkProperties, type TraceEvent } from '@synchrony/sim';
import { epochNowMs } from '../page/epoch-now.js';
import { buildTestPage } from './build-page.js';
import { launchChromium } from './chromium.js';
import { mergeTraces } from './merge-traces.js';
import { TestPage } from './test-page.js';
import { deliveredIdSet, firstViewId, sentIds, totalOrderSequence, transferredStates, viewInstalledAt } from './trace-queries.js';
import { mixedTraffic } from './traffic.js';
import { quiescent, sameViewOf, waitForMembers } from './view-waits.js';
import { withTimeout } from './with-timeout.js';

const GROUP = 'e2e-room';
/** Short, so the test is quick, and well above a tick and a heartbeat so nothing is falsely suspected. */
const FAILURE_TIMEOUT_MS = 1500;
/** Beyond the failure timeout: the view change's rounds over the mesh, and the test's polling. */
const DETECTION_MARGIN_MS = 1000;
/** A step that is not done after this long is stuck. */
const STEP_TIMEOUT_MS = 15_000;
/** Rounds of traffic while the three pages are together, and multicasts per page per round. */
const ROUNDS = 4;
const PER_ROUND = 12;

let server: SignalingServer | undefined;
let browser: Browser | undefined;
let pageDir = '';

beforeAll(async () => {
  pageDir = await withTimeout(buildTestPage(), STEP_TIMEOUT_MS, 'vite build of the test page');
  server = await startSignalingServer({ port: 0, host: '127.0.0.1', staticDir: pageDir });
  browser = await launchChromium(STEP_TIMEOUT_MS);
}, 45_000);

afterAll(async () => {
  try {
    await browser?.close(); // closes every context and page it still has
  } finally {
    await server?.close();
  }
}, 30_000);

describe('Chromium: the same group formed by 3 pages', () => {
  it('agrees on views and orders, survives a closed tab, and transfers state to a late joiner', async () => {
    if (server === undefined || browser === undefined) throw new Error('beforeAll did not finish');
    const chromium = browser;
    const url = `http://127.0.0.1:${server.port}/?signaling=${encodeURIComponent(server.url)}`;
    const joinRequest = { group: GROUP, failureTimeoutMs: FAILURE_TIMEOUT_MS };

    // 1. Three tabs open and join at once: exactly one of them founds the group, the others join it.
    const trio = await Promise.all(['a', 'b', 'c'].map((label) => TestPage.open(chromium, url, label)));
    await Promise.all(trio.map((p) => p.join(joinRequest)));
    const formed = await waitForMembers(trio, sameViewOf, STEP_TIMEOUT_MS, 'one 3-member view at every page');
    const view = formed[0]!.view!;
    expect(view.members).toHaveLength(3);
    expect(new Set(formed.map((s) => s.view?.id))).toEqual(new Set([view.id]));

    // 2. Mixed traffic from every page, in rounds that overlap each other's deliveries.
    for (let round = 0; round < ROUNDS; round += 1) {
      await Promise.all(trio.map((p) => p.send(mixedTraffic(PER_ROUND))));
    }
    await Promise.all(trio.map((p) => p.flush()));
    const expected = 3 * ROUNDS * PER_ROUND;
    await waitForMembers(trio, (all) => quiescent(all) && all.every((s) => s.deliveries === expected), STEP_TIMEOUT_MS, `${expected} deliveries at every page`);
    const together = await Promise.all(trio.map((p) => p.trace()));
    const everySent = together.flatMap(sentIds).sort();
    expect(everySent).toHaveLength(expected);
    expect(together.filter((trace) => firstViewId(trace) === 1)).toHaveLength(1); // one founder
    for (const trace of together) {
      expect(deliveredIdSet(trace)).toEqual(everySent);
      expect(totalOrderSequence(trace)).toEqual(totalOrderSequence(together[0]!));
    }

    // 3. The coordinator's tab closes while its last multicasts are in flight, and the others keep
    // sending. The survivors must agree on a view without it within the failure timeout.
    const victimIndex = formed.findIndex((s) => s.member === view.members[0]);
    const victim = trio[victimIndex]!;
    const survivors = trio.filter((p) => p !== victim);
    const victimProcess = formed[victimIndex]!.processId;
    const lastWords = await victim.sendAndTakeRecord(mixedTraffic(6));
    const closedAtMs = epochNowMs();
    await victim.close();
    const sendingThrough = Promise.all(survivors.map((p) => p.send(mixedTraffic(6))));
    const detectWithinMs = FAILURE_TIMEOUT_MS + DETECTION_MARGIN_MS;
    const shrunk = await waitForMembers(survivors, (all) => sameViewOf(all) && all[0]!.view!.members.length === 2, detectWithinMs, 'a view without the closed tab');
    const shrunkViewId = shrunk[0]!.view!.id;
    await withTimeout(sendingThrough, STEP_TIMEOUT_MS, 'sends across the view change');
    for (const trace of await Promise.all(survivors.map((p) => p.trace()))) {
      const detectedMs = viewInstalledAt(trace, shrunkViewId)! - closedAtMs;
      expect(detectedMs).toBeGreaterThan(0);
      expect(detectedMs).toBeLessThanOrEqual(detectWithinMs);
    }

    // 4. A fourth tab joins late, while the survivors multicast, and gets the state by transfer.
    const late = await TestPage.open(chromium, url, 'd');
    const joining = late.join(joinRequest);
    await Promise.all(survivors.map((p) => p.send(mixedTraffic(6))));
    await joining;
    const final = [...survivors, late];
    await Promise.all(final.map((p) => p.send(mixedTraffic(9))));
    await Promise.all(final.map((p) => p.flush()));
    const settled = await waitForMembers(final, (all) => sameViewOf(all) && quiescent(all), STEP_TIMEOUT_MS, 'one 3-member view and one state at every page');
    const lateTrace = await late.trace();
    const transferred = transferredStates(lateTrace);
    expect(transferred).toHaveLength(1);
    expect(transferred[0]!.count).toBeGreaterThanOrEqual(expected); // it carries the history, not an empty state
    expect(settled[2]!.state).toEqual(settled[0]!.state);
    expect(settled[2]!.state).toEqual(settled[1]!.state);

    // 5. The simulator's checker over every page's trace, liveness included: the final members
    // installed one final view and delivered every message they sent.
    const traces = [lastWords.trace, ...(await Promise.all(survivors.map((p) => p.trace()))), lateTrace];
    const faults: TraceEvent[] = [
      { k: 'fault', at: closedAtMs, what: `close ${victimProcess} (page.close)` },
      { k: 'crash', at: closedAtMs, process: victimProcess }, // its last sends may stay pending: the page is gone
      { k: 'fault', at: epochNowMs(), what: `live ${settled.map((s) => s.processId).join(',')}` },
    ];
    const trace = mergeTraces([...traces, faults]);
    // Kept for a person to read after a failure (e2e/dist is rebuilt by every run).
    await writeFile(join(pageDir, 'last-trace.json'), JSON.stringify(trace, null, 1));
    // Nothing malformed or hostile was reported, and no page threw (checked first: such an error
    // would be the likeliest cause of a violation).
    const reported = [...lastWords.status.errors, ...settled.flatMap((s) => s.errors), ...[...trio, late].flatMap((p) => p.pageErrors)];
    expect(reported).toEqual([]);
    expect(checkProperties(trace, { final: true })).toBeUndefined();
  }, 120_000);
});
