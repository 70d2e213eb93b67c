/**
 * How a person meets the demos: the landing page links both with one fresh room name and copies
 * the links; a demo opened alone works as a group of one and says how to invite others; every
 * control of every page has a label (Chromium's accessibility tree), and nothing logs an error.
 *
 *   npm run build && ../shared/tools/isolated-net npx vitest run demo-app/test/pages.test.ts
 */
import { describe, expect, it } from 'vitest';
import { controlNames, unlabelledControls } from './accessibility.js';
import { DemoPage, STEP_MS } from './demo-page.js';
import { testRoom, useDemoServer } from './demo-server.js';

const demo = useDemoServer();

describe('First contact', () => {
  it('the landing page links both demos with a fresh room, copies a link, and the demo opened alone says how to invite others', async () => {
    const context = await demo().browser.newContext({ viewport: { width: 1280, height: 900 } });
    const origin = `http://127.0.0.1:${demo().server.port}`;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    try {
      await page.goto(`${origin}/`, { timeout: STEP_MS });
      const whiteboard = page.getByRole('link', { name: 'Open the whiteboard' });
      const room = page.getByRole('link', { name: 'Open the room' });
      const roomOf = async (link: typeof room): Promise<string | null> => new URL((await link.getAttribute('href'))!, origin).searchParams.get('room');
      const first = await roomOf(whiteboard);
      expect(first).toMatch(/^[a-z]+-[a-z]+-\d{2}$/);
      expect(await roomOf(room)).toBe(first);
      expect(await unlabelledControls(page)).toEqual([]);

      await page.getByRole('button', { name: 'New room name' }).click();
      const fresh = await roomOf(whiteboard);
      expect(fresh).not.toBe(first);
      await page.getByRole('button', { name: 'Copy the whiteboard link' }).click();
      await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(`${origin}/whiteboard.html?room=${fresh}`);

      // Alone in the room: a group of one, and the way to invite others.
      await whiteboard.click();
      await page.waitForFunction(() => window.synchronyDemo?.status().phase === 'joined', undefined, { timeout: STEP_MS });
      expect(await page.getByTestId('view-line').textContent()).toMatch(/^View \d+ · 1 member · coordinator: /);
      await expect.poll(() => page.getByText('You are the only one here.').isVisible()).toBe(true);
      expect(await page.getByLabel('Invite link').inputValue()).toBe(`${origin}/whiteboard.html?room=${fresh}`);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('every control of both demos has a label, and the room is played with the keyboard alone', async () => {
    const room = testRoom('labels');
    const pages = await Promise.all([
      DemoPage.open(demo().browser, demo().url('whiteboard', room), 'whiteboard'),
      DemoPage.open(demo().browser, demo().url('room', room), 'room'),
    ]);
    const [whiteboard, game] = pages as [DemoPage, DemoPage];
    try {
      for (const page of pages) expect(await unlabelledControls(page)).toEqual([]);
      expect(await controlNames(whiteboard, 'radio')).toEqual(expect.arrayContaining(['Red', 'Eraser (paper white)', 'Fine', 'Marker']));
      expect(await controlNames(game, 'application')).toEqual(['Playing field']);

      // Keyboard only: Tab to the field (it has focus after joining), arrows to move, Space for the
      // ball; then the chat by Tab and Enter.
      const start = (await game.status()).players as Record<string, { x: number; y: number }>;
      const me = (await game.status()).me;
      expect(await game.page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('field');
      await game.page.keyboard.press('ArrowLeft');
      await game.page.keyboard.press('ArrowUp');
      await game.page.keyboard.press('Space');
      const moved = await game.waitFor((s) => (s.ball as { holder: string | null }).holder === me, 'the ball taken with Space');
      const at = (moved.players as Record<string, { x: number; y: number }>)[me]!;
      expect(at.x).toBeLessThan(start[me]!.x);
      expect(at.y).toBeLessThan(start[me]!.y);
      await game.page.getByLabel('Message', { exact: true }).focus();
      await game.page.keyboard.type('hello by keyboard');
      await game.page.keyboard.press('Enter');
      await game.waitFor((s) => (s.chat as string[]).some((line) => line.endsWith(': hello by keyboard')), 'the chat line sent with Enter');
      expect(pages.flatMap((p) => p.problems)).toEqual([]);
    } finally {
      await Promise.all(pages.map((p) => p.close().catch(() => {})));
    }
  }, 60_000);
});
