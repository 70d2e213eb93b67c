/**
 * Real WebRTC groups over a cluster of signaling servers on Redis (a real redis-server, and each
 * signaling server a `synchrony-signaling --redis` process of its own, so one can be SIGKILLed):
 * processes spread over three servers form one group; when a server is killed the group goes on
 * (data channels are peer to peer), its processes reconnect to another server and announce their
 * groups again, and a newcomer still joins; after Redis restarts empty, discovery works again.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Group, Message, Process } from '@synchrony/core';
import { RedisServerProcess, SignalingProcess } from '../../../signaling-server/src/testing/index.js';
import { connect } from '../src/index.js';
import type { WrtcLike } from '../src/wrtc.js';
import { Cleanups, viewWhere, withTimeout } from './group-fixtures.js';
import { wrtc } from './helpers.js';

const PRESENCE_TTL_MS = 1000;
const STEP_MS = 20_000;

let redis: RedisServerProcess;
beforeAll(async () => {
  redis = await RedisServerProcess.start();
});
afterAll(() => redis.stop());
const cleanups = new Cleanups();
afterEach(() => cleanups.runAll());

let clusters = 0;
async function startCluster(count: number): Promise<SignalingProcess[]> {
  const redisPrefix = `webrtc${process.pid}-${(clusters += 1)}:`;
  const servers = await Promise.all(Array.from({ length: count }, () => SignalingProcess.start({ redis: redis.url, redisPrefix, presenceTtlMs: PRESENCE_TTL_MS })));
  for (const server of servers) cleanups.push(() => server.kill());
  return servers;
}

/** A process that prefers `urls[0]` and fails over along the rest. */
async function peer(urls: string[], errors: Error[]): Promise<Process> {
  const process = await connect({
    signaling: urls,
    iceServers: [],
    wrtc: wrtc as unknown as WrtcLike,
    signalingTimings: { reconnectDelayMs: 50, reconnectDelayMaxMs: 500, attemptTimeoutMs: 2000 },
  });
  cleanups.push(() => process.close({ abrupt: true }));
  process.on('error', (error) => errors.push(error));
  return process;
}

/** The open sockets a signaling server reports on /healthz. */
async function welcomedSockets(url: string): Promise<number> {
  const health = (await (await fetch(`${url.replace(/^ws:/, 'http:')}/healthz`)).json()) as { sockets: number };
  return health.sockets;
}

/** Polls `probe` then `condition` every 100 ms until the condition holds; fails after `timeoutMs`. */
async function waitUntil(condition: () => boolean, timeoutMs: number, describe: () => string, probe: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (await probe(); !condition(); await probe()) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `urls` rotated so that the i-th process starts on the i-th server. */
const rotated = (urls: readonly string[], i: number): string[] => urls.map((_, k) => urls[(i + k) % urls.length]!);

async function allInView(groups: readonly Group[], size: number): Promise<void> {
  const views = await Promise.all(groups.map((g) => viewWhere(g, (v) => v.members.length === size && v.primary, STEP_MS)));
  expect(new Set(views.map((v) => JSON.stringify(v.view.members))).size).toBe(1);
}

/** Every group delivers `data`, sent by `groups[from]`. */
async function deliveredEverywhere(groups: readonly Group[], from: number, data: string): Promise<void> {
  const arrived = groups.map((g) => new Promise<void>((resolve) => {
    const off = g.on('message', (m: Message) => {
      if (m.data === data) {
        off();
        resolve();
      }
    });
  }));
  await groups[from]!.send(data);
  await withTimeout(Promise.all(arrived), STEP_MS, `"${data}" everywhere`);
}

describe('a group over a cluster of signaling servers', () => {
  it('forms across three servers, survives a killed server, and still takes a newcomer', async () => {
    const servers = await startCluster(3);
    const urls = servers.map((s) => s.url);
    const errors: Error[] = [];
    const processes = await Promise.all([0, 1, 2, 3].map((i) => peer(rotated(urls, i), errors)));
    const groups = await withTimeout(Promise.all(processes.map((p) => p.join('room'))), STEP_MS, 'four joins');
    await allInView(groups, 4);
    await deliveredEverywhere(groups, 1, 'before the kill');

    await servers[0]!.kill(); // processes 0 and 3 lose their server
    await deliveredEverywhere(groups, 0, 'right after the kill'); // peer to peer: the group does not need it
    // Processes 0 and 3 find another server and announce 'room' again; nobody was excluded.
    const sockets = [0, 0, 0];
    const newcomer = await peer(urls, errors); // urls[0] is dead: it fails over at once
    const newGroup = await withTimeout(newcomer.join('room'), STEP_MS, 'the newcomer to join');
    const everyone = [...groups, newGroup];
    await allInView(everyone, 5);
    await deliveredEverywhere(everyone, 4, 'from the newcomer');
    expect(groups.every((g) => g.view!.members.length === 5)).toBe(true);
    // All five processes are on the two surviving servers now, 'room' announced there again.
    await waitUntil(() => sockets[1]! + sockets[2]! === 5, STEP_MS, () => `sockets per server: ${sockets.join(', ')}`, async () => {
      for (const i of [1, 2]) sockets[i] = await welcomedSockets(urls[i]!);
    });
    const lost = errors.filter((e) => e.name === 'SignalingError' && /lost the signaling server/.test(e.message));
    expect(lost.length).toBeGreaterThanOrEqual(2); // the two processes of the killed server said so
  }, 60_000);

  it('finds peers again after Redis restarts empty', async () => {
    const servers = await startCluster(3);
    const urls = servers.map((s) => s.url);
    const errors: Error[] = [];
    const [a, b] = await Promise.all([0, 1].map((i) => peer(rotated(urls, i), errors)));
    const groups = await withTimeout(Promise.all([a!.join('board'), b!.join('board')]), STEP_MS, 'two joins');
    await allInView(groups, 2);

    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await redis.restart(); // empty: the servers write their peers and groups again
    const c = await peer(rotated(urls, 2), errors); // on the third server, which knew nobody in 'board'
    const cGroup = await withTimeout(c.join('board'), STEP_MS, 'a join after the restart');
    await allInView([...groups, cGroup], 3);
    await deliveredEverywhere([...groups, cGroup], 2, 'after the restart');
  }, 60_000);
});
