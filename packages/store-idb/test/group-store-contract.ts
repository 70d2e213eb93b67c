/**
 * The GroupStore contract (core runtime/persistence.ts), as a suite that every store runs: the
 * core's memoryStore and idbStore both pass it (contract.test.ts), as libp2p's transports pass one
 * compliance suite. What the core relies on: a load returns what this process stored last for the
 * group (or nothing), a checkpoint replaces the previous one whole, groups are apart, the view log
 * keeps the last `maxViews` views in order, and a new handle on the same storage (a reloaded page)
 * finds it all.
 */
import type { GroupStore, StoredCheckpoint, StoredView } from '@synchrony/core';
import { describe, expect, it } from 'vitest';

/** A store under test, with the two things the GroupStore interface leaves out. */
export interface ContractSubject {
  readonly store: GroupStore;
  /** The view log of `group`, oldest first. */
  views(group: string): Promise<readonly StoredView[]>;
  /** A new handle on the same storage, as a reloaded page would make. */
  reopen(): ContractSubject;
}

export type OpenSubject = (options: { maxViews?: number }) => ContractSubject | Promise<ContractSubject>;

export function checkpoint(viewId: number, position: number, state: number[] = [viewId, position]): StoredCheckpoint {
  return { viewId, position, state: new Uint8Array(state), member: `p${viewId}#1`, savedAtMs: 1000 * viewId + position };
}

export function view(id: number, members = ['a#1', 'b#1']): StoredView {
  return { id, members, member: members[0]!, savedAtMs: 10 * id };
}

/** The fields the contract promises to keep, state as a plain array (a Buffer and a Uint8Array compare equal). */
function plain(stored: StoredCheckpoint | undefined): unknown {
  return stored === undefined ? undefined : { ...stored, state: [...stored.state] };
}

export function describeGroupStoreContract(label: string, open: OpenSubject): void {
  describe(`GroupStore contract: ${label}`, () => {
    it('has nothing for a group it never stored', async () => {
      const subject = await open({});
      expect(await subject.store.load('g')).toBeUndefined();
      expect(await subject.views('g')).toEqual([]);
    });

    it('gives back the checkpoint it stored: view, position, member, time and the state bytes', async () => {
      const subject = await open({});
      const bytes = Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256);
      const stored = checkpoint(4, 17, bytes);
      await subject.store.saveCheckpoint('g', stored);
      expect(plain(await subject.store.load('g'))).toEqual(plain(stored));
    });

    it('replaces a checkpoint whole: the last one stored is the one loaded, even a lower-ranked one', async () => {
      const subject = await open({});
      await subject.store.saveCheckpoint('g', checkpoint(5, 9, [1, 2, 3]));
      await subject.store.saveCheckpoint('g', checkpoint(3, 0, [4])); // after a restart from another device's checkpoint
      expect(plain(await subject.store.load('g'))).toEqual(plain(checkpoint(3, 0, [4])));
    });

    it('keeps groups apart', async () => {
      const subject = await open({});
      await subject.store.saveCheckpoint('g', checkpoint(2, 1));
      await subject.store.saveCheckpoint('h', checkpoint(7, 3));
      await subject.store.saveView('g', view(2));
      expect(plain(await subject.store.load('g'))).toEqual(plain(checkpoint(2, 1)));
      expect(plain(await subject.store.load('h'))).toEqual(plain(checkpoint(7, 3)));
      expect(await subject.views('h')).toEqual([]);
      expect(await subject.views('g')).toEqual([view(2)]);
    });

    it('logs views in order and keeps the last maxViews of each group', async () => {
      const subject = await open({ maxViews: 3 });
      for (let id = 1; id <= 5; id += 1) await subject.store.saveView('g', view(id));
      await subject.store.saveView('h', view(9));
      expect((await subject.views('g')).map((v) => v.id)).toEqual([3, 4, 5]);
      expect(await subject.views('h')).toEqual([view(9)]);
    });

    it('settles every write made without waiting, and the last checkpoint asked for is the one kept', async () => {
      const subject = await open({ maxViews: 50 });
      const writes: Array<Promise<void>> = [];
      for (let i = 1; i <= 40; i += 1) {
        writes.push(subject.store.saveCheckpoint('g', checkpoint(1, i)));
        writes.push(subject.store.saveView('g', view(i)));
      }
      await Promise.all(writes);
      expect(plain(await subject.store.load('g'))).toEqual(plain(checkpoint(1, 40)));
      expect((await subject.views('g')).map((v) => v.id)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    });

    it('a new handle on the same storage finds the checkpoint and the log', async () => {
      const subject = await open({});
      await subject.store.saveCheckpoint('g', checkpoint(6, 2));
      await subject.store.saveView('g', view(6));
      const again = subject.reopen();
      expect(plain(await again.store.load('g'))).toEqual(plain(checkpoint(6, 2)));
      expect(await again.views('g')).toEqual([view(6)]);
    });
  });
}
