/**
 * Hostile peers over the real transport (issue "Hardening"): a process on a real WebRtcTransport,
 * created directly (no engine of its own), sends three honest members fast-check-generated random
 * and near-valid frames, honest frames mutated, honest frames replayed verbatim, well-formed frames
 * whose messages claim another member, and malformed fragments written straight to its data channel,
 * all while the members multicast a mixed workload. Then:
 * - no process crashed: the members finish their traffic, flush, and hold one state;
 * - each kind of bad input is reported at most once per member and peer (rate-limited), and every
 *   report names the hostile process;
 * - the simulator's property checker finds nothing wrong in what the honest members recorded.
 *
 * Frames that arrive ahead of a gap in a peer's link sequence are held up to a byte budget per lane
 * (`linkOutOfOrderBytes`, 4 MiB), the rest dropped (the sender is told, and sends them again), and
 * let go when that peer's connection goes: a process of the room cannot make a member hold what it
 * likes. In a group without a secret, one forged HELLO from a process of the room (not a member)
 * makes every member yield to a group that does not exist; the group comes back once no view of
 * that group took them in within three failure timeouts. (The random near-valid messages above carry
 * no `gid`, so they never form a valid HELLO; with a secret the HELLO waits for a proof that never
 * comes, and is dropped.)
 *
 *   ../shared/tools/isolated-net npx vitest run packages/webrtc/test/hostile-real.test.ts
 */
import fc from 'fast-check';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { createProcess, type Group } from '@synchrony/core';
import { decodeFrame, encodeFrame, encodeValue, WIRE_VERSION, type Frame } from '../../core/src/wire/frame.js';
import { checkProperties } from '../../sim/src/checker.js';
import { Recorder, type RecordedMember } from '../../sim/src/recorder.js';
import { realClock } from '../src/index.js';
import type { WebRtcTransport } from '../src/webrtc-transport.js';
import { Cleanups, MixedTraffic, connectPeer, viewWhere, waitUntil, withTimeout } from './group-fixtures.js';
import { createTransport, startServer } from './helpers.js';
import { PartitionableTransport } from '../../../soak/src/link-faults.js';

const cleanups = new Cleanups();
afterEach(() => cleanups.runAll());
const GROUP = 'hostile-real';
const FAILURE_TIMEOUT_MS = 1500;
const WAIT_MS = 20_000;
/** The engine's and the transport's report interval: within it, one report per peer and kind. */
const REPORT_INTERVAL_MS = 10_000;
const SEED = 20_240_611;
const MESSAGE_TYPES = [...'dkojPJlfFNpaciLxwEszQAhrVW'];

interface Honest {
  readonly app: RecordedMember;
  readonly transport: PartitionableTransport;
  readonly errors: Error[];
}

/** A raw fragment written to the hostile side's data channel with `to`, below the framing layer. */
function writeRawFragment(hostile: WebRtcTransport, to: string, bytes: Uint8Array): void {
  const link = (hostile as unknown as { mesh: { links: Map<string, { peer?: { send(b: Uint8Array): void } }> } }).mesh.links.get(to);
  link?.peer?.send(bytes);
}

/** Near-valid frames: real envelopes (version byte, msgpack map) with fields and messages drawn at random. */
function nearValidFrames(self: string, count: number): Uint8Array[] {
  const anyField = fc.oneof(fc.nat({ max: 50 }), fc.integer(), fc.string({ maxLength: 8 }), fc.array(fc.nat({ max: 9 }), { maxLength: 4 }), fc.constant(undefined));
  const message = fc.record({
    t: fc.constantFrom(...MESSAGE_TYPES),
    g: fc.constantFrom(GROUP, 'elsewhere', ''),
    f: fc.constantFrom(`${self}#1`, `${self}#0`, `${self}#7`),
    v: anyField, n: anyField, o: anyField, cc: anyField, b: fc.oneof(fc.tuple(fc.nat({ max: 9 }), fc.integer({ min: -1, max: 9 })), anyField),
    h: anyField, to: anyField, st: fc.oneof(fc.constantFrom('joining', 'member', 'refused', 'open'), anyField), p: fc.anything({ maxDepth: 2 }),
  }, { requiredKeys: ['t', 'g', 'f'] });
  const frame = fc.record({
    l: fc.constantFrom(0, 1, 2), e: fc.nat({ max: 5 }), s: fc.option(fc.nat({ max: 40 }), { nil: undefined }),
    a: fc.option(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat()), { nil: undefined }), m: fc.array(message, { maxLength: 4 }),
  }, { requiredKeys: ['l', 'e', 'm'] });
  return fc.sample(frame, { seed: SEED, numRuns: count }).map((f) => encodeFrame(f as unknown as Frame));
}

