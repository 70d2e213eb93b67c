/**
 * Draws the time-space diagram on a canvas, as in the literature's figures: time runs left to
 * right, one horizontal line per member, each multicast an arrow from its sender to each member
 * that delivered it, each view a vertical bar. Keeps what it drew for hit-testing the pointer.
 */
import type { Order } from '@synchrony/core';
import type { DiagramModel, Lane, MessageTrace, ViewMark } from './layout.js';

export const ORDER_COLOURS: Record<Order, string> = { total: '#2563eb', causal: '#9333ea', fifo: '#0d9488' };
const VIEW_COLOUR = '#d97706';
const CUT_COLOUR = '#dc2626';
const LANE_COLOUR = '#94a3b8';
const TEXT_COLOUR = '#334155';

const LABEL_WIDTH = 132;
const RIGHT = 14;
const TOP = 24;
const BOTTOM = 22;
const LANE_GAP = 34;
/** Pointer distance within which an arrow or a bar counts as hovered, in CSS px. */
const HIT_PX = 6;

/** What the pointer is over. */
export type Hovered =
  | { readonly kind: 'message'; readonly message: MessageTrace }
  | { readonly kind: 'view'; readonly view: ViewMark };

interface Segment {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  readonly message: MessageTrace;
}

/** The height the canvas needs for `laneCount` lanes, in CSS px. */
export function diagramHeight(laneCount: number): number {
  return TOP + BOTTOM + Math.max(2, laneCount) * LANE_GAP;
}

function distanceToSegment(px: number, py: number, s: Segment): number {
  const dx = s.x2 - s.x1;
  const dy = s.y2 - s.y1;
  const length2 = dx * dx + dy * dy;
  const u = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - s.x1) * dx + (py - s.y1) * dy) / length2));
  return Math.hypot(px - (s.x1 + u * dx), py - (s.y1 + u * dy));
}

