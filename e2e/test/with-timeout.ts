/**
 * Time bounds for the end-to-end test: a call into a page (`page.evaluate`) has no timeout of its
 * own, and a condition on several pages is polled; both fail with a message that says what hung.
 */

/** Rejects with `what` in the message when `promise` takes longer than `timeoutMs`. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** How often {@link waitUntil} looks again, unless told otherwise. */
const POLL_INTERVAL_MS = 20;

/**
 * Resolves with the first truthy result of `probe`, polled every `intervalMs`; rejects after `timeoutMs`
 * with `what` and the last result in the message, so a failure shows where things stood.
 */
export async function waitUntil<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  what: string,
  intervalMs = POLL_INTERVAL_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await withTimeout(probe(), timeoutMs, what);
    if (done(value)) return value;
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms: ${what}; last seen: ${JSON.stringify(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
