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

/** A stroke of a scene: the tool's labels and the points, in board pixels. */
export interface SceneStroke {
  readonly colour: string;
  readonly width: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
}

/** A polyline with a point every `spacing` px at most, so the smoothing keeps its corners nearly square. */
function dense(corners: ReadonlyArray<readonly [number, number]>, spacing = 45): Array<[number, number]> {
  const out: Array<[number, number]> = [[corners[0]![0], corners[0]![1]]];
  for (let i = 1; i < corners.length; i += 1) {
    const [x0, y0] = corners[i - 1]!;
    const [x1, y1] = corners[i]!;
    const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / spacing));
    for (let k = 1; k <= n; k += 1) out.push([Math.round(x0 + ((x1 - x0) * k) / n), Math.round(y0 + ((y1 - y0) * k) / n)]);
  }
  return out;
}

const circle = (cx: number, cy: number, r: number, n: number): Array<[number, number]> =>
  Array.from({ length: n + 1 }, (_, i) => [Math.round(cx + r * Math.cos((2 * Math.PI * i) / n)), Math.round(cy + r * Math.sin((2 * Math.PI * i) / n))]);

/** A little landscape, one part per page: the sun, a house, hills and a cloud. */
export const SCENE: ReadonlyArray<readonly SceneStroke[]> = [
  [
    { colour: 'Orange', width: 'Marker', points: circle(1280, 230, 90, 16) },
    { colour: 'Yellow', width: 'Bold', points: [[1120, 230], [1040, 230]] },
    { colour: 'Yellow', width: 'Bold', points: [[1280, 390], [1280, 470]] },
    { colour: 'Yellow', width: 'Bold', points: [[1165, 345], [1110, 400]] },
  ],
  [
    { colour: 'Red', width: 'Bold', points: dense([[300, 820], [300, 560], [660, 560], [660, 820], [300, 820]], 40) },
    { colour: 'Ink', width: 'Bold', points: dense([[260, 575], [480, 380], [700, 575]], 60) },
    { colour: 'Blue', width: 'Medium', points: dense([[440, 820], [440, 680], [530, 680], [530, 820]], 30) },
    { colour: 'Purple', width: 'Medium', points: dense([[360, 610], [420, 610], [420, 660], [360, 660], [360, 610]], 20) },
  ],
  [
    { colour: 'Green', width: 'Marker', points: [[40, 900], [260, 860], [520, 880], [760, 830], [1000, 870], [1240, 820], [1560, 880]] },
    { colour: 'Green', width: 'Bold', points: [[760, 830], [900, 700], [1040, 640], [1180, 700], [1300, 820]] },
    { colour: 'Blue', width: 'Fine', points: [[620, 180], [700, 130], [790, 150], [850, 110], [940, 160], [910, 220], [650, 230], [620, 180]] },
    { colour: 'Pink', width: 'Medium', points: [[980, 900], [990, 870], [1000, 900]] },
  ],
];

/** A stroke each page draws last and takes back with undo. */
export function mistake(row: number): SceneStroke {
  return { colour: 'Ink', width: 'Fine', points: [[100 + row * 200, 80], [160 + row * 200, 40], [220 + row * 200, 90]] };
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

/**
 * Where two boards differ, for a failure message: how many pixels, their bounding box, and the
 * largest difference of a channel (antialiasing differs by a few units; a missing stroke by hundreds).
 */
export async function boardDifference(a: DemoPage, b: DemoPage): Promise<string> {
  const pixels = (page: DemoPage): Promise<string> => page.page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="board"]')!;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let text = '';
    for (let i = 0; i < data.length; i += 0x8000) text += String.fromCharCode(...data.subarray(i, i + 0x8000));
    return btoa(text);
  });
  const [pa, pb] = (await Promise.all([pixels(a), pixels(b)])).map((text) => Buffer.from(text, 'base64'));
  let count = 0;
  let largest = 0;
  const box = { x0: BOARD_WIDTH, y0: BOARD_HEIGHT, x1: -1, y1: -1 };
  for (let i = 0; i < pa!.length; i += 4) {
    const delta = Math.max(...[0, 1, 2, 3].map((c) => Math.abs(pa![i + c]! - pb![i + c]!)));
    if (delta === 0) continue;
    count += 1;
    largest = Math.max(largest, delta);
    const x = (i / 4) % BOARD_WIDTH;
    const y = Math.floor(i / 4 / BOARD_WIDTH);
    Object.assign(box, { x0: Math.min(box.x0, x), y0: Math.min(box.y0, y), x1: Math.max(box.x1, x), y1: Math.max(box.y1, y) });
  }
  return `${a.label} and ${b.label} differ in ${count} pixels, within x ${box.x0}-${box.x1}, y ${box.y0}-${box.y1}, by ${largest} at most`;
}
