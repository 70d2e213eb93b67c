/**
 * Documentation that runs: the README's examples are regions of test/readme-examples.ts; this test
 * runs each and checks what the README says of it, and checks that the README quotes every region
 * exactly.
 */
import { readFileSync } from 'node:fs';
import { checkProperties } from '@synchrony/sim';
import { describe, expect, it, vi } from 'vitest';
import { regionQuote } from '../../../examples/test/readme-quotes.js';
import { faults, ownScenario, regression, seededRun } from './readme-examples.js';

const here = new URL('.', import.meta.url);
const source = readFileSync(new URL('./readme-examples.ts', here), 'utf8');
const readme = readFileSync(new URL('../README.md', here), 'utf8');

/** One line the faults example prints: `console.log(sim.now, group.me, view.primary, view.members)`. */
type ViewLine = [at: number, me: string, primary: boolean, members: readonly string[]];

describe('README examples', () => {
  it('quotes every region of test/readme-examples.ts exactly', () => {
    for (const name of ['seeded-run', 'faults', 'check-properties', 'regression']) expect(readme).toContain(regionQuote(source, name));
  });

  it('seeded-run: seed 42 keeps every property, and gives the same trace twice', async () => {
    const [result, again] = await seededRun();
    expect(result.violation).toBeUndefined();
    expect(result.summary).toMatch(/^\d+ processes, \d+ deliveries, \d+ view events, \d+ frames$/);
    expect(again.hash).toBe(result.hash);
    expect(JSON.stringify(again.trace)).toBe(JSON.stringify(result.trace));
  });

  it('faults: a 2|3 partition, its heal and a crash, as the comments say', async () => {
    const lines: ViewLine[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { lines.push(args as ViewLine); });
    try {
      await faults();
    } finally {
      log.mockRestore();
    }
    /** The last view each process showed by `at` (virtual ms), as `primary [members, sorted]`. */
    const at = (ms: number): Record<string, string> => {
      const out: Record<string, string> = {};
      for (const [when, me, primary, members] of lines) if (when <= ms) out[me.slice(0, me.indexOf('#'))] = `${primary} [${[...members].sort().join(' ')}]`;
      return out;
    };
    const five = 'true [a#1 b#1 c#1 d#1 e#1]';
    expect(at(3000)).toEqual({ a: five, b: five, c: five, d: five, e: five });
    const three = 'true [c#1 d#1 e#1]';
    expect(at(6000)).toEqual({ a: 'false [a#1 b#1]', b: 'false [a#1 b#1]', c: three, d: three, e: three });
    const healed = 'true [a#2 b#2 c#1 d#1 e#1]';
    expect(at(11_000)).toEqual({ a: healed, b: healed, c: healed, d: healed, e: healed });
    const four = 'true [a#2 b#2 c#1 d#1]';
    expect(at(14_000)).toEqual({ a: four, b: four, c: four, d: four, e: healed });
  });

  it('check-properties: a recorded group of three, a crash, no violation with final: true', async () => {
    const { violation, recorder } = await ownScenario();
    expect(violation).toBeUndefined();
    const lastView = (process: string) => recorder.trace.filter((e) => e.k === 'view' && e.process === process).at(-1);
    for (const name of ['a', 'b']) expect(lastView(name)).toMatchObject({ view: { primary: true, members: ['a#1', 'b#1'] } });
    const delivered = (process: string) => recorder.trace.filter((e) => e.k === 'deliver' && e.process === process).map((e) => (e as { id: string }).id);
    expect(delivered('a')).toHaveLength(5); // three total-order messages, then a's and b's safe FIFO ones
    expect(delivered('b')).toEqual(delivered('a'));
    // The checker does see what the comment's example names: the same trace, with two total-order deliveries swapped at b.
    const swapped = [...recorder.trace];
    const bDeliveries = swapped.flatMap((e, i) => (e.k === 'deliver' && e.process === 'b' && e.order === 'total' ? [i] : []));
    const [i, j] = [bDeliveries[0]!, bDeliveries[1]!];
    [swapped[i], swapped[j]] = [{ ...swapped[j]!, at: swapped[i]!.at }, { ...swapped[i]!, at: swapped[j]!.at }];
    expect(checkProperties(swapped, { final: true })?.property).toBe('6 total order');
  });

  it('regression: the body of a regression test passes for a seed that holds', async () => {
    await regression(1);
  });
});
