/**
 * The whiteboard page: freehand strokes committed in the group's total order (board-object.ts),
 * live cursors on a Presence, the members, the partition banner and the inspector.
 */
import type { View } from '@synchrony/core';
import { Presence, type CustomObject } from '@synchrony/objects';
import { idbStore } from '@synchrony/store-idb';
import { installDemoHandle, describeError, type DemoStatus } from '../shared/demo-handle.js';
import { must } from '../shared/dom.js';
import { GroupStatusView, wireInvite } from '../shared/group-status.js';
import { colourOf } from '../shared/names.js';
import { loadAuthorKey, loadName, saveName } from '../shared/names-store.js';
import { inviteLink, readParams } from '../shared/params.js';
import { startSession, type Session } from '../shared/session.js';
import { Toaster } from '../shared/toast.js';
import { InspectorPanel } from '../inspector/panel.js';
import { Board, type BoardOp, type BoardState, type Stroke } from './board-object.js';
import { CursorLayer, CursorSender, type CursorState } from './cursors.js';
import { Pen } from './pen.js';
import { BoardPainter, PendingPainter } from './render.js';
import { buildTools } from './tools.js';

const params = readParams();
const author = loadAuthorKey();
let myName = loadName();
const toaster = new Toaster();

must('[data-room]', HTMLElement).textContent = params.room;
wireInvite(document, inviteLink('whiteboard', params.room));
const tool = buildTools();
const nameInput = must('#my-name', HTMLInputElement);
nameInput.value = myName;

const surface = must('[data-surface]', HTMLElement);
const veil = must('[data-veil]', HTMLElement);
const boardCanvas = must('canvas[data-layer="board"]', HTMLCanvasElement);
const undoButton = must('[data-undo]', HTMLButtonElement);
const clearButton = must('[data-clear]', HTMLButtonElement);
const painter = new BoardPainter(boardCanvas);
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

let session: Session | undefined;
let board: CustomObject<BoardState, BoardOp> | undefined;
let cursors: Presence<CursorState> | undefined;
let cursorSender: CursorSender | undefined;
let inspector: InspectorPanel | undefined;
let phase: DemoStatus['phase'] = 'connecting';
let failure: string | undefined;
const cursorLayer = new CursorLayer(must('[data-cursors]', HTMLElement));

const nameOf = (member: string): string =>
  cursors?.get(member)?.name ?? (member === session?.group.me ? myName : 'Someone joining');
const groupStatus = new GroupStatusView(() => session?.group.me ?? '', nameOf,
  (member) => cursors?.get(member)?.colour ?? colourOf(member === session?.group.me ? myName : member));

const primary = (): boolean => phase === 'joined' && session?.group.view?.primary === true;

/** Strokes are refused while this tab is cut off; anything else is a problem worth reporting. */
function refused(error: unknown): void {
  if (error instanceof Error && (error.name === 'NotPrimaryError' || error.name === 'GroupClosedError')) return;
  session?.report(error);
}

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
  const live = primary();
  undoButton.disabled = !live || myLastStroke() === undefined;
  clearButton.disabled = !live || committed().length === 0;
  surface.classList.toggle('frozen', phase === 'joined' && !live);
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
    refused(error);
    toaster.show(`Your stroke was not saved: ${primary() ? describeError(error) : 'this tab was cut off from the group'}.`);
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
  if (board === undefined || stroke === undefined || !primary()) return;
  undoing.add(stroke.id);
  refreshControls();
  board.update({ t: 'undo', id: stroke.id }).catch((error: unknown) => {
    undoing.delete(stroke.id);
    refused(error);
    refreshControls();
  });
}

function onView(view: View): void {
  groupStatus.showView(view);
  if (!view.primary && pen.drawing) {
    pen.cancel();
    toaster.show('This tab was cut off from the group: the stroke you were drawing was dropped.');
  }
  refreshControls();
}

const pen = new Pen(surface, {
  canDraw: primary,
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
  board?.update({ t: 'clear' }).catch(refused);
});
document.addEventListener('keydown', (event) => {
  const target = event.target as HTMLElement | null;
  if (target?.closest('input, textarea, select') != null) return;
  if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === 'z') {
    event.preventDefault();
    undo();
  }
});
nameInput.addEventListener('change', () => {
  myName = saveName(nameInput.value, myName);
  nameInput.value = myName;
  cursorSender?.rename(myName, colourOf(myName));
  groupStatus.render();
});

installDemoHandle(() => ({
  page: 'whiteboard',
  phase,
  ...(failure === undefined ? {} : { failure }),
  processId: session?.process.id ?? '',
  me: session?.group.me ?? '',
  view: session?.group.view,
  reported: session?.reported ?? [],
  ...(inspector === undefined ? {} : { inspector: inspector.summary() }),
  strokes: committed().map((s) => s.id),
  drawn: painter.count,
  pending: pending.size,
  names: Object.fromEntries(session?.group.view?.members.map((m) => [m, nameOf(m)]) ?? []),
}));

startSession({
  groupName: `whiteboard/${params.room}`,
  params,
  // The board outlives its tabs: each keeps the group's views and checkpoints in IndexedDB, and when
  // every tab has closed, the first to come back restarts the group from the best stored board.
  joinOptions: { store: idbStore('demos') },
  async prepare(started) {
    session = started;
    const { group } = started;
    inspector = await InspectorPanel.start(must('[data-inspector]', HTMLElement), {
      group,
      network: started.network,
      myName: () => myName,
      nameOf: (member) => cursors?.get(member)?.name,
      describeChannel: (channel) =>
        channel === 'object:whiteboard:board' ? 'A stroke, an undo or a clear (the board)'
          : channel === 'presence:cursors' ? 'A cursor position (presence)'
            : 'An application message',
      report: started.report,
    });
    board = await Board.open(group, 'board');
    board.on('change', (change) => onBoardChange(change.type === 'update' ? change.op : undefined));
    cursors = await Presence.open<CursorState>(group, 'cursors');
    cursors.on('change', () => {
      cursorLayer.render(cursors!.others);
      groupStatus.render();
    });
    cursorSender = new CursorSender(cursors, myName, colourOf(myName), refused);
  },
}, onView).then(() => {
  phase = 'joined';
  veil.hidden = true;
  cursorSender?.announce();
  onBoardChange(undefined);
}, (error: unknown) => {
  phase = 'failed';
  failure = describeError(error);
  veil.classList.add('failed');
  veil.textContent = error instanceof Error && error.name === 'SignalingError'
    ? `Cannot reach the signaling server (${params.signaling}). Is \`npm start\` running? ${error.message}`
    : `Could not join the room: ${failure}`;
  must('[data-testid="view-line"]', HTMLElement).textContent = 'Not connected';
});
