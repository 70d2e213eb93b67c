/**
 * ReplicatedMap on the simulator: updates applied everywhere in one order, the sender included,
 * change events, bad arguments refused at the call, and the map in a joiner's checkpoint.
 */
import { describe, expect, it } from 'vitest';
import { ReplicatedMap, type MapChange } from '../src/index.js';
import { outcome, startGroup } from './fixture.js';

describe('ReplicatedMap', () => {
  it('applies sets and deletes at every member in one order, and resolves when applied locally', async () => {
    const f = await startGroup(['a', 'b', 'c']);
    const [ma, mb, mc] = await Promise.all(['a', 'b', 'c'].map((n) => ReplicatedMap.open<number>(f.member(n).group, 'm')));
    const seen: Array<MapChange<number> | { type: 'reset' }> = [];
    mb!.on('change', (c) => seen.push(c));
    const set = outcome(ma!.set('x', 1));
    void mb!.set('x', 2);
    void mc!.set('y', 3);
    await f.sim.run(200);
    expect(set.state).toBe('resolved');
    for (const m of [ma!, mb!, mc!]) expect([...m.entries()]).toEqual([...ma!.entries()]);
    expect(ma!.size).toBe(2);
    expect(seen.filter((c) => c.type === 'set').map((c) => (c as MapChange<number>).key).sort()).toEqual(['x', 'x', 'y']);
    const deleted = outcome(mc!.delete('x'));
    await f.sim.run(200);
    expect(deleted.state).toBe('resolved');
    expect(ma!.has('x')).toBe(false);
    expect(seen.at(-1)).toMatchObject({ type: 'delete', key: 'x', sender: f.member('c').group.me });
    expect(f.errors()).toEqual([]);
  });
});
