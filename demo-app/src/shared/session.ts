/**
 * One demo page's life in its group: connect to the signaling server (through the page's network
 * switch), make the group handle, let the page open its objects and taps before joining (so they
 * see everything, the first view included), and join.
 */
import type { Group, JoinOptions, Process, View } from '@synchrony/core';
import { connect } from '@synchrony/webrtc';
import { describeError } from './demo-handle.js';
import { NetworkSwitch } from './network-switch.js';
import type { PageParams } from './params.js';

/** What a page sets up on its group before `join()`. */
export interface SessionSetup {
  /** The group: `<demo>/<room>`. */
  readonly groupName: string;
  readonly params: PageParams;
  /** Upcalls and store for the group (the failure timeout comes from the page's parameters). */
  readonly joinOptions?: Omit<JoinOptions, 'failureTimeoutMs'>;
  /** Opens the page's objects and subscribes its listeners; runs before `join()`. */
  prepare(session: Session): Promise<void>;
}

/** A page's process and group, once connected. */
export interface Session {
  readonly process: Process;
  readonly group: Group;
  readonly network: NetworkSwitch;
  /** Problems that are not fatal (a peer's bad frame, a store that failed): logged and kept for the status. */
  report(error: unknown): void;
  readonly reported: readonly string[];
}

/**
 * Connects, prepares and joins. Resolves once the first view is installed (after state transfer);
 * rejects when the signaling server cannot be reached or the join fails, having closed what it opened.
 */
export async function startSession(setup: SessionSetup, onView: (view: View) => void): Promise<Session> {
  const network = new NetworkSwitch();
  const reported: string[] = [];
  const report = (error: unknown): void => {
    reported.push(describeError(error));
    if (reported.length > 50) reported.shift();
    console.warn('[synchrony]', error);
  };
  const process = await connect({ signaling: setup.params.signaling, wrtc: network.wrtc });
  try {
    process.on('error', report);
    const failureTimeoutMs = setup.params.failureTimeoutMs;
    const group = process.group(setup.groupName, {
      ...setup.joinOptions,
      ...(failureTimeoutMs === undefined ? {} : { failureTimeoutMs }),
    });
    const session: Session = { process, group, network, report, reported };
    group.on('view', onView);
    await setup.prepare(session);
    // No leave at pagehide: a graceful leave needs round trips a closing page does not get, so the
    // others notice a closed tab by their failure detector either way (measured: the same delay).
    await group.join();

    return session;
  } catch (error) {
    await process.close({ abrupt: true }).catch(() => {});
    throw error;
  }
}
