/**
 * Documentation that runs: the README's examples are regions of test/readme-examples.ts; this test
 * runs each on the simulator with fake-indexeddb, and checks that the README quotes every region
 * exactly.
 */
import { readFileSync } from 'node:fs';
import { Simulator } from '@synchrony/sim';
import { describe, expect, it } from 'vitest';
import { regionQuote } from '../../../examples/test/readme-quotes.js';
import { freshIndexedDB } from './fake-indexeddb.js';
import { simulateQuota } from './quota.js';
import { inspect, quickStart, storageErrors } from './readme-examples.js';

const here = new URL('.', import.meta.url);
const source = readFileSync(new URL('./readme-examples.ts', here), 'utf8');
const readme = readFileSync(new URL('../README.md', here), 'utf8');

/** Advances virtual time in slices, letting fake-indexeddb's tasks run between them. */
async function runWithDisk(sim: Simulator, ms: number): Promise<void> {
  for (let done = 0; done < ms; done += 5) {
    await sim.run(5);
    for (let i = 0; i < 4; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

describe('README examples', () => {
  it('quotes every region of test/readme-examples.ts exactly', () => {
    for (const name of ['quick-start', 'errors', 'inspect']) {
      expect(readme).toContain(regionQuote(source, name));
    }
  });

  it('runs them: a restart from the stored checkpoint, a banner for a full disk, the stored records', async () => {
    freshIndexedDB();
    const sim = new Simulator({ seed: 1 });
    const first = sim.spawn('a');
    const started = quickStart(first);
    await runWithDisk(sim, 1000);
    expect((await started).value).toBe(1);
    await runWithDisk(sim, 5500); // a periodic checkpoint
    sim.crash(first);
    const [viewId, logged] = await inspect();
    expect(viewId).toBe(1);
    expect(logged).toBe(1);

    const banners: string[] = [];
    const second = sim.spawn('b');
    storageErrors(second, (text) => banners.push(text));
    const lift = simulateQuota(0, 'request');
    try {
      const restarted = quickStart(second);
      await runWithDisk(sim, 1000);
      expect((await restarted).value).toBe(2); // 1 from the stored checkpoint, 1 added now
      expect(banners).toContain('Storage is full: this device keeps an older copy of the board');
    } finally {
      lift();
    }
  });
});
