/**
 * The multiplayer room: players on a Presence (position, name, team), a ball under a Lock, the
 * score in two Counters, a chat in causal order, and around them the shell (members, partition
 * banner, inspector).
 */
import { tapGroup, type View } from '@synchrony/core';
import { Counter, Lock, Presence, ReplicatedMap } from '@synchrony/objects';
import { idbStore } from '@synchrony/store-idb';
import { describeError } from '../shared/demo-handle.js';
import { DemoShell } from '../shared/demo-shell.js';
import { must } from '../shared/dom.js';
import { colourOf } from '../shared/names.js';
import { Ball } from './ball.js';
import { Chat } from './chat.js';
import { CENTRE, FieldView, inGoalOf, opponentOf, startingPoint, type PlayerState, type Point, type Team } from './field.js';
import { Mover } from './mover.js';

const fieldElement = must('[data-field]', HTMLElement);
const ballButton = must('[data-ball-button]', HTMLButtonElement);
const ballStatus = must('[data-ball-status]', HTMLElement);
const resetButton = must('[data-reset-score]', HTMLButtonElement);
const chatForm = must('[data-chat-form]', HTMLFormElement);
const chatInput = must('#chat-input', HTMLInputElement);
const chatButton = must('button[type="submit"]', HTMLButtonElement, chatForm);
const field = new FieldView(fieldElement, must('[data-players]', HTMLElement), must('[data-ball]', HTMLElement));

let players: Presence<PlayerState> | undefined;
let ball: Ball | undefined;
let spot: ReplicatedMap<Point> | undefined;
const goals: Partial<Record<Team, Counter>> = {};
/** Players who left, with the view that dropped them (for the status). */
const departures: Array<{ member: string; viewId: number }> = [];
/** Where each player was last seen (kept after it leaves: the ball falls there). */
const lastSeen = new Map<string, Point>();
let scoring = false;

const chat = new Chat(must('[data-chat-log]', HTMLOListElement), (member, name) => players?.get(member)?.colour ?? colourOf(name));
let team: Team = 'red';
const mover = new Mover(startingPoint(team), () => {
  publish();
  maybeScore();
  render();
});

/** Puts this player's state on the presence: the latest wins, coalesced when the network is busy. */
function publish(): void {
  const at = mover.at;
  const name = shell.myName;
  players?.set({ name, colour: colourOf(name), team, x: at.x, y: at.y }).catch(shell.refused);
}

/** Everyone's players: the others' from the presence, this player's from here (no round trip to see yourself move). */
function everyone(): Map<string, PlayerState> {
  const all = new Map(players?.others ?? []);
  if (shell.isJoined) all.set(shell.me, { name: shell.myName, colour: colourOf(shell.myName), team, ...mover.at });
  return all;
}

function render(): void {
  const all = everyone();
  field.renderPlayers(all, shell.me);
  const holder = ball?.lock.holder;
  const held = holder === undefined ? undefined : all.get(holder);
  field.renderBall(held ?? ball?.restingPlace ?? CENTRE, held === undefined ? undefined : holder);
  renderControls(holder);
}

let renderTimer: ReturnType<typeof setTimeout> | undefined;
/** Renders after the current event (coalesced). */
function renderSoon(): void {
  renderTimer ??= setTimeout(() => {
    renderTimer = undefined;
    render();
  }, 0);
}

function renderControls(holder: string | undefined): void {
  const live = shell.primary;
  ballButton.disabled = !live || ball === undefined;
  ballButton.textContent = ball?.holding === true ? 'Drop the ball' : ball?.isWaiting === true ? 'Stop waiting for the ball' : 'Take the ball';
  const waiters = ball?.lock.waiters ?? [];
  const line = waiters.indexOf(shell.me);
  ballStatus.textContent = holder === undefined
    ? 'Ball: free'
    : `Ball: ${holder === shell.me ? 'you have it' : `held by ${shell.nameOf(holder)}`}${line >= 0 ? ` · you are number ${line + 1} in line` : waiters.length > 0 ? ` · ${waiters.length} waiting` : ''}`;
  resetButton.disabled = !live || ((goals.red?.value ?? 0) === 0 && (goals.blue?.value ?? 0) === 0);
  chatButton.disabled = !live;
  fieldElement.setAttribute('aria-disabled', String(!live));
  for (const t of ['red', 'blue'] as const) must(`[data-score="${t}"]`, HTMLOutputElement).value = String(goals[t]?.value ?? 0);
}

/** Carrying the ball into the other team's goal scores; the ball goes back to the centre. */
function maybeScore(): void {
  if (scoring || ball?.holding !== true || !inGoalOf(opponentOf(team), mover.at)) return;
  scoring = true;
  goals[team]?.add(1).catch(shell.refused).finally(() => {
    scoring = false;
  });
  ball.drop(CENTRE);
}

function step(key: string): boolean {
  const moves: Record<string, [number, number]> = {
    ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1], a: [-1, 0], d: [1, 0], w: [0, -1], s: [0, 1],
  };
  const move = moves[key.length === 1 ? key.toLowerCase() : key];
  if (move === undefined || !shell.primary) return move !== undefined;
  mover.step(move[0], move[1]);
  return true;
}

