/** What the whiteboard benchmark's parent and children say to each other, and the stroke they append. */

export type WhiteboardCommand =
  | { cmd: 'start'; kind: 'synchrony' | 'yjs'; signaling: string; room: string; members: number }
  /** Append `strokes` strokes, `chunk` per event-loop turn; report once the replica holds `total`. */
  | { cmd: 'go'; strokes: number; total: number; chunk: number; index: number }
  | { cmd: 'exit' };

export type WhiteboardReport =
  | { ev: 'ready' }
  | { ev: 'joined'; at: number }
  /** The replica holds every stroke: from this process's first append to then; bytes it wrote into data channels meanwhile. */
  | { ev: 'converged'; startAt: number; at: number; length: number; sentBytes: number; sends: number }
  | { ev: 'error'; message: string }
  | { ev: 'failed'; message: string };

/** A stroke of a whiteboard: about 200 bytes as msgpack (who, which, a colour, a width, 60 coordinates). */
export function stroke(by: number, n: number): { by: number; n: number; color: string; width: number; points: number[] } {
  const points: number[] = [];
  for (let i = 0; i < 60; i++) points.push((n * 7 + i * 13) % 200);
  return { by, n, color: '#1e90ff', width: 3, points };
}
