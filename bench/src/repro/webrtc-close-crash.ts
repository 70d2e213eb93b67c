/**
 * Reproduction (not a benchmark): Node's WebRTC stack (@roamhq/wrtc) dies of SIGSEGV in
 * `RTCDataChannel::Send` when a data channel is closed under it by the other side's peer connection
 * closing outright, while it sends. See peer-link.ts (its file comment) for the cause and our side of it.
 *
 *   ../shared/tools/isolated-net node bench/dist/repro/webrtc-close-crash.js [--runs 4] [--cycles 12]
 *       [--links 3] [--patterns close,remote-close,abrupt,remote-abrupt,kill,silent] [--peer-link FILE]
 *
 * Each run is a worker process; each cycle it forks a child, opens `links` PeerLinks to it (signals
 * over IPC), makes both sides send frames of up to 48 KB as fast as the links take them, then after
 * 50-350 ms ends the cycle in one pattern, in turn:
 *   close          the worker closes its links (`PeerLink.close`, as the mesh does), frames in flight
 *   remote-close   the child does
 *   abrupt         the worker closes its peer connections outright (simple-peer `destroy`: pc.close)
 *   remote-abrupt  the child does
 *   kill           the child is killed (SIGKILL); the worker's links end by silence
 *   silent         the child stops sending; the worker's links close by `silentCloseMs`
 * A run ends early when its worker dies. Prints per pattern the cycles run and the SIGSEGV deaths. `--peer-link`
 * runs another build of peer-link.js (e.g. main's) for a before/after comparison.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import wrtc from '@roamhq/wrtc';
import { DEFAULT_LIMITS, type WebRtcLimits, type WrtcLike } from '@synchrony/webrtc';
import { intOption } from '../args.js';

const PATTERNS = ['close', 'remote-close', 'abrupt', 'remote-abrupt', 'kill', 'silent'] as const;
type Pattern = (typeof PATTERNS)[number];

interface Link {
  readonly state: string;
  readonly queuedBytes: number;
  start(initiator: boolean, session: number): void;
  signal(data: object): void;
  send(frame: Uint8Array, lane: 'data' | 'control'): boolean;
  close(): void;
  peer?: { destroy(): void };
}
type LinkClass = new (options: {
  remoteId: string;
  wrtc: WrtcLike;
  iceServers: RTCIceServer[];
  limits: WebRtcLimits;
  events: {
    signal(data: object): void;
    frame(): void;
    open(): void;
    down(): void;
    error(): void;
  };
}) => Link;

interface Message {
  link?: number;
  signal?: object;
  cmd?: 'close' | 'abrupt' | 'silent';
}

const self = fileURLToPath(import.meta.url);
const role = process.argv[2];
const stringOption = (name: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

if (role === 'worker' || role === 'child') await peerSide(role);
else await supervise();

async function loadLink(): Promise<LinkClass> {
  const file = stringOption('peer-link') ?? fileURLToPath(new URL('../../../packages/webrtc/dist/peer-link.js', import.meta.url));
  const module = (await import(pathToFileURL(file).href)) as { PeerLink: LinkClass };
  return module.PeerLink;
}

async function peerSide(side: 'worker' | 'child'): Promise<void> {
  const PeerLink = await loadLink();
  const limits: WebRtcLimits = { ...DEFAULT_LIMITS, silentCloseMs: 400, connectTimeoutMs: 6000 };
  let sending = true;
  let opened = 0;
  const makeLink = (id: number, send: (message: Message) => void): Link => {
    let pump: ReturnType<typeof setInterval> | undefined;
    const link: Link = new PeerLink({
      remoteId: `r${id}`,
      wrtc: wrtc as unknown as WrtcLike,
      iceServers: [],
      limits,
      events: {
        signal: (data) => send({ link: id, signal: data }),
        frame: () => undefined,
        open: () => {
          opened += 1;
          pump = setInterval(() => {
            if (link.state !== 'open' || !sending) return;
            for (let i = 0; i < 4 && link.queuedBytes < 2_000_000; i++) {
              link.send(new Uint8Array(1 + Math.floor(Math.random() * 48_000)), Math.random() < 0.3 ? 'control' : 'data');
            }
          }, 3);
        },
        down: () => clearInterval(pump),
        error: () => undefined,
      },
    });
    const close = link.close.bind(link);
    link.close = () => {
      clearInterval(pump);
      close();
    };
    return link;
  };
  const act = (links: Iterable<Link>, cmd: Message['cmd']): void => {
    if (cmd === 'silent') sending = false;
    for (const link of links) {
      if (cmd === 'close') link.close();
      else if (cmd === 'abrupt') link.peer?.destroy();
    }
  };

  if (side === 'child') {
    const links = new Map<number, Link>();
    process.on('message', (message: Message) => {
      if (message.cmd !== undefined) return act(links.values(), message.cmd);
      if (message.link === undefined || message.signal === undefined) return;
      let link = links.get(message.link);
      if (link === undefined) {
        link = makeLink(message.link, (m) => process.send?.(m));
        links.set(message.link, link);
        link.start(false, 1);
      }
      link.signal(message.signal);
    });
    process.on('disconnect', () => process.exit(0));
    return;
  }

  const cycles = intOption('cycles', 12, 1, 1000);
  const perCycle = intOption('links', 3, 1, 20);
  const patterns = (stringOption('patterns') ?? PATTERNS.join(',')).split(',') as Pattern[];
  for (let c = 0; c < cycles; c++) {
    const pattern = patterns[c % patterns.length] as Pattern;
    console.log(JSON.stringify({ start: pattern }));
    const child = fork(self, ['child', ...process.argv.slice(3)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const exited = new Promise<string | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    opened = 0;
    sending = true;
    const links: Link[] = [];
    for (let i = 0; i < perCycle; i++) links.push(makeLink(i, (m) => child.connected && child.send(m)));
    child.on('message', (m: Message) => m.link !== undefined && m.signal !== undefined && links[m.link]?.signal(m.signal));
    for (const link of links) link.start(true, 1);
    const t0 = Date.now();
    while (opened < perCycle && Date.now() - t0 < 6000) await sleep(10);
    const open = opened;
    await sleep(50 + Math.random() * 300); // both sides sending
    if (pattern === 'kill') child.kill('SIGKILL');
    else if (pattern === 'silent') child.send({ cmd: 'silent' });
    else if (pattern === 'remote-close' || pattern === 'remote-abrupt') child.send({ cmd: pattern === 'remote-close' ? 'close' : 'abrupt' });
    else act(links, pattern);
    const t1 = Date.now();
    while (links.some((l) => l.state !== 'closed') && Date.now() - t1 < 4000) await sleep(10);
    for (const link of links) link.close();
    await sleep(1200); // the links' grace before their peer connections close
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const childEnd = await exited;
    console.log(JSON.stringify({ done: pattern, opened: open, childSegv: childEnd === 'SIGSEGV' }));
  }
  process.exit(0);
}

async function supervise(): Promise<void> {
  const runs = intOption('runs', 4, 1, 100);
  const cycles = intOption('cycles', 12, 1, 1000);
  const total: Record<string, { cycles: number; opened: number; childSegv: number; workerSegv: number }> = {};
  const entry = (pattern: string): (typeof total)[string] => (total[pattern] ??= { cycles: 0, opened: 0, childSegv: 0, workerSegv: 0 });
  for (let r = 0; r < runs; r++) {
    const worker: ChildProcess = spawn(process.execPath, [self, 'worker', ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let current: string | undefined;
    worker.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      for (const line of lines) {
        const event = JSON.parse(line) as { start?: string; done?: string; opened?: number; childSegv?: boolean };
        if (event.start !== undefined) current = event.start;
        if (event.done === undefined) continue;
        current = undefined;
        const t = entry(event.done);
        t.cycles += 1;
        t.opened += event.opened ?? 0;
        if (event.childSegv === true) t.childSegv += 1;
      }
    });
    const timer = setTimeout(() => worker.kill('SIGKILL'), cycles * 15_000 + 10_000);
    const signal = await new Promise<string | null>((resolve) => worker.on('exit', (_code, s) => resolve(s)));
    clearTimeout(timer);
    // A worker that dies is the victim of the cycle it was in (the remote-* patterns close from the child).
    if (signal !== null && current !== undefined) {
      const t = entry(current);
      t.cycles += 1;
      if (signal === 'SIGSEGV') t.workerSegv += 1;
    }
    console.log(`run ${r}: worker ${signal ?? 'exit'}`);
  }
  console.log('\nper pattern: SIGSEGV deaths (worker + child) / cycles');
  for (const [pattern, t] of Object.entries(total)) {
    console.log(`  ${pattern.padEnd(14)} ${t.workerSegv + t.childSegv} / ${t.cycles}  (worker ${t.workerSegv}, child ${t.childSegv}; ${t.opened} links opened)`);
  }
}
