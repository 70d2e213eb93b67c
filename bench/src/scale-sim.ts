/**
 * npm run bench:scale [-- --groups 1,100,1000,10000 --members 8,16,32,64,128]
 *
 * Scale on the simulator (issue "Scale"), as counts rather than times (the simulator's network is
 * virtual; the CPU figure is this process's, for the 4 simulated processes together):
 * - many groups over one link per pair: 4 processes share N groups; once joined, 10 virtual seconds
 *   idle: frames and bytes per second on the wire, and CPU ms per virtual second;
 * - bigger groups: one group of N members; the messages each member sends in one virtual second
 *   idle, with one total-order multicast, and with one view change (a member leaves).
 */
import { parseArgs } from 'node:util';
import { Simulator } from '@synchrony/sim';

const { values } = parseArgs({
  options: {
    groups: { type: 'string', default: '1,100,1000,10000' },
    members: { type: 'string', default: '8,16,32,64,128' },
  },
});
const list = (text: string): number[] => text.split(',').map(Number).filter((n) => Number.isSafeInteger(n) && n > 0 && n <= 20_000);

async function manyGroups(n: number): Promise<string> {
  const sim = new Simulator({ seed: 1, latencyMs: [1, 5] });
  const processes = ['a', 'b', 'c', 'd'].map((name) => sim.spawn(name));
  const groups = [];
  for (let g = 0; g < n; g++) for (const p of processes) groups.push(p.group(`g${g}`));
  const started = performance.now();
  let joined = 0;
  for (const group of groups) void group.join().then(() => { joined += 1; });
  while (joined < groups.length && sim.now < 120_000) await sim.run(100);
  const joinVirtualMs = sim.now;
  const joinRealMs = performance.now() - started;
  await sim.run(3000);
  const [frames, bytes, cpu] = [sim.network.framesSent, sim.network.bytesSent, process.cpuUsage()];
  await sim.run(10_000);
  const used = process.cpuUsage(cpu);
  const idleFrames = (sim.network.framesSent - frames) / 10;
  const idleBytes = (sim.network.bytesSent - bytes) / 10;
  const leaveStarted = performance.now();
  await Promise.all([...processes.map((p) => p.close()), sim.run(5000)]);
  const leaveRealMs = performance.now() - leaveStarted;
  return `| ${n} | ${joined === groups.length ? 'yes' : `${joined} of ${groups.length}`} | ${joinVirtualMs} | ${Math.round(joinRealMs)} | ` +
    `${idleFrames.toFixed(0)} | ${idleBytes.toFixed(0)} | ` +
    `${((used.user + used.system) / 1000 / 10).toFixed(1)} | ${Math.round(leaveRealMs)} |`;
}

async function bigGroup(n: number): Promise<string> {
  const sim = new Simulator({ seed: 1, latencyMs: [1, 5] });
  const groups = Array.from({ length: n }, (_, i) => sim.spawn(`m${i}`).group('big'));
  const started = performance.now();
  for (const group of groups) void group.join();
  while (!groups.every((g) => g.view?.members.length === n) && sim.now < 120_000) await sim.run(100);
  const formedVirtualMs = sim.now;
  const formedRealMs = performance.now() - started;
  await sim.run(2000);
  sim.network.countMessages = true;
  const window = async (action: () => void): Promise<{ mean: number; max: number }> => {
    sim.network.messagesSent.clear();
    action();
    await sim.run(1000);
    const counts = [...sim.network.messagesSent.values()];
    return { mean: counts.reduce((a, b) => a + b, 0) / n, max: Math.max(...counts) };
  };
  const idle = await window(() => {});
  const multicast = await window(() => void groups[1]!.send('x'));
  const change = await window(() => void groups[n - 1]!.leave());
  return `| ${n} | ${formedVirtualMs} | ${Math.round(formedRealMs)} | ${idle.mean.toFixed(0)} | ` +
    `${(multicast.mean - idle.mean).toFixed(0)} | ${(change.mean - idle.mean).toFixed(0)} | ${(change.max - idle.mean).toFixed(0)} |`;
}

console.log('## Many groups over one link per pair (4 processes, simulator)\n');
console.log('| groups | all joined | join, virtual ms | join, real ms | idle frames/s | idle bytes/s | idle CPU ms per virtual s | close all, real ms |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const n of list(values.groups)) console.log(await manyGroups(n));
console.log('\n## One group of n members (simulator): messages each member sends\n');
console.log('| n | formed, virtual ms | formed, real ms | idle, per member per s | one multicast, per member | one view change, per member | one view change, coordinator |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const n of list(values.members)) console.log(await bigGroup(n));
