/**
 * The multiplayer room in real Chromium pages over real WebRTC, each in a browser context of its
 * own: moving with the keyboard and a click, a chat in causal order, the ball under a Lock passed
 * on when its holder's renderer crashes, the crashed player gone for everyone at the same view, and
 * a goal on the scoreboard.
 *
 *   npm run build && ../shared/tools/isolated-net npx vitest run demo-app/test/room.test.ts
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CENTRE, FIELD_HEIGHT, FIELD_WIDTH, opponentOf, type Team } from '../src/room/field.js';
import { STEP } from '../src/room/mover.js';
import type { DemoStatus } from '../src/shared/demo-handle.js';
import { DemoPage, oneViewOf, problemsOf, waitForAll } from './demo-page.js';
import { RESULTS_DIR, testRoom, useDemoServer } from './demo-server.js';

const FAILURE_TIMEOUT_MS = 1500;

interface RoomStatus extends DemoStatus {
  readonly players: Record<string, { name: string; team: Team; x: number; y: number }>;
  readonly ball: { holder: string | null; waiters: string[]; at: { x: number; y: number } };
  readonly score: Record<Team, number>;
  readonly chat: string[];
  readonly departures: Array<{ member: string; viewId: number }>;
}

const demo = useDemoServer();

const room = (statuses: DemoStatus[]): RoomStatus[] => statuses as RoomStatus[];

/** Clicks the field at a point given in field units (the player walks there). */
async function clickField(page: DemoPage, x: number, y: number): Promise<void> {
  const box = await page.page.getByTestId('field').boundingBox();
  if (box === null) throw new Error(`${page.label}: the field is not on screen`);
  await page.page.mouse.click(box.x + (x / FIELD_WIDTH) * box.width, box.y + (y / FIELD_HEIGHT) * box.height);
}

async function say(page: DemoPage, text: string): Promise<void> {
  const input = page.page.getByLabel('Message', { exact: true });
  await input.fill(text);
  await input.press('Enter');
}

describe('Multiplayer room', () => {
  it('moves by keyboard and click, keeps the chat in causal order, passes the ball on when its holder crashes, and scores', async () => {
    const url = demo().url('room', testRoom('room'), { failureTimeoutMs: String(FAILURE_TIMEOUT_MS) });
    const pages = await Promise.all(['a', 'b', 'c'].map((label) => DemoPage.open(demo().browser, url, label)));
    const [a, b, c] = pages as [DemoPage, DemoPage, DemoPage];
    try {
      const formed = room(await waitForAll(pages, (all) => oneViewOf(all) && room(all).every((s) => Object.keys(s.players).length === 3), 'three players, one view'));
      const [ma, mb] = [formed[0]!.me, formed[1]!.me];

      // Keyboard: focus the field, three steps right and two down; everyone sees a where a is.
      const start = formed[0]!.players[ma]!;
      const field = a.page.getByTestId('field');
      await field.focus();
      for (const key of ['ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowDown', 'ArrowDown']) await field.press(key);
      const moved = { x: start.x + 3 * STEP, y: start.y + 2 * STEP };
      await waitForAll(pages, (all) => room(all).every((s) => s.players[ma]?.x === moved.x && s.players[ma]?.y === moved.y), 'a moved, seen by all');

      // A click: b walks to the point.
      await clickField(b, 600, 150);
      await waitForAll(pages, (all) => room(all).every((s) => Math.abs(s.players[mb]!.x - 600) <= 2 && Math.abs(s.players[mb]!.y - 150) <= 2), 'b walked to the click, seen by all');

      // Chat: a says three things; b answers the last one once it has seen it. Causal order puts
      // the answer after what it answers on every page, and a's lines in a's order.
      for (const text of ['one', 'two', 'three']) await say(a, text);
      await b.waitFor((s) => (s as RoomStatus).chat.some((line) => line.endsWith(': three')), 'b saw "three"');
      await say(b, 'reply to three');
      const chats = room(await waitForAll(pages, (all) => room(all).every((s) => s.chat.length === 4), 'four chat lines everywhere'));
      const texts = chats.map((s) => s.chat.map((line) => line.slice(line.indexOf(': ') + 2)));
      for (const seen of texts) expect(seen).toEqual(['one', 'two', 'three', 'reply to three']);

      // The ball: a takes it with the keyboard; b asks for it with the button and waits in line.
      await field.press('Space');
      await waitForAll(pages, (all) => room(all).every((s) => s.ball.holder === ma), 'a holds the ball, everywhere');
      await b.page.getByRole('button', { name: 'Take the ball' }).click();
      await waitForAll(pages, (all) => room(all).every((s) => s.ball.waiters.join() === mb), 'b waits for the ball, everywhere');
      expect(await b.page.getByTestId('ball-status').textContent()).toContain('number 1 in line');
      await a.page.screenshot({ path: join(RESULTS_DIR, 'room-3-members.png'), fullPage: true });
      await a.page.locator('.inspector').screenshot({ path: join(RESULTS_DIR, 'room-inspector.png') });

      // a's renderer crashes while it holds the ball: the survivors drop a by timeout, and in that
      // same view the ball passes to b and a's avatar disappears, at both.
      await a.crash();
      const after = room(await waitForAll([b, c], (all) => oneViewOf(all) && all[0]!.view!.members.length === 2, 'a view without the crashed holder', FAILURE_TIMEOUT_MS + 5000));
      const dropped = after[0]!.view!.id;
      for (const s of after) {
        expect(s.ball.holder).toBe(mb);
        expect(s.players[ma]).toBeUndefined();
        expect(s.departures).toEqual([{ member: ma, viewId: dropped }]);
      }
      await expect.poll(() => b.page.getByRole('button', { name: 'Drop the ball' }).count()).toBe(1);

      // b carries the ball into the other team's goal: a goal for b's team, the ball back in the centre.
      const team = after[0]!.players[mb]!.team;
      await clickField(b, opponentOf(team) === 'red' ? 12 : FIELD_WIDTH - 12, FIELD_HEIGHT / 2);
      const scored = room(await waitForAll([b, c], (all) => room(all).every((s) => s.score[team] === 1 && s.ball.holder === null), 'a goal for b\'s team'));
      for (const s of scored) expect(s.ball.at).toEqual(CENTRE);
      expect(await c.page.getByLabel(`${team === 'red' ? 'Red' : 'Blue'} team's goals`).textContent()).toBe('1');
      expect(problemsOf([b, c], scored)).toEqual([]);
    } finally {
      await Promise.all(pages.map((p) => p.close().catch(() => {})));
    }
  }, 90_000);
});
