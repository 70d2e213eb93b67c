/**
 * Bad input from a peer is an operating condition: every malformed, unknown, oversized or
 * forged frame is dropped, counted and reported through the process's 'error' event, and the
 * engine never throws. fast-check feeds it arbitrary bytes and arbitrary near-valid frames.
 */
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config.js';
import { ProcessEngine } from '../src/process-engine.js';
import { encodeFrame, WIRE_VERSION } from '../src/wire/frame.js';

function engine() {
  const errors: Error[] = [];
  const sent: Uint8Array[] = [];
  const clock = { nowMs: 0 };
  const process = new ProcessEngine('me', resolveConfig({ maxFrameBytes: 1024 * 1024 }), {
    now: () => clock.nowMs,
    send: (_to, bytes) => sent.push(bytes),
    peers: () => [],
    discovered: () => true,
    emit: (_group, event) => {
      if (event.type === 'error') errors.push(event.error); // the runtime reports these through process.on('error')
    },
    error: (e) => errors.push(e),
  });
  const group = process.group('g', { failureTimeoutMs: 1000, rejoin: true, secret: undefined }, { getState: () => null, setState: () => {} });
  group.join();
  return { process, group, errors, sent, clock };
}

/** An engine that founded its group alone and is the member of view 1. */
function member() {
  const e = engine();
  for (let i = 0; i < 40 && e.group.status !== 'member'; i++) {
    e.clock.nowMs += 20;
    e.process.tick();
  }
  expect(e.group.view).toMatchObject({ id: 1, primary: true });
  return e;
}

const packr = new Packr({ useRecords: false });
const withVersion = (body: unknown): Uint8Array => {
  const packed = packr.pack(body);
  const out = new Uint8Array(packed.length + 1);
  out[0] = WIRE_VERSION;
  out.set(packed, 1);
  return out;
};

describe('bad input from peers', () => {
  it('never throws on arbitrary bytes, and reports them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const { process, errors } = engine();
        expect(() => process.receive('peer', bytes)).not.toThrow();
        expect(errors.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary msgpack values and near-valid frames', () => {
    const message = fc.record({
      t: fc.constantFrom('d', 'k', 'o', 'j', 'J', 'l', 'f', 'F', 'N', 'p', 'a', 'c', 'i', 'L', 'x', 's', 'r', 'zz'),
      g: fc.oneof(fc.constant('g'), fc.string()),
      f: fc.oneof(fc.constant('peer#1'), fc.constant('other#1'), fc.string()),
      v: fc.oneof(fc.nat(5), fc.integer(), fc.double()),
      n: fc.oneof(fc.nat(5), fc.anything()),
      b: fc.oneof(fc.tuple(fc.nat(3), fc.integer({ min: -1, max: 3 })), fc.anything()),
      val: fc.anything(),
    }, { requiredKeys: ['t'] });
    const frame = fc.record({
      l: fc.oneof(fc.constantFrom(0, 1), fc.anything()),
      e: fc.oneof(fc.nat(3), fc.anything()),
      s: fc.oneof(fc.nat(5), fc.anything()),
      m: fc.oneof(fc.array(message, { maxLength: 4 }), fc.anything()),
    }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.oneof(frame, fc.anything()), fc.boolean(), (body, asMember) => {
        const { process } = asMember ? member() : engine();
        expect(() => process.receive('peer', withVersion(body))).not.toThrow();
        expect(() => process.tick()).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  it('drops messages from outside the view (reported) and for later views (silently: it is behind); the member stays', () => {
    const { process, group, errors } = member();
    let seq = 0;
    const send = (message: object): void => process.receive('peer', encodeFrame({ l: 1, e: 1, s: ++seq, m: [message as never] }));
    send({ t: 'd', g: 'g', v: 1, f: 'peer#1', n: 1, o: 0, cc: 0, p: 'not a member' });
    expect(errors.at(-1)?.message).toMatch(/not a member of view 1/);
    // A later view is dropped silently: it only means that this member is behind (and will hear so).
    send({ t: 'd', g: 'g', v: 7, f: 'peer#1', n: 1, o: 0, cc: 0, p: 'no such view' });
    expect(errors).toHaveLength(1);
    send({ t: 'k', g: 'g', v: 1, f: 'peer#1', h: [5], hc: [0], dl: [5], dp: 0, op: 0 });
    expect(errors.at(-1)?.message).toMatch(/not a member of view 1/);
    expect(errors).toHaveLength(2);
    expect(errors.every((e) => e.name === 'ProtocolError')).toBe(true);
    expect(group.status).toBe('member');
    expect(group.view).toMatchObject({ id: 1, primary: true, members: ['me#1'] });
  });

  it('drops and reports an unknown version, an oversized frame, and a forged sender', () => {
    const { process, errors } = engine();
    const good = encodeFrame({ l: 0, e: 1, s: 1, m: [{ t: 'j', g: 'g', f: 'someone-else#1' }] });
    process.receive('peer', good);
    expect(errors.at(-1)?.message).toMatch(/does not own/);
    const wrongVersion = good.slice();
    wrongVersion[0] = 99;
    process.receive('peer', wrongVersion);
    expect(errors.at(-1)?.message).toMatch(/unknown wire version 99/);
    process.receive('peer', new Uint8Array(2 * 1024 * 1024).fill(1));
    expect(errors.at(-1)?.message).toMatch(/exceeds the limit/);
    expect(errors.every((e) => e.name === 'ProtocolError')).toBe(true);
    expect(process.dropped.size).toBeGreaterThan(0);
  });
});
