/**
 * Fragmentation of frames into data-channel messages, and their reassembly.
 *
 * Wire format of one fragment (all integers big-endian):
 *
 * ```
 * offset 0   u8   version       FRAMING_VERSION (1)
 * offset 1   u32  message id    chosen by the sender, unique among its messages in flight on the link
 * offset 5   u32  index         0 ≤ index < count
 * offset 9   u32  count         fragments of the message, ≥ 1
 * offset 13  ...  payload       at most chunkBytes − 13 bytes of the frame
 * ```
 *
 * Why fragment at all: a data channel takes messages up to the size the other side advertises
 * (256 KiB in Chromium, Safari and wrtc; 64 KiB where it says nothing: max-message-size.ts), and
 * one large message would hold its channel for as long as it takes to send. The receiver bounds
 * what it holds: the reassembled size, the number of partial messages and their bytes per peer.
 * Anything malformed is dropped and described, never thrown.
 */

/** The version byte that leads every fragment. */
export const FRAMING_VERSION = 1;

/** Bytes of the fragment header. */
export const FRAGMENT_HEADER_BYTES = 13;

/** The largest message id; ids wrap around after it. */
export const MAX_MESSAGE_ID = 0xffff_ffff;

/** How many fragments a frame of `frameBytes` bytes is cut into, with fragments of at most `chunkBytes`. */
export function fragmentCount(frameBytes: number, chunkBytes: number): number {
  return Math.max(1, Math.ceil(frameBytes / (chunkBytes - FRAGMENT_HEADER_BYTES)));
}

/** Fragment `index` of `frame`, header included. Fragments are built one at a time so a queued frame costs no copy. */
export function encodeFragment(frame: Uint8Array, messageId: number, index: number, chunkBytes: number): Uint8Array {
  const payloadBytes = chunkBytes - FRAGMENT_HEADER_BYTES;
  const count = fragmentCount(frame.byteLength, chunkBytes);
  if (!(index >= 0 && index < count)) throw new RangeError(`fragment index ${index} outside 0..${count - 1}`);
  const payload = frame.subarray(index * payloadBytes, Math.min(frame.byteLength, (index + 1) * payloadBytes));
  const out = new Uint8Array(FRAGMENT_HEADER_BYTES + payload.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, FRAMING_VERSION);
  view.setUint32(1, messageId >>> 0);
  view.setUint32(5, index);
  view.setUint32(9, count);
  out.set(payload, FRAGMENT_HEADER_BYTES);
  return out;
}

/** The bounds a `Reassembler` enforces. */
export interface ReassemblyLimits {
  /** A fragment, header included, larger than this is malformed. */
  readonly chunkBytes: number;
  /** A message whose payload grows beyond this is dropped. */
  readonly maxFrameBytes: number;
  /** Partial messages held at once; the oldest is dropped to make room. */
  readonly maxPartialMessages: number;
  /** Bytes held in partial messages; the oldest are dropped to make room. */
  readonly maxPartialBytes: number;
}

/** What one fragment produced: a whole frame, nothing yet, or a description of what was wrong. */
export type ReassemblyOutcome =
  | { readonly kind: 'frame'; readonly frame: Uint8Array }
  | { readonly kind: 'partial' }
  | { readonly kind: 'error'; readonly message: string };

interface Partial {
  readonly count: number;
  readonly parts: Array<Uint8Array | undefined>;
  received: number;
  bytes: number;
}

const PARTIAL: ReassemblyOutcome = Object.freeze({ kind: 'partial' });

/** Message ids dropped recently: their later fragments are discarded quietly instead of reported again. */
const REMEMBERED_DROPS = 32;

/**
 * Reassembles the fragments of one peer. Fragments may arrive in any order (the lanes interleave);
 * a message is delivered once all its fragments are in. Drop it when the peer goes down.
 */
export class Reassembler {
  private readonly partials = new Map<number, Partial>(); // insertion order = age
  private readonly dropped: number[] = [];
  private heldBytes = 0;

  /**
   * @param limits the bounds to enforce
   * @param onDrop told about a partial message dropped to make room for newer ones
   */
  constructor(
    private readonly limits: ReassemblyLimits,
    private readonly onDrop: (message: string) => void = () => {},
  ) {}

  /** Messages currently partial. */
  get partialMessages(): number {
    return this.partials.size;
  }

  /** Payload bytes held in partial messages. */
  get partialBytes(): number {
    return this.heldBytes;
  }

