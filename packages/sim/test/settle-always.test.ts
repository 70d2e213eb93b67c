/**
 * The bugs of the core issue "no lost message, no ghost member, no hung call", each as the
 * scenario that found it, replayed on the simulator: the specific outcome, then every property of
 * the checker (settle-always, rejected-nowhere and left-stays-out among them).
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame, type View } from '@synchrony/core';
import { checkProperties } from '../src/checker.js';
import { Simulator } from '../src/simulator.js';
import { processName, startGroup, type TestGroup } from './sim-group.js';

const finalCheck = (t: TestGroup): void => {
  expect(checkProperties(t.recorder.trace, { final: true })).toBeUndefined();
};

/** Runs until the named process has installed a primary view without any member of process `gone`. */
const untilOut = (t: TestGroup, name: string, gone: string): Promise<boolean> =>
  t.runUntil(() => t.app(name).group.view?.primary === true && !t.app(name).group.view!.members.some((m) => processName(m) === gone));

describe('issue 8: ordered messages of survivors are never lost', () => {
  it('a total-order message that reached only the sequencer, which then ends in a 2|4 minority, does not take the later ones with it', async () => {
    const t = await startGroup(['a', 'b', 'c', 'd', 'e', 'f'], { seed: 11 });
    // b's message reaches the sequencer a only; c's, sent after, gets the next position everywhere.
    for (const other of ['c', 'd', 'e', 'f']) t.sim.network.cutLink('b', other, true);
    const lost = t.send('b', 'total');
    await t.sim.run(15);
    const kept = t.send('c', 'total', { safe: true });
    const plain = t.send('d', 'total');
    await t.sim.run(15);
    t.sim.network.restoreLinks();
    t.sim.partition(['a', 'b'], ['c', 'd', 'e', 'f']);
    await t.sim.run(4000);
    for (const name of ['c', 'd', 'e', 'f']) {
      expect(t.delivered(name, kept.id)).toBe(true);
      expect(t.delivered(name, plain.id)).toBe(true);
      expect(t.delivered(name, lost.id)).toBe(false);
    }
    expect(kept.settled?.ok).toBe(true);
    t.sim.heal();
    await t.sim.run(4000);
    expect(t.recorder.trace.some((e) => e.k === 'sent' && e.id === lost.id && !e.ok && t.delivered('c', lost.id))).toBe(false);
    finalCheck(t);
  });
});

describe('issue 8: a rejected send is delivered nowhere, a delivered one resolves', () => {
  it('a member leaves while its safe send waits for stability: the cut delivers it, so the send resolves', async () => {
    const t = await startGroup(['a', 'b', 'c'], { seed: 2, latencyMs: [5, 30] });
    const safe = t.send('b', 'fifo', { safe: true });
    void t.app('b').leave();
    await t.sim.run(3000);
    expect(safe.settled?.ok).toBe(true);
    for (const name of ['a', 'c']) expect(t.delivered(name, safe.id)).toBe(true);
    finalCheck(t);
  });
});

