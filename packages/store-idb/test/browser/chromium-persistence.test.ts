/**
 * idbStore in real Chromium, with real IndexedDB, over real WebRTC: pages of one persistent
 * browser context (its profile in a temporary folder), each page a "device" with a store of its
 * own (`idbStore('device-' + name)`; pages of one context share one origin's IndexedDB, so the
 * store name is what keeps devices apart). Separate contexts would not do: a non-persistent
 * context's IndexedDB dies with it.
 *
 * 1. Three devices edit a Counter and a ReplicatedMap; they close one by one (each tab's exit
 *    checkpoint is written at pagehide), the browser itself exits; it starts again on the same
 *    profile, the three pages reopen and join at once: the group restarts from the best stored
 *    checkpoint, read back from disk, and every update is there, the last ones included, which only
 *    the last tab's exit checkpoint holds.
 * 2. A reload of one page of a live group: the reloaded tab is a new process and member, and gets
 *    the state by state transfer, not from its store.
 * 3. A full disk, for real: the origin's quota lowered through the DevTools protocol
 *    (`Storage.overrideQuotaForOrigin`) below the next checkpoint's size. Chromium refuses the
 *    write with a QuotaExceededError, the core reports a StoreError, and the group goes on.
 *
 * Run inside the isolated network namespace (WebRTC needs a non-loopback interface):
 *   npx tsc -b && ../shared/tools/isolated-net npx vitest run packages/store-idb/test/browser
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { startSignalingServer, type SignalingServer } from '@synchrony/signaling-server';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevicePage, waitUntil, withTimeout } from './device-page.js';
import type { PageStatus } from './page/store-test-api.js';
import { PAGE_OUT_DIR } from './vite.config.js';

/** A stored checkpoint's rank: its view, then its position in it. */
type Rank = readonly [viewId: number, position: number];

const FAILURE_TIMEOUT_MS = 1500;
const STEP_TIMEOUT_MS = 15_000;
/** Debian's Chromium; flags as e2e/test/chromium.ts explains them (no sandbox, GPU, mDNS-hidden candidates). */
const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-features=WebRtcHideLocalIpsWithMdns'];

let server: SignalingServer | undefined;
let profile = '';
let context: BrowserContext | undefined;
let baseUrl = '';

/** Starts Chromium on the test's profile (the same folder each time: what it stored is there). */
async function launch(): Promise<BrowserContext> {
  const launched = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, timeout: STEP_TIMEOUT_MS,
  });
  launched.on('close', () => { if (context === launched) context = undefined; });
  context = launched;
  return launched;
}

/** The running browser, started if a test before did not leave one. */
async function running(): Promise<BrowserContext> {
  return context ?? await launch();
}

beforeAll(async () => {
  await withTimeout(build({ configFile: fileURLToPath(new URL('./vite.config.ts', import.meta.url)) }), 30_000, 'vite build of the test page');
  server = await startSignalingServer({ port: 0, host: '127.0.0.1', staticDir: PAGE_OUT_DIR });
  // One server for the whole file: the port is part of the origin, and the origin owns the IndexedDB.
  baseUrl = `http://127.0.0.1:${server.port}/?signaling=${encodeURIComponent(server.url)}`;
  profile = await mkdtemp(join(tmpdir(), 'store-idb-chromium-'));
}, 60_000);

afterAll(async () => {
  try {
    await context?.close();
    await server?.close();
  } finally {
    if (profile !== '') await rm(profile, { recursive: true, force: true });
  }
}, 30_000);

/** True when every status holds one primary view of exactly these members. */
function oneViewOf(statuses: readonly PageStatus[]): boolean {
  const first = statuses[0]?.view;
  if (first === undefined || !first.primary) return false;
  const members = statuses.map((s) => s.member).sort().join(',');
  return statuses.every((s) => s.view?.id === first.id && s.view.primary && [...s.view.members].sort().join(',') === members);
}

function waitForPages(pages: readonly DevicePage[], done: (statuses: PageStatus[]) => boolean, what: string): Promise<PageStatus[]> {
  return waitUntil(() => Promise.all(pages.map((p) => p.status())), done, STEP_TIMEOUT_MS, what);
}

const everyError = (statuses: readonly PageStatus[], pages: readonly DevicePage[]): string[] =>
  [...statuses.flatMap((s) => s.errors), ...pages.flatMap((p) => p.pageErrors)];

