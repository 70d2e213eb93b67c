/**
 * The drop-in script in real Chromium: a page with nothing but `<script src="synchrony.iife.js">`
 * gets `window.Synchrony`, the whole of `synchrony`, and three such pages form one group over real
 * WebRTC through a real signaling server (which also serves the page): they agree on the view, on
 * the order of their messages, and on a replicated Counter.
 *
 * Needs `npm run build` (the script is dist/synchrony.iife.js) and the isolated network namespace:
 *   ../shared/tools/isolated-net npx vitest run packages/synchrony
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServedPages } from '../../../e2e/test/served-pages.js';
import { waitUntil } from '../../../e2e/test/with-timeout.js';
import { iifePath } from './iife-file.js';

/** The whole page: the drop-in script and nothing else. */
const PAGE = '<!doctype html>\n<script src="synchrony.iife.js"></script>\n';
/** A step that takes longer than this is stuck. */
const STEP_TIMEOUT_MS = 15_000;

/** What the test keeps in each page, on `window.member`. */
interface PageMember {
  readonly me: string;
  readonly view: { id: number; members: string[] } | undefined;
  readonly messages: string[];
  readonly clicks: number;
}

declare global {
  interface Window {
    Synchrony?: typeof import('synchrony');
    member?: { snapshot(): PageMember; send(text: string): Promise<void>; click(): Promise<void> };
  }
}

let pages: ServedPages | undefined;
let folder = '';

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'synchrony-iife-'));
  await copyFile(iifePath(), join(folder, 'synchrony.iife.js'));
  await writeFile(join(folder, 'index.html'), PAGE);
  pages = await ServedPages.start(folder);
}, 30_000);

afterAll(async () => {
  await pages?.close();
  if (folder !== '') await rm(folder, { recursive: true, force: true });
}, 30_000);

/** In the page: connects with the drop-in script alone, joins, opens a Counter, and keeps a record. */
async function joinFromPage(page: Page, signaling: string): Promise<void> {
  await page.evaluate(async (signalingUrl) => {
    const { connect, Counter } = window.Synchrony!;
    const peer = await connect({ signaling: signalingUrl });
    const group = peer.group('drop-in');
    const messages: string[] = [];
    group.on('message', (message) => messages.push(String(message.data)));
    const clicks = await Counter.open(group, 'clicks');
    await group.join();
    window.member = {
      snapshot: () => ({
        me: group.me,
        view: group.view && { id: group.view.id, members: [...group.view.members] },
        messages: [...messages],
        clicks: clicks.value,
      }),
      send: (text) => group.send(text),
      click: () => clicks.add(1),
    };
  }, signaling);
}

function snapshots(all: readonly Page[]): Promise<PageMember[]> {
  return Promise.all(all.map((page) => page.evaluate(() => window.member!.snapshot())));
}

describe('synchrony.iife.js', () => {
  it('defines window.Synchrony with every export of the synchrony package', async () => {
    const page = await pages!.open('alone');
    const globalNames = await page.evaluate(() => Object.keys(window.Synchrony ?? {}).sort());
    const moduleNames = Object.keys(await import('synchrony')).sort();
    expect(globalNames).toEqual(moduleNames);
    expect(globalNames).toEqual(expect.arrayContaining(['connect', 'Counter', 'ReplicatedMap', 'NotPrimaryError', 'SignalingError']));
    await page.context().close();
  });

  it('lets three plain pages form a group, order their messages and share a Counter', async () => {
    const trio = await Promise.all(['a', 'b', 'c'].map((label) => pages!.open(label)));
    await Promise.all(trio.map((page) => joinFromPage(page, pages!.signalingUrl)));
    const formed = await waitUntil(
      () => snapshots(trio),
      (all) => all.every((s) => s.view?.members.length === 3 && s.view.id === all[0]!.view!.id),
      STEP_TIMEOUT_MS,
      'one 3-member view at every page',
    );
    expect(new Set(formed.map((s) => s.me))).toEqual(new Set(formed[0]!.view!.members));

    await Promise.all(trio.map((page, i) => page.evaluate((text) => window.member!.send(text), `hello from ${i}`)));
    await Promise.all(trio.map((page) => page.evaluate(() => window.member!.click())));
    const settled = await waitUntil(
      () => snapshots(trio),
      (all) => all.every((s) => s.messages.length === 3 && s.clicks === 3),
      STEP_TIMEOUT_MS,
      'three messages and three clicks at every page',
    );
    expect([...settled[0]!.messages].sort()).toEqual(['hello from 0', 'hello from 1', 'hello from 2']);
    for (const s of settled) expect(s.messages).toEqual(settled[0]!.messages); // one total order
    expect(pages!.pageErrors).toEqual([]);
  });
});
