/**
 * Core behaviours that the objects rely on, found broken while the objects were built and fixed in
 * the core since (issue 8): each is the scenario that showed it. Plain core calls only, except where
 * the scenario is about objects. A scenario still marked `it.fails` is a known core problem.
 */
import { openChannel } from '@synchrony/core';
import { describe, expect, it } from 'vitest';
import { Lock } from '../src/index.js';
import { outcome, startGroup } from './fixture.js';
import { LOST_AFTER_SHORT_PARTITION, PROBE_FROM_A_LATER_VIEW, STALE_PRIMARY_MEMBER } from './model/core-cases.js';
import { play } from './model/play.js';

describe('core behaviours the objects rely on', () => {
  it('group.send and group.flush after process.close() settle (API.md: they reject with GroupClosedError)', async () => {
    const f = await startGroup(['a', 'b', 'c']);
    const closing = outcome(f.member('b').process.close());
    await f.sim.run(3000);
    expect(closing.state).toBe('resolved');
    const send = outcome(f.member('b').group.send('x'));
    const flush = outcome(f.member('b').group.flush());
    await f.sim.run(3000);
    expect([send.state, flush.state]).toEqual(['rejected', 'rejected']);
  });

  it('a process that leaves before its first view is not kept in the others\' views (no ghost member)', async () => {
    const f = await startGroup(['a', 'b', 'c'], { config: { failureTimeoutMs: 400 } });
    const d = f.spawn('d');
    void d.group.leave();
    await f.sim.run(20_000);
    expect(f.member('a').group.view?.members).toEqual(['a#1', 'b#1', 'c#1']);
  });

  it('a coordinator cut off and excluded reports no broken invariant when the partition heals', async () => {
    const f = await startGroup(['a', 'b', 'c'], { config: { failureTimeoutMs: 400 }, latencyMs: [1, 15] });
    f.sim.partition(['a'], ['b', 'c']);
    void f.member('b').group.send('b1');
    void f.member('c').group.send('c1');
    await f.sim.run(1500);
    f.sim.heal();
    await f.sim.run(3000);
    expect(f.errors()).toEqual([]);
  });

  it('a channel restored from a backlog-only checkpoint part is reset before the replay', async () => {
    const f = await startGroup(['a', 'b', 'c'], { config: { failureTimeoutMs: 400 } });
    // a (the provider of checkpoints) never opens the channel: its part is a backlog from the group's start.
    const sums = new Map<string, number>();
    const open = (name: string) => {
      sums.set(name, 0);
      return openChannel(f.member(name).group, 'sum', {
        deliver: (op) => void sums.set(name, sums.get(name)! + (op as number)),
        getState: () => sums.get(name),
        setState: (s) => void sums.set(name, (s as number | undefined) ?? 0),
      });
    };
    const [b, c] = [open('b'), open('c')];
    void b.send(1);
    void c.send(2);
    await f.sim.run(200);
    f.sim.partition(['a', 'b'], ['c']);
    await f.sim.run(3000);
    void b.send(4);
    f.sim.heal();
    await f.sim.run(3000);
    expect(f.member('c').group.view?.members).toHaveLength(3);
    expect(sums.get('c')).toBe(sums.get('b'));
  });

  it('a member that leaves while its lock acquire waits has the acquire settled (no channel event says it left)', async () => {
    const f = await startGroup(['a', 'b', 'c']);
    const la = await Lock.open(f.member('a').group, 'l');
    const lb = await Lock.open(f.member('b').group, 'l');
    void la.acquire();
    await f.sim.run(100);
    const waiting = outcome(lb.acquire());
    await f.sim.run(100);
    void f.member('b').group.leave();
    await f.sim.run(3000);
    expect(waiting.state).toBe('rejected');
  });

  // Shrunk scenarios of the model-based test (model/core-cases.ts), replayed on its world.
  it('after partitions shorter than the failure timeout, every member delivers every message of its view', async () => {
    const verdict = await play(LOST_AFTER_SHORT_PARTITION);
    expect(verdict.core).toBeUndefined();
  });

  it('a member excluded during a partition learns it once healed (it does not stay in an old primary view)', async () => {
    const verdict = await play(STALE_PRIMARY_MEMBER);
    expect(verdict.core).toBeUndefined();
  });

  it('a member behind after a partition does not report a probe from a later view as an error', async () => {
    const verdict = await play(PROBE_FROM_A_LATER_VIEW);
    expect(verdict.core).toBeUndefined();
  });
});
