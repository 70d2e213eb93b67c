/** The checker's liveness property (10) on hand-made traces: what it must catch, and what it must pass. */
import { describe, expect, it } from 'vitest';
import type { View } from '@synchrony/core';
import { checkProperties } from '../src/checker.js';
import type { Trace } from '../src/recorder.js';

const view: View = { id: 1, members: ['a#1', 'b#1'], primary: true, joined: ['a#1', 'b#1'], left: [] };
const base: Trace = [
  { k: 'view', at: 1, process: 'a', member: 'a#1', view, gid: 'g' },
  { k: 'view', at: 1, process: 'b', member: 'b#1', view, gid: 'g' },
  { k: 'send', at: 2, process: 'a', member: 'a#1', id: 'a#1/1', order: 'total', safe: false, deliveredBefore: 0 },
];
const live: Trace = [{ k: 'fault', at: 9, what: 'live a,b' }];
const deliveredAt = (process: string, member: string): Trace => [
  { k: 'deliver', at: 3, process, member, id: 'a#1/1', sender: 'a#1', viewId: 1, order: 'total', safe: false },
];
const sent: Trace = [{ k: 'sent', at: 4, process: 'a', member: 'a#1', id: 'a#1/1', ok: true }];

describe('checker: liveness', () => {
  it('passes a send that settled and was delivered at its sender and everywhere', () => {
    expect(checkProperties([...base, ...deliveredAt('a', 'a#1'), ...deliveredAt('b', 'b#1'), ...sent, ...live], { final: true })).toBeUndefined();
  });

  it('catches a send of a final member that never settled', () => {
    expect(checkProperties([...base, ...live], { final: true })?.property).toBe('11 every call settles');
    expect(checkProperties([...base, ...live, { k: 'crash', at: 5, process: 'b' }], { final: true })?.property).toBe('11 every call settles');
  });

  it('catches a send that resolved but its sender never delivered', () => {
    expect(checkProperties([...base, ...deliveredAt('b', 'b#1'), ...sent, ...live], { final: true })).toMatchObject({
      property: '10 liveness', detail: 'a#1 never delivered its own a#1/1',
    });
  });
});
