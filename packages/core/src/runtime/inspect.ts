/**
 * `groupStats(group)`: what a group holds in memory right now, for diagnostics and for the
 * tests that prove memory stays bounded under a steady stream. Kept off the `Group` interface
 * (shared/API.md fixes it); any `Group` made by `createProcess` can be inspected.
 */
import type { Group } from '../api.js';
import type { GroupStats } from '../group/group-engine.js';

const sources = new WeakMap<Group, () => GroupStats>();

/** Called by the runtime for each group handle it makes. */
export function registerGroup(group: Group, stats: () => GroupStats): void {
  sources.set(group, stats);
}

/** The memory figures of a group made by `createProcess` (the simulator's and `connect()`'s included). */
export function groupStats(group: Group): GroupStats {
  const stats = sources.get(group);
  if (stats === undefined) throw new TypeError('not a group of @synchrony/core');
  return stats();
}
