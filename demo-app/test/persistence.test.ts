/**
 * The whiteboard outlives its tabs (`idbStore`): two "devices", each a Chromium of its own with a
 * user data directory that survives it, draw together; every tab closes; the last device to close
 * is the first to come back, alone, and its board is the one they left; the other device joins it
 * and gets that board by state transfer; a lone tab that reloads keeps it too. No tab says goodbye
 * (a closing page cannot finish a leave): the others notice by their failure timeout.
 *
 *   npm run build && ../shared/tools/isolated-net npx vitest run demo-app/test/persistence.test.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardDigest, drawStroke, wave } from './board.js';
import { DemoPage, oneViewOf, problemsOf, waitForAll } from './demo-page.js';
import { testRoom, useDemoServer } from './demo-server.js';
import type { DemoStatus } from '../src/shared/demo-handle.js';

const demo = useDemoServer();
let profiles = '';

beforeAll(async () => {
  profiles = await mkdtemp(join(tmpdir(), 'synchrony-devices-'));
});

afterAll(async () => {
  if (profiles !== '') await rm(profiles, { recursive: true, force: true });
});

const strokesOf = (status: DemoStatus): string[] => status.strokes as string[];
const committed = (count: number) => (statuses: DemoStatus[]): boolean =>
  statuses.every((s) => strokesOf(s).length === count && s.pending === 0 && s.drawn === count && JSON.stringify(strokesOf(s)) === JSON.stringify(strokesOf(statuses[0]!)));

describe('Whiteboard persistence', () => {
  it('every tab closes; the last device to close reopens first with the board, the other joins it, a lone reload keeps it', async () => {
    const url = demo().url('whiteboard', testRoom('idb'), { failureTimeoutMs: '1500' });
    const [dirA, dirB] = [join(profiles, 'device-a'), join(profiles, 'device-b')];
    const open: DemoPage[] = [];
    const device = async (dir: string, label: string): Promise<DemoPage> => {
      const page = await DemoPage.openOnDevice(dir, url, label);
      open.push(page);
      return page;
    };
    const close = async (page: DemoPage): Promise<void> => {
      open.splice(open.indexOf(page), 1);
      await page.close();
    };
    try {
      // a founds the group (it is its senior member), b joins; both draw.
      let a = await device(dirA, 'device a');
      let b = await device(dirB, 'device b');
      await waitForAll([a, b], oneViewOf, 'one 2-member view');
      await drawStroke(a, wave(0, 0));
      await drawStroke(b, wave(1, 1));
      await waitForAll([a, b], committed(2), 'two strokes at both');

      // b goes first. Of two members, one alone is not a majority; equal halves go to the senior
      // member's side, so a goes on alone (the other way round, b would be blocked: see README).
      await close(b);
      await a.waitFor((s) => s.view?.primary === true && s.view.members.length === 1, 'a alone, still primary');
      await drawStroke(a, wave(2, 2));
      const last = await a.waitFor((s) => committed(3)([s]), 'the stroke a drew alone');
      const picture = await boardDigest(a);
      await close(a); // nobody is left holding the board

      // a, the last to close, is the first back: the group restarts from its stored board.
      a = await device(dirA, 'device a, back');
      const restarted = await a.waitFor((s) => committed(3)([s]), 'the board restored from IndexedDB');
      expect(strokesOf(restarted)).toEqual(strokesOf(last));
      expect(await boardDigest(a)).toEqual(picture);

      // b comes back to a live group: it joins by state transfer, and its older board is dropped.
      b = await device(dirB, 'device b, back');
      const together = await waitForAll([a, b], (all) => oneViewOf(all) && committed(3)(all), 'b joined the restored board');
      expect(await boardDigest(b)).toEqual(picture);

      // Alone again, a reload is a total failure and a restart: the board is back once more.
      await close(b);
      await a.waitFor((s) => s.view?.primary === true && s.view.members.length === 1, 'a alone again');
      await a.reload();
      await a.waitFor((s) => committed(3)([s]), 'the board after a lone reload');
      expect(await boardDigest(a)).toEqual(picture);
      expect(problemsOf([a], [...together, await a.status()])).toEqual([]);
    } finally {
      await Promise.all(open.map((p) => p.close().catch(() => {})));
    }
  }, 120_000);

  it('a tab stranded by its senior\'s close shows the banner, and its reload button restarts the room from what it stored', async () => {
    const url = demo().url('whiteboard', testRoom('stranded'), { failureTimeoutMs: '1500' });
    const a = await DemoPage.open(demo().browser, url, 'a');
    const b = await DemoPage.open(demo().browser, url, 'b');
    try {
      await waitForAll([a, b], oneViewOf, 'one 2-member view');
      await drawStroke(b, wave(1, 1));
      await waitForAll([a, b], committed(1), 'a stroke at both');
      const picture = await boardDigest(b);

      // The senior tab closes: b, alone, is half of its last view and not the senior half.
      await a.close();
      await b.waitFor((s) => s.view?.primary === false, 'b blocked in a minority', 10_000);
      const banner = b.page.getByTestId('partition-banner');
      await expect.poll(() => banner.getAttribute('data-state')).toBe('cut');
      const reloaded = b.page.waitForEvent('load', { timeout: 15_000 });
      await banner.getByRole('button', { name: 'Reload this tab' }).click();
      await reloaded;
      await b.joined();
      const back = await b.waitFor((s) => s.view?.primary === true && committed(1)([s]), 'the room restarted with its board');
      expect(back.view!.members).toEqual([back.me]);
      expect(await boardDigest(b)).toEqual(picture);
      expect(problemsOf([b], [back])).toEqual([]);
    } finally {
      await Promise.all([a, b].map((p) => p.close().catch(() => {})));
    }
  }, 60_000);
});
