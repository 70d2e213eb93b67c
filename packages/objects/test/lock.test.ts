/**
 * Lock on the simulator: first come, first served by total order; release by a non-holder
 * throws; a holder that crashes or is cut off passes the lock to the next waiter in the view
 * change, the same at every member; an excluded member's acquire rejects; an aborted acquire is
 * withdrawn everywhere, even when the lock was granted to it meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { Lock, NotHolderError, type LockChange } from '../src/index.js';
import { outcome, startGroup, type Fixture } from './fixture.js';

async function locks(f: Fixture, names: readonly string[]): Promise<Lock[]> {
  return Promise.all(names.map((n) => Lock.open(f.member(n).group, 'turn')));
}

describe('Lock', () => {
  it('grants in total order, one holder at a time, and passes on release', async () => {
    const f = await startGroup(['a', 'b', 'c']);
    const [la, lb, lc] = await locks(f, ['a', 'b', 'c']);
    const me = (n: string): string => f.member(n).group.me;
    const grants = [outcome(lb!.acquire()), outcome(lc!.acquire()), outcome(la!.acquire())];
    await f.sim.run(200);
    const first = la!.holder!;
    expect([la!, lb!, lc!].map((l) => l.holder)).toEqual([first, first, first]);
    expect(grants.filter((g) => g.state === 'resolved')).toHaveLength(1);
    const order = [first, ...la!.waiters];
    expect(new Set(order)).toEqual(new Set([me('a'), me('b'), me('c')]));
    expect(lb!.waiters).toEqual(la!.waiters);

    const changes: LockChange[] = [];
    la!.on('change', (c) => { if (c.type === 'holder') changes.push(c); });
    const byMember = new Map([[me('a'), la!], [me('b'), lb!], [me('c'), lc!]]);
    for (let i = 1; i < 3; i++) {
      const released = outcome(byMember.get(order[i - 1]!)!.release());
      await f.sim.run(200);
      expect(released.state).toBe('resolved');
      expect(la!.holder).toBe(order[i]);
    }
    expect(grants.every((g) => g.state === 'resolved')).toBe(true);
    expect(changes.map((c) => [c.previous, c.holder, c.cause])).toEqual([[order[0], order[1], 'release'], [order[1], order[2], 'release']]);
    void byMember.get(order[2]!)!.release();
    await f.sim.run(200);
    expect([la!.holder, lb!.holder, lc!.holder]).toEqual([undefined, undefined, undefined]);
  });

  it('release by a member that does not hold it throws NotHolderError, and so does a second release', async () => {
    const f = await startGroup(['a', 'b']);
    const [la, lb] = await locks(f, ['a', 'b']);
    expect(() => la!.release()).toThrow(NotHolderError);
    void la!.acquire();
    await f.sim.run(100);
    expect(() => lb!.release()).toThrow(/does not hold the lock turn; a#1 does/);
    const first = outcome(la!.release());
    expect(() => la!.release()).toThrow(NotHolderError);
    await f.sim.run(100);
    expect(first.state).toBe('resolved');
    expect(() => la!.release()).toThrow(NotHolderError);
  });

  it('passes the lock of a holder that crashes to the next waiter, and drops crashed waiters', async () => {
    const f = await startGroup(['a', 'b', 'c', 'd']);
    const [la, lb, lc, ld] = await locks(f, ['a', 'b', 'c', 'd']);
    void lb!.acquire();
    await f.sim.run(100);
    const gc = outcome(lc!.acquire());
    await f.sim.run(100);
    const gd = outcome(ld!.acquire());
    await f.sim.run(100);
    expect(la!.waiters).toEqual([f.member('c').group.me, f.member('d').group.me]);
    f.sim.crash('b');
    f.sim.crash('c');
    // b and c are both gone: d is next. The view change happens everywhere at the same point.
    expect(await f.until(() => la!.holder === f.member('d').group.me && ld!.holder === la!.holder)).toBe(true);
    expect(gd.state).toBe('resolved');
    expect(gc.state).toBe('pending'); // a crashed process settles nothing
    expect(la!.waiters).toEqual([]);
  });

  it('never shows two holders in one primary view when the holder is cut off, and rejects the excluded member\'s acquire', async () => {
    const f = await startGroup(['a', 'b', 'c']);
    const [la, lb, lc] = await locks(f, ['a', 'b', 'c']);
    void lc!.acquire();
    await f.sim.run(100);
    const gb = outcome(lb!.acquire());
    await f.sim.run(100);
    const oldC = f.member('c').group.me;
    expect(la!.holder).toBe(oldC);
    const waitAgain = outcome(lc!.acquire()); // c queues behind itself: not reentrant
    await f.sim.run(100);
    f.sim.partition(['a', 'b'], ['c']);
    expect(await f.until(() => la!.holder === f.member('b').group.me && gb.state === 'resolved')).toBe(true);
    expect(await f.until(() => f.member('c').group.view?.primary === false)).toBe(true);
    // c, cut off, still shows itself as holder, but in the old view; a and b are in a newer primary view.
    expect(lc!.holder).toBe(oldC);
    expect(f.member('c').group.view?.primary).toBe(false);
    f.sim.heal();
    expect(await f.until(() => f.member('c').group.me !== oldC && f.member('c').group.view?.primary === true)).toBe(true);
    await f.sim.run(200);
    expect(waitAgain.state).toBe('rejected');
    expect(waitAgain.error?.name).toBe('NotPrimaryError');
    expect(lc!.holder).toBe(f.member('b').group.me);
    expect(lc!.waiters).toEqual([]);
  });

  it('rejects acquire when the send is refused: not joined, or cut off', async () => {
    const f = await startGroup(['a', 'b', 'c']);
    const lone = f.spawn('z', { join: false });
    const lz = await Lock.open(lone.group, 'turn');
    const refused = outcome(lz.acquire());
    const [, , lc] = await locks(f, ['a', 'b', 'c']);
    f.sim.partition(['a', 'b'], ['c']);
    expect(await f.until(() => f.member('c').group.view?.primary === false)).toBe(true);
    const cutOff = outcome(lc!.acquire());
    await f.sim.run(10);
    expect([refused.error?.name, cutOff.error?.name]).toEqual(['GroupClosedError', 'NotPrimaryError']);
  });

  it('withdraws an acquire whose signal aborts: it rejects, and leaves the queue everywhere', async () => {
    const f = await startGroup(['a', 'b', 'c']);
    const [la, lb, lc] = await locks(f, ['a', 'b', 'c']);
    void la!.acquire();
    await f.sim.run(100);
    const controller = new AbortController();
    const gb = outcome(lb!.acquire({ signal: controller.signal }));
    await f.sim.run(30); // b asks first
    const gc = outcome(lc!.acquire());
    await f.sim.run(100);
    expect(la!.waiters).toEqual([f.member('b').group.me, f.member('c').group.me]);
    controller.abort();
    await f.sim.run(1);
    expect(gb.error?.name).toBe('AbortError');
    await f.sim.run(100);
    expect([la!.waiters, lb!.waiters, lc!.waiters]).toEqual([[f.member('c').group.me], [f.member('c').group.me], [f.member('c').group.me]]);
    void la!.release();
    await f.sim.run(100);
    expect(gc.state).toBe('resolved');
    expect(lb!.holder).toBe(f.member('c').group.me);
    const aborted = new AbortController();
    aborted.abort(new Error('no longer wanted'));
    await expect(lb!.acquire({ signal: aborted.signal })).rejects.toThrow('no longer wanted');
  });

  it('lets go at once of a lock granted to an acquire that was aborted before the grant came back', async () => {
    const f = await startGroup(['a', 'b', 'c']);
    const [la, lb] = await locks(f, ['a', 'b']);
    void la!.acquire();
    await f.sim.run(100);
    const controller = new AbortController();
    const gb = outcome(lb!.acquire({ signal: controller.signal }));
    await f.sim.run(100);
    // a releases and b aborts at the same instant: the release is ordered first, so b is granted the
    // lock before its withdrawal comes back; b lets go of it at once, and it never resolved.
    void la!.release();
    controller.abort();
    await f.sim.run(300);
    expect(gb.state).toBe('rejected');
    expect([la!.holder, lb!.holder, la!.waiters]).toEqual([undefined, undefined, []]);
    const again = outcome(la!.acquire());
    await f.sim.run(100);
    expect(again.state).toBe('resolved');
  });
});

describe('Lock waiters', () => {
  it("emits a 'waiters' change whenever the queue changes, in order with the holder's", async () => {
    const f = await startGroup(['a', 'b', 'c']);
    const [la, lb, lc] = await locks(f, ['a', 'b', 'c']);
    const seen: string[] = [];
    la!.on('change', (change) => seen.push(change.type === 'waiters' ? `waiters ${change.waiters.join(',')}` : `holder ${change.holder ?? '-'}`));
    void la!.acquire();
    await f.sim.run(100);
    void lb!.acquire();
    await f.sim.run(50);
    void lc!.acquire();
    await f.sim.run(100);
    void la!.release();
    await f.sim.run(100);
    const [a, b, c] = ['a', 'b', 'c'].map((n) => f.member(n).group.me);
    expect(seen).toEqual([`holder ${a}`, `waiters ${b}`, `waiters ${b},${c}`, `holder ${b}`, `waiters ${c}`]);
  });
});
