import { describe, expect, it } from 'vitest';
import {
  encodeFragment,
  fragmentCount,
  FRAGMENT_HEADER_BYTES,
  FRAMING_VERSION,
  Reassembler,
  type ReassemblyLimits,
  type ReassemblyOutcome,
} from '../src/framing.js';

const CHUNK = 16 * 1024;
const LIMITS: ReassemblyLimits = {
  chunkBytes: CHUNK,
  maxFrameBytes: 1024 * 1024,
  maxPartialMessages: 4,
  maxPartialBytes: 2 * 1024 * 1024,
};

function bytes(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += 1) out[i] = (i * 31 + seed * 7) & 0xff;
  return out;
}

function fragments(frame: Uint8Array, id: number, chunkBytes = CHUNK): Uint8Array[] {
  const count = fragmentCount(frame.byteLength, chunkBytes);
  return Array.from({ length: count }, (_, i) => encodeFragment(frame, id, i, chunkBytes));
}

function header(id: number, index: number, count: number, payload = new Uint8Array(4), version = FRAMING_VERSION): Uint8Array {
  const out = new Uint8Array(FRAGMENT_HEADER_BYTES + payload.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, version);
  view.setUint32(1, id);
  view.setUint32(5, index);
  view.setUint32(9, count);
  out.set(payload, FRAGMENT_HEADER_BYTES);
  return out;
}

function feed(reassembler: Reassembler, parts: Uint8Array[]): ReassemblyOutcome[] {
  return parts.map((part) => reassembler.push(part));
}

function errorOf(outcome: ReassemblyOutcome | undefined): string {
  expect(outcome?.kind).toBe('error');
  return (outcome as { message: string }).message;
}

