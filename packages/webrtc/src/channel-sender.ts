/**
 * Writes frames to one data channel as fragments, under `bufferedAmount` backpressure.
 *
 * A frame is queued whole and cut into fragments only as the channel takes them, so a queued
 * 64 MiB frame costs no extra copy. The sender writes while the channel's `bufferedAmount` is at
 * most `highWaterBytes`, then waits until it falls to `lowWaterBytes`: through the
 * 'bufferedamountlow' event where the channel has one (browsers), else by polling every
 * `pollMs` (Node's wrtc has neither `bufferedAmountLowThreshold` nor the event). Nothing is
 * dropped while the channel lives.
 *
 * It also yields to the event loop after every `sliceBytes` written, whatever `bufferedAmount`
 * says: in Node's wrtc `send` blocks on the network thread and `bufferedAmount` is only updated
 * between turns of the event loop, so a sender that never yielded would write a 64 MiB frame in
 * one synchronous run, freezing the engine and putting the whole frame ahead of any control frame.
 */
import { encodeFragment, fragmentCount, FRAGMENT_HEADER_BYTES } from './framing.js';

/** The part of an `RTCDataChannel` a sender needs. */
export interface ChannelLike {
  readonly readyState: string;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold?: number;
  send(data: Uint8Array): void;
  addEventListener?(type: string, listener: () => void): void;
  removeEventListener?(type: string, listener: () => void): void;
}

/** The bounds and timings a `ChannelSender` uses. */
export interface SenderLimits {
  readonly chunkBytes: number;
  /** Bytes written in one go before the sender yields to the event loop. */
  readonly sliceBytes: number;
  readonly highWaterBytes: number;
  readonly lowWaterBytes: number;
  readonly pollMs: number;
}

interface Queued {
  readonly frame: Uint8Array;
  readonly id: number;
  /** Its fragments, counted when the first is written (the fragment size is the channel's). */
  count: number;
  next: number;
}

/** When the event exists, a slow poll still runs in case a crossing is missed. */
const EVENT_FALLBACK_POLL_MS = 250;

/** A limit the other side claims below this is taken as this (no real implementation is that small). */
export const MIN_FRAGMENT_BYTES = 1024;

/** One channel's outbound queue. */
export class ChannelSender {
  private channel: ChannelLike | undefined;
  private readonly queue: Queued[] = [];
  private head = 0;
  private bytes = 0;
  private waiting: (() => void) | undefined;
  private closed = false;
  private readonly idleWaiters: Array<() => void> = [];
  /** At least what the channel has buffered: the last `bufferedAmount` read, plus what was written since. */
  private buffered = 0;
  /** Bytes of a fragment, header included, on the attached channel. */
  private fragmentBytes: number;

  /**
   * @param limits fragment size and water marks
   * @param onFailure told when the channel refuses a write (it is closing): the link is gone
   */
  constructor(
    private readonly limits: SenderLimits,
    private readonly onFailure: (error: Error) => void,
  ) {
    this.fragmentBytes = limits.chunkBytes;
  }

  /** Payload bytes queued and not yet handed to the channel. */
  get queuedBytes(): number {
    return this.bytes;
  }

  /**
   * Starts writing to `channel`, which must be open, in fragments of `chunkBytes` or fewer when
   * the other side takes no larger messages (`maxMessageBytes`, see max-message-size.ts).
   */
  attach(channel: ChannelLike, maxMessageBytes = Infinity): void {
    this.channel = channel;
    this.fragmentBytes = Math.min(this.limits.chunkBytes, Math.max(MIN_FRAGMENT_BYTES, maxMessageBytes));
    if (typeof channel.bufferedAmountLowThreshold === 'number') {
      channel.bufferedAmountLowThreshold = this.limits.lowWaterBytes;
    }
    this.pump();
  }

  /** Queues one frame under a message id unique on this link. */
  enqueue(frame: Uint8Array, id: number): void {
    if (this.closed) return;
    this.queue.push({ frame, id, count: 0, next: 0 });
    this.bytes += frame.byteLength;
    if (this.waiting === undefined) this.pump();
  }

