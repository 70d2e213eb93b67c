/**
 * examples/simulator.js, run as a user runs it: a replicated Counter through a partition and its
 * heal, on virtual time. Its story must hold (c is cut off and refused, rejoins as a new member,
 * and ends with the majority's count), and one seed must print one run, byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { runExample } from './run-example.js';

describe('examples/simulator.js', () => {
  it('tells the partition story, and the same seed prints the same run', async () => {
    const [first, second, other] = await Promise.all([
      runExample('examples/simulator.js', ['7']),
      runExample('examples/simulator.js', ['7']),
      runExample('examples/simulator.js', ['8']),
    ]);
    expect(second).toBe(first);

    for (const output of [first, other]) {
      expect(output).toMatch(/ {2}c {2}view \d+ \[(?=.*a#1)(?=.*b#1)(?=.*c#1).*\], yes = 0\n/); // all three together
      expect(output).toMatch(/ {2}c {2}view \d+ \(cut off\) \[c#1\]/);
      expect(output).toMatch(/ {2}c {2}vote refused: NotPrimaryError\n/);
      const final = /yes = (\d+) at a#1, (\d+) at b#1, (\d+) at (c#\d+)\n$/.exec(output);
      expect(final, output).not.toBeNull();
      const [, a, b, c, cMember] = final!;
      expect([a, b, c]).toEqual(['5', '5', '5']); // three votes, then two by the majority; c's was refused
      expect(cMember).not.toBe('c#1'); // c rejoined as a new member, and got the count by state transfer
    }
  });
});
