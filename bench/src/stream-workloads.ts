/**
 * The stream workloads of the messaging benchmarks (webrtc-messaging.ts in Node, browser.ts in
 * Chromium): small messages from one sender and from all, in each order; bulk; latency at a
 * moderate rate. Each runs on the group and on a raw mesh of data channels.
 */
import { intOption } from './args.js';

export type Order = 'fifo' | 'causal' | 'total';

export interface Workload {
  key: string;
  label: string;
  /** What one unit is in the rate (messages, or MiB). */
  unit: 'msg/s' | 'MiB/s' | 'ms';
  order: Order;
  safe: boolean;
  bytes: number;
  senders: 'one' | 'all';
  /** Messages in all, on the group and on the raw mesh. */
  groupCount: number;
  rawCount: number;
  ratePerS: number;
  latency: boolean;
}

/** The workloads, sized by the command line (`--small`, `--raw-small`, `--bulk-mib`, `--latency-s`). */
export function workloads(): Workload[] {
  const small = intOption('small', 20_000, 100, 400_000);
  const rawSmall = intOption('raw-small', 4000, 100, 400_000);
  const bulkMib = intOption('bulk-mib', 32, 1, 1024);
  const latencyS = intOption('latency-s', 3, 1, 60);
  const out: Workload[] = [];
  const orders: Array<[string, Order, boolean]> = [['fifo', 'fifo', false], ['causal', 'causal', false], ['total', 'total', false], ['safe', 'total', true]];
  for (const senders of ['one', 'all'] as const) {
    for (const [name, order, safe] of orders) {
      out.push({
        key: `small-${senders}-${name}`, label: `100 B, ${senders === 'one' ? 'one sender' : 'all to all'}, ${name}`, unit: 'msg/s',
        order, safe, bytes: 100, senders, groupCount: small, rawCount: rawSmall, ratePerS: 0, latency: false,
      });
    }
  }
  for (const bytes of [16 * 1024, 1024 * 1024]) {
    const n = Math.max(4, Math.round((bulkMib * 1024 * 1024) / bytes));
    out.push({
      key: `bulk-${bytes / 1024}k`, label: `${bytes >= 1024 * 1024 ? '1 MiB' : '16 KiB'} messages, one sender, fifo`, unit: 'MiB/s',
      order: 'fifo', safe: false, bytes, senders: 'one', groupCount: n, rawCount: n, ratePerS: 0, latency: false,
    });
  }
  for (const order of ['fifo', 'total'] as const) {
    out.push({
      key: `latency-${order}`, label: `latency at 1,000 msg/s, 100 B, ${order}`, unit: 'ms', order, safe: false, bytes: 100,
      senders: 'one', groupCount: 1000 * latencyS, rawCount: 1000 * latencyS, ratePerS: 1000, latency: true,
    });
  }
  return out;
}

