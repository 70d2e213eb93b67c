/**
 * The whiteboard in real Chromium pages over real WebRTC, each page in a browser context of its
 * own (its own renderer process): drawing at once, a tab closed, a tab crashed, a late tab, a
 * reload, and a tab cut off from the majority. Pages agree when their boards hold the same pixels.
 *
 *   npm run build && ../shared/tools/isolated-net npx vitest run demo-app/test/whiteboard.test.ts
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boardDifference, boardDigest, drawStroke, mistake, pickTool, SCENE, wave } from './board.js';
import { DemoPage, oneViewOf, problemsOf, waitForAll } from './demo-page.js';
import { RESULTS_DIR, testRoom, useDemoServer } from './demo-server.js';
import type { DemoStatus } from '../src/shared/demo-handle.js';

/** Short, so that the tests are quick; well above the heartbeat, so nothing is suspected falsely. */
const FAILURE_TIMEOUT_MS = 1500;

const demo = useDemoServer();

const strokesOf = (status: DemoStatus): string[] => status.strokes as string[];

/** Every page committed and drew the same strokes, `count` of them, and has nothing pending. */
function settledOn(count: number | undefined) {
  return (statuses: DemoStatus[]): boolean => {
    const first = JSON.stringify(strokesOf(statuses[0]!));
    return statuses.every((s) => JSON.stringify(strokesOf(s)) === first && s.pending === 0 && s.drawn === strokesOf(s).length
      && (count === undefined || strokesOf(s).length === count));
  };
}

async function openPages(room: string, labels: readonly string[]): Promise<DemoPage[]> {
  const url = demo().url('whiteboard', room, { failureTimeoutMs: String(FAILURE_TIMEOUT_MS) });
  return Promise.all(labels.map((label) => DemoPage.open(demo().browser, url, label)));
}

async function expectSamePixels(pages: readonly DemoPage[]): Promise<void> {
  const digests = await Promise.all(pages.map(boardDigest));
  expect(digests[0]!.inked).toBeGreaterThan(1000);
  for (const [i, digest] of digests.entries()) {
    if (digest.sha256 === digests[0]!.sha256) continue;
    const strokes = await Promise.all([pages[0]!, pages[i]!].map(async (p) => strokesOf(await p.status()).join(' ')));
    expect.fail(`${await boardDifference(pages[0]!, pages[i]!)}; strokes: ${strokes.join(' | ')}`);
  }
}

async function closeAll(pages: readonly DemoPage[]): Promise<void> {
  await Promise.all(pages.map((p) => p.close().catch(() => {})));
}

