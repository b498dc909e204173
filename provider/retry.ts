/**
 * The one policy every client of this project (vCenter, published libraries, the cluster) follows
 * for a request: each attempt is bounded in time, and an attempt that failed for a reason that may
 * pass (no connection, no answer in time, 429, a 5xx answer) is tried again after a growing pause.
 * Other failures are final at once.
 */

/** How a client retries and bounds its requests. */
export interface RetryPolicy {
  /** Tries after the first one. @default 3 */
  readonly retries?: number;
  /** Time limit of one attempt, from sending the request to the end of the answer. @default 30000 */
  readonly timeoutMs?: number;
}

export const DEFAULT_RETRIES = 3;
export const DEFAULT_TIMEOUT_MS = 30_000;

/** An attempt the server did not answer within its time limit (it is cancelled). */
export class TimeLimitError extends Error {
  readonly retryable = true;
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = "TimeLimitError";
  }
}

const NETWORK_CODES = /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ECONNABORTED|UND_ERR_SOCKET|ERR_HTTP2_\w+)$/;

/** Whether an HTTP status says to try again later: 429, and the server errors but 501 (not implemented). */
export function retryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501);
}

/**
 * Whether a failed attempt may succeed if tried again: it says so (`retryable`), its HTTP status
 * does (`status`, or a numeric `code`), or it is a network error (a string `code`, here or in its cause).
 */
export function isRetryable(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const e = err as { retryable?: unknown; status?: unknown; code?: unknown; cause?: unknown; message?: unknown };
  if (typeof e.retryable === "boolean") return e.retryable;
  const status = typeof e.status === "number" ? e.status : typeof e.code === "number" ? e.code : undefined;
  if (status !== undefined) return retryableStatus(status);
  if (typeof e.code === "string" && NETWORK_CODES.test(e.code)) return true;
  if (typeof e.message === "string" && /socket hang up/i.test(e.message)) return true;
  return e.cause !== undefined && e.cause !== err && isRetryable(e.cause);
}

export interface RetryHooks<T> {
  /** The HTTP status of an attempt's result, for a client whose requests return error answers rather than throw them. */
  readonly statusOf?: (result: T) => number;
  /** Called before each retry, for counting. */
  readonly onRetry?: (attempt: number) => void;
}

/**
 * Runs `attempt` until it succeeds, fails for good or has no tries left; then its last result (an
 * answer with a retryable status, given back as it is) or error. Each attempt gets a signal that
 * aborts at its time limit: the transport cancels its request on it and fails, with the signal's
 * reason (a TimeLimitError) or an error of its own that says more.
 */
export async function withRetries<T>(policy: RetryPolicy, attempt: (signal: AbortSignal) => Promise<T>, hooks: RetryHooks<T> = {}): Promise<T> {
  const retries = policy.retries ?? DEFAULT_RETRIES;
  const timeoutMs = policy.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  for (let n = 0; ; n++) {
    const limit = new AbortController();
    const timer = setTimeout(() => limit.abort(new TimeLimitError(timeoutMs)), timeoutMs);
    try {
      const result = await attempt(limit.signal);
      if (n >= retries || hooks.statusOf === undefined || !retryableStatus(hooks.statusOf(result))) return result;
    } catch (err) {
      // A transport that says only that it was aborted gets the reason: its time limit.
      const failure = limit.signal.aborted && (err as { name?: unknown }).name === "AbortError" ? limit.signal.reason : err;
      if (n >= retries || !isRetryable(failure)) throw failure;
    } finally {
      clearTimeout(timer);
    }
    hooks.onRetry?.(n + 1);
    await new Promise((r) => setTimeout(r, backoffMs(n)));
  }
}

/** The pause before retry `n + 1`: 200 ms doubling up to 5 s, with a little jitter so clients spread out. */
function backoffMs(n: number): number {
  return Math.min(200 * 2 ** n, 5000) + Math.floor(Math.random() * 100);
}
