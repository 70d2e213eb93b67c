/**
 * Small statistics and formatting helpers shared by the benchmarks. Timings on shared machines
 * are noisy, so every benchmark repeats its runs and reports medians, and ratios computed
 * within one repetition (library and baseline measured back to back).
 */

/** The median of a non-empty list (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The smallest and largest value, for a spread next to a median. */
export function range(values: readonly number[]): [number, number] {
  return [Math.min(...values), Math.max(...values)];
}

/** A number with thousands separators and no decimals, e.g. `1 234 567`. */
export function count(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.round(value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** A number with a fixed count of decimals. */
export function fixed(value: number, decimals = 1): string {
  return Number.isFinite(value) ? value.toFixed(decimals) : String(value);
}

/** A share in [0, 1] as a whole percentage, e.g. `83 %`. */
export function percent(share: number): string {
  return `${fixed(share * 100, 0)} %`;
}

/** Renders rows as a Markdown table, so the output can be pasted into a README as is. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

/** One line describing the machine and its load, printed with every result. */
export async function machineLine(): Promise<string> {
  const os = await import('node:os');
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  return `node ${process.version}, ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? '?'}), load average ${load}`;
}

/** Wall-clock and CPU time of a piece of work, in milliseconds. */
export interface Elapsed {
  wallMs: number;
  /** User plus system CPU time of this process: what the work cost, whatever else the machine ran. */
  cpuMs: number;
}

/** Starts a stopwatch; calling the result reads both clocks. */
export function stopwatch(): () => Elapsed {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { wallMs: performance.now() - wall, cpuMs: (used.user + used.system) / 1000 };
  };
}