describe('issue 8: no ghost member', () => {
  it('leave() while joining: the joiner withdraws, no view holds it afterwards, and nothing waits on it', async () => {
    for (const delayMs of [0, 5, 20, 60]) {
      const t = await startGroup(['a', 'b', 'c'], { seed: delayMs + 1 });
      const d = await t.add('d', delayMs);
      const left = d.leave();
      await t.sim.run(3000);
      await left;
      const sent = t.send('a', 'total', { safe: true });
      const flushed = t.app('b').flush();
      await t.sim.run(2000);
      await flushed;
      expect(sent.settled?.ok).toBe(true);
      for (const name of ['a', 'b', 'c']) expect(t.app(name).group.view?.members.map(processName)).toEqual(['a', 'b', 'c']);
      finalCheck(t);
    }
  });

  it('close() while rejoining after a partition, and leave() while cut off: both settle and stay out', async () => {
    const t = await startGroup(['a', 'b', 'c', 'd', 'e'], { seed: 5 });
    t.sim.partition(['a', 'b', 'c'], ['d', 'e']);
    await t.sim.run(2500);
    expect(t.app('d').group.view?.primary).toBe(false);
    const blockedLeave = t.app('e').leave(); // cut off: it can only finish once it learns how its view ended
    t.sim.heal();
    await t.runUntil(() => t.app('d').group.me !== 'd#1', 3000); // d rejoins under a new member id
    const closed = t.app('d').close();
    await t.sim.run(5000);
    await Promise.all([blockedLeave, closed]);
    for (const name of ['a', 'b', 'c']) expect(t.app(name).group.view?.members.map(processName)).toEqual(['a', 'b', 'c']);
    const flushed = t.app('a').flush();
    t.send('b', 'causal', { safe: true });
    await t.sim.run(1000);
    await flushed;
    finalCheck(t);
  });

  it('a joiner that crashes during state transfer (M8) is excluded; no state-gathering call hangs', async () => {
    const t = await startGroup(['a', 'b', 'c'], { seed: 8 });
    const d = t.recorder.attach(t.sim.spawn('d'), 'g');
    t.apps.set('d', d);
    void d.join().catch(() => {});
    await t.runUntil(() => t.app('a').group.view?.members.some((m) => processName(m) === 'd') === true);
    t.crash('d');
    const asked = t.app('b').request('all');
    const sent = t.send('c', 'total', { safe: true });
    await t.sim.run(4000);
    await asked;
    expect(sent.settled?.ok).toBe(true);
    expect(t.app('a').group.view?.members.map(processName)).toEqual(['a', 'b', 'c']);
    expect(checkProperties(t.recorder.trace)).toBeUndefined();
  });
});

