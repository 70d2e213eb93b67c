/**
 * The world of the model-based test: simulated processes in one group, each with the five
 * objects of the test (a map, a list, a counter, a lock, a custom reducer), driven by a list of
 * steps (operations, crashes, joins, leaves, partitions, heals, time). It records, per member
 * incarnation, every object's trace (the ops, views and loads it applied, in order) and the
 * primary views it showed, checks at every virtual millisecond that no primary view has two lock
 * holders, and keeps every update's promise to check that it settled.
 *
 * Faults are drawn freely but never take a majority of the latest view out of reach at once
 * (crashed, cut off or leaving): the group must stay live for the final checks.
 */
import { groupStats, type Group, type Process, type View } from '@synchrony/core';
import type { Simulator } from '@synchrony/sim';
import { Counter, defineObject, Lock, Presence, ReplicatedList, ReplicatedMap, type CustomObject } from '../../src/index.js';
import { traceObjects, type TraceStep } from '../../src/trace.js';
import { outcome } from '../fixture.js';
import { hashStep } from './sequential.js';

export const KINDS = ['map', 'list', 'counter', 'lock', 'custom'] as const;
export type Kind = (typeof KINDS)[number] | 'presence';

const Hash = defineObject<{ h: number }, number>({ name: 'hash', initial: () => ({ h: 0 }), apply: hashStep });

export interface Objects {
  map: ReplicatedMap<number>;
  list: ReplicatedList<number>;
  counter: Counter;
  lock: Lock;
  custom: CustomObject<{ h: number }, number>;
  presence: Presence<{ v: number }>;
}

/** An update's promise, by who made it (as which member id) and on which object. */
export interface Update {
  readonly me: string;
  readonly kind: Kind;
  readonly what: string;
  readonly result: ReturnType<typeof outcome<void>>;
  /** An acquire's: withdraws it. */
  abort?: () => void;
}

export interface Node {
  readonly name: string;
  readonly process: Process;
  readonly group: Group;
  status: 'alive' | 'crashed' | 'left';
  objects: Objects | undefined;
  /** Per object kind, per member incarnation: the trace. */
  readonly traces: Map<Kind, Map<string, TraceStep[]>>;
  /** Per member incarnation: the ids of the primary views it showed, in order. */
  readonly views: Map<string, number[]>;
  readonly updates: Update[];
  readonly errors: Error[];
}

/** What an operation step asks for. */
export type OpSpec =
  | { o: 'set' | 'delete'; key: number }
  | { o: 'push' }
  | { o: 'insert' | 'remove'; at: number }
  | { o: 'add'; delta: number }
  | { o: 'lock' }
  | { o: 'abort' }
  | { o: 'custom' }
  | { o: 'presence' };

export type WorldStep =
  | { t: 'op'; who: number; op: OpSpec; times?: number }
  | { t: 'run'; ms: number }
  | { t: 'crash'; who: number }
  | { t: 'join'; early: boolean }
  | { t: 'leave'; who: number }
  | { t: 'partition'; who: number[] }
  | { t: 'heal' }
  | { t: 'open' };

const push = <K, V>(map: Map<K, V[]>, key: K, value: V): void => {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
};

export class World {
  readonly nodes: Node[] = [];
  /** Processes on the far side of the current partition. */
  private cutOff = new Set<string>();
  private nextValue = 1;
  /** A lock-safety violation seen at some instant, if any. */
  violation: string | undefined;
  readonly log: string[] = [];

  constructor(readonly sim: Simulator) {}

  alive(): Node[] {
    return this.nodes.filter((n) => n.status === 'alive');
  }

  spawn(early: boolean): Node {
    const name = `p${this.nodes.length + 1}`;
    const process = this.sim.spawn(name);
    const group = process.group('g');
    const node: Node = {
      name, process, group, status: 'alive', objects: undefined, traces: new Map(), views: new Map(), updates: [], errors: [],
    };
    process.on('error', (error) => node.errors.push(error));
    const kinds = new Map<string, Kind>([['m', 'map'], ['l', 'list'], ['n', 'counter'], ['k', 'lock'], ['h', 'custom'], ['p', 'presence']]);
    traceObjects(group, (object, step) => push(this.traceOf(node, kinds.get(object.name)!), group.me, { ...step, at: this.sim.now }));
    group.on('view', (view) => { if (view.primary) push(node.views, group.me, view.id); });
    this.nodes.push(node);
    this.log.push(`${this.sim.now}: spawn ${name}${early ? ' (objects before join)' : ''}`);
    if (early) this.open(node);
    group.join().catch(() => {});
    return node;
  }

