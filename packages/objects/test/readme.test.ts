/**
 * Documentation that runs: the README's examples are regions of test/readme-examples.ts; this test
 * runs each on the simulator, and checks that the README quotes every region exactly.
 */
import { readFileSync } from 'node:fs';
import type { Group } from '@synchrony/core';
import { describe, expect, it } from 'vitest';
import { regionQuote } from '../../../examples/test/readme-quotes.js';
import { cursors, customTally, listAndCounter, lockTurn, quickStart } from './readme-examples.js';
import { startGroup } from './fixture.js';

const here = new URL('.', import.meta.url);
const source = readFileSync(new URL('./readme-examples.ts', here), 'utf8');
const readme = readFileSync(new URL('../README.md', here), 'utf8');

/** Runs an example on the simulator until it settles. */
async function run<T>(example: (group: Group) => Promise<T>): Promise<T> {
  const f = await startGroup(['a', 'b']);
  let result: { value: T } | undefined;
  let failure: unknown;
  example(f.member('a').group).then((value) => { result = { value }; }, (error: unknown) => { failure = error; });
  await f.until(() => result !== undefined || failure !== undefined);
  if (failure !== undefined) throw failure;
  return result!.value;
}

describe('README examples', () => {
  it('quotes every region of test/readme-examples.ts exactly', () => {
    for (const name of ['quick-start', 'list-and-counter', 'lock', 'presence', 'define-object']) {
      expect(readme).toContain(regionQuote(source, name));
    }
  });

  it('runs them', async () => {
    const log = console.log;
    console.log = () => {};
    try {
      expect(await run(quickStart)).toEqual({ x: 1, y: 2 });
    } finally {
      console.log = log;
    }
    expect(await run(listAndCounter)).toEqual([1, 1]);
    let played = false;
    await run((g) => lockTurn(g, async () => { played = true; }));
    expect(played).toBe(true);
    expect(await run((g) => cursors(g, [[1, 1], [2, 2], [3, 3]]))).toEqual(new Map());
    expect(await run(customTally)).toEqual({ yes: 1 });
  });
});