describe('Whiteboard', () => {
  it('three pages draw at once and end with identical pixels; a closed page leaves the others drawing', async () => {
    const pages = await openPages(testRoom('draw'), ['a', 'b', 'c']);
    try {
      await waitForAll(pages, oneViewOf, 'one 3-member view');
      // Each page draws its part of a scene, all pages at once, then a stroke it takes back.
      await Promise.all(pages.map(async (page, row) => {
        for (const stroke of [...SCENE[row]!, mistake(row)]) {
          await pickTool(page, stroke.colour, stroke.width);
          await drawStroke(page, stroke.points);
        }
        await page.waitFor((s) => strokesOf(s).length >= 5 && s.pending === 0, 'its strokes committed');
        await page.page.getByRole('button', { name: 'Undo my last stroke' }).click();
      }));
      const settled = await waitForAll(pages, settledOn(12), '12 strokes, the same at every page');
      await expectSamePixels(pages);

      // The inspector of each page shows every member's deliveries, shared through the summaries;
      // pointing at an arrow tells the message's order, view and position.
      await waitForAll(pages, (all) => all.every((s) => s.inspector?.membersWithDeliveries === 3), 'every inspector shows 3 members');
      const first = pages[0]!;
      await first.page.getByRole('button', { name: 'Pause' }).click();
      await first.page.getByTestId('inspector').scrollIntoViewIfNeeded();
      let arrow = JSON.stringify(null);
      const paused = await first.waitFor((s) => {
        const seen = JSON.stringify(s.inspector?.newestArrow ?? null);
        const stable = seen === arrow && seen !== 'null';
        arrow = seen;
        return stable;
      }, 'the paused diagram, drawn');
      const plot = (await first.page.getByTestId('inspector').boundingBox())!;
      await first.page.mouse.move(plot.x + paused.inspector!.newestArrow!.x, plot.y + paused.inspector!.newestArrow!.y);
      const tooltip = first.page.locator('.inspector-tooltip');
      await expect.poll(() => tooltip.textContent(), { timeout: 5000 }).toMatch(/^(Total order|Causal order|FIFO) · view \d+ · position \d+ in (the view's total order|its sender's stream)/);
      await first.page.screenshot({ path: join(RESULTS_DIR, 'whiteboard-3-members.png'), fullPage: true });
      // Clipped from the whole page rather than an element screenshot, whose scrolling would move
      // the page under the pointer and take the tooltip away.
      const panel = await first.page.locator('.inspector').evaluate((e) => {
        const box = e.getBoundingClientRect();
        return { x: box.x + window.scrollX, y: box.y + window.scrollY, width: box.width, height: box.height };
      });
      await first.page.screenshot({ path: join(RESULTS_DIR, 'whiteboard-inspector.png'), fullPage: true, clip: panel });

      // One tab closes: the two others install a view without it and go on drawing together.
      const [a, b, c] = pages as [DemoPage, DemoPage, DemoPage];
      await c.close();
      await waitForAll([a, b], (all) => oneViewOf(all) && all[0]!.view!.members.length === 2, 'a view without the closed page');
      await drawStroke(b, wave(2, 3));
      await waitForAll([a, b], settledOn(13), 'the stroke drawn after the close, at both');
      await expectSamePixels([a, b]);

      // Clear for everyone: both boards back to white paper.
      await a.page.getByRole('button', { name: 'Clear for everyone' }).click();
      const cleared = await waitForAll([a, b], settledOn(0), 'an empty board at both');
      for (const digest of await Promise.all([a, b].map(boardDigest))) expect(digest.inked).toBe(0);
      expect(problemsOf(pages, [...settled, ...cleared])).toEqual([]);
    } finally {
      await closeAll(pages);
    }
  }, 90_000);

  it('drops a crashed page by timeout; a late page gets the picture; a reload keeps it', async () => {
    const room = testRoom('crash');
    const pages = await openPages(room, ['a', 'b', 'c']);
    const [a, b, c] = pages as [DemoPage, DemoPage, DemoPage];
    const opened = [...pages];
    try {
      await waitForAll(pages, oneViewOf, 'one 3-member view');
      await drawStroke(a, wave(0, 0));
      await drawStroke(c, wave(1, 1));
      await waitForAll(pages, settledOn(2), 'two strokes everywhere');

      // The renderer dies: no goodbye, no closed connection. Only silence tells the others.
      const crashedAt = Date.now();
      await c.crash();
      const survivors = [a, b];
      await waitForAll(survivors, (all) => oneViewOf(all) && all[0]!.view!.members.length === 2, 'a view without the crashed page', FAILURE_TIMEOUT_MS + 5000);
      const detectedMs = Date.now() - crashedAt;
      expect(detectedMs).toBeGreaterThanOrEqual(FAILURE_TIMEOUT_MS / 2); // silence, not a closed connection
      expect(detectedMs).toBeLessThanOrEqual(FAILURE_TIMEOUT_MS + 2500);

      await drawStroke(b, wave(2, 2));
      await waitForAll(survivors, settledOn(3), 'the survivors agree');

      // A late page: the board comes by state transfer.
      const [late] = await openPages(room, ['late']) as [DemoPage];
      opened.push(late);
      await waitForAll([a, b, late], (all) => oneViewOf(all) && settledOn(3)(all), 'the late page joined with the picture');
      await expectSamePixels([a, b, late]);

      // A reload is a new process and a new member: it gets the picture again from the others.
      const before = (await b.status()).me;
      await b.reload();
      const reloaded = await waitForAll([a, b, late], (all) => oneViewOf(all) && settledOn(3)(all), 'the reloaded page has the picture');
      expect(reloaded[1]!.me).not.toEqual(before);
      await expectSamePixels([a, b, late]);
      expect(problemsOf([a, b, late], reloaded)).toEqual([]);
    } finally {
      await closeAll(opened);
    }
  }, 90_000);

  it('a page cut off from the majority shows a banner, cannot draw into the board, and catches up when healed', async () => {
    const pages = await openPages(testRoom('cut'), ['a', 'b', 'c']);
    const [a, b, c] = pages as [DemoPage, DemoPage, DemoPage];
    try {
      await waitForAll(pages, oneViewOf, 'one 3-member view');
      await drawStroke(a, wave(0, 0));
      await waitForAll(pages, settledOn(1), 'a first stroke everywhere');
      const memberBefore = (await c.status()).me;

      await c.cutOff(true);
      const banner = c.page.getByTestId('partition-banner');
      await c.waitFor((s) => s.view?.primary === false, 'the non-primary notice', FAILURE_TIMEOUT_MS + 5000);
      await expect.poll(() => banner.getAttribute('data-state'), { timeout: 5000 }).toBe('cut');
      expect(await banner.isVisible()).toBe(true);
      expect(await banner.textContent()).toContain('cut off from the majority');
      await waitForAll([a, b], (all) => oneViewOf(all) && all[0]!.view!.members.length === 2, 'the majority goes on without it');

      // Cut off, the page refuses to draw: nothing goes out, nothing is committed anywhere.
      expect(await c.page.getByRole('button', { name: 'Clear for everyone' }).isDisabled()).toBe(true);
      await drawStroke(c, wave(1, 1));
      const cutStatus = await c.status();
      expect(strokesOf(cutStatus)).toHaveLength(1);
      expect(cutStatus.pending).toBe(0);
      // The majority draws meanwhile.
      await drawStroke(a, wave(1, 2));
      await drawStroke(b, wave(2, 0));
      await waitForAll([a, b], settledOn(3), 'the majority drew two more strokes');

      await c.cutOff(false);
      const healed = await waitForAll(pages, (all) => oneViewOf(all) && settledOn(3)(all), 'the healed page caught up', 20_000);
      expect(healed[2]!.me).not.toEqual(memberBefore); // excluded, it came back as a new member
      await expect.poll(() => banner.getAttribute('data-state'), { timeout: 5000 }).toBe('back');
      expect(await banner.textContent()).toContain('Back in the group');
      await expectSamePixels(pages);
      // The majority's diagram shows the cut: the old member's line, until the tab came back.
      await a.waitFor((s) => s.inspector!.lanes === 4, 'a diagram with the cut member and its return');
      await a.page.locator('.inspector').scrollIntoViewIfNeeded();
      await a.page.locator('.inspector').screenshot({ path: join(RESULTS_DIR, 'inspector-partition.png') });
      expect(problemsOf(pages, healed)).toEqual([]);
    } finally {
      await closeAll(pages);
    }
  }, 90_000);
});
