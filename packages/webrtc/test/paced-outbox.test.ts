import { afterEach, describe, expect, it, vi } from 'vitest';
import { PacedOutbox } from '../src/paced-outbox.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('PacedOutbox', () => {
  it('writes a burst of one second worth, then paces the rest', async () => {
    vi.useFakeTimers({ now: 0 });
    const written: number[] = [];
    const outbox = new PacedOutbox<number>(10, 100);
    outbox.attach((n) => written.push(n));
    for (let n = 0; n < 25; n += 1) outbox.push(n);
    expect(written).toHaveLength(10);
    await vi.advanceTimersByTimeAsync(500);
    expect(written.length).toBeGreaterThanOrEqual(14);
    expect(written.length).toBeLessThanOrEqual(16);
    await vi.advanceTimersByTimeAsync(1500);
    expect(written).toEqual(Array.from({ length: 25 }, (_, n) => n));
    outbox.clear();
  });

  it('holds items while detached, keeps what is retained, and evicts when full', () => {
    const outbox = new PacedOutbox<string>(100, 3, (items) => items.indexOf('b'));
    outbox.push('a');
    outbox.push('b');
    outbox.push('c');
    outbox.push('d'); // full: 'b' goes
    outbox.retain((item) => item !== 'c');
    outbox.unshift('first');
    const written: string[] = [];
    outbox.attach((item) => written.push(item), 1);
    expect(written).toEqual(['first', 'a', 'd']);
    outbox.detach();
    outbox.push('later');
    expect(outbox.length).toBe(1);
    outbox.clear();
    expect(outbox.length).toBe(0);
  });

  it('keeps every item when eviction finds none that may go, and removes one on request', () => {
    const outbox = new PacedOutbox<string>(100, 2, (items) => items.findIndex((item) => item.startsWith('signal')));
    for (const item of ['join a', 'join b', 'join c', 'signal x', 'join d']) outbox.push(item);
    expect(outbox.length).toBe(4); // 'signal x' went when 'join d' came; no join ever does
    expect(outbox.removeFirst((item) => item === 'join b')).toBe(true);
    expect(outbox.removeFirst((item) => item === 'join b')).toBe(false);
    const written: string[] = [];
    outbox.attach((item) => written.push(item));
    expect(written).toEqual(['join a', 'join c', 'join d']);
    outbox.clear();
  });
});