  /** Opens the node's objects (if not yet): they catch up from the backlog, traced from the start. */
  open(node: Node): void {
    if (node.objects !== undefined || node.status !== 'alive') return;
    const g = node.group;
    const opened: Partial<Objects> = {};
    // Opening is synchronous underneath: each promise resolves at once, with the backlog replayed.
    void ReplicatedMap.open<number>(g, 'm').then((o) => { opened.map = o; });
    void ReplicatedList.open<number>(g, 'l').then((o) => { opened.list = o; });
    void Counter.open(g, 'n').then((o) => { opened.counter = o; });
    void Lock.open(g, 'k').then((o) => { opened.lock = o; });
    void Hash.open(g, 'h').then((o) => { opened.custom = o; });
    void Presence.open<{ v: number }>(g, 'p').then((o) => { opened.presence = o; });
    node.objects = opened as Objects;
  }

  private traceOf(node: Node, kind: Kind): Map<string, TraceStep[]> {
    let traces = node.traces.get(kind);
    if (traces === undefined) node.traces.set(kind, (traces = new Map()));
    return traces;
  }

  /** Runs one step of the scenario. */
  async step(step: WorldStep): Promise<void> {
    switch (step.t) {
      case 'op':
        for (let i = 0; i < (step.times ?? 1); i++) this.op(step.who + i, step.op);
        return;
      case 'run': return this.advance(step.ms);
      case 'crash': return this.crash(step.who);
      case 'join': this.spawn(step.early); return;
      case 'leave': return this.leave(step.who);
      case 'partition': return this.partition(step.who);
      case 'heal':
        this.sim.heal();
        this.cutOff.clear();
        this.log.push(`${this.sim.now}: heal`);
        return;
      case 'open': for (const n of this.alive()) this.open(n); return;
    }
  }

  /** Advances virtual time 1 ms at a time, checking the lock at every instant. */
  async advance(ms: number): Promise<void> {
    for (let i = 0; i < ms; i++) {
      await this.sim.run(1);
      this.checkLock();
    }
  }

  /** No primary view has two members that each hold the lock, as they each see it now. */
  private checkLock(): void {
    const holders = new Map<number, string>();
    for (const n of this.alive()) {
      const view = n.group.view;
      const lock = n.objects?.lock;
      if (lock === undefined || view?.primary !== true || lock.holder !== n.group.me) continue;
      const other = holders.get(view.id);
      if (other !== undefined && this.violation === undefined) {
        this.violation = `at ${this.sim.now} ms, ${other} and ${n.group.me} both hold the lock in view ${view.id}`;
      }
      holders.set(view.id, n.group.me);
    }
  }

  private pick(who: number): Node | undefined {
    const alive = this.alive();
    return alive.length === 0 ? undefined : alive[who % alive.length];
  }

  /**
   * Whether taking `extra` more members out of reach still leaves a majority of every view that
   * a live member may still be in: a view change in progress (the latest view installed by some,
   * not yet by others) needs a majority of the view before it.
   */
  private canLose(extra: readonly Node[]): boolean {
    const gone = new Set<string>();
    for (const n of this.nodes) {
      if (n.status !== 'alive' || this.cutOff.has(n.name) || extra.includes(n)) gone.add(n.group.me);
    }
    // Members whose view is not primary (cut off, rejoining) count as gone too.
    for (const n of this.alive()) if (n.group.view?.primary !== true) gone.add(n.group.me);
    const views = this.alive().map((n) => n.group.view).filter((v): v is View => v?.primary === true);
    if (views.length === 0) return false;
    return views.every((view) => 2 * view.members.filter((m) => gone.has(m)).length < view.members.length);
  }

  private crash(who: number): void {
    const node = this.pick(who);
    if (node === undefined || !this.canLose([node])) return;
    this.open(node); // so its trace holds what it delivered (see check.ts)
    node.status = 'crashed';
    this.sim.crash(node.name);
    this.log.push(`${this.sim.now}: crash ${node.name}`);
  }

  private leave(who: number): void {
    const node = this.pick(who);
    // Only a member leaves: a process that leaves before its first view stays in the others' views
    // as a ghost (a core bug, see the objects README), and the group never settles.
    if (node === undefined || node.group.view?.primary !== true || !this.canLose([node])) return;
    this.open(node);
    node.status = 'left';
    void node.group.leave().catch(() => {});
    this.log.push(`${this.sim.now}: ${node.name} leaves`);
  }

  private partition(who: readonly number[]): void {
    const alive = this.alive();
    const side = [...new Set(who.map((w) => alive[w % alive.length]!))];
    if (side.length === 0 || side.length === alive.length || !this.canLose(side)) return;
    this.cutOff = new Set(side.map((n) => n.name));
    const rest = this.nodes.filter((n) => !this.cutOff.has(n.name)).map((n) => n.name);
    this.sim.partition(side.map((n) => n.name), rest);
    this.log.push(`${this.sim.now}: partition ${[...this.cutOff].join(',')} | rest`);
  }

