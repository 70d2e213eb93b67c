/**
 * The `Simulator` of shared/API.md: many processes of the real engine in one JS process, on
 * virtual time, over a seeded faulty network. The same seed gives the same run.
 */
import { createProcess, type EngineConfig, type Process } from '@synchrony/core';
import { EventQueue } from './event-queue.js';
import { Random } from './random.js';
import { SimNetwork } from './sim-network.js';

export interface SimulatorOptions {
  seed: number;
  /** Latency of each frame, drawn uniformly from [min, max] ms. Default [1, 20]. */
  latencyMs?: [number, number];
  /** Probability that a frame is lost. Default 0. */
  dropRate?: number;
  /** Probability that a frame arrives twice, below the engine's reliability layer. Default 0. */
  duplicateRate?: number;
  /**
   * Connections that lose nothing while they live, as WebRTC's data channels: no random loss
   * (`dropRate` must be 0); frames stopped by a partition break the connection, and a new one is
   * announced (Transport.onConnected) when frames pass again. Default false: a lossy datagram network.
   */
  reliable?: boolean;
  /** Engine settings for every process spawned (e.g. a shorter failure timeout). */
  config?: Partial<EngineConfig>;
}

/** The longest single `run`: a day of virtual time (a run spends real time on every virtual ms). */
const MAX_RUN_MS = 24 * 60 * 60 * 1000;

function checkRate(name: string, rate: unknown): void {
  if (rate !== undefined && (typeof rate !== 'number' || !(rate >= 0 && rate <= 1))) {
    throw new RangeError(`${name} is a probability from 0 to 1, not ${String(rate)}`);
  }
}

/** The options of `new Simulator(options)`: a TypeError or RangeError names what is wrong. */
function checkOptions(options: SimulatorOptions | undefined): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('new Simulator(options) takes an object: { seed: number, latencyMs?: [min, max], dropRate?: number }');
  }
  if (typeof options.seed !== 'number' || !Number.isSafeInteger(options.seed)) {
    throw new TypeError(`options.seed must be an integer (the same seed gives the same run), not ${String(options.seed)}`);
  }
  const latency = options.latencyMs;
  if (latency !== undefined) {
    const ok = Array.isArray(latency) && latency.length === 2 && latency.every((ms) => typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) && latency[0] <= latency[1];
    if (!ok) throw new RangeError(`options.latencyMs must be [min, max] in ms with 0 <= min <= max, not ${JSON.stringify(latency)}`);
  }
  checkRate('options.dropRate', options.dropRate);
  checkRate('options.duplicateRate', options.duplicateRate);
  if (options.reliable !== undefined && typeof options.reliable !== 'boolean') throw new TypeError(`options.reliable is a boolean, not ${String(options.reliable)}`);
  if (options.reliable === true && (options.dropRate ?? 0) > 0) throw new RangeError('reliable connections lose no frame at random: options.dropRate must be 0');
}

const yieldToMicrotasks: () => Promise<void> =
  typeof globalThis.setImmediate === 'function'
    ? () => new Promise((resolve) => globalThis.setImmediate(resolve))
    : () => new Promise((resolve) => setTimeout(resolve, 0));

export class Simulator {
  readonly random: Random;
  readonly network: SimNetwork;
  private readonly queue = new EventQueue();
  private readonly processes = new Map<string, Process>();
  private spawned = 0;

  constructor(readonly options: SimulatorOptions) {
    checkOptions(options);
    this.random = new Random(options.seed);
    this.network = new SimNetwork(this.queue, this.random, {
      latencyMs: options.latencyMs ?? [1, 20],
      dropRate: options.dropRate ?? 0,
      duplicateRate: options.duplicateRate ?? 0,
      reliable: options.reliable === true,
    });
  }

  /** Virtual milliseconds since the start. */
  get now(): number {
    return this.queue.nowMs;
  }

  spawn(name?: string): Process {
    if (name !== undefined && (typeof name !== 'string' || name.length === 0 || name.length > 200 || name.includes('#'))) {
      throw new TypeError(`a process name is a string of 1 to 200 characters without '#', not ${String(name)}`);
    }
    this.spawned += 1;
    const id = name ?? `p${this.spawned}`;
    const transport = this.network.attach(id);
    const unlessCrashed = (callback: () => void) => (): void => {
      if (!this.network.isCrashed(id)) callback();
    };
    const clock = {
      now: () => this.queue.nowMs,
      soon: (callback: () => void) => void this.queue.schedule(0, unlessCrashed(callback)),
      setTimer: (callback: () => void, delayMs: number) => this.queue.schedule(delayMs, unlessCrashed(callback)),
    };
    const process = createProcess({ transport, clock, config: this.options.config });
    this.processes.set(id, process);
    return process;
  }

  /** Abrupt, exactly as close({ abrupt: true }): the others must detect it by timeout. */
  crash(process: Process | string): void {
    this.network.crash(typeof process === 'string' ? process : process.id);
  }

  partition(...sides: Array<Array<Process | string>>): void {
    this.network.partition(sides.map((side) => side.map((p) => (typeof p === 'string' ? p : p.id))));
  }

  heal(): void {
    this.network.heal();
  }

  /** Changes the loss rate from now on (the random scenarios calm the network for liveness). */
  setDropRate(dropRate: number, duplicateRate = this.network.options.duplicateRate): void {
    checkRate('dropRate', dropRate);
    checkRate('duplicateRate', duplicateRate);
    if (this.network.options.reliable === true && dropRate > 0) throw new RangeError('reliable connections lose no frame at random: dropRate must be 0');
    this.network.options = { ...this.network.options, dropRate, duplicateRate };
  }

  /** Advances virtual time by `ms`, running every event due and letting promises settle between them. */
  async run(ms: number): Promise<void> {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_RUN_MS) {
      throw new RangeError(`sim.run(ms) takes a number of virtual ms from 0 to ${MAX_RUN_MS}, not ${String(ms)}`);
    }
    const until = this.queue.nowMs + ms;
    await yieldToMicrotasks();
    for (let t = this.queue.nowMs; t <= until; t += 1) {
      if (this.queue.runUntil(t) > 0) await yieldToMicrotasks();
    }
  }
}
