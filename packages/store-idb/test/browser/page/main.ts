/**
 * The store's Chromium test page: one process on the real WebRTC mesh, one group with a Counter and
 * a ReplicatedMap, persisted with `idbStore('device-' + device)`. `?signaling=ws://…&device=a`.
 */
import type { Group, Process, View } from '@synchrony/core';
import { Counter, ReplicatedMap } from '@synchrony/objects';
import { idbStore } from '@synchrony/store-idb';
import { connect } from '@synchrony/webrtc';
import type { JoinRequest, PageStatus, StoreTestApi, StoredSummary } from './store-test-api.js';

const params = new URL(window.location.href).searchParams;
const signaling = params.get('signaling');
const device = params.get('device');
if (signaling === null || device === null) throw new Error('the page needs ?signaling=ws://HOST:PORT&device=NAME');
const storeName = `device-${device}`;

const describe = (reason: unknown): string => (reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason));
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const errors: string[] = [];
window.addEventListener('error', (event) => errors.push(`uncaught: ${event.message}`));
window.addEventListener('unhandledrejection', (event) => errors.push(`unhandled rejection: ${describe(event.reason)}`));

let joined: { process: Process; group: Group; clicks: Counter; notes: ReplicatedMap<string> } | undefined;
let firstView: View | undefined;
let resets = 0;

const member = () => {
  if (joined === undefined) throw new Error('join first');
  return joined;
};

const api: StoreTestApi = {
  device,
  async join(request: JoinRequest): Promise<PageStatus> {
    if (joined !== undefined) throw new Error('this page already joined');
    const process = await connect({ signaling });
    process.on('error', (error) => errors.push(`process error: ${describe(error)}${error.cause === undefined ? '' : ` (cause: ${describe(error.cause)})`}`));
    const group = process.group(request.group, { store: idbStore(storeName), failureTimeoutMs: request.failureTimeoutMs });
    group.on('view', (view) => { firstView ??= view; });
    const clicks = await Counter.open(group, 'clicks');
    const notes = await ReplicatedMap.open<string>(group, 'notes');
    clicks.on('change', (change) => { if (change.type === 'reset') resets += 1; });
    joined = { process, group, clicks, notes };
    await group.join();
    return api.status();
  },
  add: (n) => member().clicks.add(n),
  note: (key, value) => member().notes.set(key, value),
  status: () => plain({
    processId: joined?.process.id ?? '',
    member: joined?.group.me ?? '',
    firstView,
    view: joined?.group.view,
    clicks: joined?.clicks.value ?? 0,
    notes: joined === undefined ? [] : [...joined.notes.entries()].sort(([x], [y]) => x.localeCompare(y)),
    resets,
    errors,
  }),
  async stored(group: string): Promise<StoredSummary> {
    const store = idbStore(storeName);
    try {
      const checkpoint = await store.load(group);
      const views = await store.views(group);
      return {
        checkpoint: checkpoint && { viewId: checkpoint.viewId, position: checkpoint.position, member: checkpoint.member, bytes: checkpoint.state.byteLength },
        viewIds: views.map((v) => v.id),
      };
    } finally {
      store.close();
    }
  },
};

window.storeTest = api;
