/**
 * Drawing strokes. Every page draws the committed strokes with this one function, in list order, on
 * a bitmap of the board's fixed logical size (never scaled by the screen's pixel ratio), so two
 * pages that hold the same strokes hold the same pixels: drawing stroke after stroke onto what is
 * there gives the same bitmap as drawing them all again from white.
 */
import { BOARD_HEIGHT, BOARD_WIDTH, type Stroke } from './board-object.js';

export const PAPER = '#ffffff';

/** Draws one stroke: round caps and joins, smoothed through the midpoints of its points. */
export function drawStroke(ctx: CanvasRenderingContext2D, stroke: Pick<Stroke, 'colour' | 'width' | 'points'>): void {
  const p = stroke.points;
  const n = p.length / 2;
  if (n < 1) return;
  ctx.strokeStyle = stroke.colour;
  ctx.fillStyle = stroke.colour;
  ctx.lineWidth = stroke.width;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  if (n === 1) {
    ctx.beginPath();
    ctx.arc(p[0]!, p[1]!, stroke.width / 2, 0, Math.PI * 2);
    ctx.fill();
    return;
  }
  ctx.beginPath();
  ctx.moveTo(p[0]!, p[1]!);
  for (let i = 1; i < n - 1; i += 1) {
    const x = p[2 * i]!;
    const y = p[2 * i + 1]!;
    ctx.quadraticCurveTo(x, y, (x + p[2 * i + 2]!) / 2, (y + p[2 * i + 3]!) / 2);
  }
  ctx.lineTo(p[2 * n - 2]!, p[2 * n - 1]!);
  ctx.stroke();
}

function context(canvas: HTMLCanvasElement, settings?: CanvasRenderingContext2DSettings): CanvasRenderingContext2D {
  canvas.width = BOARD_WIDTH;
  canvas.height = BOARD_HEIGHT;
  const ctx = canvas.getContext('2d', settings);
  if (ctx === null) throw new Error('no 2D canvas in this browser');
  return ctx;
}

/** The board canvas: committed strokes only. */
export class BoardPainter {
  private readonly ctx: CanvasRenderingContext2D;
  /** Strokes drawn on the bitmap so far, in order. */
  private drawn = 0;

  /** `strokes`: the committed strokes, to draw again if the browser ever hands the canvas back blank. */
  constructor(canvas: HTMLCanvasElement, strokes: () => readonly Stroke[]) {
    // The CPU rasterizer, on every page: a GPU-backed canvas may rasterize differently, and may be
    // lost under load (then restored blank), so pages holding the same strokes could differ.
    this.ctx = context(canvas, { willReadFrequently: true });
    this.clear();
    canvas.addEventListener('contextrestored', () => this.redraw(strokes()));
  }

  /** How many strokes the bitmap shows. */
  get count(): number {
    return this.drawn;
  }

  /** Draws the strokes appended since the last call (`strokes` extends what was drawn). */
  append(strokes: readonly Stroke[]): void {
    for (let i = this.drawn; i < strokes.length; i += 1) drawStroke(this.ctx, strokes[i]!);
    this.drawn = strokes.length;
  }

  /** Draws every stroke again from white (after an undo, a clear, or a state transfer). */
  redraw(strokes: readonly Stroke[]): void {
    this.clear();
    this.append(strokes);
  }

  private clear(): void {
    this.ctx.fillStyle = PAPER;
    this.ctx.fillRect(0, 0, BOARD_WIDTH, BOARD_HEIGHT);
    this.drawn = 0;
  }
}

/** The overlay canvas: this tab's strokes that are not committed yet (being drawn, or on their way). */
export class PendingPainter {
  private readonly ctx: CanvasRenderingContext2D;
  private frame: number | undefined;

  constructor(
    canvas: HTMLCanvasElement,
    private readonly strokes: () => Iterable<Pick<Stroke, 'colour' | 'width' | 'points'>>,
  ) {
    this.ctx = context(canvas);
    canvas.addEventListener('contextrestored', () => this.schedule());
  }

  /** Draws the pending strokes at the next animation frame. */
  schedule(): void {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.ctx.clearRect(0, 0, BOARD_WIDTH, BOARD_HEIGHT);
      for (const stroke of this.strokes()) drawStroke(this.ctx, stroke);
    });
  }

  dispose(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
  }
}
