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
  // Found by the wider fault model of issue 8 (leaves and closes anywhere, failing providers, requests):
  [70, 'a member excluded after a view it survived waited for ever for the fate of its sends (flush hung)'],
  [105, 'a send rejected by an abrupt close was delivered elsewhere: the checker now treats it as a crash'],
  [33, 'a rejoining member delivered messages before its checkpoint was loaded (a fate settled mid-transfer)'],
  [200, 'a joiner whose providers all failed asked for view changes again and again'],
  [34, 'a process that closed while joining was taken into a view decided before, unawares'],
  [866, 'two groups of one name were founded when the first founder crashed with its view undelivered'],
  [1577, 'a joiner taken into a view it never heard of, then excluded, was admitted again under the same id'],
  [1705, 'a coordinator that left with its decision undelivered was waited on for ever by the survivors'],
  [95, 'a member blocked by a suspicion it would never withdraw (given up on) never asked for a change'],
  [1856, 'the last members of a group whose state was lost could not leave, and joiners could not found a new one'],
  [2682, 'joiners whose only provider crashed with the checkpoint undelivered waited for the state for ever'],
  [2658, 'the same, a joiner of a later round'],
  [4461, 'the same, the group founded by the one that crashed'],
  [13982, 'a leave that timed out in a partition rejected a safe send that the primary side delivered in its cut'],
  // Found by 20,000 seeds on an attempt to hold a secret group's outbound traffic for the peer's proof (taken back, SECURITY.md):
  [1032, 'a group with a secret never formed again after a heal: members held what they sent for proofs that never came'],
  // Found by 3,000 seeds on the change that stopped a coordinator's second INSTALL (c7a11bb), which moved this schedule:
  [90591, 'joiners provided by a leaver (no survivor had the state) dropped its checkpoint as from a non-member, and waited for ever'],
  // Found by the turnover fault (several members or all leave at once as newcomers join), on its first 2,000 seeds:
  [813, 'a coordinator whose checkpoint arrived after it had reported "no state" in its round never reported again: the round never decided'],
  [1024, 'the same, with a newcomer of a larger turnover'],
];

describe('seeds that found bugs', () => {
  for (const [seed, what] of FOUND) {
    it(`seed ${seed}: ${what}`, async () => {
      const result = await runScenario(seed);
      expect(result.violation).toBeUndefined();
    });
  }
  // With partitions during a turnover (ScenarioOptions.turnoverPartitions):
  it('seed 5585: a leave cut off with a majority of its view never settled, waiting for the fate of a request whose view dissolved', async () => {
    const result = await runScenario(5585, { turnoverPartitions: true });
    expect(result.violation).toBeUndefined();
  });
});
