/**
 * The soak: N member processes over real WebRTC (member.ts), a real signaling server, continuous
 * mixed traffic, and a seeded schedule of faults, one at a time, each followed by a check that the
 * group comes back to one primary view of every live process:
 *
 * - crash:     SIGKILL of a member process, and a fresh process in its place (it joins);
 * - leave:     a graceful close (the member leaves), and a fresh process in its place;
 * - partition: one or two processes cut off from the others (frames dropped both ways, their
 *              connections dropped), for 1-6 s, then healed: the cut-off side is excluded if the
 *              cut outlasts the failure timeout, and rejoins as new members with state transfer;
 * - drop:      the real connection of one pair ends abruptly (a network change), and is made again;
 * - quiet:     nothing but traffic.
 *
 * The first `anchors` slots are never crashed nor closed (they are partitioned and rejoin): their
 * processes live through the whole run, so their heap samples show whether memory stays flat.
 * At the end: heal, stop traffic, converge, settle, flush, equal states, then the simulator's
 * property checker on the merged traces (final: liveness included).
 */
import { closeSync, mkdirSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { startSignalingServer } from '@synchrony/signaling-server';
import { checkProperties, Random, type Trace, type Violation } from '@synchrony/sim';
import { isEv, spawnMember, type Member } from './fleet.js';
import type { MemberSettings, Status } from './messages.js';
import { mergeTraces, readTrace } from './trace-file.js';

export interface SoakOptions {
  readonly minutes: number;
  readonly processes: number;
  readonly anchors: number;
  readonly seed: number;
  readonly failureTimeoutMs: number;
  readonly sendIntervalMs: number;
  readonly requestEvery: number;
  readonly sampleMs: number;
  /** Bound of each wait for the group to come back to one view. */
  readonly convergeTimeoutMs: number;
  /** Where the traces go (and the members' working directory: core dumps land there). */
  readonly dir: string;
  /** The kinds of fault to draw from (default all). */
  readonly faultKinds?: readonly FaultKind[];
  /** Count a member's death by SIGSEGV as a failure of the run too (see `nativeCrashes`). */
  readonly strict?: boolean;
  readonly log: (line: string) => void;
}

export type FaultKind = 'crash' | 'leave' | 'partition' | 'drop' | 'quiet';
export const FAULT_KINDS: readonly FaultKind[] = ['crash', 'leave', 'partition', 'drop', 'quiet'];

/** One incarnation of a slot: its lifetime and resource samples. */
export interface IncarnationSummary {
  readonly slot: number;
  readonly incarnation: number;
  readonly id: string;
  readonly lifetimeS: number;
  readonly end: string;
  readonly samples: number;
  /** Heap after GC, MB: first sample, the one in the middle of its life, last. */
  readonly heapMb: [number, number, number] | undefined;
  readonly rssMb: [number, number, number] | undefined;
  readonly activeResources: [number, number, number] | undefined;
  readonly peerConnections: [number, number, number] | undefined;
  readonly maxStallMs: number;
  readonly errors: Record<string, number>;
  /** Anchors only: every sample, as [seconds since the start, heap MB, RSS MB, active resources, peer connections]. */
  readonly series?: Array<[number, number, number, number, number]>;
}

export interface SoakResult {
  readonly ok: boolean;
  readonly problems: string[];
  /**
   * Members that died of SIGSEGV: native code, and the only native code in a member is the WebRTC
   * stack (@roamhq/wrtc). The crash seen was wrtc's race between `RTCDataChannel.send` and the
   * channel being closed on its signaling thread, when the other side closed its peer connection
   * outright under traffic (peer-link.ts, bench/src/repro/webrtc-close-crash.ts); our links no longer
   * close so, but a peer that is not ours can. Reported, counted as crashes in the trace, and a
   * failure only with `strict`.
   */
  readonly nativeCrashes: string[];
  readonly violation: Violation | undefined;
  readonly seed: number;
  readonly durationS: number;
  readonly faults: Record<FaultKind, number>;
  /** The longest time from a fault to one view of every live process again, ms. */
  readonly longestRecoveryMs: number;
  readonly traceEvents: number;
  readonly sends: number;
  readonly deliveries: number;
  readonly requests: number;
  readonly views: number;
  readonly checkMs: number;
  /** Once the faults stopped, how long until every member held one connection per live peer and no more. */
  readonly connectionsSettledMs: number | undefined;
  readonly incarnations: IncarnationSummary[];
}

const JOIN_TIMEOUT_MS = 60_000;
/** A member under a loaded machine may not run for seconds (stalls of 12 s were seen on 2 shared cores). */
const STATUS_TIMEOUT_MS = 30_000;
/** At the end, the members' states must agree and stay the same for this long before the check. */
const QUIET_STATE_MS = 1000;
const SPAWN_TIMEOUT_MS = 30_000;

/** Runs a soak; never throws for a failure of the product, which goes into `problems`. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const soak = new Soak(options);
  try {
    await soak.run();
  } catch (error) {
    soak.problems.push(`aborted: ${error instanceof Error ? error.message : String(error)}`);
  }
  return soak.finish();
}

class Soak {
  readonly problems: string[] = [];
  readonly nativeCrashes: string[] = [];
  private readonly random: Random;
  private readonly slots: Member[] = [];
  private readonly everyone: Member[] = [];
  private readonly parentTrace: Trace = [];
  /** The parent's events (faults, crashes) also go to disk as they happen, for a post-mortem. */
  private readonly parentFile: number;
  private readonly faults: Record<FaultKind, number> = { crash: 0, leave: 0, partition: 0, drop: 0, quiet: 0 };
  private longestRecoveryMs = 0;
  private signalingUrl = '';
  private closeServer: () => Promise<void> = async () => {};
  private readonly startMs = Date.now();
  private violation: Violation | undefined;
  private merged: Trace = [];
  private checkMs = 0;
  private connectionsSettledMs: number | undefined;

  constructor(private readonly options: SoakOptions) {
    this.random = new Random(options.seed);
    mkdirSync(options.dir, { recursive: true });
    // A directory of an earlier run (the default is one per seed) holds its members' traces: they
    // would be read as this run's and judged with it (deliveries whose sends are in files this run
    // does not read), or continued (members append). They go first, so that a file named for a
    // member of this run holds only what that member wrote, or nothing if it died before writing.
    for (const file of readdirSync(options.dir)) if (/^slot-\d+\.\d+\.ndjson$/.test(file)) rmSync(join(options.dir, file));
    this.parentFile = openSync(join(options.dir, 'parent.ndjson'), 'w');
  }

  async run(): Promise<void> {
    const { options } = this;
    const server = await startSignalingServer({ port: 0, host: '127.0.0.1' });
    this.signalingUrl = server.url;
    this.closeServer = () => server.close();
    options.log(`signaling server ${server.url}; ${options.processes} processes (${options.anchors} never crashed nor closed); traces in ${options.dir}`);

    const first = await Promise.all(Array.from({ length: options.processes }, (_, slot) => this.spawn(slot)));
    this.slots.push(...first);
    await Promise.all(first.map((m) => m.next(isEv('joined'), JOIN_TIMEOUT_MS, 'its join')));
    await this.converge('start');
    for (const m of this.slots) m.send({ cmd: 'traffic', on: true });
    options.log(`group formed after ${Date.now() - this.startMs} ms; traffic on`);

    const endMs = this.startMs + options.minutes * 60_000;
    let nextReportMs = Date.now() + 60_000;
    while (Date.now() < endMs) {
      const kind = this.pickFault();
      const faultMs = Date.now();
      await this.perform(kind);
      await pause(this.random.int(500, 3000)); // traffic under the fault's aftermath
      await this.converge(kind);
      this.longestRecoveryMs = Math.max(this.longestRecoveryMs, Date.now() - faultMs);
      this.checkHealth();
      if (Date.now() >= nextReportMs) {
        nextReportMs += 60_000;
        options.log(this.progress());
      }
    }
    await this.quiesce();
  }

  /** Ends the run: the members exit, the traces are merged and checked, the server closes. */
  async finish(): Promise<SoakResult> {
    for (const m of this.slots) if (m.running) m.send({ cmd: 'exit' });
    await Promise.all(this.everyone.map((m) => m.ended(5000)));
    await this.closeServer().catch(() => undefined);
    this.checkHealth();
    closeSync(this.parentFile);
    if (this.merged.length === 0) this.mergeAndCheck(false);
    const trace = this.merged;
    const summary: SoakResult = {
      ok: this.problems.length === 0 && this.violation === undefined && (this.options.strict !== true || this.nativeCrashes.length === 0),
      problems: this.problems,
      nativeCrashes: this.nativeCrashes,
      violation: this.violation,
      seed: this.options.seed,
      durationS: Math.round((Date.now() - this.startMs) / 1000),
      faults: this.faults,
      longestRecoveryMs: this.longestRecoveryMs,
      traceEvents: trace.length,
      sends: trace.filter((e) => e.k === 'send').length,
      deliveries: trace.filter((e) => e.k === 'deliver').length,
      requests: trace.filter((e) => e.k === 'call' && e.call === 'request').length,
      views: trace.filter((e) => e.k === 'view').length,
      checkMs: this.checkMs,
      connectionsSettledMs: this.connectionsSettledMs,
      incarnations: [...this.everyone].sort((a, b) => a.slot - b.slot || a.incarnation - b.incarnation)
        .map((m) => summarize(m, m.slot < this.options.anchors ? this.startMs : undefined)),
    };
    return summary;
  }

  private async spawn(slot: number): Promise<Member> {
    const incarnation = this.everyone.filter((m) => m.slot === slot).length;
    const settings: MemberSettings = {
      signaling: this.signalingUrl,
      group: 'soak',
      failureTimeoutMs: this.options.failureTimeoutMs,
      sendIntervalMs: this.options.sendIntervalMs,
      requestEvery: this.options.requestEvery,
      sampleMs: this.options.sampleMs,
      seed: this.options.seed * 1000 + slot * 50 + incarnation,
      traceFile: join(this.options.dir, `slot-${slot}.${incarnation}.ndjson`),
    };
    const member = await spawnMember(slot, incarnation, settings, SPAWN_TIMEOUT_MS, this.options.dir);
    this.everyone.push(member);
    return member;
  }

  private pickFault(): FaultKind {
    const allowed = this.options.faultKinds ?? FAULT_KINDS;
    for (;;) {
      const roll = this.random.int(1, 100);
      const kind: FaultKind = roll <= 25 ? 'crash' : roll <= 40 ? 'leave' : roll <= 70 ? 'partition' : roll <= 85 ? 'drop' : 'quiet';
      if (allowed.includes(kind)) return kind;
    }
  }

  private async perform(kind: FaultKind): Promise<void> {
    this.faults[kind] += 1;
    const victims = this.slots.filter((m) => m.slot >= this.options.anchors && m.running);
    switch (kind) {
      case 'crash': {
        const victim = this.random.pick(victims);
        this.fault(`crash ${victim.id}`);
        const crash: Trace[number] = { k: 'crash', at: Date.now(), process: victim.id };
        this.parentTrace.push(crash);
        this.record(crash);
        victim.kill();
        await victim.ended(5000);
        await this.replace(victim);
        return;
      }
      case 'leave': {
        const victim = this.random.pick(victims);
        this.fault(`leave ${victim.id}`);
        const left = victim.next(isEv('left'), 30_000, 'its graceful close');
        victim.send({ cmd: 'leave' });
        await left;
        await victim.ended(5000);
        await this.replace(victim);
        return;
      }
      case 'partition': {
        const count = this.random.int(1, 2);
        const minority = shuffle(this.slots, this.random).slice(0, count);
        const majority = this.slots.filter((m) => !minority.includes(m));
        this.fault(`partition ${minority.map((m) => m.id).join(',')} | ${majority.map((m) => m.id).join(',')}`);
        for (const m of minority) m.send({ cmd: 'cut', peers: majority.map((o) => o.id) });
        for (const m of majority) m.send({ cmd: 'cut', peers: minority.map((o) => o.id) });
        await pause(this.random.int(1000, 6000));
        this.fault('heal');
        for (const m of this.slots) m.send({ cmd: 'heal' });
        return;
      }
      case 'drop': {
        const [a, b] = shuffle(this.slots, this.random);
        this.fault(`drop ${a!.id}-${b!.id}`);
        a!.send({ cmd: 'drop', peer: b!.id });
        return;
      }
      case 'quiet':
        return;
    }
  }

  /** A fresh process in the slot of one that is gone; it joins, and sends once it is in. */
  private async replace(gone: Member): Promise<void> {
    const fresh = await this.spawn(gone.slot);
    this.slots[this.slots.indexOf(gone)] = fresh;
    this.fault(`join ${fresh.id}`);
    await fresh.next(isEv('joined'), JOIN_TIMEOUT_MS, 'its join');
    fresh.send({ cmd: 'traffic', on: true });
  }

  /** Waits until every live process is in one primary view that holds them all, and no more. */
  private async converge(after: string): Promise<Status[]> {
    const deadline = Date.now() + this.options.convergeTimeoutMs;
    let statuses: Status[] = [];
    for (;;) {
      await this.reviveDead();
      try {
        statuses = await Promise.all(this.slots.map((m) => m.status(STATUS_TIMEOUT_MS)));
      } catch (error) {
        // It died meanwhile (replaced above), or did not answer in time: ask again until the deadline.
        if (Date.now() > deadline) throw error;
        continue;
      }
      if (oneView(statuses)) return statuses;
      if (Date.now() > deadline) {
        throw new Error(`no single view ${this.options.convergeTimeoutMs} ms after ${after}: ${statuses.map(describe).join('; ')}`);
      }
      await pause(250);
    }
  }

  /** The end: faults stop, traffic stops, every send settles, everyone flushes and holds one state. */
  private async quiesce(): Promise<void> {
    for (const m of this.slots) m.send({ cmd: 'heal' });
    for (const m of this.slots) m.send({ cmd: 'traffic', on: false });
    this.fault('quiesce');
    await this.converge('the end');
    const settleBy = Date.now() + 30_000;
    for (;;) {
      const statuses = await Promise.all(this.slots.map((m) => m.status(STATUS_TIMEOUT_MS)));
      if (statuses.every((s) => s.pending === 0)) break;
      if (Date.now() > settleBy) throw new Error(`calls still pending at the end: ${statuses.map((s) => `${s.me} ${s.pending}`).join(', ')}`);
      await pause(250);
    }
    const flushed = Promise.all(this.slots.map((m) => m.next(isEv('flushed'), 30_000, 'flush')));
    for (const m of this.slots) m.send({ cmd: 'flush' });
    await flushed;
    // A flush resolves once this member's messages are stable, and a safe total-order message is
    // delivered a little later still, once every member reported holding its place in the order
    // (up to a stability interval): so the states must agree, and stay as they are for a second.
    const stateBy = Date.now() + 30_000;
    let statuses = await this.converge('the flush');
    let agreed: string | undefined;
    for (;;) {
      const states = new Set(statuses.map((s) => s.state));
      const state = states.size === 1 ? [...states][0] : undefined;
      if (state !== undefined && state === agreed) break;
      if (Date.now() > stateBy) throw new Error(`states differ or still change at the end: ${statuses.map((s) => `${s.me} ${s.state}`).join('; ')}`);
      agreed = state;
      await pause(state === undefined ? 250 : QUIET_STATE_MS);
      statuses = await this.converge('the flush');
    }
    this.fault(`live ${this.slots.map((m) => m.id).join(',')}`);
    this.options.log(`quiesced: one view of ${statuses.length}, one state ${statuses[0]?.state}`);
    this.mergeAndCheck(true);
    await this.connectionsSettle();
  }

  /**
   * No connection outlives its peer for long: once the faults stop, every member comes to hold one
   * connection per live peer and no more (those to crashed processes end when WebRTC notices, up to
   * about 30 s for a peer killed without a word).
   */
  private async connectionsSettle(): Promise<void> {
    const startMs = Date.now();
    const deadline = startMs + 90_000;
    for (;;) {
      const statuses = await Promise.all(this.slots.map((m) => m.status(STATUS_TIMEOUT_MS)));
      if (statuses.every((s) => s.peerConnections === this.slots.length - 1)) {
        this.connectionsSettledMs = Date.now() - startMs;
        this.options.log(`connections settled to one per live peer after ${this.connectionsSettledMs} ms`);
        return;
      }
      if (Date.now() > deadline) {
        this.problems.push(`connections did not settle to one per live peer within 90 s: ${statuses.map((s) => s.peerConnections).join(', ')}`);
        return;
      }
      await pause(1000);
    }
  }

  private mergeAndCheck(final: boolean): void {
    this.merged = mergeTraces([this.parentTrace, ...this.everyone.map((m) => readTrace(m.traceFile))]);
    const startMs = Date.now();
    this.violation = checkProperties(this.merged, { final });
    this.checkMs = Date.now() - startMs;
  }

  /**
   * A member process that died of its own (not killed by the soak, not closed) is a problem: it is
   * reported, counted as a crash in the trace (its calls may stay pending), and replaced, so that the
   * run goes on and shows everything else it would have shown.
   */
  private async reviveDead(): Promise<void> {
    for (const m of [...this.slots]) {
      if (m.running || m.exit === undefined || m.exit.expected) continue;
      this.checkHealth();
      this.parentTrace.push({ k: 'crash', at: m.exit.atMs, process: m.id });
      this.record({ k: 'crash', at: m.exit.atMs, process: m.id });
      this.fault(`died ${m.id} (${m.exit.signal ?? m.exit.code})`);
      this.options.log(`${m.name} died by itself (${m.exit.signal ?? m.exit.code}); the last faults: ${this.lastFaults(4)}`);
      await this.replace(m);
    }
  }

  private lastFaults(count: number): string {
    return this.parentTrace.filter((e) => e.k === 'fault').slice(-count).map((e) => `${(e as { what: string }).what} at ${e.at}`).join('; ');
  }

  /** Problems that are not properties: a member that died of its own, or reported a failure. */
  private checkHealth(): void {
    for (const m of this.everyone) {
      const problem = m.failure !== undefined
        ? `${m.name} failed: ${m.failure}`
        : m.exit !== undefined && !m.exit.expected ? `${m.name} exited by itself (${m.exit.signal ?? m.exit.code})` : undefined;
      if (problem === undefined) continue;
      const list = m.failure === undefined && m.exit?.signal === 'SIGSEGV' ? this.nativeCrashes : this.problems;
      if (!list.includes(problem)) list.push(problem);
    }
  }

  private fault(what: string): void {
    const event: Trace[number] = { k: 'fault', at: Date.now(), what };
    this.parentTrace.push(event);
    this.record(event);
  }

  private record(event: Trace[number]): void {
    writeSync(this.parentFile, `${JSON.stringify(event)}\n`);
  }

  private progress(): string {
    const minutes = ((Date.now() - this.startMs) / 60_000).toFixed(1);
    const heap = this.slots.map((m) => {
      const last = m.samples.at(-1);
      return last === undefined ? '-' : (last.heapBytes / 2 ** 20).toFixed(1);
    });
    return `${minutes} min: faults ${JSON.stringify(this.faults)}; heap MB by slot ${heap.join(' ')}; longest recovery ${this.longestRecoveryMs} ms`;
  }
}

