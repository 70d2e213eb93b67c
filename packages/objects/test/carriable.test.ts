/**
 * What an operation may carry: refused at the call with a TypeError or RangeError that names the
 * argument and the place in it; accepted values are copied, so a later change of the caller's
 * object changes nothing that was sent.
 */
import { describe, expect, it } from 'vitest';
import { carriableCopy, MAX_DEPTH } from '../src/carriable.js';

describe('carriableCopy', () => {
  it('refuses what msgpack cannot carry as itself, naming where', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    const cases: Array<[unknown, RegExp]> = [
      [() => 1, /^value is a function/],
      [Symbol('s'), /^value is a symbol/],
      [10n, /^value is a BigInt/],
      [{ a: [1, { f() {} }] }, /^value\.a\[1\]\.f is a function/],
      [cyclic, /^value\.self\.back refers back/],
      [new Map(), /^value is a Map/],
      [new Set([1]), /^value is a Set/],
      [new Float32Array(1), /^value is a Float32Array/],
      [new (class Point { x = 1 })(), /^value is a Point/],
      [undefined, /^value must not be undefined/],
    ];
    for (const [value, message] of cases) expect(() => carriableCopy(value, 'value')).toThrow(message);
    for (const [value] of cases) expect(() => carriableCopy(value, 'value')).toThrow(TypeError);
    let deep: unknown = 1;
    for (let i = 0; i < MAX_DEPTH + 1; i++) deep = [deep];
    expect(() => carriableCopy(deep, 'value')).toThrow(RangeError);
    expect(() => carriableCopy(new Date(Number.NaN), 'value')).toThrow(RangeError);
  });

  it('copies what it accepts, as msgpack would give it back', () => {
    const shared = { s: 'x' };
    const bytes = new Uint8Array([1, 2]);
    const value = { n: -0, list: [1, 'two', null, true, shared, shared], bytes, when: new Date(5), nothing: undefined, bare: Object.create(null) as object };
    const out = carriableCopy(value, 'value') as typeof value;
    expect(out).toEqual({ ...value, n: 0 });
    expect(Object.is(out.n, 0)).toBe(true);
    expect(out.list[4]).not.toBe(shared); // shared (not cyclic) is fine, and copied
    bytes[0] = 9;
    shared.s = 'changed';
    expect(out.bytes[0]).toBe(1);
    expect((out.list[4] as { s: string }).s).toBe('x');
  });
});
