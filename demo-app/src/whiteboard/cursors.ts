/**
 * Live cursors: each member's name, colour and pointer position on a Presence (`cursors`), FIFO
 * and ephemeral, dropped by the group when the member leaves the view. A moving pointer is sent at
 * most once per animation frame (60 Hz), and Presence itself coalesces what the network cannot
 * take yet, so a fast hand never queues positions up.
 */
import type { Presence } from '@synchrony/objects';
import { h } from '../shared/dom.js';
import { BOARD_HEIGHT, BOARD_WIDTH } from './board-object.js';

/** A member's presence on the board; `x < 0`: the pointer is off the board. */
export interface CursorState {
  readonly name: string;
  readonly colour: string;
  readonly x: number;
  readonly y: number;
}

const OFF = -1;

/** Sends this tab's cursor, at most once per frame. */
export class CursorSender {
  private state: CursorState;
  private sent: CursorState | undefined;
  private frame: number | undefined;

  constructor(
    private readonly presence: Presence<CursorState>,
    name: string,
    colour: string,
    private readonly refused: (error: unknown) => void,
  ) {
    this.state = { name, colour, x: OFF, y: OFF };
  }

  /** Announces the name and colour (before any movement). */
  announce(): void {
    this.flush();
  }

  move(position: { x: number; y: number } | undefined): void {
    this.update(position === undefined ? { x: OFF, y: OFF } : position);
  }

  rename(name: string, colour: string): void {
    this.update({ name, colour });
    this.flush();
  }

  dispose(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
  }

  private update(change: Partial<CursorState>): void {
    this.state = { ...this.state, ...change };
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.flush();
    });
  }

  private flush(): void {
    if (this.sent === this.state) return;
    this.sent = this.state;
    this.presence.set(this.state).catch(this.refused);
  }
}

/** Draws the other members' cursors over the board. */
export class CursorLayer {
  private readonly shown = new Map<string, HTMLElement>();

  constructor(private readonly layer: HTMLElement) {}

  render(others: ReadonlyMap<string, CursorState>): void {
    for (const [member, element] of this.shown) {
      const state = others.get(member);
      if (state === undefined || state.x < 0) {
        element.remove();
        this.shown.delete(member);
      }
    }
    for (const [member, state] of others) {
      if (state.x < 0) continue;
      let element = this.shown.get(member);
      if (element === undefined) {
        element = h('div', { class: 'cursor', 'aria-hidden': 'true' },
          svgPointer(),
          h('span', { class: 'cursor-name' }));
        this.layer.append(element);
        this.shown.set(member, element);
      }
      element.style.left = `${(state.x / BOARD_WIDTH) * 100}%`;
      element.style.top = `${(state.y / BOARD_HEIGHT) * 100}%`;
      element.style.setProperty('--cursor-colour', state.colour);
      const label = element.querySelector('.cursor-name');
      if (label !== null && label.textContent !== state.name) label.textContent = state.name;
    }
  }
}

function svgPointer(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 16 20');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '20');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', 'M1 1 L1 16 L5 12 L8 19 L11 17.5 L8 11 L14 11 Z');
  svg.append(path);
  return svg;
}
