/**
 * Checks of what is read back from IndexedDB. A record may be damaged (a disk or browser bug,
 * another library writing into the same database, a hand edit in the developer tools): each is
 * checked field by field, and a bad one is reported and ignored; nothing malformed ever reaches
 * the group. Each check returns the record, or the sentence that says what is wrong with it.
 */
import type { StoredCheckpoint, StoredView } from '@synchrony/core';

/** A record as it came out of the database, or why it is not one. */
export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
const isText = (x: unknown): x is string => typeof x === 'string' && x.length > 0;

/** The first field of `record` that is not what `checks` wants, as a sentence; undefined if none. */
function firstProblem(record: Record<string, unknown>, checks: Record<string, [(x: unknown) => boolean, string]>): string | undefined {
  for (const [field, [check, wanted]] of Object.entries(checks)) {
    if (!check(record[field])) return `${field} is not ${wanted}`;
  }
  return undefined;
}

/** A stored checkpoint: view id >= 1, position >= 0, the state's bytes, the member, a time. */
export function checkCheckpoint(x: unknown): Checked<StoredCheckpoint> {
  if (!isRecord(x)) return { ok: false, problem: 'the record is not an object' };
  const problem = firstProblem(x, {
    viewId: [(v) => isCount(v) && (v as number) >= 1, 'a view id (an integer >= 1)'],
    position: [isCount, 'a position (an integer >= 0)'],
    state: [(v) => v instanceof Uint8Array, 'bytes (a Uint8Array)'],
    member: [isText, 'a member id (a non-empty string)'],
    savedAtMs: [Number.isFinite, 'a time (a finite number)'],
  });
  if (problem !== undefined) return { ok: false, problem };
  const { viewId, position, state, member, savedAtMs } = x as unknown as StoredCheckpoint;
  return { ok: true, value: { viewId, position, state, member, savedAtMs } };
}

/** A logged view: id >= 1, its members (strings), the member that logged it, a time. */
export function checkView(x: unknown): Checked<StoredView> {
  if (!isRecord(x)) return { ok: false, problem: 'the record is not an object' };
  const problem = firstProblem(x, {
    id: [(v) => isCount(v) && (v as number) >= 1, 'a view id (an integer >= 1)'],
    members: [(v) => Array.isArray(v) && v.length > 0 && v.every(isText), 'a list of member ids'],
    member: [isText, 'a member id (a non-empty string)'],
    savedAtMs: [Number.isFinite, 'a time (a finite number)'],
  });
  if (problem !== undefined) return { ok: false, problem };
  const { id, members, member, savedAtMs } = x as unknown as StoredView;
  return { ok: true, value: { id, members, member, savedAtMs } };
}

/**
 * A copy of the bytes, in a buffer of their own, taken when the write is asked for (so nothing the
 * caller does later changes what is stored). The core's checkpoints are views into msgpackr's
 * shared 8 KB (or larger) buffer, and a structured clone of a view copies its whole buffer: stored
 * as they are, a 100-byte state would take the whole buffer's size on disk.
 */
export function ownBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}