describe('issue 8: every call settles', () => {
  it("request({ replies: 'all' }) in a view whose joiner gets its state only in the next one: the caller does not wait for it", async () => {
    const t = await startGroup(['a', 'b', 'c'], { seed: 4 });
    const d = t.recorder.attach(t.sim.spawn('d'), 'g');
    t.apps.set('d', d);
    for (const name of ['a', 'b', 'c', 'd']) t.app(name).answerRequests();
    void d.join().catch(() => {});
    const withD = (name: string) => (): boolean => t.app(name).group.view?.members.some((m) => processName(m) === 'd') === true;
    await t.runUntil(withD('a'));
    t.crash('a'); // the provider: its checkpoint dies with it
    await t.runUntil(withD('c'));
    const replies = t.app('c').request('all'); // delivered in the view d has no state in yet
    await t.sim.run(5000);
    const answered = (await replies) as Array<{ from: string }>;
    expect(answered.map((r) => processName(r.from)).sort()).toEqual(['b', 'c']);
    expect(t.app('d').group.view?.primary).toBe(true); // it got the state from another member
    expect(checkProperties(t.recorder.trace)).toBeUndefined();
  });

  it('the next in line leaves, the coordinator installs the next view and crashes: the survivors complete it', async () => {
    for (const seed of [1, 2, 3]) {
      const t = await startGroup(['a', 'b', 'c', 'd', 'e'], { seed });
      const leaving = t.app('b').leave();
      expect(await untilOut(t, 'a', 'b')).toBe(true);
      t.crash('a'); // nothing it sent in that instant arrives
      await t.sim.run(6000);
      await leaving;
      for (const name of ['c', 'd', 'e']) expect(t.app(name).group.view?.members.map(processName)).toEqual(['c', 'd', 'e']);
      expect(checkProperties(t.recorder.trace)).toBeUndefined();
    }
  });

  it('the coordinator and the next in line leave at once (M3), and the coordinator of a group of two leaves', async () => {
    const t = await startGroup(['a', 'b', 'c', 'd'], { seed: 3 });
    await Promise.all([t.app('a').leave(), t.app('b').leave(), t.sim.run(3000)]);
    for (const name of ['c', 'd']) expect(t.app(name).group.view?.members.map(processName)).toEqual(['c', 'd']);
    await Promise.all([t.app('c').leave(), t.sim.run(2000)]);
    expect(t.app('d').group.view?.members.map(processName)).toEqual(['d']);
    t.send('d', 'total', { safe: true });
    await t.sim.run(500);
    finalCheck(t);
  });

  it('a coordinator decides with one acceptance and crashes, with another member, before its COMMIT leaves: the acceptor installs the view, and the group goes on', async () => {
    const t = await startGroup(['a', 'b', 'c', 'd'], { seed: 5 });
    // a's PROPOSE reaches b alone; a and b are a majority of [a, b, c, d] (a is the senior), so b's
    // acceptance decides the view; no COMMIT or INSTALL of a's arrives anywhere.
    let decided = false;
    t.sim.network.tamper('a', (bytes, to) => {
      const decoded = decodeFrame(bytes, Infinity);
      if (typeof decoded === 'string') return bytes;
      const kinds = decoded.frame.m.map((m) => m.t);
      if (kinds.includes('c') || kinds.includes('i')) decided = true;
      if (decided) return undefined;
      if (kinds.includes('p') && to !== 'b') return undefined;
      return bytes;
    });
    const e = t.recorder.attach(t.sim.spawn('e'), 'g');
    t.apps.set('e', e);
    let joined: unknown;
    e.join().then(() => { joined = 'resolved'; }, (error: unknown) => { joined = error; });
    expect(await t.runUntil(() => decided, 5000)).toBe(true);
    t.crash('a');
    t.crash('c');
    // b and d alone are no majority of [a, b, c, d]: only the view a decided, which b accepted, can
    // go on, with e in it.
    expect(await t.runUntil(() => joined !== undefined, 8000)).toBe(true);
    expect(joined).toBe('resolved');
    for (const name of ['b', 'd', 'e']) {
      expect(await t.runUntil(() => t.app(name).group.view?.members.map(processName).join() === 'b,d,e', 8000)).toBe(true);
    }
    expect(checkProperties(t.recorder.trace)).toBeUndefined();
  });

  it('a joiner of a group whose senior half crashed: join() rejects with NotPrimaryError rather than wait for ever', async () => {
    const t = await startGroup(['a', 'b'], { seed: 3 });
    t.crash('a'); // the senior of two: b alone is no majority of [a, b], so that view can never change
    await t.sim.run(3000);
    expect(t.app('b').group.view?.primary).toBe(false);
    const c = t.sim.spawn('c');
    let outcome: unknown;
    const joinedAt = t.sim.now;
    c.group('g').join().then(() => { outcome = 'resolved'; }, (error: unknown) => { outcome = error; });
    expect(await t.runUntil(() => outcome !== undefined, 20_000)).toBe(true);
    expect((outcome as Error).name).toBe('NotPrimaryError');
    // Ten failure timeouts (1 s each here) of answers from b alone, blocked; not a moment before.
    expect(t.sim.now - joinedAt).toBeGreaterThanOrEqual(10_000);
    expect(c.group('g').view).toBeUndefined();
    expect(checkProperties(t.recorder.trace)).toBeUndefined();
  });

  it('after process.close(), send, join, flush, request and leave reject with GroupClosedError at once', async () => {
    const t = await startGroup(['a', 'b'], { seed: 6 });
    const a = t.app('a');
    const pending = a.group.send({ id: 'x', safe: true }, { safe: true });
    await a.process.close({ abrupt: true });
    const outcomes = await Promise.allSettled([
      pending, a.group.send('late'), a.group.join(), a.group.flush(), a.group.request('?'), a.group.leave(), a.process.join('other'),
    ]);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toHaveProperty('name', 'GroupClosedError');
    }
    expect(() => a.process.group('g2')).toThrow(/closed/);
  });

  it('flush() resolves after a rejected send, rather than wait for it forever', async () => {
    const sim = new Simulator({ seed: 1 });
    const group = sim.spawn('a').group('g');
    const refused = group.send('before join').catch((error: Error) => error.name);
    const flushed = group.flush();
    expect(await refused).toBe('GroupClosedError');
    await expect(flushed).resolves.toBeUndefined();
  });

  it('a join refused for its secret rejects with AccessDeniedError, reported once at the members', async () => {
    const sim = new Simulator({ seed: 2 });
    const a = sim.spawn('a');
    const errors: Error[] = [];
    a.on('error', (error) => errors.push(error));
    const founded = a.join('g', { secret: 'right' });
    await sim.run(1500);
    expect((await founded).view?.members).toEqual(['a#1']); // a member answers for the group
    const outsider = sim.spawn('b').group('g', { secret: 'wrong' });
    const joined = outsider.join().catch((error: Error) => error);
    await sim.run(3000);
    expect(await joined).toHaveProperty('name', 'AccessDeniedError');
    expect(errors.filter((e) => /secret/.test(e.message))).toHaveLength(1);
  });
});

