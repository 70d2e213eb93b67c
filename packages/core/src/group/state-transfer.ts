/**
 * State transfer (DESIGN.md §8): the provider's checkpoint, taken exactly at the cut, is
 * serialised once and sent to each joiner in chunks; the joiner reassembles it before it
 * delivers anything of its first view.
 */
import { decodeValue, encodeValue } from '../wire/frame.js';
import type { ViewValue } from '../wire/messages.js';
import type { GroupHost } from './group-host.js';

/** One member's part in state transfers: the provider's checkpoint, or the joiner's wait for one. */
export class StateTransfer {
  /** This member is in its view but has no state yet: it delivers nothing until the checkpoint is in. */
  awaiting = false;
  private assembly: StateAssembly | undefined;

  constructor(
    private readonly group: string,
    private readonly host: GroupHost,
    private readonly report: (error: Error) => void,
  ) {}

  /** The application's checkpoint, as chunks; called exactly at the cut. */
  checkpoint(): Uint8Array[] {
    const chunkBytes = this.host.config.stateChunkBytes;
    try {
      return chunkState(this.host.getState(), chunkBytes);
    } catch (error) {
      this.report(new Error(`getState failed: ${(error as Error).message}`));
      return chunkState(null, chunkBytes);
    }
  }

  /** Sends the checkpoint to every member of the new view that needs it. */
  provide(value: ViewValue, me: string, chunks: Uint8Array[]): void {
    for (const to of value.needState) {
      if (to === me) continue;
      chunks.forEach((d, i) => this.host.send(to, { t: 's', g: this.group, v: value.id, f: me, to, i, c: chunks.length, d }));
    }
  }

  /** Waits for a checkpoint (afresh: chunks of an earlier view's transfer are forgotten). */
  await(): void {
    this.awaiting = true;
    this.assembly = undefined;
  }

  /** Takes one chunk; true once the whole checkpoint is in and handed to `setState`. */
  receive(viewId: number, index: number, count: number, data: Uint8Array): boolean {
    if (!this.awaiting) return false;
    this.assembly ??= new StateAssembly(viewId, count);
    if (this.assembly.count !== count) return false;
    this.assembly.add(index, data);
    if (!this.assembly.complete) return false;
    const state = this.assembly.value();
    this.reset();
    if (state instanceof Error) this.report(state);
    else {
      try {
        this.host.setState(state);
      } catch (error) {
        this.report(new Error(`setState failed: ${(error as Error).message}`));
      }
    }
    return true;
  }

  reset(): void {
    this.awaiting = false;
    this.assembly = undefined;
  }
}

export function chunkState(state: unknown, chunkBytes: number): Uint8Array[] {
  const bytes = encodeValue(state);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length || chunks.length === 0; at += chunkBytes) {
    chunks.push(bytes.slice(at, at + chunkBytes));
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

/** A cheap upper-bound estimate of a payload's encoded size, for flow control. */
export function estimateBytes(value: unknown, depth = 0): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'number') return 9;
  if (typeof value === 'string') return value.length * 3 + 5;
  if (value instanceof Uint8Array) return value.length + 5;
  if (depth > 8) return 64;
  if (Array.isArray(value)) return value.reduce<number>((sum, v) => sum + estimateBytes(v, depth + 1), 5);
  if (typeof value === 'object') {
    let sum = 5;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) sum += k.length + estimateBytes(v, depth + 1);
    return sum;
  }
  return 16;
}