  private op(who: number, spec: OpSpec): void {
    const node = this.pick(who);
    const o = node?.objects;
    if (node === undefined || o === undefined) return;
    const me = node.group.me;
    const v = this.nextValue++;
    const track = (kind: Kind, what: string, promise: () => Promise<void>): void => {
      node.updates.push({ me, kind, what, result: outcome(promise()) });
      this.log.push(`${this.sim.now}: ${me} ${what}`);
    };
    switch (spec.o) {
      case 'set': return track('map', `set k${spec.key}=${v}`, () => o.map.set(`k${spec.key}`, v));
      case 'delete': return track('map', `delete k${spec.key}`, () => o.map.delete(`k${spec.key}`));
      case 'push': return track('list', `push ${v}`, () => o.list.push(v));
      case 'insert': {
        const at = Math.floor(spec.at * (o.list.length + 1));
        return track('list', `insert ${at} ${v}`, () => o.list.insert(at, v));
      }
      case 'remove': {
        if (o.list.length === 0) return;
        const at = Math.floor(spec.at * o.list.length);
        return track('list', `remove ${at}`, () => o.list.remove(at));
      }
      case 'add': return track('counter', `add ${spec.delta}`, () => o.counter.add(spec.delta));
      case 'custom': return track('custom', `hash ${v}`, () => o.custom.update(v));
      case 'presence': return track('presence', `presence ${v}`, () => o.presence.set({ v }));
      case 'lock': return this.lockOp(node, o.lock, track);
      case 'abort': {
        const waiting = node.updates.find((u) => u.abort !== undefined && u.result.state === 'pending');
        if (waiting !== undefined) this.log.push(`${this.sim.now}: ${me} aborts its acquire`);
        return waiting?.abort?.();
      }
    }
  }

  /** Releases the lock if this member holds it, else asks for it unless it is waiting already. */
  private lockOp(node: Node, lock: Lock, track: (kind: Kind, what: string, promise: () => Promise<void>) => void): void {
    const me = node.group.me;
    if (lock.holder === me) {
      try {
        track('lock', 'release', () => lock.release());
      } catch {
        // releasing already
      }
      return;
    }
    const waiting = node.updates.some((u) => u.kind === 'lock' && u.me === me && u.what === 'acquire' && u.result.state === 'pending');
    if (waiting) return;
    const controller = new AbortController();
    track('lock', 'acquire', () => lock.acquire({ signal: controller.signal }));
    node.updates.at(-1)!.abort = () => controller.abort();
  }

  /**
   * Until nobody holds or waits for the lock and no lock update is on its way: each holder
   * releases it, so that every acquire can settle.
   */
  async drainLock(maxRounds = 60): Promise<void> {
    for (let round = 0; round < maxRounds; round++) {
      const locks = this.alive().filter((n) => n.objects !== undefined);
      const free = locks.every((n) => n.objects!.lock.holder === undefined && n.objects!.lock.waiters.length === 0);
      const moving = locks.some((n) => n.updates.some((u) => u.kind === 'lock' && u.result.state === 'pending'));
      if (free && !moving) return;
      for (const n of locks) {
        if (n.objects!.lock.holder !== n.group.me) continue;
        try {
          void n.objects!.lock.release().catch(() => {});
        } catch {
          // releasing already
        }
      }
      await this.advance(100);
    }
  }

  /** Whether every live member's updates settled and all live replicas (presence included) look alike. */
  quiet(): boolean {
    const alive = this.alive();
    if (alive.some((n) => n.objects === undefined || n.updates.some((u) => u.result.state === 'pending'))) return false;
    // Nothing in flight: a message still crossing to a member (a frame lost to a partition waits for
    // its retransmission) is retained by its sender until every member has it.
    if (alive.some((n) => groupStats(n.group).retainedMessages > 0)) return false;
    const look = (n: Node): string => {
      const o = n.objects!;
      const presence = alive.map((m) => o.presence.get(m.group.me));
      return JSON.stringify([[...o.map.entries()], o.list.toArray(), o.counter.value, o.lock.holder, o.lock.waiters, o.custom.state, presence]);
    };
    const first = look(alive[0]!);
    return alive.every((n) => look(n) === first);
  }

  /** Whether every live process shows one primary view whose members are exactly the live processes. */
  settled(): boolean {
    const alive = this.alive();
    const first = alive[0]?.group.view;
    if (first === undefined || !first.primary) return false;
    const names = new Set(alive.map((n) => n.name));
    return first.members.length === names.size &&
      first.members.every((m) => names.has(m.slice(0, m.lastIndexOf('#')))) &&
      alive.every((n) => n.group.view?.primary === true && n.group.view.id === first.id);
  }
}
