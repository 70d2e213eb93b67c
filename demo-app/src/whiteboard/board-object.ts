/**
 * The whiteboard's replicated state: the list of committed strokes, in the group's total order.
 *
 * A reducer of our own (`defineObject`) rather than a `ReplicatedList`: adding a stroke is a push
 * either way, but undo and clear are not. A list removes by index, and an index computed here is
 * applied wherever the list stands when the removal is delivered: two people undoing at once would
 * each remove the other's stroke (the second removal lands on a shifted index). Undo names the
 * stroke by id instead, and clear removes what was committed before it in the total order, so every
 * member applies exactly the same change whatever ran concurrently. The strokes are still a list in
 * commit order, and every page draws them in that order.
 *
 * Operations from a broken or hostile peer are checked here, the same way at every member: a
 * malformed one throws, which skips it everywhere (`defineObject`'s rule).
 */
import { defineObject } from '@synchrony/objects';

/** The board's logical size: every page draws on a bitmap of exactly this size, whatever its screen. */
export const BOARD_WIDTH = 1600;
export const BOARD_HEIGHT = 1000;
/** Coordinates per stroke at most (x, y pairs); longer strokes are split into several. */
export const MAX_STROKE_POINTS = 2000;
export const MIN_WIDTH = 1;
export const MAX_WIDTH = 64;

/** A committed stroke. */
export interface Stroke {
  /** `<author>-<n>`: unique, so undo can name it. */
  readonly id: string;
  /** The author's key (a tab's, kept across its reloads): whose undo may take it back. */
  readonly by: string;
  /** `#rrggbb`. */
  readonly colour: string;
  /** Line width in board pixels. */
  readonly width: number;
  /** x0, y0, x1, y1, ... in board pixels, integers. */
  readonly points: readonly number[];
}

export type BoardOp =
  | { readonly t: 'add'; readonly stroke: Stroke }
  | { readonly t: 'undo'; readonly id: string }
  | { readonly t: 'clear' };

export interface BoardState {
  strokes: Stroke[];
}

const COLOUR = /^#[0-9a-f]{6}$/;

function checkStroke(stroke: unknown): asserts stroke is Stroke {
  const s = stroke as Partial<Stroke> | null;
  const ok = typeof s === 'object' && s !== null
    && typeof s.id === 'string' && s.id.length > 0 && s.id.length <= 64
    && typeof s.by === 'string' && s.by.length <= 64
    && typeof s.colour === 'string' && COLOUR.test(s.colour)
    && typeof s.width === 'number' && s.width >= MIN_WIDTH && s.width <= MAX_WIDTH
    && Array.isArray(s.points) && s.points.length >= 2 && s.points.length % 2 === 0 && s.points.length <= MAX_STROKE_POINTS * 2
    && s.points.every((v) => Number.isInteger(v) && v >= -MAX_WIDTH && v <= BOARD_WIDTH + MAX_WIDTH);
  if (!ok) throw new TypeError('a malformed stroke');
}

/** The board: `update({ t: 'add', stroke })`, `update({ t: 'undo', id })`, `update({ t: 'clear' })`. */
export const Board = defineObject<BoardState, BoardOp>({
  name: 'whiteboard',
  initial: () => ({ strokes: [] }),
  apply(state, op) {
    switch (op?.t) {
      case 'add':
        checkStroke(op.stroke);
        if (state.strokes.some((s) => s.id === op.stroke.id)) return; // a retry of one already applied
        state.strokes.push(op.stroke);
        return;
      case 'undo': {
        const at = state.strokes.findIndex((s) => s.id === op.id);
        if (at >= 0) state.strokes.splice(at, 1);
        return;
      }
      case 'clear':
        state.strokes = [];
        return;
      default:
        throw new TypeError('not a board operation');
    }
  },
});
