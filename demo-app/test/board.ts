/**
 * Driving the whiteboard as a person does (the mouse, the tool buttons), and reading its pixels.
 */
import { BOARD_HEIGHT, BOARD_WIDTH } from '../src/whiteboard/board-object.js';
import { withTimeout } from '../../e2e/test/with-timeout.js';
import { STEP_MS, type DemoPage } from './demo-page.js';

/** Picks a colour and a width by their labels ('Red', 'Bold'...). */
export async function pickTool(demo: DemoPage, colour: string, width: string): Promise<void> {
  await demo.page.getByLabel(colour, { exact: true }).check();
  await demo.page.getByLabel(width, { exact: true }).check();
}

/** Drags the mouse through `points`, given in board pixels. */
export async function drawStroke(demo: DemoPage, points: ReadonlyArray<readonly [number, number]>): Promise<void> {
  const box = await demo.page.getByTestId('board').boundingBox();
  if (box === null) throw new Error(`${demo.label}: the board is not on screen`);
  const at = ([x, y]: readonly [number, number]): [number, number] => [box.x + (x / BOARD_WIDTH) * box.width, box.y + (y / BOARD_HEIGHT) * box.height];
  const [first, ...rest] = points.map(at);
  await demo.page.mouse.move(...first!);
  await demo.page.mouse.down();
  for (const point of rest) await demo.page.mouse.move(...point);
  await demo.page.mouse.up();
}

/** A wavy stroke across the board, different for each (row, column). */
export function wave(row: number, column: number): Array<[number, number]> {
  const x0 = 120 + column * 360;
  const y0 = 140 + row * 260;
  return Array.from({ length: 8 }, (_, i) => [x0 + i * 40, Math.round(y0 + Math.sin(i + row) * 50 + i * 8)]);
}

/** The board's pixels: a SHA-256 of the bitmap, and how many pixels are not paper white. */
export function boardDigest(demo: DemoPage): Promise<{ sha256: string; inked: number }> {
  return withTimeout(demo.page.evaluate(async () => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="board"]')!;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] !== 255 || data[i + 1] !== 255 || data[i + 2] !== 255) inked += 1;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
    return { sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''), inked };
  }), STEP_MS, `${demo.label}.boardDigest`);
}