  /** Takes one fragment as received from the channel. Never throws. */
  push(fragment: Uint8Array): ReassemblyOutcome {
    const header = this.parseHeader(fragment);
    if (typeof header === 'string') return { kind: 'error', message: header };
    const { id, index, count } = header;
    const payload = fragment.subarray(FRAGMENT_HEADER_BYTES);
    if (count === 1) return { kind: 'frame', frame: payload };
    if (this.dropped.includes(id)) return PARTIAL;

    let partial = this.partials.get(id);
    if (partial === undefined) {
      partial = { count, parts: new Array<Uint8Array | undefined>(count), received: 0, bytes: 0 };
      this.partials.set(id, partial);
    } else if (partial.count !== count) {
      return this.drop(id, `message ${id}: fragment says ${count} fragments, an earlier one said ${partial.count}`);
    } else if (partial.parts[index] !== undefined) {
      return this.drop(id, `message ${id}: fragment ${index} received twice`);
    }
    if (partial.bytes + payload.byteLength > this.limits.maxFrameBytes) {
      return this.drop(id, `message ${id}: exceeds the limit of ${this.limits.maxFrameBytes} bytes`);
    }
    this.makeRoom(id, payload.byteLength);
    if (this.heldBytes + payload.byteLength > this.limits.maxPartialBytes) {
      return this.drop(id, `message ${id}: partial messages exceed the limit of ${this.limits.maxPartialBytes} bytes`);
    }
    partial.parts[index] = payload;
    partial.received += 1;
    partial.bytes += payload.byteLength;
    this.heldBytes += payload.byteLength;
    if (partial.received < count) return PARTIAL;

    this.partials.delete(id);
    this.heldBytes -= partial.bytes;
    const frame = new Uint8Array(partial.bytes);
    let offset = 0;
    for (const part of partial.parts) {
      frame.set(part as Uint8Array, offset);
      offset += (part as Uint8Array).byteLength;
    }
    return { kind: 'frame', frame };
  }

  /** Discards every partial message (the peer went down). */
  clear(): void {
    this.partials.clear();
    this.dropped.length = 0;
    this.heldBytes = 0;
  }

  private parseHeader(fragment: Uint8Array): { id: number; index: number; count: number } | string {
    if (fragment.byteLength < FRAGMENT_HEADER_BYTES) {
      return `fragment of ${fragment.byteLength} bytes is shorter than its ${FRAGMENT_HEADER_BYTES}-byte header`;
    }
    if (fragment.byteLength > this.limits.chunkBytes) {
      return `fragment of ${fragment.byteLength} bytes exceeds the limit of ${this.limits.chunkBytes}`;
    }
    const view = new DataView(fragment.buffer, fragment.byteOffset, fragment.byteLength);
    const version = view.getUint8(0);
    if (version !== FRAMING_VERSION) return `fragment has framing version ${version}, expected ${FRAMING_VERSION}`;
    const id = view.getUint32(1);
    const index = view.getUint32(5);
    const count = view.getUint32(9);
    if (count === 0 || index >= count) return `message ${id}: fragment index ${index} is outside a count of ${count}`;
    // The smallest possible fragments (1 payload byte) bound how many a legal message has.
    if (count > this.limits.maxFrameBytes) {
      return `message ${id}: ${count} fragments exceed the limit of ${this.limits.maxFrameBytes} bytes`;
    }
    return { id, index, count };
  }

  /** Drops the oldest partial messages other than `keep` until `bytes` more fit under the limits. */
  private makeRoom(keep: number, bytes: number): void {
    for (const [id, partial] of this.partials) {
      const full =
        this.partials.size > this.limits.maxPartialMessages || this.heldBytes + bytes > this.limits.maxPartialBytes;
      if (!full) return;
      if (id === keep) continue;
      this.forget(id, partial);
      this.onDrop(`message ${id}: dropped unfinished to make room (limits: ${this.limits.maxPartialMessages} partial messages, ${this.limits.maxPartialBytes} bytes)`);
    }
  }

  private drop(id: number, message: string): ReassemblyOutcome {
    const partial = this.partials.get(id);
    if (partial !== undefined) this.forget(id, partial);
    return { kind: 'error', message };
  }

  private forget(id: number, partial: Partial): void {
    this.partials.delete(id);
    this.heldBytes -= partial.bytes;
    this.dropped.push(id);
    if (this.dropped.length > REMEMBERED_DROPS) this.dropped.shift();
  }
}
