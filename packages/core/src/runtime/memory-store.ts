/**
 * A `GroupStore` in memory: what a process keeps survives its groups and its process object, not
 * the JavaScript process. For tests (the simulator's total failures), and for Node services that
 * restart a group within one long-lived process. Browsers use @synchrony/store-idb.
 */
import type { GroupStore, StoredCheckpoint, StoredView } from './persistence.js';

/** A store kept in this JavaScript process's memory; the log keeps the last `maxViews` views per group. */
export function memoryStore(options: { maxViews?: number } = {}): GroupStore & { views(group: string): readonly StoredView[] } {
  const maxViews = options.maxViews ?? 1000;
  const checkpoints = new Map<string, StoredCheckpoint>();
  const logs = new Map<string, StoredView[]>();
  return {
    load: (group) => Promise.resolve(checkpoints.get(group)),
    saveView: (group, view) => {
      const log = logs.get(group) ?? [];
      log.push(view);
      if (log.length > maxViews) log.splice(0, log.length - maxViews);
      logs.set(group, log);
      return Promise.resolve();
    },
    saveCheckpoint: (group, checkpoint) => {
      checkpoints.set(group, checkpoint);
      return Promise.resolve();
    },
    views: (group) => logs.get(group) ?? [],
  };
}
