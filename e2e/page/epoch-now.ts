/**
 * The clock of the end-to-end traces, shared by the pages and the test in Node.
 */

/**
 * Milliseconds since the Unix epoch that only move forward: `performance.now()` is monotonic within
 * a page (or a Node process), and adding `timeOrigin` puts every page and the test on one epoch, so
 * their traces merge by time.
 */
export function epochNowMs(): number {
  return performance.timeOrigin + performance.now();
}
