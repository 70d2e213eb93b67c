/**
 * The coordinator's computation of the next view and its cut (membership/compute-value.ts), on
 * hand-made flush reports: who provides the state, and when no view can be formed at all.
 */
import { describe, expect, it } from 'vitest';
import { computeValue } from '../src/membership/compute-value.js';
import type { DataMsg, FlushOkMsg } from '../src/wire/messages.js';

const members = ['a#1', 'b#1', 'c#1', 'd#1'];

/** A flush report of `from` that holds nothing; `stateless`: it is a joiner still waiting for its state. */
function report(from: string, stateless = false, extra: Partial<FlushOkMsg> = {}): FlushOkMsg {
  const r: FlushOkMsg = {
    t: 'F', g: 'g', v: 4, f: from, b: [1, 0], h: [0, 0, 0, 0], hc: [0, 0, 0, 0], ob: 0, ol: [], pu: [0, 0, 0, 0], ms: [], jn: ['e#1'], ...extra,
  };
  if (stateless) r.nl = 1;
  return r;
}

const input = (reports: FlushOkMsg[], leavers: string[] = [], joiners: string[] = [], ownMessages: DataMsg[] = []) => ({
  viewId: 4, members, reports: new Map(reports.map((r) => [r.f, r])), ownMessages, joiners, leavers: new Set(leavers), gid: 'a#1', born: 0,
});

/** A total-order message of `from` (rank in `members`) with seq `n`. */
const total = (from: string, n: number): DataMsg => ({ t: 'd', g: 'g', v: 4, f: from, n, o: 2, cc: 0, p: `${from}/${n}` });

describe('computeValue', () => {
  it('makes the most senior survivor that has the state its provider', () => {
    const value = computeValue(input([report('a#1', true), report('b#1'), report('c#1')], [], ['e#1']));
    expect(value).toMatchObject({ id: 5, members: ['a#1', 'b#1', 'c#1', 'e#1'], left: ['d#1'], provider: 'b#1', needState: ['a#1', 'e#1'] });
  });

  it('lets a leaving member provide the state when no survivor has it', () => {
    const value = computeValue(input([report('a#1'), report('b#1', true), report('c#1', true)], ['a#1']));
    expect(value).toMatchObject({ members: ['b#1', 'c#1'], provider: 'a#1', needState: ['b#1', 'c#1'] });
  });

  it('forms no view when nobody who answered has the state: it would be lost for good', () => {
    expect(computeValue(input([report('b#1', true), report('c#1', true), report('d#1', true)]))).toBeUndefined();
  });

  it('takes in a joiner only once every respondent hears it', () => {
    const value = computeValue(input([report('a#1'), report('b#1', false, { jn: [] }), report('c#1')], [], ['e#1']));
    expect(value?.joined).toEqual([]);
  });

  it('passes over a provider whose checkpoint failed a joiner, and names none when all failed', () => {
    const failedA = computeValue(input([report('a#1'), report('b#1'), report('e#1', true, { np: ['a#1'] })], [], []));
    expect(failedA?.provider).toBe('b#1');
    const failedAll = computeValue(input([report('a#1'), report('b#1'), report('e#1', true, { np: ['a#1', 'b#1'] })], [], []));
    expect(failedAll?.provider).toBe('');
  });

  it('positions again the total-order messages after one that no survivor holds, instead of dropping them (issue 8)', () => {
    // The sequencer positioned b:1 (held only by itself, now gone), then c:1 and d:1; survivors hold c:1 and d:1.
    const ol = [1, 1, 2, 1, 3, 1];
    const held = { h: [0, 0, 1, 1], pu: [0, 1, 1, 1], ol, ms: [total('c#1', 1), total('d#1', 1)] };
    const value = computeValue(input([report('c#1', false, held), report('d#1', false, held), report('a#1', false, { ...held, h: [0, 0, 1, 1] })]));
    expect(value?.cut).toEqual([0, 0, 1, 1]);
    expect(value?.order).toEqual([2, 1, 3, 1]);
  });
});
