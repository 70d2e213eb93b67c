/**
 * Counter and defineObject on the simulator: the same sums and reducer states at every member,
 * change events, bad arguments refused at the call, a reducer that throws.
 */
import { describe, expect, it } from 'vitest';
import { Counter, defineObject, type CounterChange } from '../src/index.js';
import { outcome, startGroup } from './fixture.js';

const Tally = defineObject({
  name: 'tally',
  initial: () => ({ votes: {} as Record<string, number>, last: '' }),
  apply(state, op: { vote: string }, context) {
    if (op.vote === 'boom') throw new Error('no such option');
    state.votes[op.vote] = (state.votes[op.vote] ?? 0) + 1;
    state.last = context.sender;
  },
});

/** A reducer that returns new states instead of changing them. */
const Log = defineObject<readonly string[], string>({ name: 'log', initial: () => [], apply: (state, op) => [...state, op] });

describe('Counter', () => {
  it('sums the same deltas in the same order everywhere', async () => {
    const f = await startGroup(['a', 'b', 'c']);
    const counters = await Promise.all(['a', 'b', 'c'].map((n) => Counter.open(f.member(n).group, 'votes')));
    const changes: CounterChange[] = [];
    counters[1]!.on('change', (c) => { if (c.type === 'add') changes.push(c); });
    const adds = counters.flatMap((c, i) => [outcome(c.add(i + 1)), outcome(c.add(0.1)), outcome(c.add(-0.5))]);
    await f.sim.run(300);
    expect(adds.every((a) => a.state === 'resolved')).toBe(true);
    expect(counters.map((c) => c.value)).toEqual(Array(3).fill(counters[0]!.value));
    expect(counters[0]!.value).toBeCloseTo(6 - 1.2);
    expect(changes).toHaveLength(9);
    expect(changes.at(-1)!.value).toBe(counters[1]!.value);
    expect(() => counters[0]!.add(Number.NaN)).toThrow(RangeError);
    expect(() => counters[0]!.add(Infinity)).toThrow(RangeError);
    expect(() => counters[0]!.add('1' as unknown as number)).toThrow(TypeError);
  });
});

describe('defineObject', () => {
  it('runs the reducer at every member in one order; a reducer that throws rejects the update and changes nothing', async () => {
    const f = await startGroup(['a', 'b']);
    const pa = await Tally.open(f.member('a').group, 'poll');
    const pb = await Tally.open(f.member('b').group, 'poll');
    expect(await Tally.open(f.member('a').group, 'poll')).toBe(pa); // one instance per name
    const updates = [outcome(pa.update({ vote: 'yes' })), outcome(pb.update({ vote: 'no' })), outcome(pb.update({ vote: 'yes' }))];
    const boom = outcome(pb.update({ vote: 'boom' }));
    await f.sim.run(300);
    expect(updates.map((u) => u.state)).toEqual(['resolved', 'resolved', 'resolved']);
    expect(boom.state).toBe('rejected');
    expect(boom.error?.message).toBe('no such option');
    expect(pa.state).toEqual(pb.state);
    expect(pa.state.votes).toEqual({ yes: 2, no: 1 });
    expect(() => pa.update({ vote: (() => 'x') as unknown as string })).toThrow(/op\.vote is a function/);

    const la = await Log.open(f.member('a').group, 'poll'); // another definition, another object
    const lb = await Log.open(f.member('b').group, 'poll');
    const seen: unknown[] = [];
    lb.on('change', (c) => seen.push(c));
    void la.update('x');
    void lb.update('y');
    await f.sim.run(300);
    expect(la.state).toEqual(lb.state);
    expect(la.state).toHaveLength(2);
    expect(seen).toContainEqual({ type: 'update', op: 'x', sender: f.member('a').group.me, viewId: f.member('a').group.view!.id });
  });

  it('checks its definition and its arguments', async () => {
    expect(() => defineObject({ name: '', initial: () => 0, apply: () => 0 })).toThrow(TypeError);
    expect(() => defineObject({ name: 'x', initial: 0, apply: () => 0 } as never)).toThrow(/initial must be a function/);
    const f = await startGroup(['a']);
    await expect(Tally.open(f.member('a').group, '')).rejects.toThrow(RangeError);
    await expect(Tally.open(f.member('a').group, 7 as unknown as string)).rejects.toThrow(TypeError);
    await expect(Tally.open({} as never, 'x')).rejects.toThrow(/not a group of @synchrony\/core/);
  });
});
