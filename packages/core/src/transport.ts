/**
 * What a driver hands the engine's runtime: a way to move frames between processes,
 * a way to find the processes interested in a group, and a clock. The simulator and the
 * WebRTC mesh implement these; the engine itself never touches a socket or a timer.
 */

/**
 * Frames on the `control` lane (heartbeats, view changes) must never wait behind frames
 * on the `data` lane. A transport that has a single channel may ignore the lane.
 */
export type Lane = 'control' | 'data';

export interface Transport {
  /** This process's id: unique to this incarnation. */
  readonly localId: string;
  /**
   * Optional: true when a connection delivers the frames sent on it whole, once and in order for
   * as long as it lives (WebRTC's reliable data channels). The engine then sends a frame again only
   * when a new connection replaces one (`onConnected`), and, as a safety net, the oldest
   * unacknowledged frame after a long wait: copies sent on a timer would only queue behind the
   * originals on a congested connection, and on a loaded machine they feed the congestion that
   * delays the acknowledgements. Without it (the simulator, which loses frames), every frame
   * not acknowledged in time is sent again.
   */
  readonly reliable?: boolean;
  /**
   * Sends one frame to a process, best effort: it may be lost if the peer is unreachable,
   * but frames that arrive do so whole, at most once. The transport connects on demand.
   */
  send(to: string, frame: Uint8Array, lane: Lane): void;
  /** Registers the single receiver of inbound frames. */
  onFrame(handler: (from: string, frame: Uint8Array) => void): void;
  /** Declares interest in a group so that discovery introduces the other interested processes. */
  announce(group: string): void;
  /** Withdraws interest in a group. */
  withdraw(group: string): void;
  /** The processes (other than this one) currently known to be interested in a group. */
  peers(group: string): readonly string[];
  /**
   * Optional: whether discovery has answered for `group` since it was announced, so that an empty
   * `peers(group)` means "nobody" rather than "not known yet". A process never founds a group before
   * that. A transport without it answers at once (the simulator's registry does).
   */
  discovered?(group: string): boolean;
  /** Called whenever the set returned by `peers(group)` changes. */
  onPeers(handler: (group: string, peers: readonly string[]) => void): void;
  /**
   * Optional: discovery refused `group` (a signaling server whose token does not name it, or that
   * takes no more groups from this process) and forgot it, as if it were withdrawn: a `join()` of
   * it under way cannot complete, and rejects with `error`. A transport whose discovery refuses
   * nothing (the simulator's) need not have it.
   */
  onRefused?(handler: (group: string, error: Error) => void): void;
  /**
   * Optional: called when the connection to a peer is known to be gone (closed channel,
   * ICE failure). It feeds suspicion; the membership service still decides.
   */
  onPeerDown?(handler: (peer: string) => void): void;
  /**
   * Optional: what binds a proof of a group secret to the current connection with `peer`, the same
   * string at both ends (for WebRTC, the two DTLS fingerprints of the connection, sorted), or
   * undefined until the connection is up. Without it, proofs are bound to the pair of process ids,
   * which keeps outsiders out but not a man in the middle.
   */
  binding?(peer: string): string | undefined;
  /** Optional: called when a new connection with `peer` is up (its binding is known, or new). */
  onConnected?(handler: (peer: string) => void): void;
  /** Optional: malformed or hostile input seen by the transport itself (bad fragments, bad signaling). */
  onError?(handler: (error: Error) => void): void;
  /** Stops the transport; with `abrupt`, drops every connection without goodbye. */
  close(options?: { abrupt?: boolean }): Promise<void>;
}

/** Time, handed in. `now()` is in milliseconds; `setTimer` returns a function that cancels it. */
export interface Clock {
  now(): number;
  setTimer(callback: () => void, delayMs: number): () => void;
  /**
   * Optional: runs `callback` once the current task and its microtasks are over, as soon as
   * possible. Browsers throttle the timers of a hidden tab to one a second; this must not be a
   * timer (a MessageChannel, or setImmediate in Node). Without it, `setTimer(callback, 0)`.
   */
  soon?(callback: () => void): void;
}
