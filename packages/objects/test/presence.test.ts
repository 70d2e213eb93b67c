/**
 * Presence on the simulator: per-member states seen by all, dropped for members that leave,
 * re-sent to joiners (never checkpointed), and coalesced: a burst of states from one member
 * sends the latest, not every one, and every caller's promise settles.
 */
import { groupStats } from '@synchrony/core';
import { describe, expect, it } from 'vitest';
import { Presence, type PresenceChange } from '../src/index.js';
import { outcome, startGroup } from './fixture.js';

type Cursor = { x: number; y: number };

describe('Presence', () => {
  it('shows each member the others\' latest state, and drops a member that leaves', async () => {
    const f = await startGroup(['a', 'b', 'c']);
    const [pa, pb, pc] = await Promise.all(['a', 'b', 'c'].map((n) => Presence.open<Cursor>(f.member(n).group, 'cursors')));
    const changes: Array<PresenceChange<Cursor> | { type: 'reset' }> = [];
    pa!.on('change', (c) => changes.push(c));
    const set = outcome(pb!.set({ x: 1, y: 1 }));
    void pc!.set({ x: 2, y: 2 });
    await f.sim.run(100);
    expect(set.state).toBe('resolved');
    const [b, c] = [f.member('b').group.me, f.member('c').group.me];
    expect(pa!.others).toEqual(new Map([[b, { x: 1, y: 1 }], [c, { x: 2, y: 2 }]]));
    expect(pb!.get(b)).toEqual({ x: 1, y: 1 }); // its own, once applied
    expect(pb!.others.has(b)).toBe(false);
    void f.member('c').group.leave();
    expect(await f.until(() => !pa!.others.has(c))).toBe(true);
    // The last change of c is its leave (b's state may come again right after: every member sends
    // its own again in each new view, and b may install it before a does).
    expect(changes.filter((change) => 'member' in change && change.member === c).at(-1)).toEqual({ type: 'leave', member: c, previous: { x: 2, y: 2 } });
    expect(() => pa!.set(undefined as unknown as Cursor)).toThrow(TypeError);
  });

  it('is sent again to joiners, and is not part of the checkpoint', async () => {
    const f = await startGroup(['a', 'b']);
    const pa = await Presence.open<string>(f.member('a').group, 'names');
    void pa.set('Ada');
    await f.sim.run(100);
    const late = f.spawn('c', { join: false });
    const pc = await Presence.open<string>(late.group, 'names'); // opened before join: sees the re-sent states
    void late.group.join();
    expect(await f.until(() => pc.get(f.member('a').group.me) === 'Ada')).toBe(true);
    const d = f.spawn('d');
    expect(await f.until(() => d.group.view?.primary === true)).toBe(true);
    await f.sim.run(200);
    const pd = await Presence.open<string>(d.group, 'names'); // opened after join: the backlog's last state of each member
    expect(pd.get(f.member('a').group.me)).toBe('Ada');
  });

  it('coalesces a burst: one state in flight, the latest next, every promise settled', async () => {
    const f = await startGroup(['a', 'b']);
    const pa = await Presence.open<Cursor>(f.member('a').group, 'cursors');
    const pb = await Presence.open<Cursor>(f.member('b').group, 'cursors');
    let received = 0;
    pb.on('change', (c) => { if (c.type === 'set') received += 1; });
    const promises = Array.from({ length: 1000 }, (_, i) => outcome(pa.set({ x: i, y: i })));
    expect(groupStats(f.member('a').group).queuedSends).toBeLessThanOrEqual(1);
    await f.sim.run(200);
    expect(pb.get(f.member('a').group.me)).toEqual({ x: 999, y: 999 });
    expect(received).toBeLessThanOrEqual(2);
    expect(promises.every((p) => p.state === 'resolved')).toBe(true);
  });

  it('at 60 states a second toward a member that cannot keep up, queues no more than one', async () => {
    const f = await startGroup(['a', 'b', 'c'], { config: { windowMessages: 8 } });
    const pa = await Presence.open<Cursor>(f.member('a').group, 'cursors');
    const pc = await Presence.open<Cursor>(f.member('c').group, 'cursors');
    f.sim.partition(['a', 'b'], ['c']); // c stops acknowledging: a's window fills up until c is excluded
    let maxQueued = 0;
    for (let i = 0; i < 120; i++) {
      void pa.set({ x: i, y: 0 }).catch(() => {});
      maxQueued = Math.max(maxQueued, groupStats(f.member('a').group).queuedSends);
      await f.sim.run(16);
    }
    expect(maxQueued).toBeLessThanOrEqual(1);
    f.sim.heal();
    expect(await f.until(() => f.member('c').group.view?.primary === true && pc.get(f.member('a').group.me)?.x === 119)).toBe(true);
  });
});
