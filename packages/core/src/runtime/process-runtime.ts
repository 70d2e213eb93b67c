/**
 * `createProcess`: the `Process` of shared/API.md over any transport and clock. This is the
 * one place where the engine meets time: it ticks the engine, feeds it frames, and runs
 * application calls. Calls made from inside an event listener are deferred until the engine
 * finishes its current step, so listeners may call back into the group freely.
 *
 * Batching: what the engine queues for its peers goes out once the current turn of the event
 * loop is over (`clock.soon`), so every message produced in one turn (a burst of sends, the
 * answers to a burst of inbound frames) shares one frame per peer and lane.
 *
 * Hidden tabs: a browser fires a hidden tab's timers at most once a second, which would silence
 * its heartbeats past the failure timeout. Its data channels still deliver at once, so an inbound
 * frame also runs the engine's tick when one is due: the peers' heartbeats keep it ticking.
 */
import type { Group, JoinOptions, Process } from '../api.js';
import { resolveConfig, type EngineConfig } from '../config.js';
import { GroupClosedError } from '../errors.js';
import { ProcessEngine } from '../process-engine.js';
import type { Clock, Transport } from '../transport.js';
import { checkJoinOptions, show } from './arguments.js';
import { Emitter } from './emitter.js';
import { GroupHandle } from './group-handle.js';

export interface ProcessOptions {
  transport: Transport;
  clock: Clock;
  config?: Partial<EngineConfig>;
}

class ProcessRuntime implements Process {
  readonly id: string;
  private readonly engine: ProcessEngine;
  private readonly handles = new Map<string, GroupHandle>();
  private readonly errors: Emitter<{ error: Error }>;
  private busy = false;
  private readonly deferredCalls: Array<() => void> = [];
  private stopTicking: () => void = () => {};
  private flushScheduled = false;
  private lastTickEndMs = -Infinity;
  private closed = false;

  constructor(
    private readonly transport: Transport,
    private readonly clock: Clock,
    readonly config: EngineConfig,
  ) {
    this.id = transport.localId;
    this.errors = new Emitter(() => {});
    this.engine = new ProcessEngine(this.id, config, {
      now: () => clock.now(),
      send: (to, bytes, lane) => transport.send(to, bytes, lane),
      peers: (group) => transport.peers(group),
      discovered: (group) => transport.discovered?.(group) ?? true,
      emit: (group, event) => this.handles.get(group)?.handle(event),
      error: (error) => this.reportError(error),
      binding: transport.binding === undefined ? undefined : (peer) => transport.binding!(peer),
      reliable: transport.reliable === true,
    });
    transport.onFrame((from, bytes) => {
      this.run(() => this.engine.receive(from, bytes));
      if (this.clock.now() - this.lastTickEndMs >= this.frameTickAfterMs) this.tick();
    });
    transport.onPeerDown?.((peer) => this.run(() => this.engine.peerDown(peer)));
    transport.onConnected?.((peer) => this.run(() => this.engine.connected(peer)));
    transport.onPeers((group) => this.run(() => this.engine.peersChanged(group)));
    transport.onRefused?.((group, error) => this.run(() => this.engine.refused(group, error)));
    transport.onError?.((error) => this.reportError(error));
    this.scheduleTick();
  }

  private scheduleTick(): void {
    this.stopTicking = this.clock.setTimer(() => {
      if (this.closed) return;
      this.tick();
      this.scheduleTick();
    }, this.config.tickMs);
  }

  private tick(): void {
    this.run(() => this.engine.tick());
    this.lastTickEndMs = this.clock.now();
  }

  /**
   * An inbound frame runs the tick only when the timer is this late (from the end of the last
   * tick): a hidden tab's timers fire once a second, its peers' heartbeats come more often. Not
   * merely `tickMs` late: a process whose ticks take longer than `tickMs` (a thousand groups
   * joining on a loaded machine) would then run a whole tick for every frame of a burst the
   * platform delivers in one go, stall for seconds, and fall silent to its peers.
   */
  private get frameTickAfterMs(): number {
    return Math.max(this.config.tickMs, this.config.heartbeatIntervalMs);
  }

  /** Runs an engine call now, or after the current step when called from inside one. */
  run(action: () => void): void {
    if (this.closed) return;
    if (this.busy) {
      this.deferredCalls.push(action);
      return;
    }
    this.step(action);
    this.scheduleFlush();
  }

