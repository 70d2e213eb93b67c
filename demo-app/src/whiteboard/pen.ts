/**
 * Freehand input: mouse, pen and touch alike, through pointer events. Every intermediate position
 * the browser coalesced into one event (`getCoalescedEvents`) becomes a point, so a fast line stays
 * smooth; points are in board pixels, integers, and repeated ones are skipped.
 */
import { Disposer } from '../shared/dom.js';
import { BOARD_HEIGHT, BOARD_WIDTH, MAX_STROKE_POINTS } from './board-object.js';

/** What the pen asks of and tells the page. */
export interface PenHandlers {
  /** Whether a stroke may start now (joined, in a primary view). */
  canDraw(): boolean;
  /** A stroke grew (or started): its points so far. */
  progress(points: readonly number[]): void;
  /** A stroke is finished (or reached the longest a stroke may be): commit it. */
  finish(points: number[]): void;
  /** The pointer is at (x, y) on the board, or left it. */
  cursor(position: { x: number; y: number } | undefined): void;
}

const clamp = (v: number, max: number): number => Math.max(0, Math.min(max, Math.round(v)));

export class Pen {
  private readonly disposer = new Disposer();
  private pointerId: number | undefined;
  private points: number[] = [];

  constructor(
    private readonly surface: HTMLElement,
    private readonly handlers: PenHandlers,
  ) {
    const d = this.disposer;
    d.listen<PointerEvent>(surface, 'pointerdown', (e) => this.down(e));
    d.listen<PointerEvent>(surface, 'pointermove', (e) => this.move(e));
    d.listen<PointerEvent>(surface, 'pointerup', (e) => this.up(e));
    d.listen<PointerEvent>(surface, 'pointercancel', (e) => this.up(e));
    d.listen<PointerEvent>(surface, 'lostpointercapture', (e) => this.up(e));
    d.listen<PointerEvent>(surface, 'pointerleave', (e) => {
      if (e.pointerId !== this.pointerId) handlers.cursor(undefined);
    });
  }

  /** True while a stroke is being drawn. */
  get drawing(): boolean {
    return this.pointerId !== undefined;
  }

  /** Drops the stroke being drawn (this tab was cut off): nothing is committed. */
  cancel(): void {
    if (this.pointerId === undefined) return;
    const id = this.pointerId;
    this.pointerId = undefined;
    this.points = [];
    this.handlers.progress([]);
    if (this.surface.hasPointerCapture(id)) this.surface.releasePointerCapture(id);
  }

  dispose(): void {
    this.disposer.dispose();
  }

  private toBoard(e: PointerEvent): { x: number; y: number } {
    const box = this.surface.getBoundingClientRect();
    return {
      x: clamp(((e.clientX - box.left) * BOARD_WIDTH) / box.width, BOARD_WIDTH),
      y: clamp(((e.clientY - box.top) * BOARD_HEIGHT) / box.height, BOARD_HEIGHT),
    };
  }

  private down(e: PointerEvent): void {
    if (!e.isPrimary || this.pointerId !== undefined || (e.pointerType === 'mouse' && e.button !== 0)) return;
    if (!this.handlers.canDraw()) return;
    e.preventDefault();
    this.pointerId = e.pointerId;
    this.surface.setPointerCapture(e.pointerId);
    this.points = [];
    this.add(this.toBoard(e));
    this.handlers.progress(this.points);
  }

  private move(e: PointerEvent): void {
    const at = this.toBoard(e);
    this.handlers.cursor(at);
    if (e.pointerId !== this.pointerId) return;
    const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
    for (const one of events.length > 0 ? events : [e]) this.add(this.toBoard(one));
    this.handlers.progress(this.points);
  }

  private up(e: PointerEvent): void {
    if (e.pointerId !== this.pointerId) return;
    if (e.type === 'pointerup') this.add(this.toBoard(e));
    this.pointerId = undefined;
    const points = this.points;
    this.points = [];
    if (points.length > 0) this.handlers.finish(points);
  }

  private add(at: { x: number; y: number }): void {
    const n = this.points.length;
    if (n > 0 && this.points[n - 2] === at.x && this.points[n - 1] === at.y) return;
    this.points.push(at.x, at.y);
    if (this.points.length >= MAX_STROKE_POINTS * 2) {
      // The longest stroke a message carries: commit it and go on with a new one from here.
      const full = this.points;
      this.points = [at.x, at.y];
      this.handlers.finish(full);
    }
  }
}
