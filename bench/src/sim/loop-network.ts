/**
 * A minimal driver for processes of the real engine in one JS process: zero latency, no loss,
 * a manual clock. It exists so that a benchmark measures the engine, not a simulator.
 *
 * Frames go into one FIFO queue (so every link stays FIFO) and are handed over in a plain loop.
 * Virtual time moves only when that queue is empty: the clock then jumps to the next timer
 * (the engines' 20 ms ticks). So the wall time of a run is the CPU time of the engines, the
 * runtime and msgpack, plus a queue push and shift per frame; waiting on timers costs nothing.
 * The simulator (`@synchrony/sim`) would add a binary heap per frame, a seeded draw per frame,
 * and an event-loop turn (`setImmediate`) per virtual millisecond in which anything ran.
 *
 * The runtime sends what a turn produced on a zero-delay timer; here a "turn" lasts until the
 * frame queue is empty, so batching is at least as good as on a real event loop.
 */
import { createProcess, type Clock, type EngineConfig, type Lane, type Process, type Transport } from '@synchrony/core';

interface Hop {
  from: string;
  to: string;
  bytes: Uint8Array;
}

interface Timer {
  atMs: number;
  order: number;
  run: () => void;
}

/** What `runUntil` stopped on. */
export type Outcome = 'done' | 'virtual-limit' | 'wall-limit';

/** The network, the clock and the processes on them. */
export class LoopNetwork {
  /** Virtual milliseconds since the start. */
  nowMs = 0;
  framesSent = 0;
  bytesSent = 0;
  /** When set, every frame sent is also kept here (the codec baseline re-codes them). */
  capture: Uint8Array[] | undefined;
  private hops: Hop[] = [];
  private head = 0;
  private timers: Timer[] = [];
  private timerOrder = 0;
  private readonly receivers = new Map<string, (from: string, bytes: Uint8Array) => void>();
  private readonly interest = new Map<string, Set<string>>();

  /** A process of the real engine (`createProcess` of @synchrony/core) on this network. */
  spawn(id: string, config?: Partial<EngineConfig>): Process {
    return createProcess({ transport: this.transport(id), clock: this.clock(), ...(config ? { config } : {}) });
  }

  /**
   * Hands over frames and fires timers until `done()` holds. Bounded by virtual time and by
   * wall time, so a stuck protocol ends the run instead of hanging the benchmark.
   */
  runUntil(done: () => boolean, virtualLimitMs: number, wallLimitMs: number): Outcome {
    const endMs = this.nowMs + virtualLimitMs;
    const wallEnd = performance.now() + wallLimitMs;
    for (;;) {
      this.drain();
      if (done()) return 'done';
      if (performance.now() > wallEnd) return 'wall-limit';
      const next = this.nextTimerMs();
      if (next === undefined || next > endMs) return 'virtual-limit';
      this.fireTimers(next);
    }
  }

  private drain(): void {
    while (this.head < this.hops.length) {
      const hop = this.hops[this.head]!;
      this.hops[this.head] = undefined as unknown as Hop; // let the frame be collected
      this.head += 1;
      this.receivers.get(hop.to)?.(hop.from, hop.bytes);
    }
    this.hops = [];
    this.head = 0;
  }

  private nextTimerMs(): number | undefined {
    let min: number | undefined;
    for (const t of this.timers) if (min === undefined || t.atMs < min) min = t.atMs;
    return min;
  }

  /** Moves the clock to `atMs` and runs the timers due then, in the order they were set. */
  private fireTimers(atMs: number): void {
    this.nowMs = atMs;
    const due = this.timers.filter((t) => t.atMs <= atMs).sort((a, b) => a.order - b.order);
    this.timers = this.timers.filter((t) => t.atMs > atMs);
    for (const t of due) t.run();
  }

  private clock(): Clock {
    return {
      now: () => this.nowMs,
      setTimer: (run, delayMs) => {
        const timer: Timer = { atMs: this.nowMs + Math.max(0, delayMs), order: this.timerOrder++, run };
        this.timers.push(timer);
        return () => {
          this.timers = this.timers.filter((t) => t !== timer);
        };
      },
    };
  }

  private transport(localId: string): Transport {
    const peersOf = (group: string): string[] => [...(this.interest.get(group) ?? [])].filter((p) => p !== localId);
    return {
      localId,
      send: (to: string, bytes: Uint8Array, _lane: Lane) => this.send(localId, to, bytes),
      onFrame: (handler) => void this.receivers.set(localId, handler),
      announce: (group) => {
        const set = this.interest.get(group) ?? new Set<string>();
        this.interest.set(group, set.add(localId));
      },
      withdraw: (group) => void this.interest.get(group)?.delete(localId),
      peers: peersOf,
      onPeers: () => {}, // the runtime polls `peers`; nobody listens for changes
      close: async () => {
        this.receivers.delete(localId);
      },
    };
  }

  private send(from: string, to: string, bytes: Uint8Array): void {
    this.framesSent += 1;
    this.bytesSent += bytes.length;
    this.capture?.push(bytes);
    this.hops.push({ from, to, bytes });
  }
}