/** `frames` with a few bytes changed each (fast-check draws where and what). */
function mutated(frames: readonly Uint8Array[], count: number): Uint8Array[] {
  if (frames.length === 0) return [];
  const flips = fc.tuple(fc.nat(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }));
  return fc.sample(flips, { seed: SEED + 1, numRuns: count }).map(([which, changes]) => {
    const out = frames[which % frames.length]!.slice();
    for (const [at, value] of changes) out[at % out.length] = value;
    return out;
  });
}

/** Kind of a report, as the rate limits see it: the reason's first words, numbers aside. */
function kindOf(error: Error, hostile: string): string {
  const reason = error.message.replace(`dropped input from ${hostile}: `, '').replace(`signal from ${hostile}: `, '').replace(`from ${hostile}: `, '');
  return reason.replace(/\d+/g, 'N').split(' ').slice(0, 3).join(' ');
}

describe('a hostile peer over real WebRTC', () => {
  it('sends random, mutated, replayed and forged frames: nobody crashes, reports are rate-limited, the members keep every property', async () => {
    const server = await startServer();
    cleanups.push(() => server.close());
    const recorder = new Recorder(() => Date.now());
    const honest: Honest[] = await Promise.all([0, 1, 2].map(async () => {
      const transport = new PartitionableTransport(await createTransport(server));
      const process = createProcess({ transport, clock: realClock() });
      cleanups.push(() => process.close({ abrupt: true }));
      const errors: Error[] = [];
      process.on('error', (error) => errors.push(error));
      return { app: recorder.attach(process, GROUP, FAILURE_TIMEOUT_MS), transport, errors };
    }));
    const apps = honest.map((h) => h.app);
    await withTimeout(Promise.all(apps.map((a) => a.join())), WAIT_MS, 'the members to join');
    await Promise.all(apps.map((a) => viewWhere(a.group, (v) => v.members.length === 3, WAIT_MS)));

    // Frames the members send each other, to replay and to mutate.
    const captured: Array<{ from: number; to: string; frame: Uint8Array }> = [];
    honest.forEach((h, i) => {
      h.transport.tap = (to, frame) => {
        if (captured.length < 400 && frame.byteLength < 8000) captured.push({ from: i, to, frame: frame.slice() });
      };
    });
    const traffic = new MixedTraffic(0xbad);
    traffic.burst(apps, 10);
    traffic.start(() => apps, 20);

    // The hostile process: a bare transport in the group's room, so the members' meshes accept it.
    const hostile = await createTransport(server);
    cleanups.push(() => hostile.close({ abrupt: true }));
    const x = hostile.localId;
    const toHostile: Array<{ from: string; frame: Uint8Array }> = [];
    hostile.onFrame((from, frame) => toHostile.push({ from, frame }));
    hostile.announce(GROUP);
    const targets = honest.map((h) => h.app.process.id);
    for (const to of targets) hostile.send(to, new Uint8Array([WIRE_VERSION]), 'control'); // too short: opens the connection
    await waitUntil(() => targets.every((to) => hostile.binding(to) !== undefined), WAIT_MS, () => 'the hostile connections to open');
    await waitUntil(() => captured.length >= 100, WAIT_MS, () => `${captured.length} honest frames captured`);
    // The members greet a process of the group's name outside their view: frames to replay at them.
    await waitUntil(() => targets.every((t) => toHostile.some((f) => f.from === t)), WAIT_MS, () => 'a frame from each member to the hostile process');

    const attackStartMs = Date.now();
    const sent: Record<string, number> = {};
    const burst = (kind: string, frames: readonly Uint8Array[]): void => {
      frames.forEach((frame, i) => {
        for (const to of targets) hostile.send(to, frame, i % 2 === 0 ? 'data' : 'control');
      });
      sent[kind] = (sent[kind] ?? 0) + frames.length * targets.length;
    };
    // 1. Random bytes, and random values in a valid version byte + msgpack.
    burst('random', fc.sample(fc.uint8Array({ minLength: 0, maxLength: 600 }), { seed: SEED, numRuns: 300 }));
    burst('random-msgpack', fc.sample(fc.anything({ maxDepth: 3 }), { seed: SEED, numRuns: 200 }).map((value) => {
      const body = encodeValue(value);
      const out = new Uint8Array(body.byteLength + 1);
      out[0] = WIRE_VERSION;
      out.set(body, 1);
      return out;
    }));
    // 2. Near-valid frames with random messages under the hostile's own member ids.
    burst('near-valid', nearValidFrames(x, 300));
    // 3. Honest frames mutated, and replayed verbatim (to their receiver, their sender and the third).
    const honestFrames = captured.map((c) => c.frame);
    burst('mutated', mutated(honestFrames, 300));
    burst('replayed', honestFrames);
    burst('replayed-to-hostile', toHostile.map((t) => t.frame));
    // 4. Well-formed, in-order frames of a fresh link epoch whose messages claim another member.
    const view = apps[0]!.group.view!;
    const forged: Uint8Array[] = [];
    view.members.forEach((member, i) => {
      const messages = [
        { t: 'd', g: GROUP, v: view.id, f: member, n: 1_000 + i, o: 2, cc: 0, p: { id: `forged/${i}`, safe: false } },
        { t: 'l', g: GROUP, v: view.id, f: member },
        { t: 'k', g: GROUP, v: view.id, f: member, h: [0, 0, 0], hc: [0, 0, 0], dl: [0, 0, 0], dp: 0, op: 0 },
      ];
      forged.push(encodeFrame({ l: 1, e: 1_000_000, s: i + 1, m: messages } as unknown as Frame));
    });
    burst('forged', forged);
    // 5. Malformed fragments straight onto the data channel, below the framing layer.
    const fragments = fc.sample(fc.uint8Array({ minLength: 0, maxLength: 64 }), { seed: SEED + 2, numRuns: 500 });
    for (const to of targets) for (const bytes of fragments) writeRawFragment(hostile, to, bytes);
    sent['fragments'] = fragments.length * targets.length;
    // Everything leaves the hostile side; a frame that claims nothing and asks for an answer proves the members still read it.
    const answered = new Set<string>();
    hostile.onFrame((from) => answered.add(from));
    for (const to of targets) hostile.send(to, encodeFrame({ l: 0, e: 1, m: [], q: 1 }), 'control');
    await waitUntil(() => targets.every((t) => answered.has(t)), WAIT_MS, () => `answers from ${answered.size} of 3 members`);
    const attackMs = Date.now() - attackStartMs;

    // The members finish their work: traffic settles, flush resolves, one state everywhere.
    traffic.stop();
    await traffic.settled(apps, WAIT_MS);
    await withTimeout(Promise.all(apps.map((a) => a.group.flush())), WAIT_MS, 'flush at every member');
    const states = (): string[] => apps.map((a) => JSON.stringify(a.state));
    await waitUntil(() => new Set(states()).size === 1, WAIT_MS, () => `states differ: ${states().join(' ')}`);
    const final = apps[0]!.group.view!;
    for (const app of apps) expect(final.members).toContain(app.group.me);
    for (const app of apps) expect(app.group.view).toEqual(final);

    // Reports: every one names the hostile process, and each kind comes at most once per member
    // (per report interval the attack spanned).
    const allowed = 1 + Math.floor(attackMs / REPORT_INTERVAL_MS);
    const summary: string[] = [];
    for (const [i, h] of honest.entries()) {
      expect(h.errors.length, `member ${i} got reports`).toBeGreaterThan(0);
      for (const error of h.errors) {
        expect(error.name).toBe('ProtocolError');
        expect(error.message).toContain(x);
      }
      const kinds = new Map<string, number>();
      for (const error of h.errors) kinds.set(kindOf(error, x), (kinds.get(kindOf(error, x)) ?? 0) + 1);
      for (const [kind, count] of kinds) expect(count, `reports of "${kind}" at member ${i}`).toBeLessThanOrEqual(allowed);
      summary.push(`member ${i}: ${h.errors.length} reports of ${kinds.size} kinds`);
    }
    const every = honest.flatMap((h) => h.errors.map((e) => e.message));
    expect(every.some((m) => /message signed by/.test(m)), 'forged senders reported').toBe(true);
    expect(every.some((m) => /fragment/.test(m)), 'bad fragments reported').toBe(true);
    const total = Object.values(sent).reduce((a, b) => a + b, 0);
    console.info(
      `hostile peer (fast-check seed ${SEED}): ${total} bad frames and fragments (${Object.entries(sent).map(([k, n]) => `${k} ${n}`).join(', ')}) ` +
      `in ${attackMs} ms; ${summary.join('; ')}; ${traffic.sent} honest sends, final view ${final.id} of ${final.members.length}`,
    );
    expect(checkProperties(recorder.trace, { final: true })).toBeUndefined();
  }, 120_000);
});

