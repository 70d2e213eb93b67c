/**
 * A Node process as a member of the end-to-end tests: the same recording member as the test page
 * (../page/recording-page.ts), on `connect()` of @synchrony/webrtc with Node's WebRTC
 * (@roamhq/wrtc), driven by the test over IPC (ipc.ts) instead of `page.evaluate`.
 *
 *   node member-process.js ws://127.0.0.1:PORT     (forked by ../test/node-member.ts)
 *
 * It exits when the test goes away, so an interrupted run leaves no process behind.
 */
import { createRecordingPage, describeError } from '../page/recording-page.js';
import type { NodeCall, NodeReply } from './ipc.js';

const signalingUrl = process.argv[2];
if (signalingUrl === undefined) throw new Error('usage: member-process.js ws://HOST:PORT');

const member = createRecordingPage(signalingUrl, (report) => {
  process.on('uncaughtException', (error) => report(`uncaught: ${describeError(error)}`));
  process.on('unhandledRejection', (reason) => report(`unhandled rejection: ${describeError(reason)}`));
});

function answer(call: NodeCall): Promise<unknown> | unknown {
  switch (call.call) {
    case 'join': return member.join(call.request);
    case 'send': return member.send(call.specs);
    case 'sendAndTakeRecord':
      member.sendAndForget(call.specs);
      return { status: member.status(), trace: member.trace() };
    case 'flush': return member.flush();
    case 'leave': return member.leave();
    case 'status': return member.status();
    case 'trace': return member.trace();
  }
}

function reply(message: NodeReply): void {
  process.send?.(message);
}

process.on('message', (call: NodeCall) => {
  Promise.resolve()
    .then(() => answer(call))
    .then((value) => reply({ id: call.id, ok: true, value }), (error: unknown) => reply({ id: call.id, ok: false, error: describeError(error) }));
});
process.on('disconnect', () => process.exit(0)); // the test is gone
reply({ ready: true });
