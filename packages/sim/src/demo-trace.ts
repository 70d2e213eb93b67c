/**
 * What `npm run sim:trace` shows (and `npm start` did before the demos): a short simulated group doing its job.
 * Processes join, multicast in every order, one crashes, a partition cuts the group 3|2 and
 * heals, and the excluded members rejoin with state transfer: views and deliveries, as a trace.
 */
import { formatTrace } from './format-trace.js';
import { Recorder, type RecordedMember } from './recorder.js';
import { Simulator } from './simulator.js';
import { checkProperties } from './checker.js';

const sim = new Simulator({ seed: 2026, latencyMs: [2, 15], dropRate: 0.01 });
const recorder = new Recorder(() => sim.now);
const note = (what: string): void => recorder.push({ k: 'fault', at: sim.now, what });
const apps: RecordedMember[] = [];

for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) {
  const app = recorder.attach(sim.spawn(name), 'demo');
  apps.push(app);
  note(`${name} joins`);
  void app.group.join();
  await sim.run(400);
}
const traffic = async (ms: number): Promise<void> => {
  for (let t = 0; t < ms; t += 150) {
    for (const [i, app] of apps.entries()) {
      if (app.group.view?.primary && (t / 150 + i) % 3 === 0) void app.send((['fifo', 'causal', 'total'] as const)[i % 3]!, i === 0);
    }
    await sim.run(150);
  }
};
await traffic(900);
note('f crashes');
sim.crash('f');
await traffic(2400);
note('partition a,b,c | d,e');
sim.partition(['a', 'b', 'c'], ['d', 'e']);
await traffic(2500);
note('heal');
sim.heal();
await traffic(3000);
await sim.run(1500);

console.log('Synchrony: a simulated group of six processes (virtual time)\n');
console.log(formatTrace(recorder.trace));
const violation = checkProperties(recorder.trace);
console.log(violation ? `\nVIOLATION of ${violation.property}: ${violation.detail}` : '\nThe property checker found every property held.');
console.log('Run `npm run sim -- --seeds 100` for random scenarios, `npm test` for everything.');
