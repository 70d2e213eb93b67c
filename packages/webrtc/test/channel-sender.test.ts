import { describe, expect, it } from 'vitest';
import { ChannelSender, type ChannelLike } from '../src/channel-sender.js';
import { Reassembler } from '../src/framing.js';

const LIMITS = { chunkBytes: 1024, sliceBytes: 4096, highWaterBytes: 8 * 1024, lowWaterBytes: 2 * 1024, pollMs: 1 };

/** A channel that buffers what is sent and drains on demand, like an RTCDataChannel without a network. */
class FakeChannel implements ChannelLike {
  readyState = 'open';
  bufferedAmount = 0;
  bufferedAmountLowThreshold?: number;
  readonly delivered: Uint8Array[] = [];
  private readonly buffer: Uint8Array[] = [];
  private readonly listeners = new Set<() => void>();
  maxBuffered = 0;

  constructor(withEvent: boolean) {
    if (withEvent) this.bufferedAmountLowThreshold = 0;
  }

  send(data: Uint8Array): void {
    if (this.readyState !== 'open') throw new Error('channel closed');
    this.buffer.push(data);
    this.bufferedAmount += data.byteLength;
    this.maxBuffered = Math.max(this.maxBuffered, this.bufferedAmount);
  }

  addEventListener(type: string, listener: () => void): void {
    if (type === 'bufferedamountlow') this.listeners.add(listener);
  }

  removeEventListener(type: string, listener: () => void): void {
    if (type === 'bufferedamountlow') this.listeners.delete(listener);
  }

  /** The network takes up to `bytes`. */
  drain(bytes: number): void {
    const before = this.bufferedAmount;
    while (bytes > 0 && this.buffer.length > 0) {
      const next = this.buffer.shift() as Uint8Array;
      this.bufferedAmount -= next.byteLength;
      bytes -= next.byteLength;
      this.delivered.push(next);
    }
    const threshold = this.bufferedAmountLowThreshold;
    if (threshold !== undefined && before > threshold && this.bufferedAmount <= threshold) {
      for (const listener of [...this.listeners]) listener();
    }
  }
}

const tick = (ms = 2): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Lets the network take everything, turn after turn (a sender yields every `sliceBytes`). */
async function drainAll(channel: FakeChannel): Promise<void> {
  for (let round = 0; round < 20; round += 1) {
    channel.drain(1 << 20);
    await tick();
  }
}

describe('ChannelSender', () => {
  it("cuts fragments to the other side's limit, frames queued before the channel opened included", async () => {
    const channel = new FakeChannel(true);
    const sender = new ChannelSender({ ...LIMITS, chunkBytes: 4096, highWaterBytes: 1 << 20 }, (error) => expect.fail(error.message));
    const frame = Uint8Array.from({ length: 10_000 }, (_, i) => i & 0xff);
    sender.enqueue(frame, 1); // before attach: not cut yet
    sender.attach(channel, 1500);
    sender.enqueue(frame, 2);
    await drainAll(channel);
    expect(channel.delivered.every((f) => f.byteLength <= 1500)).toBe(true);
    const reassembler = new Reassembler({ chunkBytes: 4096, maxFrameBytes: 1 << 20, maxPartialMessages: 4, maxPartialBytes: 1 << 21 });
    const frames = channel.delivered.map((f) => reassembler.push(f)).filter((o) => o.kind === 'frame');
    expect(frames).toHaveLength(2);

    // Its own chunkBytes still bounds them, and an absurdly small claim is taken as 1 KiB.
    const wide = new FakeChannel(true);
    const big = new ChannelSender({ ...LIMITS, chunkBytes: 4096, highWaterBytes: 1 << 20 }, (error) => expect.fail(error.message));
    big.attach(wide, Infinity);
    big.enqueue(frame, 1);
    await drainAll(wide);
    expect(Math.max(...wide.delivered.map((f) => f.byteLength))).toBe(4096);
    const tiny = new FakeChannel(true);
    const small = new ChannelSender({ ...LIMITS, chunkBytes: 4096, highWaterBytes: 1 << 20 }, (error) => expect.fail(error.message));
    small.attach(tiny, 20);
    small.enqueue(frame, 1);
    await drainAll(tiny);
    expect(Math.max(...tiny.delivered.map((f) => f.byteLength))).toBe(1024);
    expect(tiny.delivered.reduce((sum, f) => sum + f.byteLength - 13, 0)).toBe(frame.byteLength);
  });

  for (const withEvent of [true, false]) {
    it(`honours bufferedAmount and drops nothing (${withEvent ? "'bufferedamountlow' event" : 'polling'})`, async () => {
      const channel = new FakeChannel(withEvent);
      const failures: Error[] = [];
      const sender = new ChannelSender(LIMITS, (error) => failures.push(error));
      sender.attach(channel);
      const frames = [100_000, 0, 5, 3000, 64_000].map((size, n) => Uint8Array.from({ length: size }, (_, i) => (i + n) & 0xff));
      frames.forEach((frame, id) => sender.enqueue(frame, id));
      expect(channel.bufferedAmount).toBeLessThanOrEqual(LIMITS.highWaterBytes + LIMITS.chunkBytes);
      expect(sender.queuedBytes).toBeGreaterThan(0);
      const reassembler = new Reassembler({ chunkBytes: 1024, maxFrameBytes: 1 << 20, maxPartialMessages: 4, maxPartialBytes: 1 << 21 });
      const received: Uint8Array[] = [];
      for (let round = 0; round < 2000 && received.length < frames.length; round += 1) {
        channel.drain(3000);
        for (const chunk of channel.delivered.splice(0)) {
          const outcome = reassembler.push(chunk);
          expect(outcome.kind).not.toBe('error');
          if (outcome.kind === 'frame') received.push(outcome.frame);
        }
        await tick();
      }
      expect(received).toEqual(frames);
      expect(channel.maxBuffered).toBeLessThanOrEqual(LIMITS.highWaterBytes + LIMITS.chunkBytes);
      expect(sender.queuedBytes).toBe(0);
      expect(failures).toEqual([]);
      if (withEvent) expect(channel.bufferedAmountLowThreshold).toBe(LIMITS.lowWaterBytes);
      sender.close();
    });
  }

  it('idle() resolves once the channel buffer is empty; close() settles it too', async () => {
    const channel = new FakeChannel(false);
    const sender = new ChannelSender(LIMITS, () => {});
    sender.attach(channel);
    sender.enqueue(new Uint8Array(20_000), 1);
    let idle = false;
    const done = sender.idle().then(() => {
      idle = true;
    });
    await tick(5);
    expect(idle).toBe(false);
    while (channel.bufferedAmount > 0 || sender.queuedBytes > 0) {
      channel.drain(4096);
      await tick();
    }
    await done;
    expect(idle).toBe(true);

    sender.enqueue(new Uint8Array(20_000), 2);
    const pending = sender.idle();
    sender.close();
    await pending;
    expect(sender.queuedBytes).toBe(0);
  });

  it('reports a refused write instead of throwing', () => {
    const channel = new FakeChannel(false);
    const failures: Error[] = [];
    const sender = new ChannelSender(LIMITS, (error) => failures.push(error));
    sender.attach(channel);
    channel.send = () => {
      throw new Error('InvalidStateError');
    };
    expect(() => sender.enqueue(new Uint8Array(10), 1)).not.toThrow();
    expect(failures.map((e) => e.message)).toEqual(['InvalidStateError']);
    sender.close();
  });
});
