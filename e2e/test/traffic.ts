/**
 * The workload of the end-to-end test: multicasts of every order, some safe.
 */
import type { Order } from '@synchrony/core';
import type { SendSpec } from '../page/e2e-api.js';

const ORDERS: readonly Order[] = ['fifo', 'causal', 'total'];

/** One in this many multicasts is safe: enough to exercise stability without making every send wait for it. */
const SAFE_EVERY = 4;

/** `count` multicasts cycling through FIFO, causal and total order, one in four of them safe. */
export function mixedTraffic(count: number): SendSpec[] {
  return Array.from({ length: count }, (_, i) => ({ order: ORDERS[i % ORDERS.length]!, safe: i % SAFE_EVERY === 0 }));
}
