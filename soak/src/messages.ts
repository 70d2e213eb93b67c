/**
 * What the soak's parent (soak-run.ts, fleet.ts) and its member processes (member.ts) say to each
 * other over the IPC channel of `child_process.fork`. The trace does not travel here: each member
 * writes its own to a file, synchronously, event by event (trace-file.ts).
 */

/** How a member process is started (JSON in the SOAK_MEMBER environment variable). */
export interface MemberSettings {
  readonly signaling: string;
  readonly group: string;
  readonly failureTimeoutMs: number;
  /** The member's traffic: one multicast every this many ms while traffic is on. */
  readonly sendIntervalMs: number;
  /** A group request every this many sends. */
  readonly requestEvery: number;
  readonly sampleMs: number;
  readonly seed: number;
  readonly traceFile: string;
}

/** Parent → member. */
export type Command =
  | { readonly cmd: 'traffic'; readonly on: boolean }
  /** Frames to and from these processes vanish, and the connections with them drop. */
  | { readonly cmd: 'cut'; readonly peers: readonly string[] }
  | { readonly cmd: 'heal' }
  /** Ends the real connection with `peer` abruptly (a network change). */
  | { readonly cmd: 'drop'; readonly peer: string }
  /** A graceful `process.close()`: the member leaves, then the process exits. */
  | { readonly cmd: 'leave' }
  | { readonly cmd: 'status' }
  | { readonly cmd: 'flush' }
  /** Exits at once, without a goodbye (the end of a run: the trace is complete on disk). */
  | { readonly cmd: 'exit' };

/** The member's group as it sees it now. */
export interface Status {
  readonly me: string;
  readonly viewId: number | undefined;
  readonly primary: boolean;
  readonly members: readonly string[];
  readonly gid: string;
  /** Sends and calls not settled yet. */
  readonly pending: number;
  readonly state: string;
  readonly sends: number;
  readonly deliveries: number;
  /** Peer connections in the mesh now (open or being made). */
  readonly peerConnections: number;
}

/** One sample of a member's resources. */
export interface Sample {
  readonly atMs: number;
  /** `heapUsed` right after a full GC, bytes. */
  readonly heapBytes: number;
  readonly rssBytes: number;
  /** `process.getActiveResourcesInfo().length`: timers, sockets, handles the event loop holds. */
  readonly activeResources: number;
  /** Peer connections in the mesh (open or being made). */
  readonly peerConnections: number;
  /** The longest event-loop delay seen since the last sample, ms. */
  readonly stallMs: number;
}

/** Member → parent. */
export type Report =
  | { readonly ev: 'ready'; readonly id: string }
  | { readonly ev: 'joined'; readonly me: string }
  | { readonly ev: 'status'; readonly status: Status }
  | { readonly ev: 'flushed' }
  | { readonly ev: 'left' }
  | { readonly ev: 'sample'; readonly sample: Sample }
  /** Something went wrong in the member that is not a peer's fault (a crash, a call that threw). */
  | { readonly ev: 'failed'; readonly message: string }
  /** A ProtocolError or other report on process.on('error'), counted. */
  | { readonly ev: 'error'; readonly name: string; readonly message: string };
