/**
 * The playing field: its logical size, the goals, and the drawing of players and the ball (DOM
 * elements placed in percent of the field, so the field scales with the page).
 */
import { h } from '../shared/dom.js';
import { initialsOf } from '../shared/names.js';

export const FIELD_WIDTH = 960;
export const FIELD_HEIGHT = 600;
export const CENTRE = { x: FIELD_WIDTH / 2, y: FIELD_HEIGHT / 2 } as const;
/** A player keeps this far from the edges. */
const MARGIN = 22;

export type Team = 'red' | 'blue';
export const TEAM_COLOURS: Record<Team, string> = { red: '#dc2626', blue: '#2563eb' };

/** What each player shows of itself, on the `players` Presence. */
export interface PlayerState {
  readonly name: string;
  readonly colour: string;
  readonly team: Team;
  readonly x: number;
  readonly y: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** Each team defends the goal of its colour; the other team scores in it. */
const GOAL_DEPTH = 38;
export function inGoalOf(team: Team, at: Point): boolean {
  const inMouth = at.y >= FIELD_HEIGHT / 3 && at.y <= (2 * FIELD_HEIGHT) / 3;
  return inMouth && (team === 'red' ? at.x <= GOAL_DEPTH : at.x >= FIELD_WIDTH - GOAL_DEPTH);
}

export const opponentOf = (team: Team): Team => (team === 'red' ? 'blue' : 'red');

/** Keeps a point on the field. */
export function onField(at: Point): Point {
  return {
    x: Math.round(Math.max(MARGIN, Math.min(FIELD_WIDTH - MARGIN, at.x))),
    y: Math.round(Math.max(MARGIN, Math.min(FIELD_HEIGHT - MARGIN, at.y))),
  };
}

/** A starting place in the player's own half. */
export function startingPoint(team: Team): Point {
  const x = team === 'red' ? FIELD_WIDTH * (0.15 + Math.random() * 0.25) : FIELD_WIDTH * (0.6 + Math.random() * 0.25);
  return onField({ x, y: FIELD_HEIGHT * (0.2 + Math.random() * 0.6) });
}

/** Places an element in percent of the field, so it stays put when the page resizes. */
const place = (element: HTMLElement, at: Point): void => {
  element.style.left = `${(at.x / FIELD_WIDTH) * 100}%`;
  element.style.top = `${(at.y / FIELD_HEIGHT) * 100}%`;
};

export class FieldView {
  private readonly avatars = new Map<string, HTMLElement>();

  constructor(
    private readonly field: HTMLElement,
    private readonly layer: HTMLElement,
    private readonly ball: HTMLElement,
  ) {}

  /** The field point under a pointer event. */
  toField(event: { clientX: number; clientY: number }): Point {
    const box = this.field.getBoundingClientRect();
    return onField({ x: ((event.clientX - box.left) * FIELD_WIDTH) / box.width, y: ((event.clientY - box.top) * FIELD_HEIGHT) / box.height });
  }

  renderPlayers(players: ReadonlyMap<string, PlayerState>, me: string): void {
    for (const [member, element] of this.avatars) {
      if (!players.has(member)) {
        element.remove();
        this.avatars.delete(member);
      }
    }
    for (const [member, state] of players) {
      let element = this.avatars.get(member);
      if (element === undefined) {
        element = h('div', { class: member === me ? 'avatar mine' : 'avatar', 'data-player': member },
          h('div', { class: 'avatar-body' }), h('div', { class: 'avatar-name' }));
        this.layer.append(element);
        this.avatars.set(member, element);
      }
      element.classList.toggle('mine', member === me);
      element.dataset.x = String(state.x);
      element.dataset.y = String(state.y);
      element.dataset.name = state.name;
      element.style.setProperty('--avatar-fill', state.colour);
      element.style.setProperty('--avatar-team', TEAM_COLOURS[state.team]);
      const body = element.firstElementChild!;
      const initials = initialsOf(state.name);
      if (body.textContent !== initials) body.textContent = initials;
      const label = element.lastElementChild!;
      if (label.textContent !== state.name) label.textContent = state.name;
      place(element, state);
    }
  }

  /** The ball at `at`; `holder` is who carries it (then it sits by their side). */
  renderBall(at: Point, holder: string | undefined): void {
    const shown = holder === undefined ? at : { x: at.x + 18, y: at.y - 18 };
    this.ball.classList.toggle('held', holder !== undefined);
    this.ball.dataset.holder = holder ?? '';
    place(this.ball, shown);
  }
}
