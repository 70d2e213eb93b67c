/**
 * The whiteboard page: freehand strokes committed in the group's total order (board-object.ts),
 * live cursors on a Presence, and around them the shell (members, partition banner, inspector).
 */
import { Presence, type CustomObject } from '@synchrony/objects';
import { idbStore } from '@synchrony/store-idb';
import { describeError } from '../shared/demo-handle.js';
import { DemoShell } from '../shared/demo-shell.js';
import { must } from '../shared/dom.js';
import { colourOf } from '../shared/names.js';
import { loadAuthorKey } from '../shared/names-store.js';
import { Board, type BoardOp, type BoardState, type Stroke } from './board-object.js';
import { CursorLayer, CursorSender, type CursorState } from './cursors.js';
import { Pen } from './pen.js';
import { BoardPainter, PendingPainter } from './render.js';
import { buildTools } from './tools.js';

const author = loadAuthorKey();
const tool = buildTools();
const surface = must('[data-surface]', HTMLElement);
const boardCanvas = must('canvas[data-layer="board"]', HTMLCanvasElement);
const undoButton = must('[data-undo]', HTMLButtonElement);
const clearButton = must('[data-clear]', HTMLButtonElement);
const painter = new BoardPainter(boardCanvas, () => committed());
/** This tab's strokes that are drawn but not committed yet, by id, in the order they were made. */
const pending = new Map<string, Stroke>();
let drawingNow: Pick<Stroke, 'colour' | 'width' | 'points'> | undefined;
const pendingPainter = new PendingPainter(must('canvas[data-layer="pending"]', HTMLCanvasElement), function* () {
  yield* pending.values();
  if (drawingNow !== undefined) yield drawingNow;
});
/** Strokes of this author whose undo is on its way (a second click takes the one before). */
const undoing = new Set<string>();
let strokeNumber = 0;
const strokePrefix = `${author}-${Date.now().toString(36)}`;

let board: CustomObject<BoardState, BoardOp> | undefined;
let cursors: Presence<CursorState> | undefined;
let cursorSender: CursorSender | undefined;
const cursorLayer = new CursorLayer(must('[data-cursors]', HTMLElement));

function committed(): readonly Stroke[] {
  return board?.state.strokes ?? [];
}

function myLastStroke(): Stroke | undefined {
  const strokes = committed();
  for (let i = strokes.length - 1; i >= 0; i -= 1) {
    const stroke = strokes[i]!;
    if (stroke.by === author && !undoing.has(stroke.id)) return stroke;
  }
  return undefined;
}

function refreshControls(): void {
  const live = shell.primary;
  undoButton.disabled = !live || myLastStroke() === undefined;
  clearButton.disabled = !live || committed().length === 0;
  surface.classList.toggle('frozen', shell.isJoined && !live);
  surface.setAttribute('aria-disabled', String(!live));
  boardCanvas.setAttribute('aria-label', `The shared drawing: ${committed().length} stroke${committed().length === 1 ? '' : 's'}`);
}

function commit(points: number[]): void {
  if (board === undefined) return;
  const { colour, width } = tool();
  strokeNumber += 1;
  const stroke: Stroke = { id: `${strokePrefix}-${strokeNumber}`, by: author, colour, width, points };
  pending.set(stroke.id, stroke);
  pendingPainter.schedule();
  board.update({ t: 'add', stroke }).catch((error: unknown) => {
    shell.refused(error);
    shell.toaster.show(`Your stroke was not saved: ${shell.primary ? describeError(error) : 'this tab was cut off from the group'}.`);
  }).finally(() => {
    pending.delete(stroke.id);
    pendingPainter.schedule();
  });
}

function onBoardChange(op: BoardOp | undefined): void {
  const strokes = committed();
  if (op?.t === 'add') {
    painter.append(strokes);
    if (pending.delete(op.stroke.id)) pendingPainter.schedule();
  } else {
    painter.redraw(strokes); // an undo, a clear, or the whole state (a state transfer, a restart)
    if (op?.t === 'undo') undoing.delete(op.id);
  }
  refreshControls();
}

function undo(): void {
  const stroke = myLastStroke();
  if (board === undefined || stroke === undefined || !shell.primary) return;
  undoing.add(stroke.id);
  refreshControls();
  board.update({ t: 'undo', id: stroke.id }).catch((error: unknown) => {
    undoing.delete(stroke.id);
    shell.refused(error);
    refreshControls();
  });
}

const shell: DemoShell = new DemoShell({
  page: 'whiteboard',
  // The board outlives its tabs: each keeps the group's views and checkpoints in IndexedDB, and when
  // every tab has closed, the first to come back restarts the group from the best stored board.
  joinOptions: { store: idbStore('demos') },
  nameOf: (member) => cursors?.get(member)?.name,
  colourOf: (member) => cursors?.get(member)?.colour,
  describeChannel: (channel) =>
    channel === 'object:whiteboard:board' ? 'A stroke, an undo or a clear (the board)'
      : channel === 'presence:cursors' ? 'A cursor position (presence)'
        : 'An application message',
  async prepare({ group }) {
    board = await Board.open(group, 'board');
    board.on('change', (change) => onBoardChange(change.type === 'update' ? change.op : undefined));
    cursors = await Presence.open<CursorState>(group, 'cursors');
    cursors.on('change', () => {
      cursorLayer.render(cursors!.others);
      shell.groupStatus.render();
    });
    cursorSender = new CursorSender(cursors, shell.myName, colourOf(shell.myName), shell.refused);
  },
  viewed(view) {
    if (!view.primary && pen.drawing) {
      pen.cancel();
      shell.toaster.show('This tab was cut off from the group: the stroke you were drawing was dropped.');
    }
    refreshControls();
  },
  joined() {
    cursorSender?.announce();
    onBoardChange(undefined);
  },
  renamed(name) {
    cursorSender?.rename(name, colourOf(name));
  },
  status: () => ({
    strokes: committed().map((s) => s.id),
    drawn: painter.count,
    pending: pending.size,
    names: Object.fromEntries(shell.session?.group.view?.members.map((m) => [m, shell.nameOf(m)]) ?? []),
  }),
});

const pen = new Pen(surface, {
  canDraw: () => shell.primary,
  progress(points) {
    const { colour, width } = tool();
    drawingNow = points.length === 0 ? undefined : { colour, width, points };
    pendingPainter.schedule();
  },
  finish(points) {
    drawingNow = undefined;
    commit(points);
  },
  cursor: (position) => cursorSender?.move(position),
});

undoButton.addEventListener('click', undo);
clearButton.addEventListener('click', () => {
  board?.update({ t: 'clear' }).catch(shell.refused);
});
document.addEventListener('keydown', (event) => {
  const target = event.target as HTMLElement | null;
  if (target?.closest('input, textarea, select') != null) return;
  if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === 'z') {
    event.preventDefault();
    undo();
  }
});

shell.start();
