/**
 * How busy the whole machine was over a stretch of a benchmark: every process, every core (from
 * `os.cpus()`, the kernel's per-core counters). The WebRTC programs run their processes or pages
 * on the machine's two cores, so a rate that stops rising can be a program that waits, or a
 * machine with no core left; these numbers tell which. They count other tenants' work too: on a
 * shared machine they are an upper bound on the benchmark's own.
 */
import { cpus } from 'node:os';

/** One measured stretch. */
export interface CpuSpan {
  /** Core-seconds spent busy (user, nice, system, interrupts) over the stretch, all cores together. */
  busyCoreSeconds: number;
  /** The share of the machine's capacity that was busy: busy core-seconds over cores × wall seconds. */
  busyShare: number;
  wallSeconds: number;
  cores: number;
}

function snapshot(): { busyMs: number; totalMs: number; cores: number } {
  let busyMs = 0;
  let totalMs = 0;
  const all = cpus();
  for (const { times } of all) {
    const busy = times.user + times.nice + times.sys + times.irq;
    busyMs += busy;
    totalMs += busy + times.idle;
  }
  return { busyMs, totalMs, cores: all.length };
}

/** Starts measuring; the function returned ends the stretch and tells how busy it was. */
export function cpuMeter(): () => CpuSpan {
  const start = snapshot();
  const startedAt = performance.now();
  return () => {
    const end = snapshot();
    const busyMs = end.busyMs - start.busyMs;
    const totalMs = end.totalMs - start.totalMs;
    return {
      busyCoreSeconds: busyMs / 1000,
      busyShare: totalMs > 0 ? busyMs / totalMs : Number.NaN,
      wallSeconds: (performance.now() - startedAt) / 1000,
      cores: end.cores,
    };
  };
}
