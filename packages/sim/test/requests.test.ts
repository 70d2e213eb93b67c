/**
 * Group RPC (shared/API.md `request`/`onRequest`) on the simulator: a total-order multicast
 * whose replies come back point to point. How many replies a caller waits for, who they come
 * from, errors thrown by handlers, members without a handler, timeouts, members that leave,
 * and requests on a group that is not (or no longer) joined.
 */
import type { Reply, RequestOptions } from '@synchrony/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processName, startGroup, type TestGroup } from './sim-group.js';

/** A request in progress, as the test sees it: its outcome and when it came. */
interface Asked {
  at: number;
  replies?: Reply[];
  error?: Error;
  settledAt?: number;
}

function ask(t: TestGroup, name: string, data: unknown, options?: RequestOptions): Asked {
  const asked: Asked = { at: t.sim.now };
  t.app(name).group.request(data, options).then(
    (replies) => Object.assign(asked, { replies, settledAt: t.sim.now }),
    (error: Error) => Object.assign(asked, { error, settledAt: t.sim.now }),
  );
  return asked;
}

/** A group whose handlers answer only when the test releases them, one member at a time. */
async function heldAnswers(names: readonly string[]) {
  const t = await startGroup(names);
  const held = new Map<string, Array<() => void>>();
  for (const name of names) {
    held.set(name, []);
    t.app(name).group.onRequest((question) => new Promise((resolve) => held.get(name)!.push(() => resolve(`${name}: ${String(question)}`))));
  }
  const allAsked = (): boolean => [...held.values()].every((queue) => queue.length > 0);
  /** Lets `name` answer its oldest request, once it has been asked (a far member hears late). */
  const release = async (name: string): Promise<void> => {
    await t.runUntil(() => held.get(name)!.length > 0);
    held.get(name)!.shift()!();
    await t.sim.run(30);
  };
  return { t, allAsked, release };
}

