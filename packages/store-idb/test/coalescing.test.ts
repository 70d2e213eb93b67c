/**
 * Coalesced writes: a checkpoint write waiting behind another is replaced by the newer one, so the
 * latest state wins and memory stays bounded however slow the disk. First the writer alone, with a
 * disk the test holds (each transaction finishes when the test says); then idbStore on
 * fake-indexeddb, counting the puts that reach the database.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { CoalescingWriter, type Batch } from '../src/coalescing-writer.js';
import { idbStore } from '../src/index.js';
import { freshIndexedDB } from './fake-indexeddb.js';
import { checkpoint } from './group-store-contract.js';
import { countPuts } from './quota.js';

/** A disk whose every write waits until the test finishes it. */
function heldDisk() {
  const writes: Array<{ batch: Batch<number>; finish(error?: Error): void }> = [];
  const write = (batch: Batch<number>): Promise<void> => new Promise((resolve, reject) => {
    writes.push({ batch: new Map([...batch].map(([group, records]) => [group, [...records]])), finish: (error) => (error ? reject(error) : resolve()) });
  });
  return { writes, write };
}

const flushMicrotasks = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('CoalescingWriter', () => {
  it('writes one batch at a time; what comes meanwhile waits in one batch, the newest per group', async () => {
    const disk = heldDisk();
    const writer = new CoalescingWriter<number>(1, 1, disk.write);
    const settled: Array<Promise<void>> = [];
    for (let i = 1; i <= 10_000; i += 1) settled.push(writer.submit(i % 2 === 0 ? 'g' : 'h', i));
    await flushMicrotasks();
    expect(disk.writes).toHaveLength(1);
    expect(disk.writes[0]!.batch).toEqual(new Map([['h', [1]]]));
    disk.writes[0]!.finish();
    await flushMicrotasks();
    expect(disk.writes).toHaveLength(2); // everything that waited, in one batch: the last of each group
    expect(disk.writes[1]!.batch).toEqual(new Map([['h', [9999]], ['g', [10_000]]]));
    disk.writes[1]!.finish();
    await Promise.all(settled);
    await writer.idle();
  });

  it('keeps the last `keep` records of a group, in order (the view log)', async () => {
    const disk = heldDisk();
    const writer = new CoalescingWriter<number>(3, 1, disk.write);
    const settled = [1, 2, 3, 4, 5, 6].map((i) => writer.submit('g', i));
    await flushMicrotasks();
    disk.writes[0]!.finish();
    await flushMicrotasks();
    expect(disk.writes[1]!.batch).toEqual(new Map([['g', [4, 5, 6]]]));
    disk.writes[1]!.finish();
    await Promise.all(settled);
  });

  it('a replaced record settles with the batch that replaced it: rejects if that one fails', async () => {
    const disk = heldDisk();
    const writer = new CoalescingWriter<number>(1, 1, disk.write);
    const first = writer.submit('g', 1);
    const replaced = writer.submit('g', 2);
    const newer = writer.submit('g', 3);
    await flushMicrotasks();
    disk.writes[0]!.finish();
    await first;
    await flushMicrotasks();
    disk.writes[1]!.finish(new Error('disk full'));
    await expect(replaced).rejects.toThrow('disk full');
    await expect(newer).rejects.toThrow('disk full');
  });

  it('an urgent record starts beside the running batch, up to maxRunning; idle() waits for all', async () => {
    const disk = heldDisk();
    const writer = new CoalescingWriter<number>(1, 2, disk.write);
    void writer.submit('g', 1);
    void writer.submit('g', 2); // waits
    void writer.submit('g', 3, true); // page exit: starts now, with 2 replaced by 3
    await flushMicrotasks();
    expect(disk.writes.map((w) => w.batch.get('g'))).toEqual([[1], [3]]);
    void writer.submit('g', 4, true); // two run already: waits
    await flushMicrotasks();
    expect(disk.writes).toHaveLength(2);
    let idle = false;
    void writer.idle().then(() => { idle = true; });
    disk.writes[0]!.finish();
    disk.writes[1]!.finish();
    await flushMicrotasks();
    expect(disk.writes.map((w) => w.batch.get('g'))).toEqual([[1], [3], [4]]);
    expect(idle).toBe(false);
    disk.writes[2]!.finish();
    await flushMicrotasks();
    expect(idle).toBe(true);
  });

  it('a write function that throws at the call rejects the batch instead of escaping', async () => {
    const writer = new CoalescingWriter<number>(1, 1, () => { throw new Error('no transaction'); });
    await expect(writer.submit('g', 1)).rejects.toThrow('no transaction');
    await writer.idle();
  });
});

describe('idbStore coalesces checkpoint writes', () => {
  beforeEach(() => {
    freshIndexedDB();
  });

  it('1000 checkpoints asked for at once: two puts reach IndexedDB, every promise resolves, the last one is stored', async () => {
    const store = idbStore('coalesce');
    await store.saveCheckpoint('warm-up', checkpoint(1, 0)); // the database is open
    const puts = countPuts('checkpoints');
    try {
      await Promise.all(Array.from({ length: 1000 }, (_, i) => store.saveCheckpoint('g', checkpoint(2, i + 1))));
      expect(puts.count()).toBe(2);
    } finally {
      puts.stop();
    }
    expect(await store.load('g')).toMatchObject({ viewId: 2, position: 1000 });
  });
});
