/**
 * State transfer (DESIGN.md §8): the provider's checkpoint, taken exactly at the cut, is
 * serialised once and sent to each joiner in chunks; the joiner reassembles it before it
 * delivers anything of its first view.
 *
 * The chunks are paced: a chunk goes to a joiner only while the data lane toward it has less than
 * `stateWindowBytes` queued or unacknowledged (`GroupHost.backlogBytes`), and the rest follow as
 * acknowledgements come back (the process calls `sendMore` on every input). Sent all at once, a
 * 10 MiB checkpoint sat in the link ahead of every frame of the group's traffic to the joiner, and
 * its frames (1 MiB each) risked retransmission before the channel had drained them.
 */
import { processOf } from '../ids.js';
import { decodeValue, encodeValue } from '../wire/frame.js';
import type { ViewValue } from '../wire/messages.js';
import { ApplicationError } from '../errors.js';
import type { GroupHost } from './group-host.js';

/** A finished transfer at the joiner: the checkpoint, or why there is none. */
export type Received = { state: unknown } | { error: Error };

/**
 * One member's part in state transfers: the provider's checkpoint, or the joiner's wait for one.
 * A provider whose getState throws tells its joiners so (NO-STATE) instead of sending a made-up
 * state; they ask for another provider in the next view change, and give up (StateTransferError)
 * once every member that has the state failed them.
 */
export class StateTransfer {
  /** This member is in its view but has no state yet: it delivers nothing until the checkpoint is in. */
  awaiting = false;
  /** The member that must send it, while awaiting. */
  provider: string | undefined;
  /** Providers whose checkpoint failed this member (reported in flushes, passed over). */
  readonly failed: string[] = [];
  private assembly: StateAssembly | undefined;
  /** Checkpoints being sent: to whom, of which view, and the next chunk. */
  private outgoing: Array<{ to: string; viewId: number; me: string; chunks: Uint8Array[]; next: number }> = [];

  constructor(
    private readonly group: string,
    private readonly host: GroupHost,
  ) {}

  /** The checkpoint, as chunks; called exactly at the cut. An Error when the upcall threw. */
  checkpoint(take: () => unknown): Uint8Array[] | Error {
    try {
      return chunkState(take(), this.host.config.stateChunkBytes);
    } catch (error) {
      const cause = error instanceof Error ? error : new Error(String(error));
      return new ApplicationError(`getState failed: ${cause.message}`);
    }
  }

  /**
   * Sends the checkpoint (or the news that there is none) to every member of the new view that
   * needs it: paced (see the file comment), or all at once with `paced` false (a provider that
   * leaves as it provides has no later input to pace by). Transfers of an earlier view are dropped.
   */
  provide(value: ViewValue, me: string, chunks: Uint8Array[] | Error, paced = true): void {
    this.outgoing = [];
    for (const to of value.needState) {
      if (to === me) continue;
      if (chunks instanceof Error) {
        this.host.send(to, { t: 'z', g: this.group, v: value.id, f: me, to, e: chunks.message.slice(0, 4096) });
        continue;
      }
      this.outgoing.push({ to, viewId: value.id, me, chunks, next: 0 });
    }
    this.sendMore(value.id, paced ? this.host.config.stateWindowBytes : Infinity);
  }

  /** Whether a checkpoint is still being sent. */
  get sending(): boolean {
    return this.outgoing.length > 0;
  }

  /**
   * Sends the next chunks of each checkpoint being sent, while the link to its joiner has room;
   * drops those of a view other than `viewId` (a later view change names a provider afresh).
   */
  sendMore(viewId: number, windowBytes = this.host.config.stateWindowBytes): void {
    if (this.outgoing.length === 0) return;
    this.outgoing = this.outgoing.filter((o) => o.viewId === viewId && o.next < o.chunks.length);
    for (const o of this.outgoing) {
      const link = processOf(o.to) ?? o.to;
      while (o.next < o.chunks.length && (o.next === 0 || this.host.backlogBytes(link) < windowBytes)) {
        const i = o.next++;
        this.host.send(o.to, { t: 's', g: this.group, v: o.viewId, f: o.me, to: o.to, i, c: o.chunks.length, d: o.chunks[i]! });
      }
    }
    this.outgoing = this.outgoing.filter((o) => o.next < o.chunks.length);
  }

  /** Waits for a checkpoint from `provider` (afresh: chunks of an earlier view's transfer are forgotten). */
  await(provider: string): void {
    this.awaiting = true;
    this.provider = provider;
    this.assembly = undefined;
  }

  /** Takes one chunk; the checkpoint once it is all in (or why it does not decode). */
  receive(from: string, viewId: number, index: number, count: number, data: Uint8Array): Received | undefined {
    if (!this.awaiting || from !== this.provider) return undefined;
    this.assembly ??= new StateAssembly(viewId, count);
    if (this.assembly.count !== count) return undefined;
    this.assembly.add(index, data);
    if (!this.assembly.complete) return undefined;
    const state = this.assembly.value();
    this.done();
    return state instanceof Error ? { error: state } : { state };
  }

  /** The provider says it has no checkpoint for us: remember it, wait for the next view change. */
  refused(from: string): boolean {
    if (!this.awaiting || from !== this.provider) return false;
    if (!this.failed.includes(from)) this.failed.push(from);
    this.assembly = undefined;
    return true;
  }

  /** The transfer is over (or abandoned): nothing awaited any more. */
  done(): void {
    this.awaiting = false;
    this.provider = undefined;
    this.assembly = undefined;
  }

  /** A new life in the group: forget everything. */
  reset(): void {
    this.done();
    this.failed.length = 0;
    this.outgoing = [];
  }
}

export function chunkState(state: unknown, chunkBytes: number): Uint8Array[] {
  const bytes = encodeValue(state);
  const chunks: Uint8Array[] = [];
  // Views, not copies: msgpack never writes over bytes it has returned (it moves on to a new
  // buffer), and a chunk is only read, by the link that encodes it into a frame.
  for (let at = 0; at < bytes.length || chunks.length === 0; at += chunkBytes) {
    chunks.push(bytes.subarray(at, at + chunkBytes));
  }
  return chunks;
}

/** Collects the chunks of one checkpoint, in any order; `complete` once all are in. */
export class StateAssembly {
  private readonly chunks: Array<Uint8Array | undefined>;
  private received = 0;

  constructor(
    readonly viewId: number,
    readonly count: number,
  ) {
    this.chunks = new Array<Uint8Array | undefined>(count);
  }

  add(index: number, data: Uint8Array): void {
    if (index >= this.count || this.chunks[index] !== undefined) return;
    this.chunks[index] = data;
    this.received += 1;
  }

  get complete(): boolean {
    return this.received === this.count;
  }

  /** The checkpoint, or an Error when its bytes do not decode. */
  value(): unknown {
    const total = this.chunks.reduce((sum, c) => sum + (c?.length ?? 0), 0);
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const c of this.chunks) {
      bytes.set(c!, at);
      at += c!.length;
    }
    try {
      return decodeValue(bytes);
    } catch (error) {
      return new Error(`checkpoint does not decode: ${(error as Error).message}`);
    }
  }
}
