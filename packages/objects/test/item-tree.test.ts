/**
 * The ItemTree behind ReplicatedList: against a plain array under random inserts and removes
 * (fast-check), with its invariants checked after every step; built at once from a checkpoint;
 * and O(log n) in practice: its height for 100,000 items.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ItemTree, MAX_ENTRIES } from '../src/item-tree.js';

type Step = { insert: number; item: number } | { remove: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ insert: fc.nat(), item: fc.integer() }) },
  { weight: 2, arbitrary: fc.record({ remove: fc.nat() }) },
);

describe('ItemTree', () => {
  it('is the same sequence as an array under any inserts and removes, invariants kept', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 500 }), fc.array(step, { maxLength: 600 }), (start, steps) => {
        const tree = ItemTree.from(start);
        const model = [...start];
        expect(tree.check()).toBeUndefined();
        for (const s of steps) {
          if ('insert' in s) {
            const at = s.insert % (model.length + 1);
            tree.insert(at, s.item);
            model.splice(at, 0, s.item);
          } else if (model.length > 0) {
            const at = s.remove % model.length;
            expect(tree.remove(at)).toBe(model.splice(at, 1)[0]);
          }
          const wrong = tree.check();
          if (wrong !== undefined) throw new Error(wrong);
        }
        expect(tree.length).toBe(model.length);
        expect(tree.toArray()).toEqual(model);
        for (let i = 0; i < model.length; i += 7) expect(tree.get(i)).toBe(model[i]);
        expect(tree.get(model.length)).toBeUndefined();
        expect(tree.get(-1)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('grows and shrinks through every height: 100,000 pushes, then removals from the front', () => {
    const tree = new ItemTree<number>();
    for (let i = 0; i < 100_000; i++) tree.insert(i, i);
    expect(tree.check()).toBeUndefined();
    expect(tree.height).toBeLessThanOrEqual(Math.ceil(Math.log(100_000) / Math.log(MAX_ENTRIES / 2)) + 1);
    expect(tree.get(54_321)).toBe(54_321);
    for (let i = 0; i < 99_990; i++) tree.remove(0);
    expect(tree.check()).toBeUndefined();
    expect(tree.toArray()).toEqual([99_990, 99_991, 99_992, 99_993, 99_994, 99_995, 99_996, 99_997, 99_998, 99_999]);
    expect(tree.height).toBe(1);
  });

  it('refuses an index out of range', () => {
    const tree = ItemTree.from([1, 2, 3]);
    expect(() => tree.insert(4, 0)).toThrow(RangeError);
    expect(() => tree.remove(3)).toThrow(RangeError);
    expect(ItemTree.from(Array.from({ length: 100_000 }, (_, i) => i)).check()).toBeUndefined();
  });
});
