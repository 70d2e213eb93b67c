/**
 * The examples of packages/core/README.md, as code that a test runs (readme.test.ts runs each on
 * the simulator, the core's deterministic driver, and checks that the README quotes each region
 * exactly as it is here).
 */
import type { Group } from '@synchrony/core';
import { Simulator } from '@synchrony/sim';

/** Three members send one total-order message each; returns what each member delivered, in order, and the simulator. */
export async function totalOrder(): Promise<{ seen: unknown[][]; groups: Group[]; sim: Simulator }> {
  // #region total-order
  const sim = new Simulator({ seed: 7 });                 // virtual time, a seeded network
  const groups = ['a', 'b', 'c'].map((name) => sim.spawn(name).group('chat')); // createProcess on the simulator's transport and clock
  const seen = groups.map(() => [] as unknown[]);
  groups.forEach((group, i) => group.on('message', (message) => seen[i]!.push(message.data)));
  const joined = Promise.all(groups.map((group) => group.join()));
  await sim.run(3000);                                    // promises settle while virtual time runs
  await joined;                                           // one view: a#1, b#1, c#1
  const sent = Promise.all(groups.map((group) => group.send({ from: group.me }, { order: 'total' })));
  await sim.run(1000);
  await sent;
  // seen[0], seen[1] and seen[2] hold the same three messages in the same order
  // #endregion total-order
  return { seen, groups, sim };
}

/** A refused send, then a send after leave(); returns both errors. */
export async function typedErrors(group: Group, sim: Simulator): Promise<[unknown, unknown]> {
  // #region errors
  const refused = await group.send({ onClick: () => {} }).catch((error: Error) => error);
  // refused: a TypeError, at the call, nothing sent: 'data.onClick is function onClick, which msgpack cannot carry: …'
  const left = group.leave();
  await sim.run(1000);
  await left;
  const late = await group.send('too late').catch((error: Error) => error);
  // late: a GroupClosedError (late.name === 'GroupClosedError'), delivered nowhere
  // #endregion errors
  return [refused, late];
}