function oneView(statuses: readonly Status[]): boolean {
  const first = statuses[0];
  if (first === undefined || first.viewId === undefined) return false;
  return statuses.every((s) =>
    s.primary && s.viewId === first.viewId && s.gid === first.gid && s.members.length === statuses.length && s.members.includes(s.me));
}

function describe(s: Status): string {
  return `${s.me} ${s.viewId ?? 'none'}${s.primary ? '' : '!'}[${s.members.length}]`;
}

function summarize(m: Member, seriesFromMs: number | undefined): IncarnationSummary {
  const pick = <T>(f: (s: Member['samples'][number]) => T): [T, T, T] | undefined => {
    const s = m.samples;
    if (s.length === 0) return undefined;
    return [f(s[0]!), f(s[Math.floor((s.length - 1) / 2)]!), f(s[s.length - 1]!)];
  };
  const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
  const exit = m.exit;
  return {
    slot: m.slot,
    incarnation: m.incarnation,
    id: m.id,
    lifetimeS: Math.round(((exit?.atMs ?? Date.now()) - m.startedMs) / 1000),
    end: exit === undefined ? 'running' : exit.signal === 'SIGKILL' ? 'killed' : `exit ${exit.code}`,
    samples: m.samples.length,
    heapMb: pick((s) => mb(s.heapBytes)),
    rssMb: pick((s) => mb(s.rssBytes)),
    activeResources: pick((s) => s.activeResources),
    peerConnections: pick((s) => s.peerConnections),
    maxStallMs: Math.max(0, ...m.samples.map((s) => s.stallMs)),
    errors: Object.fromEntries(m.errors),
    ...(seriesFromMs === undefined ? {} : {
      series: m.samples.map((s): [number, number, number, number, number] =>
        [Math.round((s.atMs - seriesFromMs) / 1000), mb(s.heapBytes), mb(s.rssBytes), s.activeResources, s.peerConnections]),
    }),
  };
}

function shuffle<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