describe('Chromium: idbStore with real IndexedDB over real WebRTC', () => {
  it('three devices edit, every tab closes and the browser exits; they reopen and the state is back, from the best checkpoint', async () => {
    const group = 'board';
    const request = { group, failureTimeoutMs: FAILURE_TIMEOUT_MS };
    const browser = await running();
    const pages = await Promise.all(['a', 'b', 'c'].map((d) => DevicePage.open(browser, baseUrl, d)));
    await Promise.all(pages.map((p) => p.join(request)));
    const formed = await waitForPages(pages, oneViewOf, 'one 3-member view');
    // The tabs close from the most junior member to the most senior: when two members are left
    // and one goes, the senior one keeps the primary view (an equal split goes to the half with
    // the most senior member), so the last tab open can still update the group.
    const [senior, middle, junior] = formed[0]!.view!.members.map((m) => pages[formed.findIndex((s) => s.member === m)]!) as [DevicePage, DevicePage, DevicePage];

    // Everyone edits; the junior tab closes, the middle one edits and closes, the senior one edits
    // and closes: it saw the most.
    await Promise.all([senior.add(1), middle.add(10), junior.add(100), senior.note(senior.device, 'first'), junior.note(junior.device, 'was here')]);
    await waitForPages(pages, (all) => all.every((s) => s.clicks === 111 && s.notes.length === 2), 'every edit everywhere');
    const closedErrors: string[] = [];
    closedErrors.push(...everyError([await junior.status()], [junior]));
    await junior.close();
    await waitForPages([senior, middle], (all) => oneViewOf(all) && all[0]!.view!.members.length === 2, 'a view without the junior tab');
    await Promise.all([middle.add(1000), middle.note(middle.device, 'was here')]);
    await waitForPages([senior, middle], (all) => all.every((s) => s.clicks === 1111 && s.notes.length === 3), "the middle tab's edits everywhere");
    closedErrors.push(...everyError([await middle.status()], [middle]));
    await middle.close();
    const [alone] = await waitForPages([senior], (all) => all[0]!.view!.primary && all[0]!.view!.members.length === 1, 'the senior tab alone, primary');
    // The view's own writes (its log entry, its checkpoint) must be done first: the core hands the
    // exit checkpoint to the store only once its previous write has settled (test/core-issues.test.ts),
    // so a write still under way at the close would make the exit checkpoint come too late.
    await waitUntil(() => senior.stored(group), (s) => s.checkpoint?.viewId === alone!.view!.id, STEP_TIMEOUT_MS, "the senior's view checkpoint stored");
    // The last update: a checkpoint stores it only if the tab writes one as it closes (the
    // periodic one is 5 s away, and the view's was taken before it).
    await Promise.all([senior.add(10_000), senior.note(senior.device, 'last')]);
    const last = await senior.status();
    expect(last.clicks).toBe(11_111);
    closedErrors.push(...everyError([last], [senior]));
    await senior.close();
    await browser.close(); // the browser exits: what was stored is on disk, in the profile
    expect(closedErrors).toEqual([]);

    // The browser starts again on the same profile; the three tabs reopen, as the same devices.
    const again = await running();
    const back = await Promise.all([senior, middle, junior].map((p) => DevicePage.open(again, baseUrl, p.device)));
    const stored = await Promise.all(back.map((p) => p.stored(group)));
    const [best, middling, worst] = stored.map((s) => [s.checkpoint!.viewId, s.checkpoint!.position] as const) as [Rank, Rank, Rank];
    expect(best[0]).toBeGreaterThan(middling[0]); // the senior's last view came after the middle's, the middle's after the junior's
    expect(middling[0]).toBeGreaterThan(worst[0]);
    expect(best[1]).toBeGreaterThanOrEqual(2); // the senior's exit checkpoint: its last two updates are in it
    for (const s of stored) expect(s.viewIds.at(-1)).toBe(s.checkpoint!.viewId);

    // They join at once, within the joining window of each other: the senior's checkpoint is the best.
    await Promise.all(back.map((p) => p.join(request)));
    const restarted = await waitForPages(back, (all) => oneViewOf(all) && all.every((s) => s.clicks === 11_111), 'one view, every update back');
    const notes = [[junior.device, 'was here'], [middle.device, 'was here'], [senior.device, 'last']].sort(([x], [y]) => x!.localeCompare(y!));
    for (const s of restarted) expect(s.notes).toEqual(notes);
    const founder = restarted[0]!;
    expect(founder.firstView).toMatchObject({ id: best[0] + 1, members: [founder.member] }); // it restarted the group, in the view after its own
    expect(restarted[1]!.resets + restarted[2]!.resets).toBeGreaterThanOrEqual(2); // the others got it by state transfer
    expect(everyError(restarted, back)).toEqual([]);
  }, 120_000);

  it('a reloaded page of a live group is a new member and gets the state by state transfer', async () => {
    const group = 'reload';
    const request = { group, failureTimeoutMs: FAILURE_TIMEOUT_MS };
    const browser = await running();
    const pages = await Promise.all(['d', 'e', 'f'].map((d) => DevicePage.open(browser, baseUrl, d))) as [DevicePage, DevicePage, DevicePage];
    await Promise.all(pages.map((p) => p.join(request)));
    await waitForPages(pages, oneViewOf, 'one 3-member view');
    await Promise.all([pages[0].add(2), pages[1].add(20), pages[2].add(200), pages[1].note('e', 'before reload')]);
    const before = await waitForPages(pages, (all) => all.every((s) => s.clicks === 222), 'every edit everywhere');

    const [d, e, f] = pages;
    await e.reload();
    const rejoined = await e.join(request);
    expect(rejoined.processId).not.toBe(before[1]!.processId);
    expect(rejoined.member).not.toBe(before[1]!.member);
    expect(rejoined.clicks).toBe(222); // by state transfer, at its first view
    expect(rejoined.notes).toEqual([['e', 'before reload']]);
    expect(rejoined.resets).toBe(1);
    expect(rejoined.firstView!.members.length).toBeGreaterThan(1); // it joined the live group: no restart
    const settled = await waitForPages([d, e, f], (all) => oneViewOf(all) && all[0]!.view!.members.length === 3, 'a view without the old e');
    await e.add(2000);
    await waitForPages([d, e, f], (all) => all.every((s) => s.clicks === 2222), 'the reloaded page edits the group');
    // What the reloaded page's store holds now is the live group's, in its current view.
    await waitUntil(() => e.stored(group), (s) => s.checkpoint?.viewId === settled[0]!.view!.id, STEP_TIMEOUT_MS, "e's store holds the live group's view");
    expect(everyError(await Promise.all(pages.map((p) => p.status())), pages)).toEqual([]);
  }, 90_000);

  it('a full disk (the origin\'s quota lowered below a checkpoint) is reported as a StoreError and the group goes on', async () => {
    const group = 'quota';
    const browser = await running();
    // An origin of its own (localhost, not 127.0.0.1: the same server), whose storage nothing has
    // opened yet: Chromium applies a quota override to an origin's storage opened after it.
    const quotaUrl = baseUrl.replace('//127.0.0.1:', '//localhost:');
    const page = await DevicePage.open(browser, quotaUrl, 'q');
    const origin = new URL(quotaUrl).origin;
    const usageBytes = await page.page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
    const cdp = await browser.newCDPSession(page.page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usageBytes + 200_000 });
    try {
      await page.join({ group, failureTimeoutMs: FAILURE_TIMEOUT_MS });
      await page.add(1);
      const errors = () => page.page.evaluate(() => window.storeTest!.status().errors);
      expect(await errors()).toEqual([]);
      await page.note('big', randomBytes(750_000).toString('base64')); // the next checkpoint is over 1 MB, and does not compress
      // The periodic checkpoint (every 5 s with updates) meets the quota.
      const reported = await waitUntil(errors, (e) => e.length > 0, 10_000, 'a storage error reported');
      expect(reported).toEqual([expect.stringMatching(/^process error: StoreError: store of group quota: could not store a checkpoint: .*storage quota exceeded .*\(cause: StoreError: .*QuotaExceededError/)]);
      await page.add(10); // the live group goes on
      expect(await page.page.evaluate(() => window.storeTest!.status().clicks)).toBe(11);
      const stored = await page.stored(group);
      expect(stored.checkpoint!.position).toBeLessThan(2); // the previous checkpoint is kept: without the note
      expect(stored.checkpoint!.bytes).toBeLessThan(1000);
    } finally {
      await cdp.send('Storage.overrideQuotaForOrigin', { origin }); // no size: the quota is the browser's again
      await cdp.detach();
    }
    await page.close();
  }, 60_000);
});
