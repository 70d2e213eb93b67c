/**
 * One member process of the soak (forked by fleet.ts): a real Synchrony process over real WebRTC
 * (@roamhq/wrtc), built as `connect()` builds it but on a transport the parent can partition
 * (link-faults.ts). It joins the soak's group with the simulator's recording application, writes
 * its trace to a file (trace-file.ts), sends a mixed workload (FIFO, causal, total, one in five
 * safe, group requests of every kind) while traffic is on, samples its heap, active resources and
 * peer connections, and obeys the parent's commands (messages.ts). It exits when the parent goes.
 */
import { createProcess, groupIdentity, type Order } from '@synchrony/core';
import { Random, type Recorder } from '@synchrony/sim';
import { realClock, WebRtcTransport } from '@synchrony/webrtc';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { dropConnection, linkedPeers, PartitionableTransport } from './link-faults.js';
import type { Command, MemberSettings, Report, Status } from './messages.js';
import { FileRecorder } from './trace-file.js';

const settings = JSON.parse(process.env['SOAK_MEMBER'] ?? '{}') as MemberSettings;
const ORDERS: readonly Order[] = ['fifo', 'causal', 'total'];
const REQUEST_KINDS = ['one', 'majority', 'all', 2] as const;
const REQUEST_TIMEOUT_MS = 5000;

type RecordedMember = ReturnType<Recorder['attach']>;

function report(message: Report): void {
  if (process.connected) process.send?.(message);
}

/** The parent is gone (or told us to go): nothing of ours may outlive it. */
process.on('disconnect', () => process.exit(0));
process.on('uncaughtException', (error) => {
  report({ ev: 'failed', message: `uncaught: ${error.stack ?? String(error)}` });
  process.exit(70);
});
process.on('unhandledRejection', (error) => {
  report({ ev: 'failed', message: `unhandled rejection: ${error instanceof Error ? error.stack : String(error)}` });
  process.exit(70);
});

async function main(): Promise<void> {
  const inner = await WebRtcTransport.create({
    signaling: settings.signaling,
    iceServers: [],
    signalingTimings: { reconnectDelayMs: 100, reconnectDelayMaxMs: 1000, attemptTimeoutMs: 5000 },
  });
  const transport = new PartitionableTransport(inner);
  const peer = createProcess({ transport, clock: realClock() });
  peer.on('error', (error) => report({ ev: 'error', name: error.name, message: error.message.slice(0, 300) }));
  const recorder = new FileRecorder(settings.traceFile);
  const app = recorder.attach(peer, settings.group, settings.failureTimeoutMs);
  app.answerRequests();
  report({ ev: 'ready', id: peer.id });

  const random = new Random(settings.seed);
  let pending = 0;
  const track = (promise: Promise<unknown>): void => {
    pending += 1;
    // Outcomes are in the trace; a rejection here is an expected one (NotPrimaryError, TimeoutError...).
    void promise.then(() => undefined, () => undefined).finally(() => { pending -= 1; });
  };
  const traffic = startTraffic(app, random, track);

  track(app.join().then(() => report({ ev: 'joined', me: app.group.me })));
  const sampler = startSampling(inner);

  process.on('message', (command: Command) => {
    switch (command.cmd) {
      case 'traffic': return command.on ? traffic.start() : traffic.stop();
      case 'cut': return transport.cutOff(command.peers);
      case 'heal': return transport.heal();
      case 'drop': return void dropConnection(inner, command.peer);
      case 'status': return report({ ev: 'status', status: status(app, pending, linkedPeers(inner).length) });
      case 'flush':
        track(app.flush().then(() => report({ ev: 'flushed' }), (error: Error) => report({ ev: 'failed', message: `flush: ${error.name}: ${error.message}` })));
        return;
      case 'leave':
        traffic.stop();
        clearInterval(sampler);
        void app.close().then(
          () => {
            report({ ev: 'left' });
            recorder.close();
            process.exit(0);
          },
          (error: Error) => report({ ev: 'failed', message: `close: ${error.name}: ${error.message}` }),
        );
        return;
      case 'exit':
        recorder.close();
        process.exit(0);
    }
  });
}

/** The mixed workload: one multicast every sendIntervalMs from this member while it is in a primary view. */
function startTraffic(app: RecordedMember, random: Random, track: (p: Promise<unknown>) => void): { start(): void; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let sent = 0;
  const tick = (): void => {
    const view = app.group.view;
    if (view === undefined || !view.primary || !view.members.includes(app.group.me)) return;
    sent += 1;
    if (sent % settings.requestEvery === 0) {
      track(app.request(random.pick(REQUEST_KINDS), REQUEST_TIMEOUT_MS));
      return;
    }
    track(app.send(random.pick(ORDERS), random.chance(0.2)));
  };
  return {
    start: () => {
      clearInterval(timer);
      timer = setInterval(tick, settings.sendIntervalMs);
    },
    stop: () => {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

function status(app: RecordedMember, pending: number, peerConnections: number): Status {
  const view = app.group.view;
  return {
    me: app.group.me,
    viewId: view?.id,
    primary: view?.primary ?? false,
    members: view?.members ?? [],
    gid: groupIdentity(app.group) ?? '',
    pending,
    state: JSON.stringify(app.state),
    sends: app.sends,
    deliveries: app.deliveries,
    peerConnections,
  };
}

/** Every sampleMs: heap after a full GC, RSS, active resources, peer connections, the longest stall. */
function startSampling(transport: WebRtcTransport): NodeJS.Timeout {
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  const gc = (globalThis as { gc?: () => void }).gc;
  return setInterval(() => {
    gc?.();
    const memory = process.memoryUsage();
    report({
      ev: 'sample',
      sample: {
        atMs: Date.now(),
        heapBytes: memory.heapUsed,
        rssBytes: memory.rss,
        activeResources: process.getActiveResourcesInfo().length,
        peerConnections: linkedPeers(transport).length,
        stallMs: Math.round(delay.max / 1e6),
      },
    });
    delay.reset();
  }, settings.sampleMs);
}

main().catch((error: unknown) => {
  report({ ev: 'failed', message: `start: ${error instanceof Error ? error.stack : String(error)}` });
  process.exit(70);
});
