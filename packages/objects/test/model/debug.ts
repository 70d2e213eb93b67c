/**
 * What the model-based test prints when asked (OBJECTS_STATS=1, OBJECTS_DEBUG=<kind>): the shape
 * of a run, and every member's trace of one object, with times, to see where members part ways.
 */
import type { Kind, World } from './world.js';

/** One line about a run: how long, how many views, faults, operations and rejections. */
export function stats(world: World): string {
  const final = world.alive()[0];
  const count = (pattern: RegExp): number => world.log.filter((l) => pattern.test(l)).length;
  const updates = world.nodes.flatMap((n) => n.updates);
  return `t=${world.sim.now} view=${final?.group.view?.id} processes=${world.nodes.length} alive=${world.alive().length} ` +
    `crashes=${count(/crash/)} partitions=${count(/partition/)} leaves=${count(/leaves/)} ` +
    `rejoins=${world.nodes.reduce((a, n) => a + Math.max(0, n.views.size - 1), 0)} ` +
    `updates=${updates.length} rejected=${updates.filter((u) => u.result.state === 'rejected').length}`;
}

/** Every member's views, updates and trace of one object. */
export function traces(world: World, kind: Kind): string {
  const out: string[] = [];
  for (const n of world.nodes) {
    out.push(`${n.name} ${n.status} ${n.group.me} ${JSON.stringify(n.group.view)} ${JSON.stringify([...n.views])}`);
    out.push(`  updates ${n.updates.filter((u) => u.kind === kind).map((u) => `${u.me} ${u.what} ${u.result.state}`).join(', ')}`);
    for (const [me, trace] of n.traces.get(kind) ?? []) {
      const steps = trace.map((x) => {
        const at = (x as { at?: number }).at;
        if (x.kind === 'op') return `${x.sender}/${x.n}@${x.viewId}(t${at})`;
        return x.kind === 'view' ? `[view ${x.view.id} ${x.view.members.join(',')}]` : `load(t${at})`;
      });
      out.push(`  trace ${me} ${steps.join(' ')}`);
    }
  }
  return out.join('\n');
}
