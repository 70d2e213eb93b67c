/**
 * A Node process as a member of an end-to-end test, seen from the test: forks the built
 * member-process.js (build-node-member.ts) and makes the same calls as a `TestPage`, over IPC,
 * each bounded in time. Every process forked is killed when the test's process exits.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { TraceEvent } from '@synchrony/sim';
import type { JoinRequest, PageStatus, SendSpec } from '../page/e2e-api.js';
import type { NodeAnswers, NodeCall, NodeReply } from '../node/ipc.js';
import { withTimeout } from './with-timeout.js';

const living = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of living) child.kill('SIGKILL');
});

type Call = NodeCall extends infer C ? (C extends { call: infer N } ? N : never) : never;
type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

export class NodeMember {
  /** Nothing is caught in a Node member's own runtime that it does not report in its status. */
  readonly pageErrors: readonly string[] = [];
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  private constructor(
    readonly label: string,
    private readonly child: ChildProcess,
    private readonly callTimeoutMs: number,
  ) {
    child.on('message', (message: NodeReply) => {
      if ('ready' in message) return;
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.ok) waiting?.resolve(message.value);
      else waiting?.reject(new Error(`${label}: ${message.error}`));
    });
    child.on('exit', (code, signal) => {
      living.delete(child);
      for (const waiting of this.pending.values()) waiting.reject(new Error(`${label} exited (${signal ?? code})`));
      this.pending.clear();
    });
  }

  /** Forks the member process `script` and waits until it is loaded (wrtc included). */
  static async start(script: string, signalingUrl: string, label: string, callTimeoutMs: number): Promise<NodeMember> {
    const child = fork(script, [signalingUrl], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    living.add(child);
    const ready = new Promise<void>((resolve, reject) => {
      child.on('message', (message: NodeReply) => { if ('ready' in message) resolve(); });
      child.once('exit', (code) => reject(new Error(`${label} exited (${code}) before it was ready`)));
    });
    await withTimeout(ready, callTimeoutMs, `${label} ready`);
    return new NodeMember(label, child, callTimeoutMs);
  }

  join(request: JoinRequest): Promise<PageStatus> {
    return this.call('join', { request });
  }

  send(specs: readonly SendSpec[]): Promise<void> {
    return this.call('send', { specs: [...specs] }) as Promise<void>;
  }

  sendAndTakeRecord(specs: readonly SendSpec[]): Promise<{ status: PageStatus; trace: TraceEvent[] }> {
    return this.call('sendAndTakeRecord', { specs: [...specs] });
  }

  flush(): Promise<void> {
    return this.call('flush', {}) as Promise<void>;
  }

  leave(): Promise<void> {
    return this.call('leave', {}) as Promise<void>;
  }

  status(): Promise<PageStatus> {
    return this.call('status', {});
  }

  trace(): Promise<TraceEvent[]> {
    return this.call('trace', {});
  }

  /** SIGKILL: a crash that not even the process's own runtime sees coming. */
  kill(): void {
    this.child.kill('SIGKILL');
  }

  /** Ends the process (its connections drop with it). */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    await exited;
  }

  private call<C extends Call>(call: C, args: Omit<Extract<NodeCall, { call: C }>, 'id' | 'call'>): Promise<NodeAnswers[C]> {
    const id = this.nextId++;
    const answered = new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, call, ...args } as NodeCall);
    });
    return withTimeout(answered, this.callTimeoutMs, `${this.label}.${call}`) as Promise<NodeAnswers[C]>;
  }
}