describe('framing', () => {
  it('cuts frames into fragments of at most chunkBytes, header included', () => {
    for (const size of [0, 1, CHUNK - FRAGMENT_HEADER_BYTES, CHUNK - FRAGMENT_HEADER_BYTES + 1, 100_000]) {
      const parts = fragments(bytes(size), 9);
      expect(parts).toHaveLength(fragmentCount(size, CHUNK));
      for (const part of parts) {
        expect(part.byteLength).toBeLessThanOrEqual(CHUNK);
        expect(part[0]).toBe(FRAMING_VERSION);
      }
    }
    expect(fragmentCount(0, CHUNK)).toBe(1);
    expect(fragmentCount(CHUNK - FRAGMENT_HEADER_BYTES, CHUNK)).toBe(1);
    expect(fragmentCount(CHUNK - FRAGMENT_HEADER_BYTES + 1, CHUNK)).toBe(2);
  });

  it('reassembles in order, out of order, and interleaved with another message', () => {
    const a = bytes(100_000, 1);
    const b = bytes(50_000, 2);
    const r = new Reassembler(LIMITS);
    const pa = fragments(a, 1);
    const pb = fragments(b, 2);
    const mixed = [pa[3], pb[0], pa[0], pb[2], pa[1], pa[2], pb[1], pa[6], pa[5], pb[3], pa[4]] as Uint8Array[];
    const outcomes = feed(r, mixed);
    const frames = outcomes.filter((o) => o.kind === 'frame').map((o) => (o as { frame: Uint8Array }).frame);
    expect(outcomes.filter((o) => o.kind === 'error')).toEqual([]);
    expect(frames).toHaveLength(2);
    expect(frames[0]).toEqual(b);
    expect(frames[1]).toEqual(a);
    expect(r.partialMessages).toBe(0);
    expect(r.partialBytes).toBe(0);
  });

  it('delivers empty and single-fragment frames at once', () => {
    const r = new Reassembler(LIMITS);
    expect(r.push(encodeFragment(new Uint8Array(0), 5, 0, CHUNK))).toEqual({ kind: 'frame', frame: new Uint8Array(0) });
    expect(r.push(encodeFragment(bytes(10), 6, 0, CHUNK))).toEqual({ kind: 'frame', frame: bytes(10) });
  });

  it('drops garbage with a clear message and never throws', () => {
    const r = new Reassembler(LIMITS);
    expect(errorOf(r.push(new Uint8Array(0)))).toMatch(/shorter than its 13-byte header/);
    expect(errorOf(r.push(new Uint8Array([1, 2, 3])))).toMatch(/shorter than its 13-byte header/);
    expect(errorOf(r.push(header(1, 0, 1, new Uint8Array(4), 99)))).toMatch(/framing version 99/);
    expect(errorOf(r.push(header(1, 0, 0)))).toMatch(/outside a count of 0/);
    expect(errorOf(r.push(header(1, 5, 5)))).toMatch(/index 5 is outside a count of 5/);
    expect(errorOf(r.push(header(1, 0, 0xffff_ffff)))).toMatch(/exceed the limit/);
    expect(errorOf(r.push(new Uint8Array(CHUNK + 1)))).toMatch(/exceeds the limit of 16384/);
    // Random garbage: always an outcome, never an exception.
    let seed = 12345;
    for (let i = 0; i < 2000; i += 1) {
      const junk = new Uint8Array((seed = (seed * 1103515245 + 12345) >>> 0) % 64);
      for (let j = 0; j < junk.length; j += 1) junk[j] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
      if (i % 2 === 0 && junk.length > 0) junk[0] = FRAMING_VERSION;
      expect(() => r.push(junk)).not.toThrow();
    }
    expect(r.partialMessages).toBeLessThanOrEqual(LIMITS.maxPartialMessages);
  });

  it('drops a message whose fragments disagree on the count, or repeat', () => {
    const r = new Reassembler(LIMITS);
    expect(r.push(header(7, 0, 3)).kind).toBe('partial');
    expect(errorOf(r.push(header(7, 1, 4)))).toMatch(/says 4 fragments, an earlier one said 3/);
    expect(r.partialMessages).toBe(0);
    expect(r.push(header(7, 2, 3)).kind).toBe('partial'); // later fragments of a dropped message are discarded quietly
    expect(r.partialMessages).toBe(0);

    expect(r.push(header(8, 0, 2)).kind).toBe('partial');
    expect(errorOf(r.push(header(8, 0, 2)))).toMatch(/fragment 0 received twice/);
    expect(r.partialMessages).toBe(0);
  });

  it('bounds the reassembled size', () => {
    const r = new Reassembler({ ...LIMITS, maxFrameBytes: 40_000 });
    const parts = fragments(bytes(60_000), 3);
    const outcomes = feed(r, parts);
    expect(outcomes.some((o) => o.kind === 'frame')).toBe(false);
    expect(errorOf(outcomes.find((o) => o.kind === 'error'))).toMatch(/exceeds the limit of 40000 bytes/);
    expect(r.partialBytes).toBe(0);
    expect(errorOf(r.push(header(4, 0, 40_001)))).toMatch(/40001 fragments exceed the limit/);
  });

  it('bounds the number and bytes of partial messages, dropping the oldest', () => {
    const dropped: string[] = [];
    const r = new Reassembler(LIMITS, (message) => dropped.push(message));
    for (let id = 0; id < 10; id += 1) expect(r.push(header(id, 0, 2)).kind).toBe('partial');
    expect(r.partialMessages).toBe(LIMITS.maxPartialMessages);
    expect(dropped).toHaveLength(10 - LIMITS.maxPartialMessages);
    expect(dropped[0]).toMatch(/message 0: dropped unfinished/);
    // The newest ones still complete.
    expect(r.push(header(9, 1, 2)).kind).toBe('frame');

    const small = new Reassembler({ ...LIMITS, maxPartialBytes: 50_000 }, (message) => dropped.push(message));
    const big = fragments(bytes(100_000), 1);
    const outcomes = feed(small, big);
    expect(outcomes.some((o) => o.kind === 'frame')).toBe(false);
    expect(small.partialBytes).toBeLessThanOrEqual(50_000);
  });

  it('clear() discards partial messages (the peer went down)', () => {
    const r = new Reassembler(LIMITS);
    const parts = fragments(bytes(40_000), 1);
    r.push(parts[0] as Uint8Array);
    expect(r.partialMessages).toBe(1);
    r.clear();
    expect(r.partialMessages).toBe(0);
    expect(r.partialBytes).toBe(0);
    expect(r.push(parts[1] as Uint8Array).kind).toBe('partial');
    expect(r.push(parts[2] as Uint8Array).kind).toBe('partial'); // the first fragment is gone: never completes
  });
});
