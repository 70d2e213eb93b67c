/**
 * Command-line options of the benchmarks: `--name value` pairs, each an integer clamped to a
 * range, so a typo can never start an unbounded run.
 */

/**
 * The option `--budget-s` (default 600 s): past it the program exits with status 2, whatever it is
 * waiting for (its children are killed on exit). Returns the function that cancels the guard.
 */
export function budgetGuard(program: string): () => void {
  const budgetS = intOption('budget-s', 600, 30, 3600);
  const guard = setTimeout(() => {
    console.error(`${program}: over the budget of ${budgetS} s; stopping`);
    process.exit(2);
  }, budgetS * 1000);
  return () => clearTimeout(guard);
}

/** The integer option `--name`, or `fallback`; always within [min, max]. */
export function intOption(name: string, fallback: number, min: number, max: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const raw = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(raw)) throw new RangeError(`--${name} takes an integer, got ${process.argv[at + 1]}`);
  return Math.min(max, Math.max(min, raw));
}

/** The list option `--name 2,4,8`, or `fallback`; each value within [min, max], at most `maxItems`. */
export function intListOption(name: string, fallback: readonly number[], min: number, max: number, maxItems = 8): number[] {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return [...fallback];
  const values = (process.argv[at + 1] ?? '').split(',').map(Number);
  if (values.length === 0 || values.some((v) => !Number.isInteger(v))) throw new RangeError(`--${name} takes integers like 2,4,8`);
  return values.slice(0, maxItems).map((v) => Math.min(max, Math.max(min, v)));
}