fieldElement.addEventListener('keydown', (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === ' ' || event.key === 'Enter') {
    event.preventDefault();
    if (shell.primary) ball?.toggle(mover.at);
    render();
    return;
  }
  if (step(event.key)) event.preventDefault();
});
fieldElement.addEventListener('pointerdown', (event) => {
  if (!event.isPrimary || (event.pointerType === 'mouse' && event.button !== 0)) return;
  fieldElement.focus();
  if (shell.primary) mover.walkTo(field.toField(event));
});
ballButton.addEventListener('click', () => {
  ball?.toggle(mover.at);
  render();
});
resetButton.addEventListener('click', () => {
  for (const counter of Object.values(goals)) counter.add(-counter.value).catch(shell.refused);
});
for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="team"]')) {
  radio.addEventListener('change', () => {
    if (!radio.checked) return;
    team = radio.value === 'blue' ? 'blue' : 'red';
    publish();
    render();
  });
}
chatForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = chatInput.value.trim();
  const group = shell.session?.group;
  if (text.length === 0 || group === undefined) return;
  chatInput.value = '';
  chat.send(group, shell.myName, text).catch((error: unknown) => {
    shell.refused(error);
    chat.failed(text, shell.primary ? describeError(error) : 'this tab is cut off from the group');
  });
});

/**
 * A newcomer's team: by its rank in its first view (the others' presence arrives only after it),
 * alternating, so the teams stay even as players arrive.
 */
function firstTeam(view: View | undefined): Team {
  const rank = view?.members.indexOf(shell.me) ?? 0;
  return rank % 2 === 0 ? 'red' : 'blue';
}

const shell: DemoShell = new DemoShell({
  page: 'room',
  // The score, the chat and where the ball lies outlive the tabs (IndexedDB), as the whiteboard does.
  joinOptions: { getState: () => chat.getState(), setState: (state) => chat.setState(state), store: idbStore('demos') },
  nameOf: (member) => players?.get(member)?.name,
  colourOf: (member) => players?.get(member)?.colour,
  describeChannel: (channel) =>
    channel === undefined ? 'A chat message (causal order)'
      : channel === 'presence:players' ? 'A player\'s position, name or team (presence)'
        : channel === 'lock:ball' ? 'A request for the ball or a release (lock)'
          : channel === 'map:ball-spot' ? 'Where the ball was dropped (map)'
            : channel.startsWith('counter:goals') ? 'A goal (counter)'
              : channel,
  async prepare({ group, report }) {
    group.on('message', (message) => chat.deliver(message));
    players = await Presence.open<PlayerState>(group, 'players');
    players.on('change', (change) => {
      if (change.type !== 'reset') {
        const state = change.type === 'set' ? change.state : change.previous;
        lastSeen.delete(change.member);
        lastSeen.set(change.member, { x: state.x, y: state.y });
        if (lastSeen.size > 256) lastSeen.delete(lastSeen.keys().next().value!);
        if (change.type === 'leave' && change.member !== shell.me) shell.toaster.show(`${change.previous.name} left the room.`);
      }
      shell.groupStatus.render();
      render();
    });
    const lock = await Lock.open(group, 'ball');
    spot = await ReplicatedMap.open<Point>(group, 'ball-spot');
    ball = new Ball(group, lock, spot, report, render);
    lock.on('change', (change) => {
      if (change.type === 'holder' && change.cause === 'left' && change.previous !== undefined) {
        ball?.holderVanished(lastSeen.get(change.previous), group.view?.members[0] === group.me);
      }
      render();
    });
    // A Lock tells when its holder changes, not when someone joins or leaves its queue: after each
    // of its operations, show the line again (once the operation is applied, later in this turn).
    tapGroup(group, (event) => {
      if (event.kind === 'deliver' && event.channel === 'lock:ball') renderSoon();
    });
    spot.on('change', () => {
      ball?.spotChanged();
      render();
    });
    for (const t of ['red', 'blue'] as const) {
      const counter = await Counter.open(group, `goals:${t}`);
      goals[t] = counter;
      counter.on('change', (change) => {
        if (change.type === 'add' && change.delta > 0) shell.toaster.show(`Goal for ${t === 'red' ? 'Red' : 'Blue'}!`);
        render();
      });
    }
  },
  viewed(view) {
    for (const member of view.left) departures.push({ member, viewId: view.id });
    if (!view.primary) mover.stop();
    render();
  },
  joined() {
    team = firstTeam(shell.session?.group.view);
    must(`input[name="team"][value="${team}"]`, HTMLInputElement).checked = true;
    mover.jump(startingPoint(team));
    render();
    fieldElement.focus();
  },
  renamed() {
    publish();
    render();
  },
  status() {
    const all = everyone();
    return {
      players: Object.fromEntries([...all].map(([member, s]) => [member, { name: s.name, team: s.team, x: s.x, y: s.y }])),
      ball: { holder: ball?.lock.holder ?? null, waiters: ball?.lock.waiters ?? [], at: ball?.restingPlace ?? CENTRE },
      score: { red: goals.red?.value ?? 0, blue: goals.blue?.value ?? 0 },
      chat: chat.getState().map((line) => `${line.name}: ${line.text}`),
      departures,
    };
  },
});

shell.start();
