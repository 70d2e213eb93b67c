/**
 * The member's side of the end-to-end tests: one process on the real WebRTC mesh, one group,
 * and the simulator's own recording application (`Recorder` of @synchrony/sim) on it, so the
 * property checker judges a real run exactly as it judges a simulated one. The same module runs in
 * a Chromium page (main.ts) and in a Node process (../node/member-process.ts).
 */
import type { View } from '@synchrony/core';
import { Recorder } from '@synchrony/sim';
import { connect } from '@synchrony/webrtc';
import { epochNowMs } from './epoch-now.js';
import type { E2eApi, JoinRequest, PageStatus, SendSpec } from './e2e-api.js';

/** The recording application on one member (the simulator's `RecordedMember`, not exported by name). */
type RecordedMember = ReturnType<Recorder['attach']>;

/** A deep copy with no prototypes or frozen arrays, safe to return through `page.evaluate`. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export function describeError(reason: unknown): string {
  return reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
}

/** Where the member's own uncaught exceptions and unhandled rejections come from: it reports each as text. */
export type ErrorSource = (report: (text: string) => void) => void;

/** A page's uncaught exceptions and unhandled rejections. */
export function windowErrors(target: Window): ErrorSource {
  return (report) => {
    target.addEventListener('error', (event) => report(`uncaught: ${event.message}`));
    target.addEventListener('unhandledrejection', (event) => report(`unhandled rejection: ${describeError(event.reason)}`));
  };
}

/**
 * Creates the member's API. `signalingUrl` is where `join` connects; errors of the member itself
 * (uncaught, unhandled rejections) are collected from `errorSource` along with the process's.
 */
export function createRecordingPage(signalingUrl: string, errorSource: ErrorSource): E2eApi {
  const recorder = new Recorder(epochNowMs);
  const errors: string[] = [];
  let app: RecordedMember | undefined;
  let unsettled = 0;

  errorSource((text) => errors.push(text));

  const joined = (): RecordedMember => {
    if (app === undefined) throw new Error('join first');
    return app;
  };

  const startSends = (specs: readonly SendSpec[]): Array<Promise<void>> => {
    const member = joined();
    return specs.map((spec) => {
      unsettled += 1;
      // RecordedMember.send never rejects: it records the outcome as a 'sent' event instead.
      return member.send(spec.order, spec.safe).finally(() => {
        unsettled -= 1;
      });
    });
  };

  /** Own multicasts of the current member id not delivered back to it yet (a rejected one never is). */
  const undeliveredOwn = (me: string): number => {
    let pending = 0;
    for (const event of recorder.trace) {
      if (event.k === 'send' && event.member === me) pending += 1;
      else if (event.k === 'sent' && event.member === me && !event.ok) pending -= 1;
      else if (event.k === 'deliver' && event.member === me && event.sender === me) pending -= 1;
    }
    return pending;
  };

  const status = (): PageStatus => {
    const group = app?.group;
    const view: View | undefined = group?.view;
    return plain({
      processId: app?.process.id ?? '',
      member: group?.me ?? '',
      view,
      state: app?.state ?? { count: 0, sum: 0, chain: 0 },
      deliveries: app?.deliveries ?? 0,
      unsettled,
      undeliveredOwn: group === undefined ? 0 : undeliveredOwn(group.me),
      errors,
    });
  };

  return {
    async join(request: JoinRequest): Promise<PageStatus> {
      if (app !== undefined) throw new Error('this page already joined');
      const process = await connect({ signaling: signalingUrl });
      process.on('error', (error) => errors.push(`process error: ${describeError(error)}`));
      app = recorder.attach(process, request.group, request.failureTimeoutMs);
      await app.group.join();
      return status();
    },
    async send(specs: readonly SendSpec[]): Promise<void> {
      await Promise.all(startSends(specs));
    },
    sendAndForget(specs: readonly SendSpec[]): void {
      void startSends(specs);
    },
    flush(): Promise<void> {
      return joined().group.flush();
    },
    leave(): Promise<void> {
      return joined().leave();
    },
    status,
    trace: () => plain(recorder.trace),
  };
}
