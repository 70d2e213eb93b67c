/**
 * Seeded random scenarios with the property checker on every run, in batches of 50 seeds.
 * The runs are split over two test files so that Vitest spreads them over both cores.
 * A failing seed replays exactly with `npm run sim -- --seed S`.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/scenario.js';

export function describeSeeds(from: number, count: number): void {
  describe(`seeded runs ${from}-${from + count - 1}`, () => {
    for (let first = from; first < from + count; first += 50) {
      it(`seeds ${first}-${first + 49} keep every property`, async () => {
        const failures: string[] = [];
        for (let seed = first; seed < first + 50; seed++) {
          const result = await runScenario(seed);
          if (result.violation) failures.push(`seed ${seed}: ${result.violation.property}: ${result.violation.detail}`);
        }
        expect(failures).toEqual([]);
      }, 120_000);
    }
  });
}