  /** Runs `action` and then the calls it deferred; whether there were any. */
  private step(action: () => void): boolean {
    this.busy = true;
    let deferred = false;
    try {
      action();
      while (this.deferredCalls.length > 0) {
        deferred = true;
        this.deferredCalls.shift()!();
      }
    } finally {
      this.busy = false;
    }
    return deferred;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.closed) return;
    this.flushScheduled = true;
    const flush = (): void => {
      this.flushScheduled = false;
      // A flush runs the pumps that sends put off, which deliver: a listener that calls the engine
      // then is deferred as in any step, and what it queued goes out at one more flush.
      if (!this.closed && this.step(() => this.engine.flush())) this.scheduleFlush();
    };
    if (this.clock.soon !== undefined) this.clock.soon(flush);
    else this.clock.setTimer(flush, 0);
  }

  /**
   * Reports an error on 'error'. With no listener it is not dropped: it goes where the platform
   * reports an exception thrown in an event listener (`reportError` in browsers), or, where there is
   * none (Node), to a warning, once per kind of error.
   */
  private reportError(error: Error): void {
    if (this.errors.count('error') > 0) {
      this.errors.emit('error', error);
      return;
    }
    const platform = (globalThis as { reportError?: (error: unknown) => void }).reportError;
    if (typeof platform === 'function') {
      platform(error);
      return;
    }
    const what = error.message.replace(/^dropped input from \S+: /, '');
    const kind = `${error.name}: ${what.split(/[:(]/)[0]!.replace(/\d+/g, 'N').slice(0, 80)}`;
    if (this.warned.has(kind) || this.warned.size > 100) return;
    this.warned.add(kind);
    console.warn(`synchrony: ${error.name}: ${error.message} (process ${this.id} has no 'error' listener; further errors of this kind are not shown)`);
  }

  /** Kinds of error already shown as a warning (no 'error' listener). */
  private readonly warned = new Set<string>();

  /**
   * Waits (at most `closeDrainMs`) until the peers acknowledged every frame sent: the last ones of
   * a leave (a coordinator that leaves commits its own exclusion) must not die with the transport.
   */
  private drain(): Promise<void> {
    const deadlineMs = this.clock.now() + this.config.closeDrainMs;
    return new Promise((resolve) => {
      const check = (): void => {
        this.run(() => this.engine.flush());
        if (this.closed || this.engine.unacknowledged() === 0 || this.clock.now() >= deadlineMs) resolve();
        else this.clock.setTimer(check, this.config.tickMs);
      };
      check();
    });
  }

  group(name: string, options?: JoinOptions): Group {
    if (typeof name !== 'string' || name.length === 0 || name.length > 256) {
      throw new TypeError(`a group name is a string of 1 to 256 characters, not ${show(name)}`);
    }
    if (this.closed) throw new GroupClosedError('the process is closed');
    options = checkJoinOptions(options);
    let handle = this.handles.get(name);
    if (handle === undefined) {
      const settings = {
        failureTimeoutMs: options.failureTimeoutMs ?? this.config.failureTimeoutMs,
        rejoin: options.rejoin ?? true,
        secret: options.secret,
      };
      let created: GroupHandle | undefined;
      const engine = this.engine.group(name, settings, {
        getState: () => created!.checkpoint(),
        setState: (state) => created!.restore(state),
      });
      handle = created = new GroupHandle(name, engine, {
        maxMessageBytes: this.config.maxMessageBytes,
        run: (action) => this.run(action),
        now: () => this.clock.now(),
        setTimer: (callback, delayMs) => this.clock.setTimer(callback, delayMs),
        reportError: (error) => this.reportError(error),
        announce: (group) => this.transport.announce(group),
        withdraw: (group) => this.transport.withdraw(group),
      }, options);
      this.handles.set(name, handle);
    }
    return handle;
  }

  async join(name: string, options?: JoinOptions): Promise<Group> {
    const group = this.group(name, options);
    await group.join();
    return group;
  }

  on(event: 'error', listener: (error: Error) => void): () => void {
    return this.errors.on(event, listener);
  }

  async close(options: { abrupt?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    if (options.abrupt === true) return this.shutDown(options); // also cuts short a graceful close under way
    this.closing ??= this.shutDown(options);
    return this.closing;
  }

  private closing: Promise<void> | undefined;

  private async shutDown(options: { abrupt?: boolean }): Promise<void> {
    if (options.abrupt !== true) {
      await Promise.allSettled([...this.handles.values()].map((h) => h.leave()));
      await this.drain();
      this.run(() => {
        this.engine.flush();
        this.engine.goodbye();
      });
    }
    this.closed = true;
    for (const handle of this.handles.values()) handle.closeNow();
    this.stopTicking();
    await this.transport.close({ abrupt: options.abrupt === true });
  }
}

/** A process on the given transport and clock: the simulator and the WebRTC mesh both use it. */
export function createProcess(options: ProcessOptions): Process {
  return new ProcessRuntime(options.transport, options.clock, resolveConfig(options.config));
}
