/**
 * The examples of packages/objects/README.md, as code that a test runs (readme.test.ts runs
 * each on the simulator and checks that the README quotes each region exactly as it is here).
 * Each example takes a joined group, as `await peer.join('room')` gives one.
 */
import type { Group } from '@synchrony/core';
import { Counter, defineObject, Lock, Presence, ReplicatedList, ReplicatedMap } from '@synchrony/objects';

interface Player { x: number; y: number }
interface Stroke { points: Array<[number, number]>; colour: string }

export async function quickStart(group: Group): Promise<Player | undefined> {
  // #region quick-start
  const players = await ReplicatedMap.open<Player>(group, 'players');
  players.on('change', (change) => {
    if (change.type === 'set') console.log(`${change.sender} moved ${change.key} to`, change.value);
  });
  await players.set('p1', { x: 1, y: 2 }); // resolves once applied here: every member applies it in the same order
  players.get('p1');                       // { x: 1, y: 2 }: a local read, no message
  // #endregion quick-start
  return players.get('p1');
}

export async function listAndCounter(group: Group): Promise<[number, number]> {
  // #region list-and-counter
  const strokes = await ReplicatedList.open<Stroke>(group, 'strokes');
  await strokes.push({ points: [[0, 0], [5, 5]], colour: 'red' });
  await strokes.insert(0, { points: [[1, 1]], colour: 'blue' }); // an index as this member sees the list
  await strokes.remove(strokes.length - 1);
  const visits = await Counter.open(group, 'visits');
  await visits.add(1);
  // #endregion list-and-counter
  return [strokes.length, visits.value];
}

export async function lockTurn(group: Group, play: () => Promise<void>): Promise<void> {
  // #region lock
  const turn = await Lock.open(group, 'turn');
  await turn.acquire();        // first come, first served, in the group's total order
  try {
    await play();              // turn.holder === group.me until release()
  } finally {
    await turn.release();      // the next waiter gets it; if this member fails, it passes on in the view change
  }
  // #endregion lock
}

export async function cursors(group: Group, moves: Array<[number, number]>): Promise<Map<string, { x: number; y: number }>> {
  // #region presence
  const cursors = await Presence.open<{ x: number; y: number }>(group, 'cursors');
  cursors.on('change', () => { /* redraw from cursors.others: a Map of member id to state */ });
  for (const [x, y] of moves) {
    cursors.set({ x, y }).catch(() => {}); // fire and forget at 60 Hz: coalesced, never queued without bound
  }
  // #endregion presence
  return cursors.others;
}

export async function customTally(group: Group): Promise<Record<string, number>> {
  // #region define-object
  const Tally = defineObject({
    name: 'tally',
    initial: () => ({ votes: {} as Record<string, number> }),
    apply(state, op: { vote: string }) {      // deterministic: the same state at every member
      state.votes[op.vote] = (state.votes[op.vote] ?? 0) + 1;
    },
  });
  const poll = await Tally.open(group, 'poll');
  await poll.update({ vote: 'yes' });
  poll.state.votes.yes;                        // 1 (or more, if others voted first)
  // #endregion define-object
  return poll.state.votes;
}
