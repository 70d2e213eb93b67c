/**
 * A real group forms through a signaling server under attack: while 5 MB frames, join floods,
 * idle sockets, slowloris upgrades, garbage and thieves of the honest processes' ids hit the
 * server, four processes from connect() find each other, form one view and multicast over WebRTC.
 * Afterwards the server holds nothing of the abusers and the heap is back within 16 MB.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Group, Process } from '@synchrony/core';
import { garbage, hugeFrames, idleSockets, idThieves, joinFlood, slowloris } from '../../../signaling-server/test/abusers.js';
import { heapAfterGc } from '../../../signaling-server/test/memory.js';
import { connect } from '../src/index.js';
import type { WrtcLike } from '../src/wrtc.js';
import { Cleanups, viewWhere, withTimeout } from './group-fixtures.js';
import { startServer, wrtc } from './helpers.js';

const cleanups = new Cleanups();
afterEach(() => cleanups.runAll());
const MB = 1024 * 1024;
const ABUSE_MS = 15_000;

describe('a signaling server under attack', () => {
  it('still introduces honest processes, which form a group, and gives the memory back', async () => {
    const server = await startServer({ limits: { socketsPerAddress: 1000, helloTimeoutMs: 1000, handshakeTimeoutMs: 1000 } });
    cleanups.push(() => server.close());
    const heapBefore = heapAfterGc();
    const abuse = Promise.all([
      hugeFrames(server.url, 10, 5 * MB, ABUSE_MS),
      joinFlood(server.url, 20, 500, ABUSE_MS),
      idleSockets(server.url, 200, ABUSE_MS),
      slowloris(server.port, 100, 50, ABUSE_MS),
      garbage(server.url, 50, ABUSE_MS),
    ]);
    const processes: Process[] = await Promise.all([0, 1, 2, 3].map(async () => {
      const p = await connect({ signaling: server.url, iceServers: [], wrtc: wrtc as unknown as WrtcLike });
      cleanups.push(() => p.close({ abrupt: true }));
      return p;
    }));
    const thieves = Promise.all(processes.map((p) => idThieves(server.url, p.id, 5, ABUSE_MS)));
    const groups: Group[] = await withTimeout(Promise.all(processes.map((p) => p.join('under-attack'))), 20_000, 'four joins');
    const views = await Promise.all(groups.map((g) => viewWhere(g, (v) => v.members.length === 4, 20_000)));
    expect(new Set(views.map((v) => v.view.id)).size).toBe(1);
    const delivered = new Promise<void>((resolve) => groups[3]!.on('message', (m) => m.data === 'still here' && resolve()));
    await groups[0]!.send('still here');
    await withTimeout(delivered, 10_000, 'the multicast');

    const reports = [...(await abuse), ...(await thieves)];
    for (const report of reports) expect(report.closedByServer).toBe(report.opened);
    for (const report of await thieves) expect(report.errors).toEqual({ 'id-taken': 5 });
    await Promise.all(processes.map((p) => p.close()));
    const growth = heapAfterGc() - heapBefore;
    console.info(`group under attack: heap growth ${(growth / MB).toFixed(1)} MB`);
    expect(growth).toBeLessThan(16 * MB);
  }, 45_000);
});