export class DiagramPainter {
  private segments: Segment[] = [];
  private bars: Array<{ x: number; view: ViewMark }> = [];

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly nameOf: (member: string) => string,
  ) {}

  /** Draws `model` for the window [from, to] at `widthPx` CSS px wide; `highlight` is the hovered message. */
  paint(model: DiagramModel, from: number, to: number, widthPx: number, highlight: string | undefined): void {
    const heightPx = diagramHeight(model.lanes.length);
    const ratio = window.devicePixelRatio || 1;
    const width = Math.round(widthPx * ratio);
    const height = Math.round(heightPx * ratio);
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
      this.canvas.style.height = `${heightPx}px`;
    }
    const ctx = this.canvas.getContext('2d');
    if (ctx === null) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, widthPx, heightPx);
    const plotRight = widthPx - RIGHT;
    const x = (t: number): number => LABEL_WIDTH + ((t - from) / (to - from)) * (plotRight - LABEL_WIDTH);
    const laneY = new Map(model.lanes.map((lane, i) => [lane.member, TOP + LANE_GAP / 2 + i * LANE_GAP]));
    const bottom = heightPx - BOTTOM;

    this.paintAxis(ctx, from, to, x, bottom);
    this.bars = this.paintViews(ctx, model.views, x, bottom, from);
    this.paintLanes(ctx, model.lanes, laneY, x, from, to);
    this.segments = this.paintMessages(ctx, model.messages, laneY, x, highlight);
  }

  /** The middle of the newest arrow drawn (CSS px in the canvas): where to point to see a message. */
  newestArrow(): { x: number; y: number } | undefined {
    const arrow = [...this.segments].reverse().find((s) => Math.hypot(s.x2 - s.x1, s.y2 - s.y1) > 12);
    return arrow === undefined ? undefined : { x: (arrow.x1 + arrow.x2) / 2, y: (arrow.y1 + arrow.y2) / 2 };
  }

  /** What is under the point (CSS px in the canvas), if anything. */
  hitTest(px: number, py: number): Hovered | undefined {
    let best: Segment | undefined;
    let bestDistance = HIT_PX;
    for (const s of this.segments) {
      const d = distanceToSegment(px, py, s);
      if (d <= bestDistance) {
        best = s;
        bestDistance = d;
      }
    }
    if (best !== undefined) return { kind: 'message', message: best.message };
    const bar = this.bars.find((b) => Math.abs(b.x - px) <= HIT_PX / 2 + 1);
    return bar === undefined ? undefined : { kind: 'view', view: bar.view };
  }

  private paintAxis(ctx: CanvasRenderingContext2D, from: number, to: number, x: (t: number) => number, bottom: number): void {
    const spanS = (to - from) / 1000;
    const stepS = spanS <= 3 ? 0.5 : spanS <= 15 ? 2 : 10;
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#64748b';
    ctx.textAlign = 'center';
    ctx.strokeStyle = '#e2e8f0';
    ctx.lineWidth = 1;
    for (let ago = 0; ago <= spanS + 1e-9; ago += stepS) {
      const xt = Math.round(x(to - ago * 1000)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(xt, TOP - 4);
      ctx.lineTo(xt, bottom);
      ctx.stroke();
      ctx.fillText(ago === 0 ? 'now' : `−${Number(ago.toFixed(1))} s`, xt, bottom + 15);
    }
  }

  private paintViews(ctx: CanvasRenderingContext2D, views: readonly ViewMark[], x: (t: number) => number, bottom: number, from: number): Array<{ x: number; view: ViewMark }> {
    const bars: Array<{ x: number; view: ViewMark }> = [];
    ctx.font = 'bold 11px system-ui, sans-serif';
    ctx.textAlign = 'center';
    let lastLabel = -Infinity;
    for (const view of views) {
      if (view.t < from) continue;
      const xv = Math.round(x(view.t)) + 0.5;
      ctx.strokeStyle = VIEW_COLOUR;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(xv, TOP - 2);
      ctx.lineTo(xv, bottom);
      ctx.stroke();
      if (xv - lastLabel > 26) {
        ctx.fillStyle = VIEW_COLOUR;
        ctx.fillText(`v${view.id}`, xv, TOP - 8);
        lastLabel = xv;
      }
      bars.push({ x: xv, view });
    }
    return bars;
  }

  private paintLanes(ctx: CanvasRenderingContext2D, lanes: readonly Lane[], laneY: Map<string, number>, x: (t: number) => number, from: number, to: number): void {
    ctx.textAlign = 'left';
    for (const lane of lanes) {
      const y = Math.round(laneY.get(lane.member)!) + 0.5;
      const x1 = x(Math.max(lane.start, from));
      const x2 = x(Math.min(lane.end ?? to, to));
      const gone = lane.end !== undefined;
      ctx.strokeStyle = LANE_COLOUR;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(x1, y);
      ctx.lineTo(x2, y);
      ctx.stroke();
      if (gone) this.cross(ctx, x2, y);
      for (const [cutFrom, cutTo] of lane.cuts) {
        const c1 = x(Math.max(cutFrom, from));
        const c2 = x(Math.min(cutTo ?? lane.end ?? to, to));
        if (c2 <= c1) continue;
        ctx.strokeStyle = CUT_COLOUR;
        ctx.lineWidth = 4;
        ctx.setLineDash([6, 4]);
        ctx.beginPath();
        ctx.moveTo(c1, y);
        ctx.lineTo(c2, y);
        ctx.stroke();
        ctx.setLineDash([]);
      }
      ctx.fillStyle = gone ? '#94a3b8' : TEXT_COLOUR;
      ctx.font = '12px system-ui, sans-serif';
      ctx.fillText(this.fit(ctx, this.nameOf(lane.member), LABEL_WIDTH - 14), 8, y + 4);
    }
  }

  private paintMessages(ctx: CanvasRenderingContext2D, messages: readonly MessageTrace[], laneY: Map<string, number>, x: (t: number) => number, highlight: string | undefined): Segment[] {
    const segments: Segment[] = [];
    for (const message of messages) {
      const ys = laneY.get(message.sender);
      if (ys === undefined) continue;
      const lit = highlight === message.key;
      const colour = ORDER_COLOURS[message.order];
      ctx.strokeStyle = colour;
      ctx.fillStyle = colour;
      ctx.globalAlpha = highlight === undefined || lit ? (message.channel?.startsWith('presence:') ? 0.45 : 0.9) : 0.18;
      ctx.lineWidth = lit ? 2.5 : 1.2;
      const x0 = x(message.t0);
      for (const d of message.deliveries) {
        const yd = laneY.get(d.at);
        if (yd === undefined) continue;
        const xd = x(d.t);
        if (d.at === message.sender) {
          ctx.beginPath();
          ctx.arc(xd, yd, lit ? 4 : 2.5, 0, Math.PI * 2);
          ctx.fill();
          segments.push({ x1: xd, y1: yd, x2: xd, y2: yd, message });
          continue;
        }
        this.arrow(ctx, x0, ys, xd, yd, lit);
        segments.push({ x1: x0, y1: ys, x2: xd, y2: yd, message });
      }
    }
    ctx.globalAlpha = 1;
    return segments;
  }

  private arrow(ctx: CanvasRenderingContext2D, x1: number, y1: number, x2: number, y2: number, lit: boolean): void {
    ctx.beginPath();
    ctx.moveTo(x1, y1);
    ctx.lineTo(x2, y2);
    ctx.stroke();
    const angle = Math.atan2(y2 - y1, x2 - x1);
    const size = lit ? 8 : 6;
    ctx.beginPath();
    ctx.moveTo(x2, y2);
    ctx.lineTo(x2 - size * Math.cos(angle - 0.4), y2 - size * Math.sin(angle - 0.4));
    ctx.lineTo(x2 - size * Math.cos(angle + 0.4), y2 - size * Math.sin(angle + 0.4));
    ctx.closePath();
    ctx.fill();
  }

  private cross(ctx: CanvasRenderingContext2D, cx: number, cy: number): void {
    ctx.strokeStyle = '#64748b';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(cx - 5, cy - 5);
    ctx.lineTo(cx + 5, cy + 5);
    ctx.moveTo(cx + 5, cy - 5);
    ctx.lineTo(cx - 5, cy + 5);
    ctx.stroke();
  }

  private fit(ctx: CanvasRenderingContext2D, text: string, maxPx: number): string {
    if (ctx.measureText(text).width <= maxPx) return text;
    let cut = text;
    while (cut.length > 1 && ctx.measureText(`${cut}…`).width > maxPx) cut = cut.slice(0, -1);
    return `${cut}…`;
  }
}
