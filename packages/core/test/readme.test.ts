/**
 * Documentation that runs: the README's examples are regions of test/readme-examples.ts; this test
 * runs each on the simulator, and checks that the README quotes every region exactly.
 */
import { readFileSync } from 'node:fs';
import { GroupClosedError } from '@synchrony/core';
import { describe, expect, it } from 'vitest';
import { regionQuote } from '../../../examples/test/readme-quotes.js';
import { totalOrder, typedErrors } from './readme-examples.js';

const here = new URL('.', import.meta.url);
const source = readFileSync(new URL('./readme-examples.ts', here), 'utf8');
const readme = readFileSync(new URL('../README.md', here), 'utf8');

describe('README examples', () => {
  it('quotes every region of test/readme-examples.ts exactly', () => {
    for (const name of ['total-order', 'errors']) expect(readme).toContain(regionQuote(source, name));
  });

  it('runs them: one total order at three members, a TypeError at the call, a GroupClosedError after leave', async () => {
    const { seen, groups, sim } = await totalOrder();
    const view = groups[0]!.view!;
    expect(view.members).toEqual(['a#1', 'b#1', 'c#1']);
    for (const group of groups) expect(group.view).toEqual(view);
    expect(seen[0]).toHaveLength(3);
    expect(seen[0]).toEqual(expect.arrayContaining([{ from: 'a#1' }, { from: 'b#1' }, { from: 'c#1' }]));
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);

    const [refused, late] = await typedErrors(groups[2]!, sim);
    expect(refused).toBeInstanceOf(TypeError);
    expect((refused as Error).message).toMatch(/^data\.onClick is function onClick, which msgpack cannot carry: /);
    expect(late).toBeInstanceOf(GroupClosedError);
    expect((late as Error).name).toBe('GroupClosedError');
    await sim.run(1000);
    expect(groups[0]!.view?.members).toEqual(['a#1', 'b#1']);
    expect(seen[0]).toHaveLength(3); // neither refused send was delivered
    expect(seen[1]).toHaveLength(3);
  });
});
