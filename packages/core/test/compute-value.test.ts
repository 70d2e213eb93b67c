/**
 * The coordinator's computation of the next view and its cut (membership/compute-value.ts), on
 * hand-made flush reports: who provides the state, and when no view can be formed at all.
 */
import { describe, expect, it } from 'vitest';
import { computeValue } from '../src/membership/compute-value.js';
import type { FlushOkMsg } from '../src/wire/messages.js';

const members = ['a#1', 'b#1', 'c#1', 'd#1'];

/** A flush report of `from` that holds nothing; `stateless`: it is a joiner still waiting for its state. */
function report(from: string, stateless = false): FlushOkMsg {
  const r: FlushOkMsg = { t: 'F', g: 'g', v: 4, f: from, b: [1, 0], h: [0, 0, 0, 0], hc: [0, 0, 0, 0], ob: 0, ol: [], pu: [0, 0, 0, 0], ms: [] };
  if (stateless) r.nl = 1;
  return r;
}

const input = (reports: FlushOkMsg[], leavers: string[] = [], joiners: string[] = []) => ({
  viewId: 4, members, reports: new Map(reports.map((r) => [r.f, r])), ownMessages: [], joiners, leavers: new Set(leavers),
});

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
});
