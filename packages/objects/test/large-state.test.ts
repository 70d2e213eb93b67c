/**
 * A large state travels to joiners: a list and a map of 100,000 entries each (about 5.6 MB as
 * msgpack, far more than one 64 KiB chunk or a 16 KiB data-channel message), one joiner opening
 * them before its join and one after. Prints how long the join took, in virtual and real ms
 * (`npm run bench:objects` measures the same, with the update costs).
 */
import { describe, expect, it } from 'vitest';
import { ReplicatedList, ReplicatedMap } from '../src/index.js';
import { startGroup } from './fixture.js';

const N = 100_000;

describe('large state', () => {
  it('a joiner gets a list and a map of 100,000 entries each, whether it opens them before or after joining', async () => {
    const f = await startGroup(['a', 'b']);
    const list = await ReplicatedList.open<string>(f.member('a').group, 'l');
    const map = await ReplicatedMap.open<string>(f.member('b').group, 'm');
    const mapAtA = await ReplicatedMap.open<string>(f.member('a').group, 'm');
    for (let i = 0; i < N; i += 2000) {
      for (let j = i; j < i + 2000; j++) {
        void list.push(`item-${j}-xxxxxxxxxx`);
        void map.set(`key-${j}`, `value-${j}-yyyyyyyyyy`);
      }
      expect(await f.until(() => list.length === i + 2000 && mapAtA.size === i + 2000, 60_000)).toBe(true);
    }
    const early = f.spawn('c', { join: false });
    const earlyList = await ReplicatedList.open<string>(early.group, 'l');
    const startMs = f.sim.now;
    const started = performance.now();
    let joinedMs: number | undefined;
    void early.group.join().then(() => { joinedMs = f.sim.now - startMs; });
    expect(await f.until(() => joinedMs !== undefined, 60_000)).toBe(true);
    const realMs = Math.round(performance.now() - started);
    const late = f.spawn('d');
    expect(await f.until(() => late.group.view?.members.length === 4, 60_000)).toBe(true);
    const lateMap = await ReplicatedMap.open<string>(late.group, 'm');
    const lateList = await ReplicatedList.open<string>(late.group, 'l');
    console.log(`a joiner got ${N} items and ${N} keys in ${joinedMs} virtual ms (${realMs} real ms)`);
    for (const l of [earlyList, lateList]) {
      expect(l.length).toBe(N);
      expect(l.get(54_321)).toBe('item-54321-xxxxxxxxxx');
    }
    expect(lateMap.size).toBe(N);
    expect(lateMap.get('key-99999')).toBe('value-99999-yyyyyyyyyy');
    expect(f.errors()).toEqual([]);
  }, 60_000);
});