describe('group requests', () => {
  const cases: Array<{ replies: RequestOptions['replies']; count: number }> = [
    { replies: 'one', count: 1 },
    { replies: 2, count: 2 },
    { replies: 'majority', count: 3 },
    { replies: 'all', count: 5 },
    { replies: 7, count: 5 }, // more than there are members: every member
  ];
  for (const { replies, count } of cases) {
    it(`replies: ${JSON.stringify(replies)} resolves with exactly the first ${count} of 5 replies, the caller's own among them`, async () => {
      const { t, allAsked, release } = await heldAnswers(['a', 'b', 'c', 'd', 'e']);
      const request = ask(t, 'a', 'x?', { replies });
      expect(await t.runUntil(allAsked)).toBe(true);
      const answerOrder = ['c', 'a', 'e', 'b', 'd'];
      for (const [i, name] of answerOrder.entries()) {
        expect(request.replies).toBeUndefined();
        await release(name);
        if (i + 1 === count) break;
      }
      expect(request.replies).toEqual(answerOrder.slice(0, count).map((name) => ({ from: t.app(name).group.me, data: `${name}: x?` })));
      for (const name of answerOrder.slice(count)) await release(name); // late answers change nothing
      expect(request.replies).toHaveLength(count);
      t.check();
    });
  }

  it("the caller is a member: its own handler answers too, and every reply names its member", async () => {
    const t = await startGroup(['a', 'b', 'c']);
    for (const name of ['a', 'b', 'c']) t.app(name).group.onRequest((n: unknown, from) => ({ name, twice: 2 * (n as number), from }));
    const request = ask(t, 'b', 21);
    await t.sim.run(200);
    const me = (name: string): string => t.app(name).group.me;
    expect(request.replies).toHaveLength(3);
    expect(new Set(request.replies!.map((r) => r.from))).toEqual(new Set([me('a'), me('b'), me('c')]));
    for (const reply of request.replies!) {
      const data = reply.data as { name: string; twice: number; from: string };
      expect(me(data.name)).toBe(reply.from);
      expect(data).toMatchObject({ twice: 42, from: me('b') });
    }
    t.check();
  });

  describe('handlers that fail', () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    beforeEach(() => {
      unhandled.length = 0;
      process.on('unhandledRejection', onUnhandled);
    });
    afterEach(() => {
      process.off('unhandledRejection', onUnhandled);
    });

    it('a handler that throws, or rejects, gives the caller an error reply; nothing crashes, nothing is unhandled', async () => {
      class QuotaError extends Error {
        override name = 'QuotaError';
      }
      const t = await startGroup(['a', 'b', 'c', 'd']);
      t.app('a').group.onRequest(() => 'fine');
      t.app('b').group.onRequest(() => {
        throw new RangeError('no such question');
      });
      t.app('c').group.onRequest(async () => {
        throw new QuotaError('too many questions');
      });
      t.app('d').group.onRequest(() => Promise.reject('not even an Error'));
      const request = ask(t, 'a', 'q');
      await t.sim.run(200);
      await new Promise((resolve) => setImmediate(resolve));

      const byName = new Map(request.replies?.map((r) => [r.from.split('#')[0], r]));
      expect(request.replies).toHaveLength(4);
      expect(byName.get('a')).toEqual({ from: t.app('a').group.me, data: 'fine' });
      expect(byName.get('b')).toMatchObject({ from: t.app('b').group.me, data: undefined, error: { name: 'RangeError', message: 'no such question' } });
      expect(byName.get('c')).toMatchObject({ from: t.app('c').group.me, error: { name: 'QuotaError', message: 'too many questions' } });
      expect(byName.get('d')).toMatchObject({ from: t.app('d').group.me, error: { name: 'Error', message: 'not even an Error' } });
      expect(unhandled).toEqual([]);

      // Nobody crashed or left: the same view, and the next request is answered by everyone.
      for (const name of ['a', 'b', 'c', 'd']) expect(t.app(name).group.view?.members).toHaveLength(4);
      const again = ask(t, 'c', 'q');
      await t.sim.run(200);
      expect(again.replies?.map((r) => r.error?.name ?? r.data).sort()).toEqual(['Error', 'QuotaError', 'RangeError', 'fine']);
      expect(unhandled).toEqual([]);
      t.check();
    });
  });

  it('a member without a handler answers with an error reply instead of leaving the caller waiting', async () => {
    const t = await startGroup(['a', 'b', 'c']);
    t.app('a').group.onRequest(() => 'a here');
    t.app('b').group.onRequest(() => 'b here');
    const request = ask(t, 'a', 'anyone?', { replies: 'all' });
    await t.sim.run(200);
    expect(request.replies).toHaveLength(3);
    const silent = request.replies!.find((r) => r.from === t.app('c').group.me);
    expect(silent).toMatchObject({ data: undefined, error: { name: 'NoHandlerError' } });
    expect(request.replies!.filter((r) => r.error === undefined).map((r) => r.data).sort()).toEqual(['a here', 'b here']);
    t.check();
  });

  it("timeoutMs: a request still missing replies rejects at the deadline with an Error named 'TimeoutError'", async () => {
    const t = await startGroup(['a', 'b', 'c']);
    t.app('a').group.onRequest(() => 'a');
    t.app('b').group.onRequest(() => 'b');
    t.app('c').group.onRequest(() => new Promise<never>(() => {})); // never answers
    const late = ask(t, 'a', 'q', { timeoutMs: 500 });
    const quick = ask(t, 'a', 'q', { replies: 2, timeoutMs: 500 });
    await t.sim.run(499);
    expect(late.error).toBeUndefined();
    expect(quick.replies).toHaveLength(2);
    await t.sim.run(10);
    expect(late.error).toBeInstanceOf(Error);
    expect(late.error?.name).toBe('TimeoutError');
    expect(late.settledAt! - late.at).toBe(500);
    expect(quick.error).toBeUndefined(); // its timer was cancelled when it resolved
    t.check();
  });

  it('a member that leaves gracefully in the middle of a request is not waited for; its own pending request rejects', async () => {
    const t = await startGroup(['a', 'b', 'c', 'd']);
    for (const name of ['a', 'b', 'c']) t.app(name).group.onRequest(() => name);
    let dAsked = false;
    t.app('d').group.onRequest(() => {
      dAsked = true;
      return new Promise<never>(() => {});
    });
    const request = ask(t, 'a', 'q');
    const ofLeaver = ask(t, 'd', 'q'); // d waits for itself: it will never have all its replies
    expect(await t.runUntil(() => dAsked)).toBe(true);
    await t.sim.run(50);
    expect(request.replies).toBeUndefined();
    const leaveAt = t.sim.now;
    let left = false;
    void t.app('d').group.leave().then(() => {
      left = true;
    });
    await t.sim.run(1000);

    expect(left).toBe(true);
    expect(request.replies?.map((r) => r.data).sort()).toEqual(['a', 'b', 'c']);
    expect(request.settledAt).toBe(t.viewAt('a', (members) => members.length === 3, leaveAt));
    expect(request.settledAt! - leaveAt).toBeLessThan(500); // by the leave's view change, not a failure timeout
    expect(ofLeaver.error?.name).toBe('GroupClosedError');
    t.check();
  });

  it('a request sent during a view change is asked of the new view: the joiner answers and counts, the crashed member does not', async () => {
    const { t, release } = await heldAnswers(['a', 'b', 'c', 'd']);
    const joinAt = t.sim.now;
    // One view change for both, which starts once d is suspected (e is then heard by all that
    // count) and waits a while for b, which is far away.
    t.sim.network.setLinkLatency('b', 'a', [400, 400]);
    t.sim.network.setLinkLatency('a', 'b', [400, 400]);
    const joining = t.add('e', 0);
    t.crash('d');
    await joining;
    let eAsked = false;
    const eAnswers: Array<() => void> = [];
    t.app('e').group.onRequest(() => {
      eAsked = true;
      return new Promise((resolve) => eAnswers.push(() => resolve('e: q')));
    });
    await t.runUntil(() => t.app('a').group.view?.id !== undefined && t.sim.now - joinAt > 1100);
    const request = ask(t, 'a', 'q', { replies: 2 });
    expect(await t.runUntil(() => eAsked, 3000)).toBe(true);
    const newView = t.app('a').group.view!;
    expect(newView.members.map(processName)).toEqual(['a', 'b', 'c', 'e']);
    expect(t.viewAt('a', (members) => members.length === 4 && members.includes(t.app('e').group.me), joinAt)).toBeDefined();
    eAnswers.shift()!();
    await t.sim.run(30);
    expect(request.replies).toBeUndefined();
    await release('b');
    await t.sim.run(800); // b's answer crosses its slow link
    expect(request.replies).toEqual([{ from: t.app('e').group.me, data: 'e: q' }, { from: t.app('b').group.me, data: 'b: q' }]);
    t.check();
  });

  it('a caller cut off in a minority does not take the replies it has for an answer: the request rejects once it is excluded', async () => {
    const t = await startGroup(['a', 'b', 'c', 'd', 'e']);
    t.app('a').group.onRequest(() => 'a');
    t.app('b').group.onRequest(() => 'b');
    for (const name of ['c', 'd', 'e']) t.app(name).group.onRequest(() => new Promise<never>(() => {}));
    const request = ask(t, 'a', 'q');
    await t.sim.run(100);
    t.sim.partition(['a', 'b'], ['c', 'd', 'e']);
    await t.sim.run(2500);
    expect(t.app('a').group.view?.primary).toBe(false);
    expect(request.replies).toBeUndefined(); // two of five replies are not 'all' of anything
    t.sim.heal();
    await t.sim.run(4000);
    expect(t.app('a').group.view?.primary).toBe(true); // back, as a new member
    expect(request.error?.name).toBe('NotPrimaryError');
    t.check();
  });

  it('an unknown `replies` value rejects at once with a TypeError, and nothing is multicast', async () => {
    const t = await startGroup(['a', 'b']);
    let handled = 0;
    t.app('b').group.onRequest(() => ++handled);
    for (const replies of ['some', -1, Number.NaN] as unknown as Array<RequestOptions['replies']>) {
      await expect(t.app('a').group.request('q', { replies })).rejects.toBeInstanceOf(TypeError);
    }
    await t.sim.run(200);
    expect(handled).toBe(0);
    t.check();
  });

  it('a request on a group not joined, or after leaving it, rejects with GroupClosedError and reaches nobody', async () => {
    const t = await startGroup(['a', 'b', 'c']);
    let handled = 0;
    for (const name of ['a', 'b', 'c']) t.app(name).group.onRequest(() => ++handled);
    const outsider = t.sim.spawn('z').group('g');
    await expect(outsider.request('q')).rejects.toMatchObject({ name: 'GroupClosedError' });
    const leaving = t.app('c').group.leave();
    await t.sim.run(500);
    await leaving;
    const afterLeave = ask(t, 'c', 'q');
    await t.sim.run(200);
    expect(afterLeave.error).toBeInstanceOf(Error);
    expect(afterLeave.error?.name).toBe('GroupClosedError');
    expect(handled).toBe(0);
    t.check();
  });
});
