/**
 * ReplicatedList on the simulator: push, insert and remove applied everywhere in one order; an
 * index is checked at the call and applied to the list as it is when delivered; change events.
 */
import { describe, expect, it } from 'vitest';
import { ReplicatedList, type ListChange } from '../src/index.js';
import { outcome, startGroup } from './fixture.js';

describe('ReplicatedList', () => {
  it('applies pushes, inserts and removes at every member in one order', async () => {
    const f = await startGroup(['a', 'b', 'c']);
    const [la, lb, lc] = await Promise.all(['a', 'b', 'c'].map((n) => ReplicatedList.open<string>(f.member(n).group, 'l')));
    const changes: Array<ListChange<string> | { type: 'reset' }> = [];
    lc!.on('change', (c) => changes.push(c));
    void la!.push('a1');
    void lb!.push('b1');
    void lc!.push('c1');
    await f.sim.run(200);
    expect(la!.length).toBe(3);
    const inserted = outcome(lb!.insert(1, 'b2'));
    void la!.remove(0);
    await f.sim.run(200);
    expect(inserted.state).toBe('resolved');
    for (const l of [la!, lb!, lc!]) expect(l.toArray()).toEqual(la!.toArray());
    expect(la!.length).toBe(3);
    expect(la!.toArray()).toContain('b2');
    expect(changes.filter((c) => c.type === 'insert')).toHaveLength(4);
    expect(changes.find((c) => c.type === 'remove')).toMatchObject({ index: 0, sender: f.member('a').group.me });
    expect(la!.get(99)).toBeUndefined();
    expect(f.errors()).toEqual([]);
  });

  it('applies an index to the list as it is on delivery: an insert past the end appends, a remove past it does nothing', async () => {
    const f = await startGroup(['a', 'b']);
    const la = await ReplicatedList.open<number>(f.member('a').group, 'l');
    const lb = await ReplicatedList.open<number>(f.member('b').group, 'l');
    for (const i of [0, 1, 2]) void la.push(i);
    await f.sim.run(200);
    // Both see 3 items; a's removes and b's index-3 operations race in the total order.
    void la.remove(2);
    void la.remove(1);
    const late = outcome(lb.remove(2));
    void lb.insert(3, 9);
    await f.sim.run(300);
    expect(late.state).toBe('resolved');
    expect(la.toArray()).toEqual(lb.toArray());
    expect(la.toArray().at(-1)).toBe(9);
  });

  it('refuses bad arguments at the call', async () => {
    const f = await startGroup(['a']);
    const l = await ReplicatedList.open<unknown>(f.member('a').group, 'l');
    expect(() => l.insert(1, 'x')).toThrow(RangeError);
    expect(() => l.insert(-1, 'x')).toThrow(RangeError);
    expect(() => l.remove(0)).toThrow(/index 0 is out of range: the list has 0 items/);
    expect(() => l.insert(0.5, 'x')).toThrow(TypeError);
    expect(() => l.insert('0' as unknown as number, 'x')).toThrow(TypeError);
    expect(() => l.push(() => 1)).toThrow(/item is a function/);
    expect(() => l.push(undefined)).toThrow(TypeError);
    expect(() => l.push({ big: 1n })).toThrow(/item.big is a BigInt/);
  });
});
