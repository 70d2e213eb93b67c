// A replicated Counter on the simulator: the real engine, on virtual time, over a seeded network.
// Three members vote; a partition cuts c off, the majority goes on without it, and after the heal
// c rejoins as a new member and gets the count by state transfer. Run: node examples/simulator.js [seed]
import { Counter } from 'synchrony';
import { Simulator } from 'synchrony/sim';

const sim = new Simulator({ seed: Number(process.argv[2] ?? 7), latencyMs: [1, 20], dropRate: 0.01 });
const log = (who, what) => console.log(`${String(sim.now).padStart(6)} ms  ${who}  ${what}`);
const members = {};
for (const name of ['a', 'b', 'c']) {
  const group = sim.spawn(name).group('poll');
  const yes = await Counter.open(group, 'yes');
  group.on('view', (view) => log(name, `view ${view.id}${view.primary ? '' : ' (cut off)'} [${view.members.join(' ')}], yes = ${yes.value}`));
  group.join().catch((error) => log(name, `join failed: ${error.name}`));
  members[name] = { group, yes };
}
const vote = (name) => members[name].yes.add(1).then(
  () => log(name, `voted, yes = ${members[name].yes.value}`),
  (error) => log(name, `vote refused: ${error.name}`),
);

await sim.run(1500); // the promises above settle as virtual time passes
['a', 'b', 'c'].forEach(vote);
await sim.run(500);
log('*', 'partition a b | c');
sim.partition(['a', 'b'], ['c']);
await sim.run(3000);
['a', 'b', 'c'].forEach(vote);
await sim.run(500);
log('*', 'heal');
sim.heal();
await sim.run(3000);
log('*', `yes = ${['a', 'b', 'c'].map((name) => `${members[name].yes.value} at ${members[name].group.me}`).join(', ')}`);
