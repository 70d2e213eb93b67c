/**
 * Benchmark: how many joins and relayed signals per second the signaling service handles, as one
 * server, and as three servers sharing rooms through Redis (a real redis-server, persistence off).
 * Every server is a `synchrony-signaling` process of its own, as deployed; the clients speak the
 * protocol over `ws` from this process, spread round-robin over the servers.
 *
 * - joins/s: `--clients` clients each join `--joins` groups (of `--groups`) at once; the time runs
 *   until every client holds the complete list of each of its groups (discovery has converged).
 * - signals/s: each client sends `--signals` signals to a partner in a shared group, connected to
 *   another server when there are several (so every signal crosses Redis); the time runs until
 *   all have arrived.
 * The ratio cluster ÷ single is computed within each repetition.
 *
 *   npm run bench:signaling [-- --clients 150 --joins 8 --groups 50 --signals 100 --runs 3 --budget-s 300]
 *
 * Loopback only: it needs no network namespace, only /usr/bin/redis-server.
 */
import { RedisServerProcess, SignalingProcess } from '@synchrony/signaling-server/testing';
import { budgetGuard, intOption } from './args.js';
import { count, fixed, machineLine, median, table } from './stats.js';
import { RawClient, until } from './signaling/raw-client.js';

const STEP_TIMEOUT_MS = 60_000;

interface Settings {
  clients: number;
  joins: number;
  groups: number;
  signals: number;
}

interface Sample {
  joinsPerSec: number;
  signalsPerSec: number;
}

/** The groups client `i` joins: `joins` consecutive groups, so each group has members on every server. */
function groupsOf(i: number, settings: Settings): string[] {
  return Array.from({ length: settings.joins }, (_, k) => `g${(i + k) % settings.groups}`);
}

async function measure(urls: readonly string[], settings: Settings, tag: string): Promise<Sample> {
  const clients = await Promise.all(Array.from({ length: settings.clients }, (_, i) => RawClient.open(urls[i % urls.length]!, `${tag}-${i}`, STEP_TIMEOUT_MS)));
  try {
    const expected = new Map<string, Set<string>>();
    clients.forEach((client, i) => {
      for (const group of groupsOf(i, settings)) (expected.get(group) ?? expected.set(group, new Set()).get(group)!).add(client.id);
    });
    const complete = (client: RawClient, i: number): boolean => groupsOf(i, settings).every((g) => client.lists.get(g)?.length === expected.get(g)!.size - 1);
    const joinStart = performance.now();
    clients.forEach((client, i) => {
      for (const group of groupsOf(i, settings)) client.join(group);
    });
    await until(() => clients.every(complete), STEP_TIMEOUT_MS, () => `${clients.filter((c, i) => !complete(c, i)).length} clients without complete lists`);
    const joinsPerSec = (settings.clients * settings.joins) / ((performance.now() - joinStart) / 1000);

    // Client i signals client i+1 (they share group g(i+1)); with 3 servers, i+1 is on the next server.
    const signalStart = performance.now();
    clients.forEach((client, i) => {
      const partner = clients[(i + 1) % clients.length]!;
      for (let k = 0; k < settings.signals; k += 1) client.signal(partner.id, { candidate: `c${k}`, sdpMid: '0' });
    });
    const total = settings.clients * settings.signals;
    await until(() => clients.reduce((sum, c) => sum + c.signalsReceived, 0) >= total, STEP_TIMEOUT_MS, () => `${clients.reduce((sum, c) => sum + c.signalsReceived, 0)} of ${total} signals`);
    const signalsPerSec = total / ((performance.now() - signalStart) / 1000);
    const errors = clients.reduce((sum, c) => sum + c.errors, 0);
    if (errors > 0) throw new Error(`${errors} error frames: a limit was hit, the figures would be wrong`);
    return { joinsPerSec, signalsPerSec };
  } finally {
    for (const client of clients) client.close();
  }
}

async function main(): Promise<void> {
  const cancelBudget = budgetGuard('signaling-throughput');
  const settings: Settings = {
    clients: intOption('clients', 150, 6, 600),
    joins: intOption('joins', 8, 1, 32),
    groups: intOption('groups', 50, 1, 1000),
    signals: intOption('signals', 100, 1, 150), // a socket may send 200 frames in a burst
  };
  const runs = intOption('runs', 3, 1, 9);
  // Every client comes from 127.0.0.1: lift the per-address limit, keep the others at their defaults.
  const limits = { socketsPerAddress: settings.clients + 16 };
  const redis = await RedisServerProcess.start();
  const processes: SignalingProcess[] = [];
  const single: Sample[] = [];
  const cluster: Sample[] = [];
  try {
    for (let run = 0; run < runs; run += 1) {
      const one = await SignalingProcess.start({ limits });
      processes.push(one);
      single.push(await measure([one.url], settings, `s${run}`));
      await one.kill();
      const three = await Promise.all([0, 1, 2].map(() => SignalingProcess.start({ limits, redis: redis.url, redisPrefix: `bench${run}:` })));
      processes.push(...three);
      cluster.push(await measure(three.map((p) => p.url), settings, `c${run}`));
      await Promise.all(three.map((p) => p.kill()));
    }
  } finally {
    await Promise.all(processes.map((p) => p.kill()));
    await redis.stop();
  }
  const ratio = (pick: (s: Sample) => number): string => {
    const ratios = single.map((s, i) => pick(cluster[i]!) / pick(s));
    return `${fixed(median(ratios), 2)} (${fixed(Math.min(...ratios), 2)}–${fixed(Math.max(...ratios), 2)})`;
  };
  console.log(await machineLine());
  console.log(`${settings.clients} clients, ${settings.joins} joins each over ${settings.groups} groups, ${settings.signals} signals each; ${runs} runs, medians\n`);
  console.log(table(['setup', 'joins/s (to full lists)', 'signals/s relayed'], [
    ['1 server', count(median(single.map((s) => s.joinsPerSec))), count(median(single.map((s) => s.signalsPerSec)))],
    ['3 servers on Redis', count(median(cluster.map((s) => s.joinsPerSec))), count(median(cluster.map((s) => s.signalsPerSec)))],
    ['3 on Redis ÷ 1', ratio((s) => s.joinsPerSec), ratio((s) => s.signalsPerSec)],
  ]));
  cancelBudget();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
