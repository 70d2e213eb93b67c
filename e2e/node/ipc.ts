/**
 * What the test says to a Node member process (member-process.ts) and what it answers, over the
 * IPC channel of `child_process.fork`: the calls of `E2eApi`, by name, each answered once.
 */
import type { TraceEvent } from '@synchrony/sim';
import type { JoinRequest, PageStatus, SendSpec } from '../page/e2e-api.js';

/** Test → member: one call, numbered so that its answer can be told apart. */
export type NodeCall =
  | { id: number; call: 'join'; request: JoinRequest }
  | { id: number; call: 'send'; specs: SendSpec[] }
  | { id: number; call: 'sendAndTakeRecord'; specs: SendSpec[] }
  | { id: number; call: 'flush' }
  | { id: number; call: 'leave' }
  | { id: number; call: 'status' }
  | { id: number; call: 'trace' };

/** What a call answers with. */
export interface NodeAnswers {
  join: PageStatus;
  send: undefined;
  sendAndTakeRecord: { status: PageStatus; trace: TraceEvent[] };
  flush: undefined;
  leave: undefined;
  status: PageStatus;
  trace: TraceEvent[];
}

/** Member → test: ready once loaded, then one answer per call. */
export type NodeReply =
  | { ready: true }
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string };
