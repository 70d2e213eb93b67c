/**
 * Waits on the statuses of several members together (Chromium pages or Node processes), and the
 * conditions the tests wait for.
 */
import type { PageStatus } from '../page/e2e-api.js';
import { waitUntil } from './with-timeout.js';

/** Anything whose status can be asked: a page, a Node process. */
export interface StatusSource {
  status(): Promise<PageStatus>;
}

/**
 * Polls the members' statuses until `done` holds for all of them together. Each poll asks every
 * member, so with many members poll less often (`intervalMs`): the polling must not be the load.
 */
export function waitForMembers(
  members: readonly StatusSource[],
  done: (statuses: PageStatus[]) => boolean,
  timeoutMs: number,
  what: string,
  intervalMs?: number,
): Promise<PageStatus[]> {
  return waitUntil(() => Promise.all(members.map((m) => m.status())), done, timeoutMs, what, intervalMs);
}

/** True when every status holds the same primary view, made of exactly these members. */
export function sameViewOf(statuses: readonly PageStatus[]): boolean {
  const first = statuses[0]?.view;
  if (first === undefined || !first.primary) return false;
  const members = statuses.map((s) => s.member).sort().join(',');
  return statuses.every((s) => s.view?.id === first.id && s.view.primary && [...s.view.members].sort().join(',') === members);
}

/**
 * True when every member delivered all it sent (so nothing is still being ordered or waiting to be
 * stable), and all hold one state: its count is the number of messages in the group's history,
 * however much of it came by state transfer, so equal states mean the same messages delivered.
 */
export function quiescent(statuses: readonly PageStatus[]): boolean {
  const state = JSON.stringify(statuses[0]?.state);
  return statuses.every((s) => s.unsettled === 0 && s.undeliveredOwn === 0 && JSON.stringify(s.state) === state);
}
