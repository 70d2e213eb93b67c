/**
 * Seeds that once broke a property, replayed on every run. A seed's trace changes whenever the
 * engine does, so these guard the neighbourhood of each bug rather than its exact schedule; the
 * named scenarios (scenarios.test.ts, ordering-scenarios.test.ts) pin the situations themselves.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/scenario.js';

const FOUND: Array<[seed: number, what: string]> = [
  [163, 'a three-way partition during a view change left every side blocked (the recorder misdated a checkpoint)'],
  [577, 'a member whose state arrived after it answered a flush waited for a second transfer and skipped a view'],
  [636, 'a joiner blocked before its state arrived showed its first view after a non-primary one'],
  [134, 'a member excluded without noticing (it could still hear everyone) stayed in its old view for good'],
  [376, 'a member that had promised a view change still reported what it held, so a safe message the cut left out was delivered'],
  [864, 'a JOIN of an excluded member crossed a partition and made it a ghost member; two coordinators outbid each other forever'],
  [4699, 'a member that missed the INSTALL of its view was told it by a member of that view, not of its own, and ignored it'],
  [5670, 'a view was formed of joiners that had no state yet (the members that had it were cut off): the state was lost'],
  [3611, 'a member frozen in a round whose coordinator had long installed the view without it waited for ever, silent'],
];

describe('seeds that found bugs', () => {
  for (const [seed, what] of FOUND) {
    it(`seed ${seed}: ${what}`, async () => {
      const result = await runScenario(seed);
      expect(result.violation).toBeUndefined();
    });
  }
});