describe('a forged HELLO from a process of the room', () => {
  /** Three members of `options`' group, and a bare transport in its room that sends each one HELLO claiming a larger group. */
  async function forgedHello(secret: string | undefined): Promise<{ groups: Group[]; errors: Error[][] }> {
    const server = await startServer();
    cleanups.push(() => server.close());
    const errors: Error[][] = [[], [], []];
    const processes = await Promise.all(errors.map((list) => connectPeer(server.url, cleanups, list)));
    const groups = processes.map((p) => p.group('open', secret === undefined ? {} : { secret }));
    await withTimeout(Promise.all(groups.map((g) => g.join())), WAIT_MS, 'the group to form');
    await Promise.all(groups.map((g) => viewWhere(g, (v) => v.members.length === 3, WAIT_MS)));
    const hostile = await createTransport(server);
    cleanups.push(() => hostile.close({ abrupt: true }));
    hostile.onFrame(() => {});
    hostile.announce('open');
    const hello = { t: 'h', g: 'open', f: `${hostile.localId}#1`, gid: 'a group that does not exist', born: 0, n: 99 };
    for (const p of processes) hostile.send(p.id, encodeFrame({ l: 0, e: 1, s: 1, m: [hello] } as unknown as Frame), 'control');
    return { groups, errors };
  }

  it('with a secret: the HELLO waits for a proof, is dropped, and the group stays as it was', async () => {
    const { groups, errors } = await forgedHello('s3cret');
    const before = groups[0]!.view!;
    // The gate drops what proved nothing after its wait (2 s), and says so.
    const dropped = (list: Error[]): boolean => list.some((e) => /with no proof of its secret/.test(e.message));
    await waitUntil(() => errors.every(dropped), WAIT_MS, () => 'each member to drop the HELLO');
    for (const g of groups) expect(g.view).toEqual(before);
    await groups[1]!.send('still primary');
  }, 60_000);

  it('without a secret: the group comes back to one primary view of its three members', async () => {
    const { groups } = await forgedHello(undefined);
    await Promise.all(groups.map((g) => viewWhere(g, (v) => !v.primary, WAIT_MS))); // they yield at once
    // Nobody takes them in (there is no such group): after three failure timeouts they found theirs again.
    await Promise.all(groups.map((g) => viewWhere(g, (v) => v.primary && v.members.length === 3, 10_000)));
    const members = groups.map((g) => g.me).sort();
    for (const g of groups) expect([...g.view!.members].sort()).toEqual(members);
    await withTimeout(groups[1]!.send('primary again'), WAIT_MS, 'a send in the group found again');
  }, 60_000);
});

