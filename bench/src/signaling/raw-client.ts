/**
 * A bare signaling client for the benchmark: the protocol spoken directly over `ws`, so the time
 * measured is the servers' (and Redis's), not the library's client. It counts what it receives.
 */
import { WebSocket } from 'ws';

/** One client socket, welcomed, with counters the benchmark polls. */
export class RawClient {
  /** The latest list of each group. */
  readonly lists = new Map<string, readonly string[]>();
  signalsReceived = 0;
  errors = 0;

  private constructor(private readonly socket: WebSocket, readonly id: string) {
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; group?: string; peers?: string[] };
      if (frame.type === 'peers') this.lists.set(frame.group!, frame.peers!);
      else if (frame.type === 'signal') this.signalsReceived += 1;
      else if (frame.type === 'error') this.errors += 1;
    });
  }

  /** Opens a socket to `url` and says hello as `id`; rejects after `timeoutMs`. */
  static open(url: string, id: string, timeoutMs: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false });
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`no welcome from ${url} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.on('error', () => undefined);
      socket.once('open', () => socket.send(JSON.stringify({ type: 'hello', version: 1, id })));
      socket.once('message', (data) => {
        clearTimeout(timer);
        if ((JSON.parse(String(data)) as { type: string }).type !== 'welcome') reject(new Error(`refused: ${String(data)}`));
        else resolve(new RawClient(socket, id));
      });
    });
  }

  join(group: string): void {
    this.socket.send(JSON.stringify({ type: 'join', group }));
  }

  signal(to: string, data: unknown): void {
    this.socket.send(JSON.stringify({ type: 'signal', to, data }));
  }

  close(): void {
    this.socket.terminate();
  }
}

/** Polls `condition` every 5 ms; rejects with `what` after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