describe('issue 8: a state provider that throws (S2)', () => {
  it('the joiner gets the state from another member instead of a made-up one', async () => {
    const t = await startGroup(['a', 'b', 'c'], { seed: 7 });
    t.app('a').failingProvider = true; // the coordinator, the first provider asked
    t.send('b', 'total');
    await t.sim.run(300);
    await t.add('d', 3000);
    const d = t.app('d');
    expect(d.group.view?.primary).toBe(true);
    expect(d.state).toEqual(t.app('b').state);
    expect(t.recorder.trace.some((e) => e.k === 'setState' && e.process === 'd')).toBe(true);
    expect(checkProperties(t.recorder.trace)).toBeUndefined();
  });

  it('when every provider throws, join() rejects with StateTransferError and the joiner leaves the view', async () => {
    const t = await startGroup(['a', 'b'], { seed: 9 });
    t.app('a').failingProvider = true;
    t.app('b').failingProvider = true;
    const d = t.recorder.attach(t.sim.spawn('d'), 'g');
    t.apps.set('d', d);
    const joined = d.join().catch((error: Error) => error);
    await t.sim.run(5000);
    const error = await joined;
    expect(error).toHaveProperty('name', 'StateTransferError');
    expect((error as Error & { cause?: unknown }).message).toMatch(/no member could provide/);
    for (const name of ['a', 'b']) expect(t.app(name).group.view?.members.map(processName)).toEqual(['a', 'b']);
    expect(checkProperties(t.recorder.trace)).toBeUndefined();
  });

  it('the only member with the state crashes before the joiners have it: their join() rejects with StateTransferError (seeds 2658, 2682, 4461)', async () => {
    const t = await startGroup(['a'], { seed: 11 });
    const joiners = ['d', 'e'].map((name) => {
      const member = t.recorder.attach(t.sim.spawn(name), 'g');
      t.apps.set(name, member);
      return member;
    });
    // a installs the view that takes both in and sends them the checkpoint, which never arrives;
    // then a crashes. d and e are the view's other members, and neither has the state.
    t.sim.network.tamper('a', (bytes) => {
      const decoded = decodeFrame(bytes, 2 ** 26);
      return typeof decoded !== 'string' && decoded.frame.m.some((m) => m.t === 's') ? undefined : bytes;
    });
    const joined = joiners.map((m) => m.join().catch((error: Error) => error));
    await t.runUntil(() => t.app('a').group.view?.members.length === 3);
    await t.sim.run(300);
    t.sim.crash('a');
    await t.sim.run(15_000); // ten failure timeouts of silence from the only holder, then the leave
    for (const outcome of joined) {
      const error = await outcome;
      expect(error).toHaveProperty('name', 'StateTransferError');
      expect((error as Error).message).toMatch(/every member that held it is gone/);
    }
    // Nothing was delivered, nobody waits; a process that joins now founds the group afresh.
    const f = t.recorder.attach(t.sim.spawn('f'), 'g');
    t.apps.set('f', f);
    const founded = f.join();
    await t.sim.run(3000);
    expect((await founded).members.map(processName)).toEqual(['f']);
    finalCheck(t);
  });

  /** Both members of [a, b] leave just as c and d ask to join: the view decided is [c, d], and a, a leaver, provides it. */
  const leaversHandOver = async (): Promise<{ t: TestGroup; joined: Array<Promise<unknown>> }> => {
    const t = await startGroup(['a', 'b'], { seed: 4 });
    t.send('a', 'total');
    t.send('b', 'total');
    await t.sim.run(200);
    const joined = ['c', 'd'].map((name) => {
      const member = t.recorder.attach(t.sim.spawn(name), 'g');
      t.apps.set(name, member);
      return member.join().then((view) => view, (error: Error) => error);
    });
    await t.sim.run(10);
    void t.app('a').group.leave();
    void t.app('b').group.leave();
    return { t, joined };
  };

  it('the last members leave as joiners arrive: a leaver provides the checkpoint on its way out, and the joiners take it (seed 90591)', async () => {
    const { t, joined } = await leaversHandOver();
    await t.sim.run(3000);
    for (const outcome of joined) expect((await outcome) as View).toMatchObject({ primary: true });
    // The view that took c and d in had none of the old members: its checkpoint came from a leaver.
    const taken = t.recorder.trace.filter((e) => e.k === 'getState' && e.process === 'a');
    expect(taken.length).toBeGreaterThan(0);
    for (const name of ['c', 'd']) {
      expect(t.app(name).group.view?.members.map(processName)).toEqual(['c', 'd']);
      expect(t.app(name).state).toEqual(t.app('a').state);
    }
    finalCheck(t);
  });

  it('a coordinator that reported in a round before its checkpoint arrived reports again, and the round decides (seed 813)', async () => {
    const t = await startGroup(['a', 'b'], { seed: 4 });
    t.send('a', 'total');
    await t.sim.run(200);
    const c = t.recorder.attach(t.sim.spawn('c'), 'g');
    t.apps.set('c', c);
    const joined = [c.join().then((view) => view, (error: Error) => error)];
    // The first frame of a's checkpoint is lost: it comes again a resend later, after the round below began.
    let dropped = false;
    t.sim.network.tamper('a', (bytes) => {
      const decoded = decodeFrame(bytes, 2 ** 26);
      if (dropped || typeof decoded === 'string' || !decoded.frame.m.some((m) => m.t === 's')) return bytes;
      dropped = true;
      return undefined;
    });
    await t.sim.run(10);
    void t.app('a').group.leave();
    void t.app('b').group.leave();
    // a and b leave as c joins: c alone makes the next view, and a provides its state on the way out.
    expect(await t.runUntil(() => dropped, 2000)).toBe(true);
    const d = t.recorder.attach(t.sim.spawn('d'), 'g');
    t.apps.set('d', d);
    joined.push(d.join().then((view) => view, (error: Error) => error));
    // c leads a round for d while it waits for its checkpoint: its own report says it has no state.
    await t.sim.run(3000);
    for (const outcome of joined) expect((await outcome) as View).toMatchObject({ primary: true });
    for (const name of ['c', 'd']) expect(t.app(name).group.view?.members.map(processName)).toEqual(['c', 'd']);
    finalCheck(t);
  });

  it('...and when that leaver\'s getState throws, the joiners give up with StateTransferError at once', async () => {
    const { t, joined } = await leaversHandOver();
    t.app('a').failingProvider = true;
    t.app('b').failingProvider = true;
    await t.sim.run(1000); // well within one failure timeout
    for (const outcome of joined) {
      const error = await outcome;
      expect(error).toHaveProperty('name', 'StateTransferError');
    }
    finalCheck(t);
  });

  it('...and when that leaver falls silent before its checkpoint is in, the joiners give up with StateTransferError', async () => {
    const { t, joined } = await leaversHandOver();
    // a's chunks never arrive, and a crashes: nobody of the view [c, d] has the state.
    t.sim.network.tamper('a', (bytes) => {
      const decoded = decodeFrame(bytes, 2 ** 26);
      return typeof decoded !== 'string' && decoded.frame.m.some((m) => m.t === 's') ? undefined : bytes;
    });
    await t.runUntil(() => t.recorder.trace.some((e) => e.k === 'getState' && e.process === 'a' && e.viewId === 2));
    await t.sim.run(50); // its decision arrives
    t.crash('a');
    await t.sim.run(15_000);
    for (const outcome of joined) {
      const error = await outcome;
      expect(error).toHaveProperty('name', 'StateTransferError');
      expect((error as Error).message).toMatch(/every member that held it is gone/);
    }
    finalCheck(t);
  });

  it('a setState that throws rejects join() with StateTransferError carrying the cause', async () => {
    const sim = new Simulator({ seed: 3 });
    void sim.spawn('a').join('g', { getState: () => 'state' });
    await sim.run(500);
    const group = sim.spawn('b').group('g', { setState: () => { throw new Error('cannot load'); } });
    const joined = group.join().catch((error: Error & { cause?: Error }) => error);
    await sim.run(3000);
    const error = await joined as Error & { cause?: Error };
    expect(error.name).toBe('StateTransferError');
    expect(error.cause?.message).toBe('cannot load');
  });
});
