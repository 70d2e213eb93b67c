/**
 * Seeded random scenarios with the property checker on every run (seeds 1-250).
 * A failing seed replays exactly with `npm run sim -- --seed S`.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/scenario.js';

describe('seeded runs 1-250', () => {
  for (let batch = 0; batch < 5; batch++) {
    const first = 1 + batch * 50;
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
