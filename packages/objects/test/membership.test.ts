/**
 * Objects across the group's life: a joiner gets every object in the checkpoint, whether it opens
 * them before or after joining, and whether the member that provides the checkpoint had them open
 * or kept only their backlog; an update whose sender is excluded before it comes back rejects with
 * NotPrimaryError; a member that rejoins starts over from the group's state, never its own stale one.
 */
import { openChannel } from '@synchrony/core';
import { describe, expect, it } from 'vitest';
import { Counter, defineObject, Lock, ReplicatedList, ReplicatedMap } from '../src/index.js';
import { outcome, startGroup } from './fixture.js';

const Notes = defineObject<string[], string>({ name: 'notes', initial: () => [], apply: (s, op) => { s.push(op); } });

describe('objects and membership', () => {
  it('a joiner gets every object, opened before or after its join, from a provider that opened them or not', async () => {
    const f = await startGroup(['a', 'b']);
    // a (the coordinator, which provides checkpoints) opens nothing: it keeps the channels' backlogs.
    const gb = f.member('b').group;
    const [map, list, counter, lock, notes] = [
      await ReplicatedMap.open<number>(gb, 'm'), await ReplicatedList.open<string>(gb, 'l'), await Counter.open(gb, 'n'),
      await Lock.open(gb, 'k'), await Notes.open(gb, 'notes'),
    ];
    void map.set('x', 1);
    void list.push('one');
    void counter.add(5);
    void lock.acquire();
    void notes.update('hello');
    await f.sim.run(200);
    const early = f.spawn('c', { join: false });
    const earlyMap = await ReplicatedMap.open<number>(early.group, 'm');
    void early.group.join();
    const late = f.spawn('d');
    expect(await f.until(() => [early, late].every((m) => m.group.view?.members.length === 4))).toBe(true);
    void map.set('y', 2); // after the join: replayed from the backlog for the late openers
    await f.sim.run(200);
    for (const m of [early, late]) {
      const g = m.group;
      expect([...(await ReplicatedMap.open<number>(g, 'm')).entries()]).toEqual([['x', 1], ['y', 2]]);
      expect((await ReplicatedList.open<string>(g, 'l')).toArray()).toEqual(['one']);
      expect((await Counter.open(g, 'n')).value).toBe(5);
      expect((await Lock.open(g, 'k')).holder).toBe(gb.me);
      expect((await Notes.open(g, 'notes')).state).toEqual(['hello']);
    }
    expect(earlyMap.size).toBe(2);
    expect(f.errors()).toEqual([]);
  });

  it('rejects an update whose sender is excluded before it comes back, and starts the rejoined member over from the group', async () => {
    const f = await startGroup(['a', 'b', 'c']);
    const [ca, , cc] = await Promise.all(['a', 'b', 'c'].map((n) => Counter.open(f.member(n).group, 'n')));
    void cc!.add(1);
    await f.sim.run(100);
    const oldC = f.member('c').group.me;
    const lost = outcome(cc!.add(10)); // c is not the sequencer: its update waits for a position it never gets
    f.sim.partition(['a', 'b'], ['c']);
    void ca!.add(100);
    expect(await f.until(() => f.member('a').group.view?.members.length === 2)).toBe(true);
    expect(lost.state).toBe('pending'); // cut off, c cannot know yet whether the group went on without it
    f.sim.heal();
    expect(await f.until(() => f.member('c').group.me !== oldC && f.member('c').group.view?.primary === true)).toBe(true);
    expect(lost.state).toBe('rejected');
    expect(lost.error?.name).toBe('NotPrimaryError');
    expect(cc!.value).toBe(ca!.value);
    expect(ca!.value).toBe(101);
  });

  it('a rejoined member whose checkpoint holds only a backlog replays it from the initial state, not over its stale one', async () => {
    const f = await startGroup(['a', 'b', 'c']);
    // a provides the checkpoints and never opens the counter: its part is a backlog from the start.
    const [cb, cc] = await Promise.all(['b', 'c'].map((n) => Counter.open(f.member(n).group, 'n')));
    void cb!.add(1);
    void cc!.add(2);
    await f.sim.run(200);
    const oldC = f.member('c').group.me;
    f.sim.partition(['a', 'b'], ['c']);
    expect(await f.until(() => f.member('a').group.view?.members.length === 2)).toBe(true);
    void cb!.add(4);
    f.sim.heal();
    expect(await f.until(() => f.member('c').group.me !== oldC && f.member('c').group.view?.primary === true)).toBe(true);
    await f.sim.run(200);
    expect([cb!.value, cc!.value]).toEqual([7, 7]);
  });

  it('drops a malformed operation at every member and reports it on the process\'s error event', async () => {
    const f = await startGroup(['a', 'b']);
    const ma = await ReplicatedMap.open<number>(f.member('a').group, 'm');
    // b's application writes to the map's channel without the object: a broken or hostile peer.
    const raw = openChannel(f.member('b').group, 'map:m', { deliver: () => {} });
    void raw.send([1, ['s', 42, 'not a string key']]);
    void raw.send('garbage');
    void raw.send([2, ['s', 'ok', 1]]);
    await f.sim.run(200);
    expect([...ma.entries()]).toEqual([['ok', 1]]);
    expect(f.member('a').errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/m: a malformed operation from b#1, dropped/),
      expect.stringMatching(/m: a malformed operation from b#1, dropped/),
    ]);
  });
});
