/**
 * This player's movement: a step per arrow key press (the key's auto-repeat walks on), or a walk
 * to a clicked point, one animation frame at a time. Each new position is reported; the page puts
 * it on the players' Presence, which sends at most the latest one when the network is busy.
 */
import { onField, type Point } from './field.js';

/** Field units per key press. */
export const STEP = 24;
/** Walking speed to a clicked point, field units per second. */
const SPEED = 520;

export class Mover {
  private position: Point;
  private target: Point | undefined;
  private frame: number | undefined;
  private lastFrameMs = 0;

  constructor(start: Point, private readonly moved: (at: Point) => void) {
    this.position = onField(start);
  }

  get at(): Point {
    return this.position;
  }

  /** One step (dx, dy in steps); stops a walk in progress. */
  step(dx: number, dy: number): void {
    this.stop();
    this.go(onField({ x: this.position.x + dx * STEP, y: this.position.y + dy * STEP }));
  }

  /** Puts the player at `at` at once. */
  jump(at: Point): void {
    this.stop();
    this.go(onField(at));
  }

  /** Walks to `target`, at a steady pace. */
  walkTo(target: Point): void {
    this.target = onField(target);
    this.lastFrameMs = performance.now();
    this.frame ??= requestAnimationFrame((now) => this.walk(now));
  }

  stop(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    this.target = undefined;
  }

  private walk(nowMs: number): void {
    this.frame = undefined;
    const target = this.target;
    if (target === undefined) return;
    const reach = (SPEED * Math.min(100, Math.max(0, nowMs - this.lastFrameMs))) / 1000;
    this.lastFrameMs = nowMs;
    const dx = target.x - this.position.x;
    const dy = target.y - this.position.y;
    const distance = Math.hypot(dx, dy);
    if (distance <= reach) {
      this.target = undefined;
      this.go(target);
      return;
    }
    this.go(onField({ x: this.position.x + (dx / distance) * reach, y: this.position.y + (dy / distance) * reach }));
    this.frame = requestAnimationFrame((now) => this.walk(now));
  }

  private go(at: Point): void {
    if (at.x === this.position.x && at.y === this.position.y) return;
    this.position = at;
    this.moved(at);
  }
}
