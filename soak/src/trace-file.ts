/**
 * Traces on disk. Each member process appends its events to its own file as NDJSON, one
 * synchronous write per event: a member killed with SIGKILL leaves a prefix of what it did, and
 * never a delivery elsewhere of a message whose send it did not write (the send is written before
 * its frame can leave the process, which only happens on a later turn of the event loop). Nothing
 * is kept in memory, so the member's heap measures the product, not the recorder.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { Recorder, type Trace, type TraceEvent } from '@synchrony/sim';

/** The simulator's recorder, writing each event to a file instead of keeping it. */
export class FileRecorder extends Recorder {
  private readonly fd: number;

  constructor(path: string) {
    super(() => Date.now());
    this.fd = openSync(path, 'a');
  }

  override push(event: TraceEvent): void {
    writeSync(this.fd, `${JSON.stringify(event)}\n`);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Reads a trace file; a last line cut short by a kill is dropped. */
export function readTrace(path: string): Trace {
  const out: Trace = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.length === 0) continue;
    try {
      out.push(JSON.parse(line) as TraceEvent);
    } catch {
      // an incomplete last line
    }
  }
  return out;
}

/** Merges traces by time; events of one source keep their order (a stable sort). */
export function mergeTraces(traces: readonly Trace[]): Trace {
  return traces.flat().sort((a, b) => a.at - b.at);
}