  /** Resolves once everything queued was handed to the channel and the channel's own buffer is empty. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.wait();
    });
  }

  /** Stops: drops the queue, cancels any wait, and settles `idle()` waiters. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.head = 0;
    this.bytes = 0;
    this.cancelWait();
    this.settleIdle();
  }

  private pump(): void {
    const channel = this.channel;
    if (this.closed || channel === undefined) return;
    // In wrtc every property read of a data channel is a synchronous call into the network thread:
    // under load such reads cost more than the sends (19 % of a whiteboard process's CPU, against
    // 9 % for `send`). So `bufferedAmount` is read only when what may be buffered (the last value
    // read plus everything written since: it only drains meanwhile) could be over the high mark, and
    // `readyState` not at all: a send on a channel that is not open throws, which ends the link.
    if (this.buffered > this.limits.highWaterBytes) this.buffered = channel.bufferedAmount;
    let buffered = this.buffered;
    const chunkBytes = this.fragmentBytes;
    const payloadBytes = chunkBytes - FRAGMENT_HEADER_BYTES;
    let writtenBytes = 0;
    while (this.head < this.queue.length) {
      if (buffered > this.limits.highWaterBytes) {
        this.buffered = buffered;
        this.wait();
        return;
      }
      if (writtenBytes >= this.limits.sliceBytes) {
        this.buffered = buffered;
        this.yieldThenPump();
        return;
      }
      const item = this.queue[this.head] as Queued;
      if (item.next === 0) item.count = fragmentCount(item.frame.byteLength, chunkBytes);
      const fragment = encodeFragment(item.frame, item.id, item.next, chunkBytes);
      try {
        channel.send(fragment);
        writtenBytes += fragment.byteLength;
        buffered += fragment.byteLength;
      } catch (error) {
        this.onFailure(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      this.bytes -= Math.min(payloadBytes, fragment.byteLength - FRAGMENT_HEADER_BYTES);
      item.next += 1;
      if (item.next === item.count) this.shift();
    }
    this.buffered = buffered;
    if (this.idleWaiters.length > 0) {
      if (this.isIdle()) this.settleIdle();
      else this.wait();
    }
  }

  private shift(): void {
    this.queue[this.head] = undefined as unknown as Queued; // release the frame now
    this.head += 1;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private isIdle(): boolean {
    return this.head >= this.queue.length && (this.channel === undefined || this.channel.bufferedAmount === 0);
  }

  private settleIdle(): void {
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /**
   * Waits, by event or by polling, then pumps again: while frames are queued, until the buffer has
   * drained to the low-water mark (hysteresis, so a sender writes in bursts, not one fragment per wake);
   * with only `idle()` waiters left, until it is empty.
   */
  private wait(): void {
    const channel = this.channel;
    if (this.waiting !== undefined || this.closed || channel === undefined) return;
    const draining = this.head < this.queue.length;
    const hasEvent =
      draining && typeof channel.bufferedAmountLowThreshold === 'number' && typeof channel.addEventListener === 'function';
    const wake = (): void => {
      this.cancelWait();
      this.buffered = channel.bufferedAmount;
      if (this.head < this.queue.length && this.buffered > this.limits.lowWaterBytes) this.wait();
      else this.pump();
    };
    const timer = setTimeout(wake, hasEvent ? EVENT_FALLBACK_POLL_MS : this.limits.pollMs);
    if (hasEvent) channel.addEventListener?.('bufferedamountlow', wake);
    this.waiting = () => {
      clearTimeout(timer);
      if (hasEvent) channel.removeEventListener?.('bufferedamountlow', wake);
    };
  }

  /** Lets the event loop run (other lanes, inbound frames, `bufferedAmount` updates), then pumps on. */
  private yieldThenPump(): void {
    if (this.waiting !== undefined || this.closed) return;
    const resume = (): void => {
      this.waiting = undefined;
      this.pump();
    };
    const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
    if (typeof immediate === 'function') {
      const handle = immediate(resume);
      const clear = (globalThis as { clearImmediate?: (handle: unknown) => void }).clearImmediate;
      this.waiting = () => clear?.(handle);
    } else {
      const timer = setTimeout(resume, 0);
      this.waiting = () => clearTimeout(timer);
    }
  }

  private cancelWait(): void {
    const cancel = this.waiting;
    this.waiting = undefined;
    cancel?.();
  }
}