describe('a process of the room that sends frames out of order', () => {
  it('cannot make a member hold more than 16 MB of them, nor keep it once gone', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const heldMb = (): number => {
      gc();
      gc();
      const memory = process.memoryUsage();
      return (memory.heapUsed + memory.arrayBuffers) / 2 ** 20;
    };
    const server = await startServer();
    cleanups.push(() => server.close());
    const member = await connectPeer(server.url, cleanups, []);
    await withTimeout(member.join('open'), WAIT_MS, 'the member to found its group');
    const hostile = await createTransport(server);
    cleanups.push(() => hostile.close({ abrupt: true }));
    hostile.onFrame(() => {});
    hostile.announce('open');
    hostile.send(member.id, new Uint8Array([WIRE_VERSION]), 'control'); // opens the connection
    await waitUntil(() => hostile.binding(member.id) !== undefined, WAIT_MS, () => 'the connection');
    const before = heldMb();
    // 48 frames of 1 MiB, sequence numbers 2..49 of the data lane: number 1 never comes.
    for (let i = 0; i < 48; i++) {
      const frame = encodeFrame({ l: 1, e: 1, s: 2 + i, m: [{ t: 'x', g: 'open', f: `${hostile.localId}#1`, p: new Uint8Array(2 ** 20).fill(i) }] } as unknown as Frame);
      hostile.send(member.id, frame, 'data');
    }
    // A JOIN of a group the member does not have, on the same data channel, sent last, arrives after
    // them: the member's answer ('idle') says they are all in.
    const answered = new Promise<void>((resolve) => hostile.onFrame((_from, bytes) => {
      const decoded = decodeFrame(bytes, 2 ** 26);
      if (typeof decoded !== 'string' && decoded.frame.m.some((m) => m.t === 'J' && m.g === 'marker')) resolve();
    }));
    hostile.send(member.id, encodeFrame({ l: 0, e: 1, s: 1, m: [{ t: 'j', g: 'marker', f: `${hostile.localId}#1` }] } as unknown as Frame), 'data');
    await withTimeout(answered, WAIT_MS, 'the member to answer');
    // Held: at most the budget of a lane (linkOutOfOrderBytes, 4 MiB); the rest was dropped.
    const connectedMb = heldMb() - before;
    console.info(`a member holds ${connectedMb.toFixed(1)} MB after 48 MiB of out-of-order frames`);
    expect(connectedMb).toBeLessThan(16);
    // Gone: once its transport reports the connection down, what it held (3 frames of 1 MiB) goes.
    await hostile.close({ abrupt: true });
    let growthMb = heldMb() - before;
    for (const start = Date.now(); growthMb > connectedMb - 2 && Date.now() - start < WAIT_MS; growthMb = heldMb() - before) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    console.info(`and ${growthMb.toFixed(1)} MB once that process is gone`);
    expect(growthMb).toBeLessThan(connectedMb - 2);
  }, 60_000);
});
