/**
 * The examples of packages/sim/README.md, as code that a test runs (readme.test.ts runs each and
 * checks what it claims, and checks that the README quotes each region exactly as it is here).
 */
import { checkProperties, Recorder, runScenario, Simulator, type ScenarioResult, type Violation } from '@synchrony/sim';
import { expect } from 'vitest';

/** One seed, run twice. */
export async function seededRun(): Promise<[ScenarioResult, ScenarioResult]> {
  // #region seeded-run
  const result = await runScenario(42);   // processes, workload, latency, loss and faults, all drawn from seed 42
  result.violation;                       // undefined: every property held (else { property, detail })
  result.summary;                         // '… processes, … deliveries, … view events, … frames'
  const again = await runScenario(42);
  again.hash === result.hash;             // true: the same trace, event for event
  // #endregion seeded-run
  return [result, again];
}

/** Partitions five members 2|3, heals, crashes one; what it prints goes to `console.log`. */
export async function faults(): Promise<void> {
  // #region faults
  const sim = new Simulator({ seed: 1, latencyMs: [1, 20], dropRate: 0.02 }); // 2% of frames lost: the core's links resend them
  const groups = ['a', 'b', 'c', 'd', 'e'].map((name) => sim.spawn(name).group('g'));
  for (const group of groups) group.on('view', (view) => console.log(sim.now, group.me, view.primary, view.members));
  for (const group of groups) void group.join();
  await sim.run(3000);                    // one view of five
  sim.partition(['a', 'b'], ['c', 'd', 'e']); // process ids or processes: no frame crosses between the sides until heal()
  await sim.run(3000);                    // a and b show a non-primary view; c, d and e install a view of three
  sim.heal();
  await sim.run(5000);                    // a and b rejoin as new members (a#2, b#2), with state transfer
  sim.crash('e');                         // abrupt, as close({ abrupt: true }): the others notice by the failure timeout
  await sim.run(3000);                    // a view of four
  // #endregion faults
}

/** A recorded group of three, a crash, the checker over the trace. */
export async function ownScenario(): Promise<{ violation: Violation | undefined; recorder: Recorder }> {
  // #region check-properties
  const sim = new Simulator({ seed: 3 });
  const recorder = new Recorder(() => sim.now);                                     // events stamped in virtual ms
  const members = ['a', 'b', 'c'].map((name) => recorder.attach(sim.spawn(name), 'g')); // group 'g' with a recording application
  for (const member of members) void member.join();                                 // a recorded call and its outcome
  await sim.run(3000);
  for (const member of members) void member.send('total', false);                   // a recorded send: the payload carries its id
  await sim.run(500);
  recorder.push({ k: 'crash', at: sim.now, process: 'c' }); // c stops without a goodbye: its calls may stay pending
  sim.crash('c');
  for (const member of members.slice(0, 2)) void member.send('fifo', true);         // safe FIFO sends while the view changes
  await sim.run(3000);
  recorder.push({ k: 'fault', at: sim.now, what: 'live a,b' }); // for liveness: a and b must end in one view, their sends delivered
  const violation = checkProperties(recorder.trace, { final: true });
  // violation: undefined (every property held); else e.g. { property: '6 total order', detail: 'view 2: a#1 [...] vs b#1 [...]' }
  // #endregion check-properties
  return { violation, recorder };
}

/** The body of a regression test for a seed that failed. */
export async function regression(seed: number): Promise<void> {
  // #region regression
  const result = await runScenario(seed);   // the seed the CLI printed (with --reliable: runScenario(seed, { reliable: true }))
  expect(result.violation).toBeUndefined(); // fails until the bug is fixed; then keeps it fixed
  // #endregion regression
}
