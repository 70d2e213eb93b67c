/**
 * Memory and socket measurements for the hardening tests: heap after a full garbage collection
 * (forced through V8, which vitest does not expose), and the TCP handles this process holds.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap used after a full collection, in bytes. */
export function heapAfterGc(): number {
  gc();
  gc(); // a second pass frees what the first one's finalizers released
  return process.memoryUsage().heapUsed;
}

/** TCP sockets and servers this process holds open (clients and servers alike). */
export function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap' || name === 'TCPServerWrap').length;
}
