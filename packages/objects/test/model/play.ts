/**
 * One run of the model-based test: a scenario (simulator seed, members, loss, steps) played on a
 * fresh simulator, then the liveness phase (heal, no loss, until one final view), then the
 * judgements of check.ts. The verdict separates what the objects got wrong from what the core did
 * (a group that never settles into one view, an error the core reported): the objects cannot
 * cause either, and the core has its own checker, so core trouble is reported, not failed on.
 */
import { Simulator } from '@synchrony/sim';
import { agreedOrders, checkPresence, checkPromises, checkReplicas } from './check.js';
import { World, type WorldStep } from './world.js';

export interface Scenario {
  seed: number;
  members: number;
  dropRate: number;
  steps: WorldStep[];
}

export interface Verdict {
  /** What the objects got wrong, with the run's log. */
  objects?: string;
  /** What the core got wrong (it is not the objects' test to fail on it). */
  core?: string;
  world: World;
}

/** An error that the objects themselves reported or threw (as the core wraps a channel handler's exception). */
const fromObjects = (message: string): boolean => /change listeners failed|malformed operation|^channel \S+ failed/.test(message);

/** Waits up to `maxMs` of virtual time, in steps of `stepMs`, until `done`. */
async function until(world: World, done: () => boolean, maxMs: number, stepMs: number): Promise<boolean> {
  for (let waited = 0; waited < maxMs && !done(); waited += stepMs) await world.advance(stepMs);
  return done();
}

export async function play(scenario: Scenario): Promise<Verdict> {
  const sim = new Simulator({ seed: scenario.seed, latencyMs: [1, 15], dropRate: scenario.dropRate, config: { failureTimeoutMs: 400 } });
  const world = new World(sim);
  for (let i = 0; i < scenario.members; i++) {
    world.spawn(true);
    await world.advance(300);
  }
  for (const step of scenario.steps) await world.step(step);
  await world.step({ t: 'heal' });
  sim.setDropRate(0);
  const log = (): string => world.log.join('\n');
  // Settle: one final view, every object open, the lock drained, the replicas quiet; and still one
  // final view after all that (a member excluded meanwhile, by a false suspicion, starts it over).
  let settled = false;
  for (let attempt = 0; attempt < 3 && !settled; attempt++) {
    if (!(await until(world, () => world.settled(), 20_000, 50))) break;
    await world.step({ t: 'open' });
    await world.drainLock();
    // Retransmissions back off (a frame lost to a short partition may take a second or more): wait
    // until the replicas agree and every update settled, or 10 s, whichever comes first.
    await until(world, () => world.quiet(), 10_000, 100);
    await world.advance(100);
    settled = world.settled();
  }
  if (!settled) {
    const views = world.alive().map((n) => `${n.group.me}: ${JSON.stringify(n.group.view)}`).join('\n');
    const objects = world.violation === undefined ? undefined : `${world.violation}\n${log()}`;
    return { objects, core: `no single final view that lasts:\n${views}\n${log()}`, world };
  }
  const errors = world.nodes.flatMap((n) => n.errors.map((e) => `${n.name}: ${e.message}`));
  const coreErrors = errors.filter((e) => !fromObjects(e.slice(e.indexOf(': ') + 2)));
  const orders = agreedOrders(world, world.alive()[0]!.group.view!);
  if (typeof orders === 'string') {
    const objects = world.violation === undefined ? undefined : `${world.violation}\n${log()}`;
    return { objects, core: `members delivered differently: ${orders}\n${log()}`, world };
  }
  const wrong = world.violation ?? checkReplicas(world, orders) ?? checkPromises(world) ??
    checkPresence(world) ?? errors.find((e) => fromObjects(e.slice(e.indexOf(': ') + 2)));
  return {
    objects: wrong === undefined ? undefined : `${wrong}\n${log()}`,
    core: coreErrors.length === 0 ? undefined : `core errors: ${coreErrors.join('; ')}`,
    world,
  };
}
