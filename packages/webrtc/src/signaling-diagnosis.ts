/**
 * Why one attempt to reach a signaling server failed, in words a user can act on.
 *
 * A WebSocket reports little: in a browser, a failed handshake is a bare 'error' and a close with
 * code 1006, whatever the cause. Node's `ws` says more in its error event (`Unexpected server
 * response: 404`, `connect ECONNREFUSED …`), and that is used when present, so that a plain HTTP
 * server given by mistake is named as such instead of "connection closed (1006)".
 */

/** What was seen of one attempt. */
export interface AttemptTrace {
  /** The WebSocket opened (the HTTP upgrade succeeded). */
  opened: boolean;
  /** The message of the socket's error event, when the implementation gives one. */
  errorMessage: string | undefined;
}

/** Why the attempt at `url` ended with a close (`code`, `reason`) before any welcome. */
export function describeClose(url: string, trace: AttemptTrace, code: number | undefined, reason: string | undefined): string {
  const error = trace.errorMessage;
  const status = error === undefined ? undefined : /Unexpected server response: (\d+)/.exec(error)?.[1];
  if (status !== undefined) return `${url} answered the WebSocket upgrade with HTTP ${status}: it is not a Synchrony signaling server (wrong URL or port?)`;
  if (error !== undefined && /ECONNREFUSED/.test(error)) return `nothing listens at ${url} (connection refused)`;
  if (!trace.opened) {
    if (error !== undefined && /socket hang up|ECONNRESET|Invalid Sec-WebSocket-Accept|Invalid WebSocket frame/.test(error)) {
      return `${url} did not complete a WebSocket handshake (${error}): it is not a Synchrony signaling server`;
    }
    return `could not open a WebSocket to ${url}${error === undefined ? ' (nothing listening, or not a WebSocket server)' : ` (${error})`}`;
  }
  const how = `code ${code ?? '?'}${reason ? ` ${reason}` : ''}`;
  return `${url} accepted the WebSocket but closed it (${how}) without a welcome: is it a Synchrony signaling server?`;
}

/** Why the attempt at `url` is abandoned after `timeoutMs` without a welcome. */
export function describeTimeout(url: string, trace: AttemptTrace, timeoutMs: number): string {
  if (!trace.opened) return `no answer to the WebSocket handshake from ${url} within ${timeoutMs} ms`;
  return `${url} accepted the WebSocket but sent no welcome within ${timeoutMs} ms: is it a Synchrony signaling server?`;
}

/** The message of a WebSocket error event, when there is one (Node's `ws` has it; browsers do not). */
export function errorEventMessage(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const { message, error } = event as { message?: unknown; error?: unknown };
  if (typeof message === 'string' && message !== '') return message.slice(0, 200);
  if (error instanceof Error) return error.message.slice(0, 200);
  return undefined;
}
