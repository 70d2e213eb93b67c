/**
 * The judgements of the model-based test, once the world is quiet:
 *
 * 1. The delivered total order, view by view. For each primary view, every member incarnation
 *    that installed it and a later one (or is in the final view) applied the same operations in
 *    it, in the same order (virtual synchrony and total order, as the objects see them); that
 *    sequence, view after view, is the group's order.
 * 2. Every member of the final view holds, in every object, exactly what the plain sequential
 *    model computes from that order, and so do all of them alike: late joiners and late openers
 *    included, whatever the crashes, leaves and partitions did.
 * 3. Every update of a live member settled; the ones that resolved are exactly its operations
 *    that came back to it (an update resolves when, and only when, it is applied there).
 * 4. Presence: every final member sees each other's own latest state, and nobody else's.
 *
 * Each returns a sentence describing the first thing wrong, or undefined.
 */
import type { View } from '@synchrony/core';
import type { TraceStep } from '../../src/trace.js';
import { counterModel, customModel, listModel, lockModel, mapModel, type Model, type Step } from './sequential.js';
import { KINDS, type Kind, type Node, type Objects, type World } from './world.js';

const MODELS: Record<(typeof KINDS)[number], () => Model> = { map: mapModel, list: listModel, counter: counterModel, lock: lockModel, custom: customModel };

/** What a replica holds, in the shape of the models' `state()`. */
export function replicaState(kind: (typeof KINDS)[number], o: Objects): unknown {
  switch (kind) {
    case 'map': return [...o.map.entries()];
    case 'list': return o.list.toArray();
    case 'counter': return o.counter.value;
    case 'lock': return { holder: o.lock.holder, waiters: o.lock.waiters };
    case 'custom': return { ...o.custom.state };
  }
}

type OpStep = Extract<TraceStep, { kind: 'op' }>;

/** The operations of each view in one incarnation's trace, in the order it applied them. */
function opsByView(trace: readonly TraceStep[]): Map<number, OpStep[]> {
  const out = new Map<number, OpStep[]>();
  for (const step of trace) {
    if (step.kind !== 'op') continue;
    const list = out.get(step.viewId);
    if (list === undefined) out.set(step.viewId, [step]);
    else list.push(step);
  }
  return out;
}

const key = (s: OpStep): string => `${s.sender}/${s.n}`;

/** The group's order of one object's operations, view by view, or a sentence saying where members disagree. */
export function globalOrder(world: World, kind: Kind, finalView: View): Step[] | string {
  const views = new Map<number, View>();
  const candidates = new Map<number, Array<{ me: string; ops: OpStep[] }>>();
  for (const node of world.nodes) {
    for (const [me, ids] of node.views) {
      const trace = node.traces.get(kind)?.get(me) ?? [];
      for (const step of trace) if (step.kind === 'view') views.set(step.view.id, step.view);
      const ops = opsByView(trace);
      for (const id of ids) {
        const survived = ids.some((later) => later > id) || (id === finalView.id && finalView.members.includes(me));
        if (survived && node.traces.get(kind)?.has(me) === true) {
          const list = candidates.get(id) ?? [];
          list.push({ me, ops: ops.get(id) ?? [] });
          candidates.set(id, list);
        }
      }
    }
  }
  const order: Step[] = [];
  for (const id of [...candidates.keys()].sort((a, b) => a - b)) {
    const [first, ...others] = candidates.get(id)!;
    const expected = first!.ops.map(key).join(' ');
    for (const other of others) {
      const got = other.ops.map(key).join(' ');
      if (got !== expected) return `${kind}: in view ${id}, ${first!.me} applied [${expected}] but ${other.me} applied [${got}]`;
    }
    const view = views.get(id);
    if (view !== undefined) order.push({ view });
    for (const s of first!.ops) order.push({ op: s.op, sender: s.sender, n: s.n });
  }
  return order;
}

/**
 * The group's order of every object, or a sentence saying where members delivered differently:
 * the traces record what the core delivered, so that is the core breaking virtual synchrony
 * (the same set of messages per view), total order, or liveness (a member that never gets them).
 */
export function agreedOrders(world: World, finalView: View): Map<(typeof KINDS)[number], Step[]> | string {
  const out = new Map<(typeof KINDS)[number], Step[]>();
  for (const kind of KINDS) {
    const order = globalOrder(world, kind, finalView);
    if (typeof order === 'string') return order;
    out.set(kind, order);
  }
  return out;
}

/** Every final member's replica equals the model fed the group's order. */
export function checkReplicas(world: World, orders: Map<(typeof KINDS)[number], Step[]>): string | undefined {
  const finals = world.alive();
  for (const kind of KINDS) {
    const order = orders.get(kind)!;
    const model = MODELS[kind]();
    for (const step of order) model.step(step);
    const expected = JSON.stringify(model.state());
    for (const node of finals) {
      const got = JSON.stringify(replicaState(kind, node.objects!));
      if (got !== expected) return `${kind} at ${node.group.me}: ${got.slice(0, 300)} but the model of ${order.length} steps says ${expected.slice(0, 300)}`;
    }
  }
  return undefined;
}

/** Operations of `me` that came back to `me`, per kind. */
function ownApplied(node: Node, kind: Kind, me: string): number {
  const trace = node.traces.get(kind)?.get(me) ?? [];
  return trace.filter((s) => s.kind === 'op' && s.sender === me).length;
}

/** Every live member's updates settled; the resolved ones are the ones applied there. */
export function checkPromises(world: World): string | undefined {
  for (const node of world.alive()) {
    const stuck = node.updates.find((u) => u.result.state === 'pending');
    if (stuck !== undefined) return `${stuck.me}'s ${stuck.kind} update "${stuck.what}" never settled`;
    for (const kind of KINDS) {
      if (kind === 'lock') continue; // an acquire resolves at its grant, not when applied
      for (const me of node.views.keys()) {
        const resolved = node.updates.filter((u) => u.kind === kind && u.me === me && u.result.state === 'resolved').length;
        const applied = ownApplied(node, kind, me);
        if (resolved !== applied) return `${me}: ${resolved} ${kind} updates resolved, but ${applied} came back`;
      }
    }
  }
  return undefined;
}

/** Every final member sees, for each other final member, the state that member last applied as its own. */
export function checkPresence(world: World): string | undefined {
  const finals = world.alive();
  const members = new Set(finals.map((n) => n.group.me));
  for (const x of finals) {
    for (const other of x.objects!.presence.others.keys()) {
      if (!members.has(other)) return `presence at ${x.group.me} still shows ${other}, who is not in the view`;
    }
    for (const y of finals) {
      const own = JSON.stringify(y.objects!.presence.get(y.group.me));
      const seen = JSON.stringify(x.objects!.presence.get(y.group.me));
      if (own !== seen) return `presence at ${x.group.me} shows ${seen} for ${y.group.me}, whose own is ${own}`;
    }
  }
  return undefined;
}
